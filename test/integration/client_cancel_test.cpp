// Per-operation cancellation and shutdown with lookups in flight.
#include "common/lookup_helpers.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using namespace std::chrono_literals;
using namespace boost::asio::experimental::awaitable_operators;

BOOST_AUTO_TEST_SUITE(client_cancel)

BOOST_AUTO_TEST_CASE(an_awaitable_operator_timeout_cancels_just_that_lookup) {
    MockEnv env;
    env.server->script("conf-1", {Action::of(Action::Kind::silent)});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        net::steady_timer timer(co_await net::this_coro::executor, 100ms);
        auto winner = co_await (client.async_get_conference("conf-1", net::use_awaitable) ||
                                timer.async_wait(net::use_awaitable));
        BOOST_TEST(winner.index() == 1u);
        // The connection it used was closed, never reused half-read: the
        // next lookup on the one-connection pool gets a fresh, clean one.
        auto r = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST((r.conference == seeded_conference(env.options, 2)));
    });
    BOOST_TEST(client.stats().connections_opened == 2u);
    BOOST_TEST(client.stats().in_flight == 0u);
}

BOOST_AUTO_TEST_CASE(a_cancellation_signal_completes_with_operation_aborted) {
    MockEnv env;
    env.server->script("conf-1", {Action::of(Action::Kind::silent)});
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    net::cancellation_signal signal;
    error_code result;
    bool done = false;
    client.async_get_conference("conf-1", net::bind_cancellation_slot(signal.slot(), [&](error_code ec, Conference) {
                                    result = ec;
                                    done = true;
                                }));
    net::steady_timer timer(ioc, 100ms);
    timer.async_wait([&](error_code) { signal.emit(net::cancellation_type::terminal); });
    run_to_completion(ioc);
    BOOST_TEST(done);
    BOOST_TEST((result == net::error::operation_aborted));
    BOOST_TEST((result == condition::cancelled));
}

BOOST_AUTO_TEST_CASE(cancelling_a_queued_lookup_leaves_no_waiter_behind) {
    MockEnv env;
    Action slow;
    slow.delay = 100ms;
    env.server->script("conf-1", {slow});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    std::vector<std::string> order;
    net::cancellation_signal signal;
    client.async_get_conference("conf-1", [&](error_code ec, Conference) {
        BOOST_TEST(!ec);
        order.push_back("first");
    });
    // Queued behind the first; cancelled while waiting.
    client.async_get_conference("conf-2", net::bind_cancellation_slot(signal.slot(), [&](error_code ec, Conference) {
                                    BOOST_TEST((ec == net::error::operation_aborted));
                                    order.push_back("cancelled");
                                }));
    client.async_get_conference("conf-3", [&](error_code ec, Conference) {
        BOOST_TEST(!ec);
        order.push_back("third");
    });
    net::steady_timer timer(ioc, 30ms);
    timer.async_wait([&](error_code) { signal.emit(net::cancellation_type::total); });
    run_to_completion(ioc);
    BOOST_TEST(order == (std::vector<std::string>{"cancelled", "first", "third"}), boost::test_tools::per_element());
    BOOST_TEST(client.stats().connections_opened == 1u);
}

// Boost.MySQL #509 at the lookup level: the connection is handed to the
// oldest waiter, which is cancelled before it wakes to take it. The grant
// must pass on to the next waiter, not sit with the cancelled one. Made
// deterministic by cancelling from the first lookup's own handler: by then
// the connection has been handed over and the waiter's wake-up is queued.
BOOST_AUTO_TEST_CASE(a_waiter_cancelled_after_its_grant_passes_the_connection_on) {
    MockEnv env;
    Action slow;
    slow.delay = 100ms;
    env.server->script("conf-1", {slow});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    config.request_timeout = 5s;
    ConferenceClient client(ioc, config);
    net::cancellation_signal signal;
    error_code first_ec, second_ec, third_ec;
    Conference third;
    client.async_get_conference("conf-1", [&](error_code ec, Conference) {
        first_ec = ec;
        BOOST_TEST(client.stats().waiting == 1u, "the connection went straight to conf-2");
        signal.emit(net::cancellation_type::terminal);
    });
    client.async_get_conference(
        "conf-2", net::bind_cancellation_slot(signal.slot(), [&](error_code ec, Conference) { second_ec = ec; }));
    client.async_get_conference("conf-3", [&](error_code ec, Conference c) {
        third_ec = ec;
        third = std::move(c);
    });
    run_to_completion(ioc);
    BOOST_TEST(!first_ec);
    BOOST_TEST((second_ec == net::error::operation_aborted), second_ec.message());
    BOOST_TEST(!third_ec, "the connection granted to the cancelled waiter was lost: " << third_ec.message());
    BOOST_TEST(third.id == "conf-3");
    BOOST_TEST(client.stats().connections_opened == 1u);
}

// A connect under way when its request is cancelled is not torn down: the
// caller gets its answer at once, and the connection goes to the next waiter
// instead of every waiter paying for a new handshake (under a storm of
// cancellations none ever completed).
BOOST_AUTO_TEST_CASE(a_connect_interrupted_by_a_cancellation_serves_the_next_waiter) {
    mock::ServerOptions options;
    options.handshake_delay = 300ms;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    net::cancellation_signal signal;
    error_code first_ec, second_ec;
    Conference second;
    const auto start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration first_took{};
    client.async_get_conference("conf-1", net::bind_cancellation_slot(signal.slot(), [&](error_code ec, Conference) {
                                    first_ec = ec;
                                    first_took = std::chrono::steady_clock::now() - start;
                                }));
    client.async_get_conference("conf-2", [&](error_code ec, Conference c) {
        second_ec = ec;
        second = std::move(c);
    });
    net::steady_timer timer(ioc, 50ms);  // the first lookup is in the handshake now
    timer.async_wait([&](error_code) { signal.emit(net::cancellation_type::terminal); });
    run_to_completion(ioc);
    BOOST_TEST((first_ec == net::error::operation_aborted), first_ec.message());
    BOOST_TEST((first_took < 250ms), "the cancelled lookup waited for the connect");
    BOOST_TEST(!second_ec, second_ec.message());
    BOOST_TEST(second.id == "conf-2");
    BOOST_TEST(client.stats().connections_opened == 1u, "the half-done connect was thrown away");
    BOOST_TEST(env.server->stats().handshakes == 1u);
}

// A connect handed over (its request timed out) goes on for the next
// waiter, but not past the client: close() ends it, so the socket is closed
// and io_context::run() returns, instead of lasting the handshake limit.
BOOST_AUTO_TEST_CASE(closing_the_client_ends_a_connect_handed_over) {
    mock::ServerOptions options;
    options.handshake_delay = 4s;
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.request_timeout = 300ms;
    config.handshake_timeout = 10s;
    auto client = std::make_unique<ConferenceClient>(ioc, config);
    error_code ec;
    std::size_t open_after_close = 99;
    client->async_get_conference("conf-1", [&](error_code e, Conference) {
        ec = e;
        client->close();
        open_after_close = client->stats().open;
        client.reset();
    });
    const auto start = std::chrono::steady_clock::now();
    ioc.run();
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST((ec == errc::timeout), ec.message());
    BOOST_TEST(open_after_close <= 1u);
    // The request's deadline (300 ms) plus 1 s of slack; the handshake would
    // have held run() for 4 s.
    BOOST_TEST((took < 1300ms),
               "run() returned after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
}

BOOST_AUTO_TEST_CASE(close_completes_every_lookup_in_flight_with_cancelled) {
    MockEnv env;
    env.server->script_all({Action::of(Action::Kind::silent)});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 4;
    ConferenceClient client(ioc, config);
    std::size_t cancelled = 0, other = 0;
    for (int i = 0; i < 50; ++i)
        client.async_get_conference("conf-" + std::to_string(i),
                                    [&](error_code ec, Conference) { (ec == errc::cancelled ? cancelled : other)++; });
    net::steady_timer timer(ioc, 100ms);
    timer.async_wait([&](error_code) { client.close(); });
    run_to_completion(ioc);
    BOOST_TEST(cancelled == 50u);
    BOOST_TEST(other == 0u);
    // Later lookups fail at once.
    error_code late;
    client.async_get_conference("conf-1", [&](error_code ec, Conference) { late = ec; });
    ioc.restart();
    run_to_completion(ioc);
    BOOST_TEST((late == errc::cancelled));
    BOOST_TEST(client.stats().open == 0u);
}

BOOST_AUTO_TEST_CASE(destroying_the_client_with_lookups_in_flight_delivers_every_handler) {
    MockEnv env;
    Action slow;
    slow.delay = 50ms;
    env.server->script_all({slow});
    net::io_context ioc;
    std::size_t delivered = 0;
    {
        auto config = env.client_config();
        config.pool_size = 8;
        auto client = std::make_unique<ConferenceClient>(ioc, config);
        for (int i = 0; i < 1000; ++i)
            client->async_get_conference("conf-" + std::to_string(i % 100),
                                         [&](error_code, Conference) { ++delivered; });
        // Let some connections open and some exchanges start, then destroy it.
        ioc.run_for(30ms);
        client.reset();
    }
    run_to_completion(ioc);
    BOOST_TEST(delivered == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()
