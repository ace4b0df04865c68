// The connection pool over real TLS: reuse, the bound, stale connections, expiry.
#include "common/lookup_helpers.hpp"
#include "common/refused_port.hpp"
#include "core/connection.hpp"
#include "core/tls.hpp"

#include <sys/socket.h>

#include <atomic>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using namespace std::chrono_literals;

namespace {

/// Starts `count` lookups at once from the io_context's thread and counts the outcomes.
struct Burst {
    std::size_t ok = 0;
    std::size_t failed = 0;
    std::vector<error_code> errors;

    void start(ConferenceClient& client, std::size_t count, std::size_t id_modulo = 1000) {
        for (std::size_t i = 0; i < count; ++i) {
            const std::string id = "conf-" + std::to_string(i % id_modulo);
            client.async_get_conference(id, [this, id](error_code ec, Conference c) {
                if (!ec && c.id == id) {
                    ++ok;
                } else {
                    ++failed;
                    errors.push_back(ec);
                }
            });
        }
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(client_pool)

BOOST_AUTO_TEST_CASE(many_lookups_cost_no_more_handshakes_than_the_pool_size) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 4;
    ConferenceClient client(ioc, config);
    Burst burst;
    burst.start(client, 400);
    run_to_completion(ioc);
    BOOST_TEST(burst.ok == 400u);
    auto stats = client.stats();
    BOOST_TEST(stats.handshakes <= 4u);
    BOOST_TEST(stats.connections_opened <= 4u);
    BOOST_TEST(stats.reuses >= 396u);
    BOOST_TEST(env.server->stats().handshakes <= 4u);
    BOOST_TEST(stats.open <= 4u);
    BOOST_TEST(stats.in_flight == 0u);
}

BOOST_AUTO_TEST_CASE(never_more_connections_than_the_pool_size) {
    MockEnv env;
    Action slow;
    slow.delay = 20ms;
    env.server->script_all({slow});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 3;
    ConferenceClient client(ioc, config);
    Burst burst;
    burst.start(client, 60);
    run_to_completion(ioc);
    BOOST_TEST(burst.ok == 60u);
    BOOST_TEST(env.server->stats().max_open_connections <= 3u);
    BOOST_TEST(client.stats().connections_opened <= 3u);
}

// The server closes a kept-alive connection just as a request goes out on it
// (after the check before reuse, so only the failure shows it): the request
// is resent at once on a new connection, and that is not a counted retry.
BOOST_AUTO_TEST_CASE(a_reused_connection_that_fails_before_any_response_byte_is_resent_without_a_retry) {
    MockEnv env;
    env.server->script("conf-2", {Action::of(Action::Kind::drop)});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    config.retry.max_retries = 0;  // a counted retry would fail the lookup: only the resend may save it
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto first = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!first.ec, first.diag.message);
        auto second = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!second.ec, second.diag.message);
        BOOST_TEST(second.diag.retries == 0u);
        BOOST_TEST(second.diag.attempts == 2u);
    });
    BOOST_TEST(client.stats().stale_resends == 1u);
    BOOST_TEST(env.server->stats().connections_accepted == 2u);
}

// A connection the server closed while it sat idle is found dead before
// anything is written to it, however short the idle time.
BOOST_AUTO_TEST_CASE(a_connection_the_server_dropped_while_idle_is_never_written_to) {
    mock::ServerOptions options;
    options.idle_drop = 30ms;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    config.retry.max_retries = 0;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto first = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!first.ec, first.diag.message);
        net::steady_timer t(co_await net::this_coro::executor, 300ms);
        co_await t.async_wait(net::use_awaitable);
        auto second = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!second.ec, second.diag.message);
        BOOST_TEST(second.diag.attempts == 1u);
    });
    BOOST_TEST(client.stats().stale_resends == 0u);
    BOOST_TEST(env.server->stats().connections_accepted == 2u);
}

BOOST_AUTO_TEST_CASE(connection_close_and_server_request_limits_are_honoured) {
    mock::ServerOptions options;
    options.max_requests_per_connection = 3;
    MockEnv env(options);
    Action closing;
    closing.close_after = true;
    env.server->script("conf-1", {closing});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    config.retry.max_retries = 0;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (int i = 0; i < 20; ++i) {
            auto r = co_await lookup(client, "conf-1");
            BOOST_TEST_REQUIRE(!r.ec, "lookup " << i << ": " << r.diag.message);
        }
    });
    BOOST_TEST(env.server->stats().requests >= 20u);
    BOOST_TEST(client.stats().retries == 0u);
}

BOOST_AUTO_TEST_CASE(idle_connections_expire) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.idle_timeout = 50ms;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        BOOST_TEST(!(co_await lookup(client, "conf-1")).ec);
        net::steady_timer t(co_await net::this_coro::executor, 150ms);
        co_await t.async_wait(net::use_awaitable);
        BOOST_TEST(!(co_await lookup(client, "conf-1")).ec);
    });
    BOOST_TEST(client.stats().connections_opened == 2u);
    BOOST_TEST(client.stats().reuses == 0u);
}

BOOST_AUTO_TEST_CASE(reconnects_resume_the_tls_session) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.idle_timeout = 1ms;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            BOOST_TEST(!(co_await lookup(client, "conf-1")).ec);
            net::steady_timer t(co_await net::this_coro::executor, 10ms);
            co_await t.async_wait(net::use_awaitable);
        }
    });
    BOOST_TEST(client.stats().handshakes == 3u);
    BOOST_TEST(client.stats().sessions_resumed >= 2u);
}

BOOST_AUTO_TEST_CASE(connect_failures_reach_waiters_and_the_pool_recovers) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 2;
    config.retry.max_retries = 1;
    const RefusedPort refused;  // every connect is refused
    config.base_url = refused.https_url("/api/v2");
    ConferenceClient client(ioc, config);
    Burst burst;
    burst.start(client, 10);
    run_to_completion(ioc);
    BOOST_TEST(burst.failed == 10u);
    for (auto& ec : burst.errors) BOOST_TEST((ec == errc::connection_failed), ec.message());
    BOOST_TEST(client.stats().open == 0u);
}

BOOST_AUTO_TEST_CASE(a_connection_idle_for_a_while_is_probed_before_reuse) {
    mock::ServerOptions options;
    options.idle_drop = 50ms;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        BOOST_TEST(!(co_await lookup(client, "conf-1")).ec);
        net::steady_timer t(co_await net::this_coro::executor, 1200ms);
        co_await t.async_wait(net::use_awaitable);
        auto r = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST(r.diag.attempts == 1u);  // the dead connection was never written to
    });
    BOOST_TEST(client.stats().stale_resends == 0u);
    BOOST_TEST(client.stats().connections_opened == 2u);
}

BOOST_AUTO_TEST_CASE(bytes_after_a_complete_response_retire_the_connection) {
    MockEnv env;
    const std::string json = *env.server->conference_json("conf-1");
    Action overlong;
    overlong.body = json + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    overlong.headers = {{"Content-Length", std::to_string(json.size())}};
    env.server->script("conf-1", {overlong});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto first = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!first.ec, first.diag.message);
        BOOST_TEST((first.conference == seeded_conference(env.options, 1)));
        // The smuggled response must not be taken as the answer to this one.
        auto second = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!second.ec, second.diag.message);
        BOOST_TEST((second.conference == seeded_conference(env.options, 2)));
    });
    BOOST_TEST(client.stats().connections_opened == 2u);
}

// A response that comes late, after the connection went back to the pool,
// sits in the socket (or in TLS buffers) until the connection's next use:
// it must not become the answer to another lookup.
BOOST_AUTO_TEST_CASE(a_late_unsolicited_response_is_never_taken_as_the_next_answer) {
    MockEnv env;
    const std::string json = *env.server->conference_json("conf-1");
    Action late;
    late.unsolicited =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(json.size()) +
        "\r\n\r\n" + json;
    late.unsolicited_after = 50ms;
    env.server->script("conf-1", {late});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto first = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!first.ec, first.diag.message);
        net::steady_timer t(co_await net::this_coro::executor, 200ms);
        co_await t.async_wait(net::use_awaitable);
        auto second = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!second.ec, second.diag.message);
        BOOST_TEST(second.conference.id == "conf-2");
        BOOST_TEST((second.conference == seeded_conference(env.options, 2)));
        BOOST_TEST(second.diag.attempts == 1u);  // the tainted connection was never written to
    });
    BOOST_TEST(client.stats().connections_opened == 2u);
}

// Whatever got the bytes there, a conference whose id is not the one asked
// for is never returned as the answer.
BOOST_AUTO_TEST_CASE(a_response_for_another_conference_is_bad_response) {
    MockEnv env;
    Action other;
    other.body = *env.server->conference_json("conf-1");
    env.server->script("conf-2", {other});
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-2");
        BOOST_TEST((r.ec == errc::bad_response), r.ec.message());
        BOOST_TEST(r.conference.id.empty());
        BOOST_TEST(r.diag.message.find("conf-1") != std::string::npos, r.diag.message);
        BOOST_TEST(r.diag.retries == 0u);
    });
}

/// Trusts the mock's CA in `ctx`, connects `conn` to the mock and readies
/// its TLS stream for the handshake.
void connect_tls(detail::Connection& conn, net::ssl::context& ctx, const MockEnv& env) {
    ctx.add_certificate_authority(net::buffer(SharedPki::get().pki.ca_cert_pem));
    conn.socket().connect({net::ip::make_address("127.0.0.1"), env.server->port()});
    BOOST_TEST_REQUIRE(!conn.tls().attach());
    BOOST_TEST_REQUIRE(!detail::prepare_tls_connection(conn.tls().native_handle(), "127.0.0.1"));
}

// A TLS 1.3 server sends its session tickets just after the handshake; they
// wait unread until the first response is read. A connection that has carried
// no request yet (handed over by a cancelled request) is not retired for them.
BOOST_AUTO_TEST_CASE(session_tickets_waiting_on_a_fresh_connection_are_not_unsolicited_bytes) {
    MockEnv env;
    net::io_context ioc;
    net::ssl::context ctx(net::ssl::context::tls_client);
    detail::Connection conn(ioc.get_executor(), &ctx);
    connect_tls(conn, ctx, env);
    error_code handshake_ec = net::error::would_block;
    conn.tls().async_handshake([&](error_code ec, std::size_t) { handshake_ec = ec; });
    ioc.run();
    BOOST_TEST_REQUIRE(!handshake_ec, handshake_ec.message());
    std::this_thread::sleep_for(100ms);  // the tickets arrive
    char byte;
    BOOST_TEST_REQUIRE(::recv(conn.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0,
                       "the server sent nothing after the handshake: the test proves nothing");
    BOOST_TEST(conn.peer_silent(), "session tickets taken for an unsolicited answer");
    conn.exchanges = 1;  // the same bytes after a response are unsolicited
    BOOST_TEST(!conn.peer_silent());
}

// A server that closes after its answer sends close_notify at once and its
// FIN only later (the mock waits up to 500 ms for ours). Read together with
// the answer, the close waits in the TLS stream for its next read, and the
// socket shows nothing yet: the connection must still not be reused.
BOOST_AUTO_TEST_CASE(a_close_read_together_with_the_last_answer_retires_the_connection) {
    mock::ServerOptions options;
    options.max_requests_per_connection = 1;
    MockEnv env(options);
    net::io_context ioc;
    net::ssl::context ctx(net::ssl::context::tls_client);
    detail::Connection conn(ioc.get_executor(), &ctx);
    connect_tls(conn, ctx, env);
    error_code ec = net::error::would_block;
    conn.tls().async_handshake([&](error_code e, std::size_t) { ec = e; });
    ioc.run();
    BOOST_TEST_REQUIRE(!ec, ec.message());
    const std::string request = "GET /api/v2/accounts/" + env.options.account_id +
                                "/conferences/conf-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Authorization: Basic dXNlcjpwYXNz\r\n\r\n";
    net::async_write(conn.tls(), net::buffer(request), [&](error_code e, std::size_t) { ec = e; });
    ioc.restart();
    ioc.run();
    BOOST_TEST_REQUIRE(!ec, ec.message());
    std::this_thread::sleep_for(50ms);  // the answer and the close_notify arrive; the FIN not yet (500 ms)
    std::vector<char> answer(64 * 1024);
    std::size_t n = 0;
    conn.tls().async_read_some(net::buffer(answer), [&](error_code e, std::size_t got) {
        ec = e;
        n = got;
    });
    ioc.restart();
    ioc.run();
    BOOST_TEST_REQUIRE(!ec, ec.message());
    BOOST_TEST_REQUIRE(std::string_view(answer.data(), n).starts_with("HTTP/1.1 200"));
    char byte;
    BOOST_TEST_REQUIRE(::recv(conn.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0,
                       "the FIN arrived already: the test proves nothing");
    conn.exchanges = 1;
    BOOST_TEST(!conn.peer_silent(), "a connection the server has closed would be reused");
}

// The pool's queue under contention: lookups wait for the one connection
// (held by a lookup the server never answers), half of them are cancelled
// through their slots on their strand while this thread closes the client.
// Four threads run the context, so while one emits, the others take
// cancelled lookups out of the queue, most likely while close() runs (the
// overlap is likely, not certain). Every handler runs exactly once, with one
// of the two cancellation errors; under TSan this is the race check for the
// queue's locking.
BOOST_AUTO_TEST_CASE(queued_lookups_cancelled_and_closed_from_several_threads_each_complete_once) {
    MockEnv env;
    env.server->script("conf-held", {Action::of(Action::Kind::silent)});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    // Far beyond every wait below: no deadline may end a lookup first.
    config.request_timeout = 120s;
    ConferenceClient client(ioc, config);
    auto strand = net::make_strand(ioc);

    constexpr std::size_t queued = 2000;
    std::vector<net::cancellation_signal> signals(queued);
    std::vector<std::atomic<int>> calls(queued);
    std::vector<error_code> errors(queued);  // written on the strand only
    std::atomic<int> held_calls{0};
    error_code held_error;
    client.async_get_conference("conf-held", net::bind_executor(strand, [&](error_code ec, Conference) {
                                    held_error = ec;
                                    ++held_calls;
                                }));
    std::vector<std::thread> runners;
    for (int t = 0; t < 4; ++t) runners.emplace_back([&] { ioc.run_for(60s); });
    // A failed wait must not leave the runners (and the test) hanging.
    const auto wait_for = [&](auto done, const char* what) {
        const auto give_up = std::chrono::steady_clock::now() + 30s;
        while (!done() && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
        if (done()) return true;
        client.close();
        for (auto& runner : runners) runner.join();
        BOOST_ERROR("gave up waiting until " << what);
        return false;
    };
    // The held lookup has the only connection before any other is issued.
    if (!wait_for([&] { return env.server->request_count("conferences/conf-held") == 1; },
                  "the held lookup reached the server"))
        return;
    for (std::size_t i = 0; i < queued; ++i)
        client.async_get_conference(
            "conf-" + std::to_string(i % 100),
            net::bind_cancellation_slot(signals[i].slot(),
                                        net::bind_executor(strand, [&, i](error_code ec, Conference) {
                                            errors[i] = ec;
                                            ++calls[i];
                                        })));
    if (!wait_for([&] { return client.stats().waiting == queued; }, "every lookup was queued")) return;

    // close() from this thread once the cancellations are under way, so the
    // two are likely to overlap: cancelled lookups leave the queue on the
    // runner threads while close() takes the rest.
    std::atomic<bool> cancelling{false};
    net::post(strand, [&] {
        for (std::size_t i = 0; i < queued; i += 2) {
            signals[i].emit(net::cancellation_type::terminal);
            if (i == queued / 2) cancelling.store(true);
        }
    });
    if (!wait_for([&] { return cancelling.load(); }, "the cancellations began")) return;
    client.close();
    for (auto& runner : runners) runner.join();
    BOOST_TEST(ioc.stopped(), "run_for(60s) ended with work left: a handler was not called");

    BOOST_TEST(held_calls.load() == 1);
    BOOST_TEST((held_error == errc::cancelled), held_error.message());
    std::size_t once = 0, cancelled = 0;
    for (std::size_t i = 0; i < queued; ++i) {
        once += calls[i].load() == 1;
        const bool by_slot = i % 2 == 0 && errors[i] == net::error::operation_aborted;
        cancelled += by_slot || errors[i] == errc::cancelled;
    }
    BOOST_TEST(once == queued);
    BOOST_TEST(cancelled == queued);
    BOOST_TEST(client.stats().open == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
