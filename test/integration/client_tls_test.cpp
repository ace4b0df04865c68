// Trust: untrusted, wrong-host and expired certificates; credentials and plain
// HTTP; what a caller's own TLS context can and cannot change; the trust-store
// file; single-use TLS sessions.
#include "common/lookup_helpers.hpp"

#include "core/tls.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using namespace std::chrono_literals;

namespace {

/// A caller's own context trusting exactly `trusted_pem` (a CA or, for the
/// partial-chain case, a leaf), verify_peer like a careful caller would set.
std::shared_ptr<net::ssl::context> callers_context(const std::string& trusted_pem) {
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    ctx->add_certificate_authority(net::buffer(trusted_pem));
    ctx->set_verify_mode(net::ssl::verify_peer);
    return ctx;
}

/// Where a caller can put verify flags: on the context's X509_STORE, or on the
/// context's own verify parameters (which every SSL made from it inherits).
enum class FlagsOn { store, context_param };

void set_callers_flags(net::ssl::context& ctx, unsigned long flags, FlagsOn where) {
    if (where == FlagsOn::store)
        ::X509_STORE_set_flags(::SSL_CTX_get_cert_store(ctx.native_handle()), flags);
    else
        ::X509_VERIFY_PARAM_set_flags(::SSL_CTX_get0_param(ctx.native_handle()), flags);
}

/// One lookup of conf-1 with `config`; the io_context is ready for the next.
LookupResult lookup_once(net::io_context& ioc, const ClientConfig& config) {
    ConferenceClient client(ioc, config);
    LookupResult r;
    run_coroutine(ioc, [&]() -> net::awaitable<void> { r = co_await lookup(client, "conf-1"); });
    ioc.restart();
    return r;
}

/// A client configuration for `env` with the CA given as a file only.
ClientConfig with_ca_file(const MockEnv& env, const std::string& path) {
    auto config = env.client_config();
    config.tls.extra_ca_pem.clear();
    config.tls.extra_ca_file = path;
    return config;
}

/// A file in the temporary directory, removed at the end of the scope.
struct TempFile {
    std::filesystem::path path;
    TempFile(const std::string& name, const std::string& contents)
        : path(std::filesystem::temp_directory_path() /
               ("bwvoice-tls-test-" + std::to_string(::getpid()) + "-" + name)) {
        std::ofstream(path) << contents;
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

}  // namespace

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
        {[](ClientConfig& c) { c.tls.extra_ca_pem = "not a certificate"; }, "extra_ca_pem"},
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

// A caller's context can switch off OpenSSL's own chain and host-name checks
// with SSL_CTX_set_cert_verify_callback (it replaces X509_verify_cert in the
// handshake). The client's own check after the handshake still refuses the
// certificate, before the request (and with it the credentials) is written.
BOOST_AUTO_TEST_CASE(a_callers_cert_verify_callback_cannot_switch_verification_off) {
    auto evil = mock::generate_pki({"evil.example"}, {});
    mock::ServerOptions options;
    options.cert_pem = evil.server_cert_pem;
    options.key_pem = evil.server_key_pem;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.base_url = env.server->base_url_localhost();
    config.tls.context = callers_context(SharedPki::get().pki.ca_cert_pem);  // not evil's CA
    ::SSL_CTX_set_cert_verify_callback(
        config.tls.context->native_handle(), [](X509_STORE_CTX*, void*) { return 1; }, nullptr);
    auto r = lookup_once(ioc, config);
    BOOST_TEST((r.ec == errc::tls_error), r.ec.message() << " (" << r.diag.message << ")");
    BOOST_TEST(r.diag.message.find("certificate verification failed: ") != std::string::npos, r.diag.message);
    BOOST_TEST(env.server->requests().empty(), "the request, with the credentials, reached the server");
}

BOOST_AUTO_TEST_CASE(a_callers_no_check_time_flag_does_not_accept_an_expired_certificate) {
    auto expired = mock::generate_pki({"localhost"}, {"127.0.0.1"}, 0, 10);
    mock::ServerOptions options;
    options.cert_pem = expired.server_cert_pem;
    options.key_pem = expired.server_key_pem;
    MockEnv env(options);
    net::io_context ioc;
    for (auto where : {FlagsOn::store, FlagsOn::context_param}) {
        auto config = env.client_config();
        config.tls.context = callers_context(expired.ca_cert_pem);
        set_callers_flags(*config.tls.context, X509_V_FLAG_NO_CHECK_TIME, where);
        auto r = lookup_once(ioc, config);
        BOOST_TEST((r.ec == errc::tls_error), r.ec.message() << " (" << r.diag.message << ")");
        BOOST_TEST(r.diag.message.find("expired") != std::string::npos, r.diag.message);
    }
    BOOST_TEST(env.server->requests().empty());
}

BOOST_AUTO_TEST_CASE(a_callers_partial_chain_flag_does_not_make_the_leaf_a_trust_anchor) {
    MockEnv env;
    net::io_context ioc;
    for (auto where : {FlagsOn::store, FlagsOn::context_param}) {
        auto config = env.client_config();
        config.tls.context = callers_context(SharedPki::get().pki.server_cert_pem);  // the leaf, not the CA
        set_callers_flags(*config.tls.context, X509_V_FLAG_PARTIAL_CHAIN, where);
        auto r = lookup_once(ioc, config);
        BOOST_TEST((r.ec == errc::tls_error), r.ec.message() << " (" << r.diag.message << ")");
    }
    BOOST_TEST(env.server->requests().empty());
}

BOOST_AUTO_TEST_CASE(a_callers_minimum_version_below_tls_1_2_is_raised_per_connection) {
    for (int callers_min : {0, TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION}) {
        net::ssl::context ctx(net::ssl::context::tls_client);
        BOOST_REQUIRE(::SSL_CTX_set_min_proto_version(ctx.native_handle(), callers_min) == 1);
        std::unique_ptr<SSL, decltype(&::SSL_free)> ssl(::SSL_new(ctx.native_handle()), &::SSL_free);
        BOOST_REQUIRE(ssl);
        BOOST_TEST(!bwvoice::detail::prepare_tls_connection(ssl.get(), "localhost"));
        const long got = ::SSL_get_min_proto_version(ssl.get());
        BOOST_TEST(got >= TLS1_2_VERSION, "caller's minimum " << callers_min << " left " << got);
        if (callers_min == TLS1_3_VERSION) BOOST_TEST(got == TLS1_3_VERSION);  // never lowered
    }
}

// OpenSSL refuses a host name with an embedded NUL without queuing an error;
// that failure must not read as success (no SNI, no name check).
BOOST_AUTO_TEST_CASE(a_host_openssl_refuses_without_an_error_is_still_a_failure) {
    net::ssl::context ctx(net::ssl::context::tls_client);
    std::unique_ptr<SSL, decltype(&::SSL_free)> ssl(::SSL_new(ctx.native_handle()), &::SSL_free);
    BOOST_REQUIRE(ssl);
    ::ERR_clear_error();
    const auto ec = bwvoice::detail::prepare_tls_connection(ssl.get(), std::string("exa\0mple.com", 11));
    BOOST_TEST(ec.failed());
}

// OpenSSL lets an X509_STORE replace the steps of chain building and checking
// (X509_STORE_set_get_issuer, ..._set_check_issued, ...). Our own check runs
// over the caller's store, so a context whose store replaces any of them is
// refused up front.
BOOST_AUTO_TEST_CASE(a_callers_store_replacing_verification_steps_is_refused) {
    net::io_context ioc;
    MockEnv env;
    const std::pair<const char*, std::function<void(X509_STORE*)>> overrides[] = {
        {"verify", [](X509_STORE* s) { ::X509_STORE_set_verify(s, [](X509_STORE_CTX*) { return 1; }); }},
        {"check_issued",
         [](X509_STORE* s) { ::X509_STORE_set_check_issued(s, [](X509_STORE_CTX*, X509*, X509*) { return 1; }); }},
        {"get_issuer",
         [](X509_STORE* s) {
             ::X509_STORE_set_get_issuer(s, [](X509** issuer, X509_STORE_CTX*, X509* x) {
                 *issuer = x;
                 return ::X509_up_ref(x);
             });
         }},
    };
    for (const auto& [name, install] : overrides) {
        auto config = env.client_config();
        config.tls.context = callers_context(SharedPki::get().pki.ca_cert_pem);
        install(::SSL_CTX_get_cert_store(config.tls.context->native_handle()));
        try {
            ConferenceClient client(ioc, config);
            BOOST_ERROR("accepted a context whose store overrides " << name);
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find("TlsConfig::context") != std::string::npos, e.what());
        }
    }
    BOOST_TEST(env.server->stats().connections_accepted == 0u);
}

// The enforcement must not cost what a caller's context legitimately does:
// trusting the right CA, it connects, by IP and by name, and reconnects resume.
BOOST_AUTO_TEST_CASE(a_callers_trusting_context_connects_and_resumes) {
    MockEnv env;
    net::io_context ioc;
    for (const auto& url : {env.server->base_url(), env.server->base_url_localhost()}) {
        auto config = env.client_config();
        config.base_url = url;
        config.idle_timeout = 1ms;
        config.tls.context = callers_context(SharedPki::get().pki.ca_cert_pem);
        ConferenceClient client(ioc, config);
        run_coroutine(ioc, [&]() -> net::awaitable<void> {
            for (int i = 0; i < 3; ++i) {
                auto r = co_await lookup(client, "conf-1");
                BOOST_TEST(!r.ec, url << ": " << r.ec.message() << " (" << r.diag.message << ")");
                net::steady_timer t(co_await net::this_coro::executor, 10ms);
                co_await t.async_wait(net::use_awaitable);
            }
        });
        ioc.restart();
        BOOST_TEST(client.stats().handshakes == 3u, url);
        BOOST_TEST(client.stats().sessions_resumed >= 2u, url);
    }
}

// A context may keep its trust anchors in a separate verify store
// (SSL_CTX_set1_verify_cert_store), as OpenSSL's handshake does; the client's
// own check uses the same store, and refuses the same overrides in it.
BOOST_AUTO_TEST_CASE(a_callers_separate_verify_store_is_the_one_trusted) {
    MockEnv env;
    net::io_context ioc;
    for (bool override_a_step : {false, true}) {
        auto config = env.client_config();
        config.tls.context = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
        std::unique_ptr<X509_STORE, decltype(&::X509_STORE_free)> store(::X509_STORE_new(), &::X509_STORE_free);
        BOOST_REQUIRE(store);
        const std::string& pem = SharedPki::get().pki.ca_cert_pem;
        std::unique_ptr<BIO, decltype(&::BIO_free)> bio(::BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                        &::BIO_free);
        std::unique_ptr<X509, decltype(&::X509_free)> ca(::PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                         &::X509_free);
        BOOST_REQUIRE(ca);
        BOOST_REQUIRE(::X509_STORE_add_cert(store.get(), ca.get()) == 1);
        if (override_a_step)
            ::X509_STORE_set_check_issued(store.get(), [](X509_STORE_CTX*, X509*, X509*) { return 1; });
        BOOST_REQUIRE(::SSL_CTX_set1_verify_cert_store(config.tls.context->native_handle(), store.get()) == 1);
        if (override_a_step) {
            BOOST_CHECK_THROW(ConferenceClient(ioc, config), std::invalid_argument);
            continue;
        }
        auto r = lookup_once(ioc, config);
        BOOST_TEST(!r.ec, r.ec.message() << " (" << r.diag.message << ")");
    }
}

// RFC 8446 C.4: a client SHOULD NOT reuse a ticket for multiple connections.
// One connection's session is remembered; then two new connections open at
// once (the first connection busy with a third lookup): only one may resume.
BOOST_AUTO_TEST_CASE(a_remembered_session_resumes_one_new_connection_only) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 3;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> { BOOST_TEST(!(co_await lookup(client, "conf-1")).ec); });
    ioc.restart();
    BOOST_TEST_REQUIRE(client.stats().handshakes == 1u);

    mock::Action slow;
    slow.delay = 200ms;  // keeps all three lookups in flight together
    std::vector<LookupResult> results(3);
    for (std::size_t i = 0; i < results.size(); ++i) {
        const std::string id = "conf-" + std::to_string(i + 2);
        env.server->script(id, {slow});
        net::co_spawn(
            ioc, [&, i, id]() -> net::awaitable<void> { results[i] = co_await lookup(client, id); }, net::detached);
    }
    run_to_completion(ioc);
    for (const auto& r : results) BOOST_TEST(!r.ec, r.ec.message() << " (" << r.diag.message << ")");
    BOOST_TEST(client.stats().handshakes == 3u);
    BOOST_TEST(client.stats().sessions_resumed == 1u,
               "one remembered session resumed " << client.stats().sessions_resumed << " connections");
    BOOST_TEST(env.server->stats().sessions_resumed == 1u);
}

// ConferenceClient documents std::system_error for a trust store that cannot
// be read, and std::invalid_argument for one that holds nothing usable.
BOOST_AUTO_TEST_CASE(an_unreadable_ca_file_is_a_system_error_naming_the_field_and_path) {
    MockEnv env;
    net::io_context ioc;
    const std::string missing = "/nonexistent/bwvoice-ca.pem";
    const std::string directory = std::filesystem::temp_directory_path().string();
    const std::pair<std::string, std::errc> cases[] = {{missing, std::errc::no_such_file_or_directory},
                                                       {directory, std::errc::is_a_directory}};
    for (const auto& [path, expected] : cases) {
        try {
            ConferenceClient client(ioc, with_ca_file(env, path));
            BOOST_ERROR("accepted an unreadable extra_ca_file " << path);
        } catch (const std::system_error& e) {
            BOOST_TEST((e.code() == expected), path << ": " << e.code().message());
            BOOST_TEST(std::string(e.what()).find("TlsConfig::extra_ca_file") != std::string::npos, e.what());
            BOOST_TEST(std::string(e.what()).find(path) != std::string::npos, e.what());
        } catch (const std::exception& e) {
            BOOST_ERROR(path << ": not a std::system_error: " << e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_ca_file_without_a_certificate_is_an_invalid_argument) {
    MockEnv env;
    net::io_context ioc;
    TempFile empty("empty.pem", "");
    TempFile junk("junk.pem", "not a certificate\n");
    TempFile key_only("key.pem", SharedPki::get().pki.server_key_pem);
    for (const TempFile* file : {&empty, &junk, &key_only}) {
        try {
            ConferenceClient client(ioc, with_ca_file(env, file->path.string()));
            BOOST_ERROR("accepted " << file->path);
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find("TlsConfig::extra_ca_file") != std::string::npos, e.what());
        } catch (const std::exception& e) {
            BOOST_ERROR(file->path << ": not a std::invalid_argument: " << e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_readable_ca_file_is_trusted) {
    MockEnv env;
    net::io_context ioc;
    auto r = lookup_once(ioc, with_ca_file(env, SharedPki::get().ca_file.string()));
    BOOST_TEST(!r.ec, r.ec.message() << " (" << r.diag.message << ")");
}

BOOST_AUTO_TEST_SUITE_END()
