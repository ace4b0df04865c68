// Trust: untrusted, wrong-host and expired certificates; credentials and plain HTTP.
#include "common/lookup_helpers.hpp"

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;

BOOST_AUTO_TEST_SUITE(client_tls)

BOOST_AUTO_TEST_CASE(a_certificate_from_an_unknown_ca_is_refused) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.tls.extra_ca_pem = mock::generate_pki().ca_cert_pem;  // some other CA
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::tls_error), r.ec.message());
        BOOST_TEST(r.diag.message.find("certificate") != std::string::npos, r.diag.message);
        BOOST_TEST(r.diag.retries == 0u);
    });
    BOOST_TEST(env.server->stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host_is_refused) {
    auto other = mock::generate_pki({"other.example"}, {"10.9.8.7"});
    mock::ServerOptions options;
    options.cert_pem = other.server_cert_pem;
    options.key_pem = other.server_key_pem;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.tls.extra_ca_pem = other.ca_cert_pem;
    for (const auto& url : {env.server->base_url(), env.server->base_url_localhost()}) {
        config.base_url = url;
        ConferenceClient client(ioc, config);
        run_coroutine(ioc, [&]() -> net::awaitable<void> {
            auto r = co_await lookup(client, "conf-1");
            BOOST_TEST((r.ec == errc::tls_error), url << ": " << r.ec.message());
        });
        ioc.restart();
    }
    BOOST_TEST(env.server->stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(an_expired_certificate_is_refused) {
    auto expired = mock::generate_pki({"localhost"}, {"127.0.0.1"}, 0, 10);
    mock::ServerOptions options;
    options.cert_pem = expired.server_cert_pem;
    options.key_pem = expired.server_key_pem;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.tls.extra_ca_pem = expired.ca_cert_pem;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::tls_error), r.ec.message());
    });
}

BOOST_AUTO_TEST_CASE(a_callers_context_cannot_switch_verification_off) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.tls.context = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    config.tls.context->set_verify_mode(net::ssl::verify_none);  // trusts nothing, verifies nothing
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::tls_error), r.ec.message());
    });
}

BOOST_AUTO_TEST_CASE(an_http_base_url_is_refused_unless_explicitly_allowed) {
    ClientConfig config;
    config.account_id = "1";
    config.username = "u";
    config.password = "p-secret-value";
    config.base_url = "http://127.0.0.1:1/api/v2";
    net::io_context ioc;
    try {
        ConferenceClient client(ioc, config);
        BOOST_FAIL("an http:// base URL must be refused");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("base_url") != std::string::npos);
        BOOST_TEST(std::string(e.what()).find("p-secret-value") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(plain_http_works_when_allowed) {
    mock::ServerOptions options;
    options.tls = false;
    MockEnv env(options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
    });
    BOOST_TEST(!env.server->requests().at(0).tls);
}

BOOST_AUTO_TEST_CASE(invalid_configuration_names_the_field) {
    const std::pair<std::function<void(ClientConfig&)>, std::string> cases[] = {
        {[](ClientConfig& c) { c.account_id.clear(); }, "account_id"},
        {[](ClientConfig& c) { c.username.clear(); }, "username"},
        {[](ClientConfig& c) { c.password.clear(); }, "password"},
        {[](ClientConfig& c) { c.pool_size = 0; }, "pool_size"},
        {[](ClientConfig& c) { c.request_timeout = std::chrono::milliseconds(0); }, "request_timeout"},
        {[](ClientConfig& c) { c.user_agent = "x\r\nEvil: 1"; }, "user_agent"},
        {[](ClientConfig& c) { c.base_url = "not a url"; }, "base_url"},
        {[](ClientConfig& c) { c.base_url = "ftp://host/"; }, "base_url"},
        {[](ClientConfig& c) { c.base_url = "https://user:pw@host/"; }, "base_url"},
        {[](ClientConfig& c) { c.tls.extra_ca_file = "/nonexistent/ca.pem"; }, "extra_ca_file"},
    };
    net::io_context ioc;
    for (const auto& [mutate, field] : cases) {
        ClientConfig config;
        config.account_id = "1";
        config.username = "u";
        config.password = "pw-secret";
        mutate(config);
        try {
            ConferenceClient client(ioc, config);
            BOOST_ERROR("accepted a config with a bad " << field);
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find(field) != std::string::npos, e.what());
            BOOST_TEST(std::string(e.what()).find("pw-secret") == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
