// FdTlsStream (issue 13 prototype): TLS where OpenSSL reads and writes the
// socket itself, carrying Beast's HTTP over a real TLS connection to the mock.
#include "core/fd_tls_stream.hpp"
#include "common/lookup_helpers.hpp"
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

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <poll.h>

#include <array>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

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

struct Exchanged {
    error_code write, read;
    unsigned status = 0;
};

/// One GET of conference `id` over `stream`, run to completion.
Exchanged get(net::io_context& ioc, FdTlsStream& stream, const MockEnv& env, const std::string& id,
              boost::beast::flat_buffer& buffer) {
    http::request<http::empty_body> req{http::verb::get, target(env, id), 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Basic dXNlcjpwYXNz");  // user:pass, the mock's default
    http::response<http::string_body> res;
    Exchanged out;
    http::async_write(stream, req, [&](error_code e, std::size_t) {
        out.write = e;
        if (!e) http::async_read(stream, buffer, res, [&](error_code r, std::size_t) { out.read = r; });
    });
    ioc.restart();
    run_to_completion(ioc, std::chrono::seconds(10));
    out.status = res.result_int();
    return out;
}

/// A read of the next bytes, started and left waiting (the server has
/// nothing to send), with a counter of its handler's runs.
struct PendingRead {
    std::array<char, 64> bytes{};
    error_code ec;
    std::size_t n = 0;
    int runs = 0;
};

/// Sends a GET of conference `id` over `stream` and returns once it is written.
void send_get(net::io_context& ioc, FdTlsStream& stream, const MockEnv& env, const std::string& id) {
    http::request<http::empty_body> req{http::verb::get, target(env, id), 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Basic dXNlcjpwYXNz");
    error_code wec = net::error::would_block;
    http::async_write(stream, req, [&](error_code e, std::size_t) { wec = e; });
    ioc.restart();
    run_to_completion(ioc, std::chrono::seconds(10));
    BOOST_TEST_REQUIRE(!wec, wec.message());
}

/// Writes to a connection the server has closed, a little at a time, until
/// a write fails (the first draws the server's reset); returns that error.
error_code write_until_it_fails(net::io_context& ioc, FdTlsStream& stream) {
    const std::string bytes(512, 'x');
    error_code wec;
    for (int i = 0; i < 100 && !wec; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        stream.async_write_some(net::buffer(bytes), [&](error_code e, std::size_t) { wec = e; });
        ioc.restart();
        run_to_completion(ioc, std::chrono::seconds(10));
    }
    return wec;
}

/// A stream connected and handshaken to a fresh mock, for each test case.
struct Connected {
    Connected() { BOOST_TEST_REQUIRE(!connect(ioc, stream, env)); }

    MockEnv env;
    net::io_context ioc;
    std::shared_ptr<net::ssl::context> ctx = detail::make_tls_context(env.client_config().tls);
    FdTlsStream stream{ioc.get_executor(), *ctx};
};

/// Asks for a response the server delays, starts a read on a strand that
/// waits for it, then holds the strand while it arrives, so the wait's
/// completion queues behind the holder; `act(cancel)` runs at the end of the
/// hold, between the wait and the read's next attempt (`cancel` is the read's
/// cancellation signal). Two threads run the io_context.
template <class Act>
PendingRead act_between_wait_and_retry(Connected& c, Act act) {
    mock::Action late = mock::Action::of(mock::Action::Kind::respond);
    late.delay = std::chrono::milliseconds(300);
    c.env.server->script("conf-1", {late});
    send_get(c.ioc, c.stream, c.env, "conf-1");
    auto strand = net::make_strand(c.ioc);
    net::cancellation_signal cancel;
    PendingRead pending;
    bool readable = false;
    net::post(strand, [&] {
        c.stream.async_read_some(
            net::buffer(pending.bytes),
            net::bind_cancellation_slot(cancel.slot(), net::bind_executor(strand, [&](error_code e, std::size_t n) {
                                            pending.ec = e;
                                            pending.n = n;
                                            ++pending.runs;
                                        })));
    });
    net::post(strand, [&] {
        pollfd p{c.stream.socket().native_handle(), POLLIN, 0};
        readable = ::poll(&p, 1, 5000) == 1;
        // The other thread's reactor sees it too and queues the read's next step here.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        act(cancel);
    });
    c.ioc.restart();
    std::thread other([&] { c.ioc.run(); });
    c.ioc.run();
    other.join();
    BOOST_TEST_REQUIRE(readable, "the delayed response never arrived");
    return pending;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fd_tls_stream)

BOOST_FIXTURE_TEST_CASE(beast_http_runs_over_it_and_the_connection_is_reused, Connected) {
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

BOOST_FIXTURE_TEST_CASE(a_server_that_drops_the_connection_is_a_read_error_not_a_hang, Connected) {
    env.server->script("conf-1", {mock::Action::of(mock::Action::Kind::drop)});
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
    // A TCP close without close_notify in the middle of the stream.
    BOOST_TEST(rec == net::ssl::error::stream_truncated, rec.message());
}

BOOST_FIXTURE_TEST_CASE(a_body_ended_by_close_notify_is_whole, Connected) {
    env.server->script("conf-1", {mock::Action::of(mock::Action::Kind::close_delimited)});
    boost::beast::flat_buffer buffer;
    // The body ends where the server's close_notify is: the whole response.
    const Exchanged r = get(ioc, stream, env, "conf-1", buffer);
    BOOST_TEST(!r.write);
    BOOST_TEST(!r.read, r.read.message());
    BOOST_TEST(r.status == 200u);
}

BOOST_AUTO_TEST_CASE(a_session_stays_resumable_after_a_tcp_close_without_close_notify) {
    MockEnv env;
    net::io_context ioc;
    auto ctx = detail::make_tls_context(env.client_config().tls);
    SSL_SESSION* session = nullptr;
    {
        FdTlsStream first(ioc.get_executor(), *ctx);
        BOOST_TEST_REQUIRE(!connect(ioc, first, env));
        boost::beast::flat_buffer buffer;
        // TLS 1.3 sends its ticket after the handshake: a response brings it.
        BOOST_TEST_REQUIRE(!get(ioc, first, env, "conf-1", buffer).read);
        session = ::SSL_get1_session(first.native_handle());
        BOOST_TEST_REQUIRE(session != nullptr);
        env.server->script("conf-2", {mock::Action::of(mock::Action::Kind::drop)});
        BOOST_TEST(get(ioc, first, env, "conf-2", buffer).read == net::ssl::error::stream_truncated);
        // OpenSSL 3 without SSL_OP_IGNORE_UNEXPECTED_EOF takes that EOF for
        // a fatal error and marks the session not resumable.
        BOOST_TEST(::SSL_SESSION_is_resumable(session) == 1);
        // As Connection::abort() does, or freeing the SSL spoils it too.
        ::SSL_set_shutdown(first.native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
    FdTlsStream second(ioc.get_executor(), *ctx);
    ::SSL_set_session(second.native_handle(), session);
    ::SSL_SESSION_free(session);
    BOOST_TEST_REQUIRE(!connect(ioc, second, env));
    BOOST_TEST(::SSL_session_reused(second.native_handle()) == 1);
}

BOOST_FIXTURE_TEST_CASE(writing_to_a_closed_connection_fails_with_an_error_never_sigpipe, Connected) {
    // The default disposition: a write(2) to a reset connection would kill
    // the process. The library must not rely on its host ignoring SIGPIPE.
    struct DefaultSigpipe {
        void (*previous)(int) = ::signal(SIGPIPE, SIG_DFL);
        ~DefaultSigpipe() { ::signal(SIGPIPE, previous); }
    } const default_sigpipe;
    env.server->script("conf-1", {mock::Action::of(mock::Action::Kind::drop)});
    http::request<http::empty_body> req{http::verb::get, target(env, "conf-1"), 11};
    req.set(http::field::host, "127.0.0.1");
    error_code wec;
    http::async_write(stream, req, [&](error_code e, std::size_t) { wec = e; });
    ioc.restart();
    run_to_completion(ioc, std::chrono::seconds(10));
    BOOST_TEST_REQUIRE(!wec);
    // The server closes on reading that request; unread by the client,
    // which only writes: the first write draws the server's reset, a later
    // one meets the broken pipe.
    wec = write_until_it_fails(ioc, stream);
    BOOST_TEST((wec == net::error::broken_pipe || wec == net::error::connection_reset), wec.message());
    // A failed write may leave part of a record in OpenSSL: nothing may follow.
    PendingRead after;
    stream.async_read_some(net::buffer(after.bytes), [&](error_code e, std::size_t) {
        after.ec = e;
        ++after.runs;
    });
    ioc.restart();
    run_to_completion(ioc, std::chrono::seconds(10));
    BOOST_TEST(after.runs == 1);
    BOOST_TEST(after.ec == net::error::broken_pipe, after.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_write_after_the_peers_close_was_read_reports_the_sends_error, Connected) {
    env.server->script("conf-1", {mock::Action::of(mock::Action::Kind::drop)});
    boost::beast::flat_buffer buffer;
    BOOST_TEST_REQUIRE(get(ioc, stream, env, "conf-1", buffer).read == net::ssl::error::stream_truncated);
    // OpenSSL has seen the EOF: its error for a write is ZERO_RETURN, the
    // send's (the reset it drew, or the broken pipe) says what happened.
    const error_code wec = write_until_it_fails(ioc, stream);
    BOOST_TEST((wec == net::error::broken_pipe || wec == net::error::connection_reset), wec.message());
}

BOOST_FIXTURE_TEST_CASE(closing_the_socket_during_a_wait_completes_the_read_once_with_operation_aborted, Connected) {
    PendingRead pending;
    stream.async_read_some(net::buffer(pending.bytes), [&](error_code e, std::size_t) {
        pending.ec = e;
        ++pending.runs;
    });
    ioc.restart();
    ioc.poll();  // the read is now waiting for the socket
    BOOST_TEST_REQUIRE(pending.runs == 0);
    stream.socket().close();
    run_to_completion(ioc, std::chrono::seconds(10));
    BOOST_TEST(pending.runs == 1);
    BOOST_TEST(pending.ec == net::error::operation_aborted, pending.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_cancellation_slot_ends_a_waiting_read_on_the_handlers_strand, Connected) {
    auto strand = net::make_strand(ioc);
    net::cancellation_signal cancel;
    PendingRead pending;
    bool on_strand = false;
    stream.async_read_some(
        net::buffer(pending.bytes),
        net::bind_cancellation_slot(cancel.slot(), net::bind_executor(strand, [&](error_code e, std::size_t) {
                                        pending.ec = e;
                                        ++pending.runs;
                                        on_strand = strand.running_in_this_thread();
                                    })));
    ioc.restart();
    ioc.poll();
    BOOST_TEST_REQUIRE(pending.runs == 0);
    cancel.emit(net::cancellation_type::terminal);
    run_to_completion(ioc, std::chrono::seconds(10));
    BOOST_TEST(pending.runs == 1);
    BOOST_TEST(pending.ec == net::error::operation_aborted, pending.ec.message());
    BOOST_TEST(on_strand);
}

BOOST_FIXTURE_TEST_CASE(a_write_that_completes_at_once_still_runs_its_handler_later_on_its_strand, Connected) {
    auto strand = net::make_strand(ioc);
    const std::string bytes = "GET / HTTP/1.1\r\n";
    int runs = 0;
    bool on_strand = false;
    stream.async_write_some(net::buffer(bytes), net::bind_executor(strand, [&](error_code, std::size_t) {
                                ++runs;
                                on_strand = strand.running_in_this_thread();
                            }));
    BOOST_TEST(runs == 0, "the handler ran inside the initiating function");
    ioc.restart();
    run_to_completion(ioc, std::chrono::seconds(10));
    BOOST_TEST(runs == 1);
    BOOST_TEST(on_strand);
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

BOOST_FIXTURE_TEST_CASE(a_read_takes_every_record_already_arrived_that_fits, Connected) {
    mock::Action large = mock::Action::of(mock::Action::Kind::respond);
    large.body = std::string(200 * 1024, 'x');
    env.server->script("conf-1", {large});
    send_get(ioc, stream, env, "conf-1");
    // Let the whole response arrive: more than a dozen 16 KiB records.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::vector<char> bytes(64 * 1024);
    std::size_t got = 0;
    error_code ec;
    stream.async_read_some(net::buffer(bytes), [&](error_code e, std::size_t n) {
        ec = e;
        got = n;
    });
    ioc.restart();
    run_to_completion(ioc, std::chrono::seconds(10));
    BOOST_TEST(!ec, ec.message());
    // One SSL_read gives one record (16 KiB at most); one operation fills
    // the buffer from all that OpenSSL has read ahead.
    BOOST_TEST(got > std::size_t{16 * 1024});
}

BOOST_FIXTURE_TEST_CASE(a_socket_closed_after_its_wait_completed_is_not_touched_again, Connected) {
    // abort() between the wait and the next SSL_read: the descriptor's number
    // may already be another connection's, so OpenSSL must not use it.
    const PendingRead pending =
        act_between_wait_and_retry(*this, [&](net::cancellation_signal&) { stream.socket().close(); });
    BOOST_TEST(pending.runs == 1);
    BOOST_TEST(pending.ec == net::error::operation_aborted, pending.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_cancellation_between_the_wait_and_the_retry_ends_the_read, Connected) {
    const PendingRead pending = act_between_wait_and_retry(
        *this, [](net::cancellation_signal& cancel) { cancel.emit(net::cancellation_type::terminal); });
    BOOST_TEST(pending.runs == 1);
    BOOST_TEST(pending.ec == net::error::operation_aborted, pending.ec.message());
    BOOST_TEST(pending.n == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
