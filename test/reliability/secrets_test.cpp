// Security: the password and the Authorization header value never appear in
// an error_code's message, in any Diagnostics field or in an exception's
// what(), whatever the failure; nothing a caller supplies (conference IDs,
// account ID, user name, user agent) can change the request's path or add a
// header; TLS verification cannot be switched off; credentials never cross
// plain HTTP unless insecure_allow_plain_http is set.
//
// Existing tests already prove: an unknown CA, a wrong host name and an expired
// certificate are refused, and a caller's verify_none context is overridden
// (client_tls_test); an http:// base URL is refused unless allowed
// (client_tls_test); a nasty ID is one percent-encoded segment
// (client_lookup_test, config_test). This file adds the secrets across every
// failure kind and the injection and plain-HTTP cases they do not cover.
#include "common/lookup_helpers.hpp"
#include "common/refused_port.hpp"

#include <bwvoice/error_with_diagnostics.hpp>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <boost/asio/ssl/context.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using Kind = mock::Action::Kind;
using namespace std::chrono_literals;

namespace {

const std::string kUser = "api-user";
const std::string kPassword = "Zq7-S3cret-Pa55word-9xK";

std::string base64(std::string_view in) {
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        for (int s : {18, 12, 6, 0}) out += table[(v >> s) & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string authorization_value(const std::string& user, const std::string& password) {
    return "Basic " + base64(user + ":" + password);
}

/// Everything that must never be shown: the password, the credentials in
/// clear, their Base64 form and the whole header value.
std::vector<std::string> secrets() {
    return {kPassword, kUser + ":" + kPassword, base64(kUser + ":" + kPassword), authorization_value(kUser, kPassword)};
}

/// Fails the test (one assertion) if `text` contains a secret.
void check_clean(const std::string& where, const std::string& text) {
    const auto all = secrets();
    const bool leaked =
        std::any_of(all.begin(), all.end(), [&](const std::string& s) { return text.find(s) != std::string::npos; });
    BOOST_TEST(!leaked, where << " contains a secret: " << text);
}

void check_result_clean(const std::string& label, const LookupResult& r) {
    check_clean(label + ": error_code message", r.ec.message());
    check_clean(label + ": error category", r.ec.category().name());
    check_clean(label + ": to_string(errc)", std::string(to_string(to_errc(r.ec))));
    check_clean(label + ": Diagnostics::message", r.diag.message);
    check_clean(label + ": Diagnostics::api_error_type", r.diag.api_error_type);
    check_clean(label + ": Diagnostics::api_error_description", r.diag.api_error_description);
    // And the exception the default token would throw.
    check_clean(label + ": system_error::what()", boost::system::system_error(r.ec).what());
}

mock::ServerOptions server_options() {
    mock::ServerOptions o;
    o.username = kUser;
    o.password = kPassword;
    return o;
}

Action of_kind(Kind k) {
    Action a;
    a.kind = k;
    return a;
}
Action respond(unsigned status, std::string body = {}, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Action a;
    a.status = status;
    if (!body.empty()) a.body = std::move(body);
    a.headers = std::move(headers);
    return a;
}

/// What a conference ID turns into on the wire, decoded again (%XX only).
std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(secrets)

// The server does not echo anything: every failure the client itself can
// describe is free of the secrets.
BOOST_AUTO_TEST_CASE(no_failure_kind_shows_the_password_or_the_authorization_header) {
    MockEnv env(server_options());
    net::io_context ioc;
    const RefusedPort refused;
    struct Case {
        std::string label;
        std::function<void(ClientConfig&)> config;
        std::vector<Action> script;  // for conf-1
        errc expected;
    };
    const std::string bad_json_with_secret = R"({"id":")" + authorization_value(kUser, kPassword) + R"(", "name": )";
    const std::string mistyped_with_secret =
        R"({"id":")" + kPassword + R"(","name":{"x":")" + kPassword + R"("},"createdTime":"2026-01-01T00:00:00Z"})";
    const std::string bad_time_with_secret = R"({"id":"c","name":"n","createdTime":")" + kPassword + R"("})";
    const std::vector<Case> cases = {
        {"401 wrong password", [](ClientConfig& c) { c.password = kPassword + "-wrong"; }, {}, errc::unauthorized},
        {"403 other account", [](ClientConfig& c) { c.account_id = "9900001"; }, {}, errc::forbidden},
        {"404", {}, {respond(404)}, errc::not_found},
        {"tls: unknown CA",
         [](ClientConfig& c) { c.tls.extra_ca_pem = mock::generate_pki().ca_cert_pem; },
         {},
         errc::tls_error},
        {"connection refused",
         [&](ClientConfig& c) { c.base_url = refused.https_url("/api/v2"); },
         {},
         errc::connection_failed},
        {"timeout", [](ClientConfig& c) { c.request_timeout = 300ms; }, {of_kind(Kind::silent)}, errc::timeout},
        {"dropped every time", {}, std::vector<Action>(4, of_kind(Kind::drop)), errc::connection_failed},
        {"bad JSON holding the header", {}, {respond(200, bad_json_with_secret)}, errc::bad_response},
        {"mistyped JSON holding the password", {}, {respond(200, mistyped_with_secret)}, errc::bad_response},
        {"a timestamp that is the password", {}, {respond(200, bad_time_with_secret)}, errc::bad_response},
        {"not HTTP, holding the header",
         {},
         {[] {
             Action a = of_kind(Kind::raw);
             a.body = "HTTP/1.1 200 " + authorization_value(kUser, kPassword) + "\r\nX: " + kPassword + "\r\n\r\n";
             return a;
         }()},
         errc::bad_response},
        {"headers echoing the credentials",
         {},
         {respond(401, "",
                  {{"WWW-Authenticate", "Basic realm=\"" + kPassword + "\""},
                   {"X-Echo", authorization_value(kUser, kPassword)}})},
         errc::unauthorized},
        {"Retry-After that is the password", [](ClientConfig& c) { c.retry.max_retries = 1; },
         std::vector<Action>(2, respond(429, "", {{"Retry-After", kPassword}})), errc::rate_limited},
        {"oversized header holding the header",
         {},
         {respond(200, "", {{"X-Echo", std::string(20000, 'x') + authorization_value(kUser, kPassword)}})},
         errc::bad_response},
    };
    for (const auto& c : cases) {
        auto config = env.client_config();
        config.username = kUser;
        config.password = kPassword;
        if (c.config) c.config(config);
        if (!c.script.empty()) env.server->script("conf-1", c.script);
        ConferenceClient client(ioc, config);
        LookupResult result;
        run_coroutine(ioc, [&]() -> net::awaitable<void> { result = co_await lookup(client, "conf-1"); });
        ioc.restart();
        env.server->clear_scripts();
        BOOST_TEST((result.ec == c.expected),
                   c.label << ": got " << result.ec.message() << " (" << result.diag.message << ")");
        check_result_clean(c.label, result);
    }

    // Closed client, and a caller's cancellation.
    auto config = env.client_config();
    config.username = kUser;
    config.password = kPassword;
    env.server->script_all({of_kind(Kind::silent)});
    ConferenceClient client(ioc, config);
    LookupResult closed;
    client.async_get_conference("conf-1", closed.diag, [&](error_code ec, Conference) { closed.ec = ec; });
    net::steady_timer timer(ioc, 100ms);
    timer.async_wait([&](error_code) { client.close(); });
    run_to_completion(ioc);
    BOOST_TEST((closed.ec == errc::cancelled));
    check_result_clean("closed client", closed);
}

// A server that echoes the request's credentials into its error body (some
// proxies and debug endpoints do). Diagnostics promises (diagnostics.hpp) it
// "never holds credentials or request headers", so the echoed secret must not
// reach api_error_type, api_error_description or message.
//
// The client copies the error body's type and description into Diagnostics
// and its message ("HTTP 400: <description>"); an echoed Authorization header
// or password must come out redacted.
BOOST_AUTO_TEST_CASE(a_server_echoing_the_credentials_in_its_error_body_does_not_leak_them) {
    MockEnv env(server_options());
    net::io_context ioc;
    auto config = env.client_config();
    config.username = kUser;
    config.password = kPassword;
    config.retry.max_retries = 1;
    ConferenceClient client(ioc, config);
    const std::string echo = R"({"type":"validation )" + kPassword + R"(","description":"you sent Authorization: )" +
                             authorization_value(kUser, kPassword) + R"("})";
    env.server->script("conf-1", {respond(400, echo)});
    env.server->script("conf-2", std::vector<Action>(2, respond(503, echo)));
    env.server->script("conf-3", {respond(401, echo)});
    for (const char* id : {"conf-1", "conf-2", "conf-3"}) {
        LookupResult r;
        run_coroutine(ioc, [&]() -> net::awaitable<void> { r = co_await lookup(client, id); });
        ioc.restart();
        BOOST_TEST(r.ec.failed());
        check_result_clean(std::string("echo for ") + id, r);
    }
}

// The message goes to callers' line-oriented logs and quotes the server (an
// error body's description, the ID an answer names): a CR/LF there would
// forge a log line, an ESC would drive a terminal. Control characters arrive
// escaped; the api_error fields keep the server's text as it was.
BOOST_AUTO_TEST_CASE(the_servers_text_cannot_put_control_characters_in_the_message) {
    MockEnv env(server_options());
    net::io_context ioc;
    auto config = env.client_config();
    config.username = kUser;
    config.password = kPassword;
    ConferenceClient client(ioc, config);
    const std::string forged = "\r\n2026-12-03 ERROR forged line\x1b[2J\x7f\t";
    const std::string description = "no such conference" + forged;
    env.server->script("conf-1", {respond(400, boost::json::serialize(boost::json::object{
                                                   {"type", "validation"}, {"description", description}}))});
    auto other = boost::json::parse(mock::seeded_conference_json(env.options.seed, 2)).as_object();
    other["id"] = "conf-2" + forged;
    env.server->script("conf-2", {respond(200, boost::json::serialize(other))});

    const auto has_control = [](const std::string& text) {
        return std::any_of(text.begin(), text.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 0x20 || u == 0x7f;
        });
    };
    for (const char* id : {"conf-1", "conf-2"}) {
        LookupResult r;
        run_coroutine(ioc, [&]() -> net::awaitable<void> { r = co_await lookup(client, id); });
        ioc.restart();
        BOOST_TEST(r.ec.failed(), id);
        BOOST_TEST(!has_control(r.diag.message), id << ": " << r.diag.message);
        BOOST_TEST(r.diag.message.find("\\r\\n2026-12-03 ERROR forged line\\x1b[2J\\x7f\\t") != std::string::npos,
                   id << ": " << r.diag.message);
        // The exception's what() escapes alike, and says the description once.
        const std::string what = error_with_diagnostics(r.ec, r.diag).what();
        BOOST_TEST(!has_control(what), id << ": " << what);
        BOOST_TEST(what.find("API error:") == std::string::npos, id << ": " << what);
        // The field itself is the server's text, unchanged.
        if (std::string_view(id) == "conf-1") BOOST_TEST(r.diag.api_error_description == description);
    }
}

// Redaction runs before escaping; escaping must not then spell a password
// out: one holding the two characters "\n", echoed with a real line break,
// or one holding a tab, echoed already escaped.
BOOST_AUTO_TEST_CASE(escaping_the_message_cannot_spell_out_a_password) {
    for (const std::string& password : {std::string("Zq7\\nS3cret-9xK"), std::string("Zq7\tS3cret-9xK")}) {
        mock::ServerOptions options = server_options();
        options.password = password;
        MockEnv env(options);
        net::io_context ioc;
        auto config = env.client_config();
        config.username = kUser;
        config.password = password;
        ConferenceClient client(ioc, config);
        std::string echoed = password;  // as the server turns it around
        const auto backslash_n = echoed.find("\\n");
        if (backslash_n != std::string::npos) echoed.replace(backslash_n, 2, "\n");
        const auto tab = echoed.find('\t');
        if (tab != std::string::npos) echoed.replace(tab, 1, "\\t");
        env.server->script("conf-1", {respond(400, boost::json::serialize(boost::json::object{
                                                       {"type", "validation"}, {"description", "bad " + echoed}}))});
        LookupResult r;
        run_coroutine(ioc, [&]() -> net::awaitable<void> { r = co_await lookup(client, "conf-1"); });
        BOOST_TEST((r.ec == errc::bad_request), r.ec.message());
        BOOST_TEST(r.diag.message.find("S3cret") == std::string::npos, r.diag.message);
        BOOST_TEST(r.diag.message.find("[redacted]") != std::string::npos, r.diag.message);
    }
}

// An update carries webhook credentials of the caller's; an API error that
// quotes them (a validation message naming the value) must not hand them
// back in Diagnostics either.
BOOST_AUTO_TEST_CASE(a_server_echoing_an_updates_webhook_passwords_does_not_leak_them) {
    MockEnv env(server_options());
    net::io_context ioc;
    auto config = env.client_config();
    config.username = kUser;
    config.password = kPassword;
    ConferenceClient client(ioc, config);
    const std::string hook = "hook-secret-Zq81", fallback = "fallback-secret-Pw55";
    const std::string echo =
        R"({"type":"validation","description":"password )" + hook + R"( and )" + fallback + R"( are not accepted"})";
    env.server->script("conf-1", {respond(400, echo)});
    ConferenceUpdate update;
    update.redirect_url = "https://hooks.example/redirect";
    update.username = "hook-user";
    update.password = hook;
    update.fallback_password = fallback;
    bwvoice::error_code ec;
    Diagnostics diag;
    client.async_update_conference("conf-1", update, diag, [&](bwvoice::error_code e) { ec = e; });
    ioc.run();
    BOOST_TEST((ec == errc::bad_request), ec.message());
    for (const std::string* text : {&diag.message, &diag.api_error_type, &diag.api_error_description}) {
        BOOST_TEST(text->find(hook) == std::string::npos, *text);
        BOOST_TEST(text->find(fallback) == std::string::npos, *text);
    }
    BOOST_TEST(diag.api_error_description.find("[redacted]") != std::string::npos, diag.api_error_description);
}

BOOST_AUTO_TEST_CASE(invalid_configurations_never_show_the_password_in_what) {
    const std::vector<std::pair<std::string, std::function<void(ClientConfig&)>>> cases = {
        {"userinfo in base_url",
         [](ClientConfig& c) { c.base_url = "https://" + kUser + ":" + kPassword + "@127.0.0.1/api"; }},
        {"password as the base_url", [](ClientConfig& c) { c.base_url = kPassword; }},
        {"password in a bad base_url", [](ClientConfig& c) { c.base_url = "https://127.0.0.1/" + kPassword + " x"; }},
        {"password in a query", [](ClientConfig& c) { c.base_url = "https://127.0.0.1/api?pw=" + kPassword; }},
        {"password in an http base_url", [](ClientConfig& c) { c.base_url = "http://127.0.0.1/" + kPassword; }},
        {"empty account", [](ClientConfig& c) { c.account_id.clear(); }},
        {"empty user", [](ClientConfig& c) { c.username.clear(); }},
        {"colon in the user", [](ClientConfig& c) { c.username = kUser + ":" + kPassword; }},
        {"CR LF in the user", [](ClientConfig& c) { c.username = kUser + "\r\n" + kPassword; }},
        {"CR LF in the user agent", [](ClientConfig& c) { c.user_agent = "a\r\nX-Pw: " + kPassword; }},
        {"pool_size 0", [](ClientConfig& c) { c.pool_size = 0; }},
        {"negative idle_timeout", [](ClientConfig& c) { c.idle_timeout = -1ms; }},
        {"missing CA file", [](ClientConfig& c) { c.tls.extra_ca_file = "/nonexistent/ca.pem"; }},
        {"CA PEM that is the password", [](ClientConfig& c) { c.tls.extra_ca_pem = kPassword; }},
    };
    net::io_context ioc;
    for (const auto& [label, mutate] : cases) {
        ClientConfig config;
        config.base_url = "https://127.0.0.1:1/api/v2";
        config.account_id = "9900000";
        config.username = kUser;
        config.password = kPassword;
        mutate(config);
        try {
            ConferenceClient client(ioc, config);
            BOOST_ERROR(label << ": accepted");
        } catch (const std::invalid_argument& e) {
            check_clean(label + ": invalid_argument::what()", e.what());
        } catch (const std::system_error& e) {
            check_clean(label + ": system_error::what()", e.what());
        } catch (const boost::system::system_error& e) {
            check_clean(label + ": boost system_error::what()", e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(the_authorization_header_is_exactly_basic_base64_whatever_the_credentials_hold) {
    // Bytes that would split a header if they were not encoded.
    const std::string password = std::string("p\r\nX-Injected: 1\r\n\r\nGET / HTTP/1.1\0\x7f\xff", 33);
    mock::ServerOptions options = server_options();
    options.password = password;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.username = kUser;
    config.password = password;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST(!r.ec, r.diag.message);
    });
    const auto requests = env.server->requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].authorization == authorization_value(kUser, password));
    BOOST_TEST(requests[0].target == "/api/v2/accounts/9900000/conferences/conf-1");
}

// IDs of every awkward kind: each reaches the server as exactly one path
// segment under the conference collection, decoding back to the same ID, and
// the mock (which percent-decodes the segment) finds the conference stored
// under that very ID.
BOOST_AUTO_TEST_CASE(no_id_can_change_the_path_or_add_a_header) {
    MockEnv env(server_options());
    std::vector<std::string> ids = {
        "a/b",
        "a/../../x",
        "?x=1",
        "#frag",
        "%2F",
        "%00",
        "a%2F..%2Fb",
        "a\\b",
        "a;b=c",
        "a b",
        "a\tb",
        "a\rb",
        "a\nb",
        "x\r\nHost: evil",
        " HTTP/1.1",
        "conf-1/..",
        "conf-1?",
        "@evil.com",
        "//evil.com/x",
        "+&=$,!*'()",
        std::string("a\0b", 3),
        "\x7f\x01\x1f",
        "\xC3\xA9\xE2\x82\xAC",
        "\xFF\xFE",
        std::string(1500, 'A') + "/x",
    };
    // The body names the ID it answers for (a result is never attributed to
    // another ID) and carries a tag saying which stored entry the mock found.
    for (std::size_t i = 0; i < ids.size(); ++i)
        env.server->put_conference(ids[i], R"({"id":)" + boost::json::serialize(boost::json::string(ids[i])) +
                                               R"(,"name":"n","createdTime":"2026-01-01T00:00:00Z","tag":"stored-)" +
                                               std::to_string(i) + R"("})");
    // No JSON text can carry this one (it is not UTF-8): its lookup reaches
    // the right resource, and the answer cannot be decoded.
    const std::string unrepresentable = "\xFF\xFE";
    net::io_context ioc;
    auto config = env.client_config();
    config.username = kUser;
    config.password = kPassword;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (std::size_t i = 0; i < ids.size(); ++i) {
            auto r = co_await lookup(client, ids[i]);
            if (ids[i] == unrepresentable) {
                BOOST_TEST((r.ec == errc::bad_response), "id #" << i << ": " << r.ec.message());
                continue;
            }
            BOOST_TEST(!r.ec, "id #" << i << ": " << r.ec.message() << " (" << r.diag.message << ")");
            BOOST_TEST(r.conference.id == ids[i], "id #" << i);
            BOOST_TEST(r.conference.tag.value_or("") == "stored-" + std::to_string(i), "id #" << i);
        }
    });
    const auto requests = env.server->requests();
    BOOST_TEST_REQUIRE(requests.size() == ids.size());
    const std::string prefix = "/api/v2/accounts/9900000/conferences/";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string& target = requests[i].target;
        BOOST_TEST_REQUIRE(target.starts_with(prefix), target);
        const std::string segment = target.substr(prefix.size());
        // Only unreserved characters and %XX: nothing that ends the path,
        // starts a query or fragment, or breaks the request line.
        BOOST_TEST(segment.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%") ==
                       std::string::npos,
                   "id #" << i << " sent as " << segment);
        BOOST_TEST(percent_decode(segment) == ids[i], "id #" << i);
        BOOST_TEST(requests[i].authorization == authorization_value(kUser, kPassword));
        BOOST_TEST(requests[i].method == "GET");
    }
}

// "." and ".." are unreserved characters, so percent-encoding leaves them
// alone; as whole segments they are dot-segments that servers and proxies
// remove (RFC 3986 5.2.4; nginx does it before matching locations), which
// turns GET .../conferences/.. into GET .../accounts/9900000/ and
// GET .../conferences/. into the conference list. The mock does not normalise
// paths, so here we only look at what goes on the wire: either the client
// refuses such IDs (bad_request, nothing sent) or it must not send a bare dot
// segment. test/interop shows what nginx makes of them.
//
// ".", ".." and an account ID ".." would go out as bare dot segments, which
// servers resolve (even percent-encoded): the client refuses them.
BOOST_AUTO_TEST_CASE(dot_segment_ids_and_account_ids_are_not_sent_as_dot_segments) {
    MockEnv env(server_options());
    net::io_context ioc;
    auto config = env.client_config();
    config.username = kUser;
    config.password = kPassword;
    {
        ConferenceClient client(ioc, config);
        run_coroutine(ioc, [&]() -> net::awaitable<void> {
            for (const char* id : {".", ".."}) {
                auto r = co_await lookup(client, id);
                BOOST_TEST((r.ec == errc::bad_request), id);
            }
        });
        ioc.restart();
    }
    for (const char* account : {".", ".."}) {
        config.account_id = account;
        try {
            ConferenceClient client(ioc, config);
            BOOST_ERROR("a dot-segment account ID was accepted: " << account);
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find("account_id") != std::string::npos);
        }
    }
    for (const auto& r : env.server->requests()) {
        const bool dot_segment = r.target.ends_with("/.") || r.target.ends_with("/..") ||
                                 r.target.find("/./") != std::string::npos ||
                                 r.target.find("/../") != std::string::npos;
        BOOST_TEST(!dot_segment, "sent a dot segment: " << r.target);
    }
}

BOOST_AUTO_TEST_CASE(the_user_agent_is_sent_verbatim_as_one_header_or_refused) {
    MockEnv env(server_options());
    net::io_context ioc;
    const std::vector<std::string> agents = {"plain/1.0", "tab\there",     std::string("nul\0x", 5),
                                             "del\x7f",   "vt\x0b ff\x0c", "utf8-\xC3\xA9"};
    for (const auto& agent : agents) {
        auto config = env.client_config();
        config.username = kUser;
        config.password = kPassword;
        config.user_agent = agent;
        env.server->clear_requests();
        try {
            ConferenceClient client(ioc, config);
            LookupResult r;
            run_coroutine(ioc, [&]() -> net::awaitable<void> { r = co_await lookup(client, "conf-1"); });
            ioc.restart();
            const auto requests = env.server->requests();
            // Either the request went out with exactly this agent, or the server
            // (rightly) refused to parse it and recorded nothing.
            for (const auto& req : requests) {
                BOOST_TEST(req.user_agent == agent);
                BOOST_TEST(req.target == "/api/v2/accounts/9900000/conferences/conf-1");
            }
            if (requests.empty())
                BOOST_TEST_MESSAGE("user agent with byte(s) the server would not parse was sent: "
                                   << r.ec.message() << " (" << r.diag.message << ")");
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find("user_agent") != std::string::npos, e.what());
        }
    }
}

// Verification has no off switch: TlsConfig and ClientConfig have exactly the
// members below (a structured binding of the wrong arity does not compile), and
// none of them disables peer or host-name verification. Adding a member breaks
// this test on purpose: review it for security, then update the count.
BOOST_AUTO_TEST_CASE(there_is_no_option_to_disable_verification) {
    {
        // session_resumption (reviewed): only whether a cached session is offered.
        auto [use_system_store, extra_ca_file, extra_ca_pem, session_resumption, context] = TlsConfig{};
        BOOST_TEST(use_system_store);
        BOOST_TEST(session_resumption);
        BOOST_TEST(extra_ca_file.empty());
        BOOST_TEST(extra_ca_pem.empty());
        BOOST_TEST(!context);
    }
    {
        // client_id, client_secret, token_url, token_refresh_margin (reviewed):
        // the token URL obeys base_url's rules and the same TLS settings.
        // observer, log, log_level (reviewed): told events that carry no
        // secret (observability_test), and they cannot change a request.
        auto [base_url, account_id, username, password, client_id, client_secret, token_url, token_refresh_margin,
              pool_size, idle_timeout, connect_timeout, handshake_timeout, request_timeout, dns_cache_ttl, retry,
              max_body_bytes, max_header_bytes, user_agent, tls, insecure_allow_plain_http, observer, log, log_level] =
            ClientConfig{};
        BOOST_TEST(base_url.starts_with("https://"));
        BOOST_TEST(token_url.starts_with("https://"));
        (void)client_id, (void)client_secret, (void)token_refresh_margin;
        BOOST_TEST(!insecure_allow_plain_http);  // the one insecure switch, off by default
        (void)account_id, (void)username, (void)password, (void)pool_size, (void)idle_timeout, (void)connect_timeout;
        (void)handshake_timeout, (void)request_timeout, (void)dns_cache_ttl, (void)retry, (void)max_body_bytes;
        (void)max_header_bytes, (void)user_agent, (void)tls;
        BOOST_TEST(!observer);
        BOOST_TEST(!log);
        (void)log_level;
    }
}

// A caller's own context that trusts the server's CA but sets verify_none:
// host-name verification is still enforced (client_tls_test covers a context
// that trusts nothing).
BOOST_AUTO_TEST_CASE(a_callers_trusting_verify_none_context_still_checks_the_host_name) {
    auto other = mock::generate_pki({"other.example"}, {"10.9.8.7"});
    mock::ServerOptions options = server_options();
    options.cert_pem = other.server_cert_pem;
    options.key_pem = other.server_key_pem;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.username = kUser;
    config.password = kPassword;
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    ctx->add_certificate_authority(net::buffer(other.ca_cert_pem));
    ctx->set_verify_mode(net::ssl::verify_none);
    config.tls.context = ctx;
    ConferenceClient client(ioc, config);
    LookupResult r;
    run_coroutine(ioc, [&]() -> net::awaitable<void> { r = co_await lookup(client, "conf-1"); });
    BOOST_TEST((r.ec == errc::tls_error), r.ec.message() << " (" << r.diag.message << ")");
    BOOST_TEST(env.server->stats().requests == 0u);
    check_result_clean("wrong host", r);
}

// TlsConfig promises that with a caller's context "verification of the peer
// and of its host name is still enforced on every connection". A context can
// try to switch it off in two ways: a verify callback that accepts every
// certificate (SSL_CTX_set_verify), or a cert-verify callback that replaces
// OpenSSL's whole chain and host-name check (SSL_CTX_set_cert_verify_callback).
// Neither may let the request, and with it the credentials, reach a server
// whose certificate is untrusted or names another host.
BOOST_AUTO_TEST_CASE(a_callers_accept_anything_verify_callback_cannot_switch_verification_off) {
    auto other = mock::generate_pki({"other.example"}, {"10.9.8.7"});
    mock::ServerOptions options = server_options();
    options.cert_pem = other.server_cert_pem;
    options.key_pem = other.server_key_pem;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.username = kUser;
    config.password = kPassword;
    enum class Hook { verify_callback, cert_verify_callback };
    for (Hook hook : {Hook::verify_callback, Hook::cert_verify_callback}) {
        // Trusting the right CA (wrong host name), then trusting nothing at all.
        for (bool trust_ca : {true, false}) {
            auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
            if (trust_ca) ctx->add_certificate_authority(net::buffer(other.ca_cert_pem));
            ctx->set_verify_mode(net::ssl::verify_peer);
            if (hook == Hook::verify_callback)
                ctx->set_verify_callback([](bool, net::ssl::verify_context&) { return true; });  // "accept anything"
            else
                ::SSL_CTX_set_cert_verify_callback(
                    ctx->native_handle(), [](X509_STORE_CTX*, void*) { return 1; }, nullptr);
            config.tls.context = ctx;
            const std::string hook_name = hook == Hook::verify_callback ? "verify callback" : "cert-verify callback";
            const std::string label = hook_name + (trust_ca ? ", wrong host" : ", untrusted CA");
            ConferenceClient client(ioc, config);
            LookupResult r;
            run_coroutine(ioc, [&]() -> net::awaitable<void> { r = co_await lookup(client, "conf-1"); });
            ioc.restart();
            BOOST_TEST((r.ec == errc::tls_error), label << ": " << r.ec.message() << " (" << r.diag.message << ")");
            BOOST_TEST(env.server->requests().empty(), label << ": the request (with the credentials) reached it");
            check_result_clean(label, r);
        }
    }
}

BOOST_AUTO_TEST_CASE(credentials_never_cross_plain_http_unless_allowed) {
    mock::ServerOptions options = server_options();
    options.tls = false;
    MockEnv plain(options);
    net::io_context ioc;
    auto config = plain.client_config();
    config.username = kUser;
    config.password = kPassword;

    // http:// without the flag: refused before anything is sent.
    config.insecure_allow_plain_http = false;
    BOOST_CHECK_THROW(ConferenceClient(ioc, config), std::invalid_argument);
    BOOST_TEST(plain.server->stats().connections_accepted == 0u);

    // https:// at a plain-HTTP server: the TLS handshake fails; the server never
    // receives a request, so never the credentials.
    config.base_url = "https://127.0.0.1:" + std::to_string(plain.server->port()) + "/api/v2";
    {
        ConferenceClient client(ioc, config);
        LookupResult r;
        run_coroutine(ioc, [&]() -> net::awaitable<void> { r = co_await lookup(client, "conf-1"); });
        ioc.restart();
        BOOST_TEST(r.ec.failed());
        BOOST_TEST((r.ec.category() == client_category()));
        check_result_clean("https to a plain server", r);
    }
    for (const auto& req : plain.server->requests())
        BOOST_TEST(req.authorization.empty(), "credentials reached a plain-HTTP server");

    // A redirect from https to http is not followed (the credentials would follow it).
    MockEnv secure(server_options());
    auto sconfig = secure.client_config();
    sconfig.username = kUser;
    sconfig.password = kPassword;
    for (unsigned status : {301u, 302u, 307u, 308u})
        secure.server->script(
            "conf-1",
            {respond(status, "", {{"Location", plain.server->base_url() + "/accounts/9900000/conferences/conf-1"}})});
    ConferenceClient client(ioc, sconfig);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (int i = 0; i < 4; ++i) {
            auto r = co_await lookup(client, "conf-1");
            BOOST_TEST((r.ec == errc::http_error), r.ec.message());
        }
    });
    BOOST_TEST(secure.server->requests().size() == 4u);
    for (const auto& req : plain.server->requests())
        BOOST_TEST(req.authorization.empty(), "a redirect carried the credentials over plain HTTP");
}

BOOST_AUTO_TEST_SUITE_END()
