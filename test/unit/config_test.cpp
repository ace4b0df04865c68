// ClientConfig validation and the request target, with no I/O.
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
    auto ep = check_config(valid());
    BOOST_TEST(ep.tls);
    BOOST_TEST(ep.host == "voice.bandwidth.com");
    BOOST_TEST(ep.port == "443");
    BOOST_TEST(ep.host_header == "voice.bandwidth.com");
    BOOST_TEST(ep.path_prefix == "/api/v2/accounts/9900000/conferences/");
}

BOOST_AUTO_TEST_CASE(ports_paths_and_ipv6_hosts) {
    auto c = valid();
    c.base_url = "https://[::1]:8443/x/api/v2/";
    auto ep = check_config(c);
    BOOST_TEST(ep.port == "8443");
    BOOST_TEST(ep.host_header == "[::1]:8443");
    BOOST_TEST(ep.path_prefix == "/x/api/v2/accounts/9900000/conferences/");
    c.base_url = "http://localhost:8080";
    c.insecure_allow_plain_http = true;
    ep = check_config(c);
    BOOST_TEST(!ep.tls);
    BOOST_TEST(ep.path_prefix == "/accounts/9900000/conferences/");
}

BOOST_AUTO_TEST_CASE(every_reserved_byte_of_an_id_is_encoded) {
    auto ep = check_config(valid());
    BOOST_TEST(conference_target(ep, "conf-1_a.b~c") == ep.path_prefix + "conf-1_a.b~c");
    BOOST_TEST(conference_target(ep, "a/b?c#d%e f") == ep.path_prefix + "a%2Fb%3Fc%23d%25e%20f");
    BOOST_TEST(conference_target(ep, "x\r\nHost: evil") == ep.path_prefix + "x%0D%0AHost%3A%20evil");
    BOOST_TEST(conference_target(ep, std::string("a\0b", 3)) == ep.path_prefix + "a%00b");
    BOOST_TEST(conference_target(ep, "\xC3\xA9") == ep.path_prefix + "%C3%A9");
}

BOOST_AUTO_TEST_CASE(the_account_id_is_encoded_too) {
    auto c = valid();
    c.account_id = "../x";
    BOOST_TEST(check_config(c).path_prefix == "/api/v2/accounts/..%2Fx/conferences/");
}

BOOST_AUTO_TEST_SUITE_END()
