// ClientConfig validation and the request target, with no I/O.
#include "api/paths.hpp"
#include "client/config_check.hpp"

#include <boost/test/unit_test.hpp>

using namespace bwvoice;
using namespace bwvoice::detail;

namespace {
ClientConfig valid() {
    ClientConfig c;
    c.account_id = "9900000";
    c.username = "u";
    c.password = "p";
    return c;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(default_base_url_is_the_production_api) {
    auto ep = check_config(valid()).api;
    BOOST_TEST(ep.tls);
    BOOST_TEST(ep.host == "voice.bandwidth.com");
    BOOST_TEST(ep.port == "443");
    BOOST_TEST(ep.host_header == "voice.bandwidth.com");
    BOOST_TEST(ep.account_path == "/api/v2/accounts/9900000");
}

BOOST_AUTO_TEST_CASE(ports_paths_and_ipv6_hosts) {
    auto c = valid();
    c.base_url = "https://[::1]:8443/x/api/v2/";
    auto ep = check_config(c).api;
    BOOST_TEST(ep.port == "8443");
    BOOST_TEST(ep.host_header == "[::1]:8443");
    BOOST_TEST(ep.account_path == "/x/api/v2/accounts/9900000");
    c.base_url = "http://localhost:8080";
    c.insecure_allow_plain_http = true;
    ep = check_config(c).api;
    BOOST_TEST(!ep.tls);
    BOOST_TEST(ep.account_path == "/accounts/9900000");
}

BOOST_AUTO_TEST_CASE(every_reserved_byte_of_an_id_is_encoded) {
    auto ep = check_config(valid()).api;
    BOOST_TEST(std::string_view(conference_target(ep, "conf-1_a.b~c")) ==
               ep.account_path + "/conferences/" + "conf-1_a.b~c");
    BOOST_TEST(std::string_view(conference_target(ep, "a/b?c#d%e f")) ==
               ep.account_path + "/conferences/" + "a%2Fb%3Fc%23d%25e%20f");
    BOOST_TEST(std::string_view(conference_target(ep, "x\r\nHost: evil")) ==
               ep.account_path + "/conferences/" + "x%0D%0AHost%3A%20evil");
    BOOST_TEST(std::string_view(conference_target(ep, std::string("a\0b", 3))) ==
               ep.account_path + "/conferences/" + "a%00b");
    BOOST_TEST(std::string_view(conference_target(ep, "\xC3\xA9")) == ep.account_path + "/conferences/" + "%C3%A9");
}

BOOST_AUTO_TEST_CASE(the_account_id_is_encoded_too) {
    auto c = valid();
    c.account_id = "../x";
    BOOST_TEST(check_config(c).api.account_path == "/api/v2/accounts/..%2Fx");
}

namespace {
/// The message of the std::invalid_argument check_config throws, or "" if none.
std::string rejection(const ClientConfig& c) {
    try {
        check_config(c);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}
}  // namespace

// A port above 65535 was accepted and wrapped modulo 65536: the credentials
// went to the wrapped port while errors named the one written.
BOOST_AUTO_TEST_CASE(ports_outside_1_to_65535_are_refused) {
    for (const char* url : {"https://h:65536/api", "https://h:70000/api", "https://h:99999999999/api",
                            "https://h:0/api", "https://h:00/api", "https://h:/api"}) {
        auto c = valid();
        c.base_url = url;
        const std::string what = rejection(c);
        BOOST_TEST(what.find("ClientConfig::base_url") == 0u, url << ": '" << what << "'");
    }
    for (const char* url : {"https://h:1/api", "https://h:65535/api", "https://h:0443/api"}) {
        auto c = valid();
        c.base_url = url;
        BOOST_TEST(rejection(c).empty(), url);
    }
    auto c = valid();
    c.base_url = "https://h:0443/api";
    BOOST_TEST(check_config(c).api.port == "443");
}

// Boost.URL decodes the host: an encoded NUL or line break would make name
// resolution, the Host header and the certificate check disagree on the host.
BOOST_AUTO_TEST_CASE(a_host_with_an_encoded_control_character_is_refused) {
    for (const char* url : {"https://exa%00mple.com/api", "https://exa%0Ample.com/api", "https://exa%7Fmple.com/api"}) {
        auto c = valid();
        c.base_url = url;
        BOOST_TEST(rejection(c).find("ClientConfig::base_url") == 0u, url);
    }
}

// Each URL's own reason, not "not an absolute URL", for a fragment; both
// kinds of credentials named as given.
BOOST_AUTO_TEST_CASE(refusals_name_their_reason) {
    auto c = valid();
    c.base_url = "https://api.example.com/v2#frag";
    BOOST_TEST(rejection(c).find("fragment") != std::string::npos, rejection(c));
    c = valid();
    c.username.clear();
    c.password.clear();
    c.client_id = "id";
    c.client_secret = "s";
    c.token_url = "https://auth.example.com/token#x";
    BOOST_TEST(rejection(c).find("ClientConfig::token_url must not have a fragment") == 0u, rejection(c));
    c.token_url = "https://auth.example.com/token";
    c.username = "u";
    BOOST_TEST(rejection(c).find("(username, client_id, client_secret)") != std::string::npos, rejection(c));
}

// Durations near milliseconds::max() overflowed now() + timeout.
BOOST_AUTO_TEST_CASE(durations_have_an_upper_bound) {
    using std::chrono::milliseconds;
    const milliseconds huge = milliseconds::max();
    const std::vector<std::pair<std::string, void (*)(ClientConfig&, milliseconds)>> fields = {
        {"request_timeout", [](ClientConfig& c, milliseconds d) { c.request_timeout = d; }},
        {"connect_timeout", [](ClientConfig& c, milliseconds d) { c.connect_timeout = d; }},
        {"handshake_timeout", [](ClientConfig& c, milliseconds d) { c.handshake_timeout = d; }},
        {"idle_timeout", [](ClientConfig& c, milliseconds d) { c.idle_timeout = d; }},
        {"dns_cache_ttl", [](ClientConfig& c, milliseconds d) { c.dns_cache_ttl = d; }},
        {"retry.backoff_cap", [](ClientConfig& c, milliseconds d) { c.retry.backoff_cap = d; }},
    };
    for (const auto& [name, set] : fields) {
        for (milliseconds d : {huge, huge / 2, longest_duration + milliseconds(1)}) {
            auto c = valid();
            set(c, d);
            const std::string what = rejection(c);
            BOOST_TEST(what.find("ClientConfig::" + name) == 0u, name << ": '" << what << "'");
        }
        auto c = valid();
        set(c, longest_duration);
        BOOST_TEST(rejection(c).empty(), name);
    }
    auto c = valid();
    c.retry.backoff_base = milliseconds::max();
    c.retry.backoff_cap = milliseconds::max();
    BOOST_TEST(!rejection(c).empty());
}

BOOST_AUTO_TEST_SUITE_END()
