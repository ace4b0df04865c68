// Retries, Retry-After and deadlines over real TLS.
#include "common/lookup_helpers.hpp"

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(client_retry)

BOOST_AUTO_TEST_CASE(retryable_statuses_are_retried_until_success) {
    MockEnv env;
    env.server->script("conf-1", {Action::respond(429, {{"Retry-After", "0"}}), Action::respond(502), Action::respond(503)});
    env.server->script("conf-2", {Action::respond(504)});
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST(r.diag.retries == 3u);
        BOOST_TEST(r.diag.attempts == 4u);
        auto r2 = co_await lookup(client, "conf-2");
        BOOST_TEST(!r2.ec);
        BOOST_TEST(r2.diag.retries == 1u);
    });
}

BOOST_AUTO_TEST_CASE(retries_are_bounded_and_end_with_the_last_status) {
    MockEnv env;
    env.server->script("conf-1", std::vector<Action>(10, Action::respond(429)));
    env.server->script("conf-2", std::vector<Action>(10, Action::respond(503)));
    net::io_context ioc;
    auto config = env.client_config();
    config.retry.max_retries = 2;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::rate_limited));
        BOOST_TEST(r.diag.http_status.value_or(0) == 429u);
        BOOST_TEST(r.diag.retries == 2u);
        BOOST_TEST(r.diag.attempts == 3u);
        auto r2 = co_await lookup(client, "conf-2");
        BOOST_TEST((r2.ec == errc::server_error));
        BOOST_TEST(r2.diag.attempts == 3u);
    });
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured_in_seconds_and_as_a_date) {
    MockEnv env;
    // A date in the past means "now".
    env.server->script("conf-1", {Action::respond(429, {{"Retry-After", "1"}}),
                                  Action::respond(429, {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}})});
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        const auto start = std::chrono::steady_clock::now();
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST(r.diag.retries == 2u);
        // A lower bound only: the client must have waited at least what the server asked.
        BOOST_TEST((std::chrono::steady_clock::now() - start >= 1s));
    });
}

BOOST_AUTO_TEST_CASE(a_retry_after_beyond_the_deadline_fails_at_once) {
    MockEnv env;
    env.server->script("conf-1", {Action::respond(429, {{"Retry-After", "3600"}})});
    net::io_context ioc;
    auto config = env.client_config();
    config.request_timeout = 30s;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::rate_limited));
        BOOST_TEST(r.diag.retries == 0u);
        BOOST_TEST(r.diag.message.find("deadline") != std::string::npos);
    });
}

BOOST_AUTO_TEST_CASE(connection_failures_mid_response_are_retried) {
    MockEnv env;
    env.server->script("conf-1", {Action::of(Action::Kind::drop), Action::of(Action::Kind::partial_headers),
                                  Action::of(Action::Kind::partial_body)});
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST((r.conference == seeded_conference(env.options, 1)));
    });
}

BOOST_AUTO_TEST_CASE(a_silent_server_times_out_within_the_deadline) {
    MockEnv env;
    env.server->script("conf-1", {Action::of(Action::Kind::silent)});
    Action trickle = Action::of(Action::Kind::trickle);
    trickle.delay = 100ms;
    env.server->script("conf-2", {trickle});
    net::io_context ioc;
    auto config = env.client_config();
    config.request_timeout = 300ms;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::timeout), r.ec.message());
        BOOST_TEST((r.ec == condition::timeout));
        auto r2 = co_await lookup(client, "conf-2");
        BOOST_TEST((r2.ec == errc::timeout), r2.ec.message());
        // The timed-out connections were closed, not reused; the pool recovers.
        auto ok = co_await lookup(client, "conf-3");
        BOOST_TEST(!ok.ec, ok.diag.message);
    });
}

BOOST_AUTO_TEST_SUITE_END()
