// FdTlsStream (issue 13 prototype): TLS where OpenSSL reads and writes the
// socket itself, carrying Beast's HTTP over a real TLS connection to the mock.
#include "common/lookup_helpers.hpp"
#include "core/fd_tls_stream.hpp"
#include "core/tls.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <string>

namespace net = boost::asio;
namespace http = boost::beast::http;
using namespace bwvoice;
using namespace bwvoice::test;
using bwvoice::detail::FdTlsStream;

namespace {

/// Connects and handshakes `stream` to the mock; returns the handshake's error.
error_code connect(net::io_context& ioc, FdTlsStream& stream, const MockEnv& env) {
    const net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), env.server->port());
    error_code ec;
    stream.socket().connect(ep, ec);
    if (ec) return ec;
    if ((ec = stream.attach())) return ec;
    if ((ec = detail::prepare_tls_connection(stream.native_handle(), "127.0.0.1"))) return ec;
    bool done = false;
    bool inline_completion = true;
    stream.async_handshake([&](error_code hec, std::size_t) {
        ec = hec;
        done = true;
    });
    inline_completion = done;
    ioc.restart();
    ioc.run();
    BOOST_TEST(!inline_completion, "the handshake's handler ran inside the initiating function");
    BOOST_TEST(done);
    return ec;
}

std::string target(const MockEnv& env, const std::string& id) {
    return "/api/v2/accounts/" + env.options.account_id + "/conferences/" + id;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fd_tls_stream)

BOOST_AUTO_TEST_CASE(beast_http_runs_over_it_and_the_connection_is_reused) {
    MockEnv env;
    net::io_context ioc;
    auto ctx = detail::make_tls_context(env.client_config().tls);
    FdTlsStream stream(ioc.get_executor(), *ctx);
    BOOST_TEST_REQUIRE(!connect(ioc, stream, env));
    boost::beast::flat_buffer buffer;
    for (const char* id : {"conf-1", "conf-2", "conf-3"}) {
        http::request<http::empty_body> req{http::verb::get, target(env, id), 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, "Basic dXNlcjpwYXNz");  // user:pass, the mock's default
        http::response<http::string_body> res;
        error_code wec, rec;
        http::async_write(stream, req, [&](error_code e, std::size_t) {
            wec = e;
            if (!e) http::async_read(stream, buffer, res, [&](error_code r, std::size_t) { rec = r; });
        });
        ioc.restart();
        ioc.run();
        BOOST_TEST_REQUIRE(!wec, wec.message());
        BOOST_TEST_REQUIRE(!rec, rec.message());
        BOOST_TEST(res.result_int() == 200u);
        BOOST_TEST(res.body().find(std::string("\"id\":\"") + id + "\"") != std::string::npos, res.body());
    }
    BOOST_TEST(env.server->stats().connections_accepted == 1u);
}

BOOST_AUTO_TEST_CASE(a_server_that_drops_the_connection_is_a_read_error_not_a_hang) {
    MockEnv env;
    env.server->script("conf-1", {mock::Action::of(mock::Action::Kind::drop)});
    net::io_context ioc;
    auto ctx = detail::make_tls_context(env.client_config().tls);
    FdTlsStream stream(ioc.get_executor(), *ctx);
    BOOST_TEST_REQUIRE(!connect(ioc, stream, env));
    http::request<http::empty_body> req{http::verb::get, target(env, "conf-1"), 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Basic dXNlcjpwYXNz");
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    error_code rec;
    bool read_done = false;
    http::async_write(stream, req, [&](error_code e, std::size_t) {
        BOOST_TEST(!e);
        http::async_read(stream, buffer, res, [&](error_code r, std::size_t) {
            rec = r;
            read_done = true;
        });
    });
    ioc.restart();
    run_to_completion(ioc, std::chrono::seconds(10));
    BOOST_TEST(read_done);
    BOOST_TEST(rec.failed(), "a dropped connection must fail the read");
}

BOOST_AUTO_TEST_CASE(an_untrusted_server_fails_the_handshake) {
    MockEnv env;
    net::io_context ioc;
    TlsConfig trust_nothing;
    trust_nothing.use_system_store = false;
    trust_nothing.extra_ca_pem = mock::generate_pki({"other.example"}, {}).ca_cert_pem;
    auto ctx = detail::make_tls_context(trust_nothing);
    FdTlsStream stream(ioc.get_executor(), *ctx);
    const error_code ec = connect(ioc, stream, env);
    BOOST_TEST(ec.failed());
    BOOST_TEST(::SSL_get_verify_result(stream.native_handle()) != X509_V_OK);
}

BOOST_AUTO_TEST_SUITE_END()
