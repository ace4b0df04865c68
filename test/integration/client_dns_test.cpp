// Name resolution under a slow or unresponsive DNS server. getaddrinfo cannot
// be interrupted, so the deadline must hold without waiting for it to return.
//
// This binary defines getaddrinfo itself: the executable's definition takes
// precedence over libc's for every caller in the process (the library and
// Asio included), so the test can make resolution of "localhost" as slow as
// an unresponsive DNS server while everything else resolves as usual.
#include "common/lookup_helpers.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <dlfcn.h>
#include <netdb.h>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

/// How long a resolution of "localhost" blocks; 0: not at all.
std::atomic<int> g_localhost_delay_ms{0};
/// When set, a resolution of "localhost" fails after its delay.
std::atomic<bool> g_localhost_fails{false};
std::atomic<int> g_localhost_resolutions{0};
std::atomic<int> g_nonexistent_resolutions{0};
/// Resolutions of "localhost" that have returned.
std::atomic<int> g_localhost_answered{0};

/// See the file comment: a deadline test asserts the elapsed time with a
/// small, stated slack; an unenforced deadline overshoots by seconds.
constexpr auto kDeadlineSlack = 500ms;

using getaddrinfo_fn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);

}  // namespace

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints, addrinfo** res) {
    static const auto real = reinterpret_cast<getaddrinfo_fn>(::dlsym(RTLD_NEXT, "getaddrinfo"));
    if (node != nullptr && std::string_view(node) == "no-such-host.bwvoice.test") {
        ++g_nonexistent_resolutions;
        return EAI_NONAME;  // what an authoritative "no such name" looks like
    }
    if (node != nullptr && std::string_view(node) == "localhost") {
        ++g_localhost_resolutions;
        if (const int ms = g_localhost_delay_ms.load()) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        const int rc = g_localhost_fails.load() ? EAI_AGAIN : real(node, service, hints, res);
        ++g_localhost_answered;
        return rc;
    }
    return real(node, service, hints, res);
}

namespace {

struct DnsFixture {
    DnsFixture() {
        g_localhost_delay_ms = 0;
        g_localhost_fails = false;
        g_localhost_resolutions = 0;
        g_localhost_answered = 0;
    }
    ~DnsFixture() {
        g_localhost_delay_ms = 0;
        g_localhost_fails = false;
        // A resolution a test left blocking (its lookup gave up at a limit)
        // must not return during the next test and count as that test's:
        // under TSan on a busy machine a 3 s one from one test landed in the
        // window of a later one.
        for (int i = 0; i < 1000 && g_localhost_answered.load() < g_localhost_resolutions.load(); ++i)
            std::this_thread::sleep_for(10ms);
    }
};

ClientConfig localhost_config(const MockEnv& env) {
    auto config = env.client_config();
    config.base_url = env.server->base_url_localhost();
    return config;
}

long long ms(Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(client_dns, DnsFixture)

BOOST_AUTO_TEST_CASE(the_deadline_holds_while_name_resolution_blocks) {
    MockEnv env;
    net::io_context ioc;
    auto config = localhost_config(env);
    config.request_timeout = 400ms;
    config.retry.max_retries = 0;
    ConferenceClient client(ioc, config);
    g_localhost_delay_ms = 3000;

    constexpr int n = 8;
    std::vector<LookupResult> results(n);
    std::vector<Clock::duration> took(n);
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i)
        client.async_get_conference("conf-" + std::to_string(i), results[i].diag, [&, i](error_code ec, Conference) {
            results[i].ec = ec;
            took[i] = Clock::now() - start;
        });
    run_to_completion(ioc);
    // run() returns once the lookups are done: the blocked resolution is no
    // work of the caller's io_context.
    const auto run_took = Clock::now() - start;
    for (int i = 0; i < n; ++i) {
        BOOST_TEST((results[i].ec == errc::timeout), i << ": " << results[i].ec.message());
        BOOST_TEST((took[i] <= config.request_timeout + kDeadlineSlack), i << " took " << ms(took[i]) << " ms");
        BOOST_TEST(results[i].diag.message.find("localhost") != std::string::npos, results[i].diag.message);
    }
    BOOST_TEST((run_took <= config.request_timeout + kDeadlineSlack), "io_context::run took " << ms(run_took) << " ms");
    // One resolution for all of them, not one each queued behind it.
    BOOST_TEST(g_localhost_resolutions.load() == 1);
}

BOOST_AUTO_TEST_CASE(the_connect_limit_holds_while_name_resolution_blocks) {
    MockEnv env;
    net::io_context ioc;
    auto config = localhost_config(env);
    config.connect_timeout = 300ms;
    config.request_timeout = 5s;
    config.retry.max_retries = 0;
    ConferenceClient client(ioc, config);
    g_localhost_delay_ms = 3000;
    LookupResult r;
    const auto start = Clock::now();
    Clock::duration took{};
    client.async_get_conference("conf-1", r.diag, [&](error_code ec, Conference) {
        r.ec = ec;
        took = Clock::now() - start;
    });
    run_to_completion(ioc);
    BOOST_TEST((r.ec == errc::connection_failed), r.ec.message());
    BOOST_TEST((took <= config.connect_timeout + kDeadlineSlack), "took " << ms(took) << " ms");
    BOOST_TEST(r.diag.message.find("timed out") != std::string::npos, r.diag.message);
}

// Once the slow resolution answers, its addresses serve later lookups; those
// that were waiting got their timeout and nothing else is left behind.
BOOST_AUTO_TEST_CASE(a_slow_resolution_that_answers_serves_the_next_lookups) {
    MockEnv env;
    net::io_context ioc;
    auto config = localhost_config(env);
    config.request_timeout = 300ms;
    config.retry.max_retries = 0;
    ConferenceClient client(ioc, config);
    g_localhost_delay_ms = 1000;
    LookupResult first;
    client.async_get_conference("conf-1", first.diag, [&](error_code ec, Conference) { first.ec = ec; });
    run_to_completion(ioc);
    BOOST_TEST((first.ec == errc::timeout), first.ec.message());
    // The resolution goes on and ends; then lookups need no new one.
    for (int i = 0; i < 300 && g_localhost_answered.load() == 0; ++i) std::this_thread::sleep_for(10ms);
    BOOST_TEST_REQUIRE(g_localhost_answered.load() == 1);
    std::this_thread::sleep_for(50ms);  // its result reaches the cache just after getaddrinfo returns
    g_localhost_delay_ms = 0;
    ioc.restart();
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (const char* id : {"conf-2", "conf-3"}) {
            auto r = co_await lookup(client, id);
            BOOST_TEST(!r.ec, id << ": " << r.diag.message);
        }
    });
    BOOST_TEST(g_localhost_resolutions.load() == 1);
    BOOST_TEST(client.stats().in_flight == 0u);
}

// A failed resolution is not cached: the next lookup resolves again.
BOOST_AUTO_TEST_CASE(a_failed_resolution_is_tried_again_by_the_next_lookup) {
    MockEnv env;
    net::io_context ioc;
    auto config = localhost_config(env);
    config.retry.max_retries = 0;
    ConferenceClient client(ioc, config);
    g_localhost_fails = true;
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::connection_failed), r.ec.message());
        BOOST_TEST(r.diag.message.find("cannot resolve localhost") != std::string::npos, r.diag.message);
    });
    g_localhost_fails = false;
    ioc.restart();
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST(!r.ec, r.diag.message);
    });
    BOOST_TEST(g_localhost_resolutions.load() == 2);
}

// Asio allows destroying an io_context with work pending (after stop()): its
// handlers are destroyed, not run. A resolution that returns afterwards must
// touch nothing of it (it once woke a waiter through the destroyed strand and
// destroyed the lookup's timers against freed services: ASan use-after-free).
BOOST_AUTO_TEST_CASE(an_io_context_destroyed_while_a_resolution_blocks_is_not_touched_afterwards) {
    MockEnv env;
    auto config = localhost_config(env);
    config.request_timeout = 10s;
    config.connect_timeout = 10s;
    g_localhost_delay_ms = 600;
    bool called = false;
    {
        auto ioc = std::make_unique<net::io_context>();
        {
            ConferenceClient client(*ioc, config);
            client.async_get_conference("conf-1", [&](error_code, Conference) { called = true; });
            ioc->run_for(100ms);  // the lookup now waits for the resolution
            ioc->stop();
        }
        ioc.reset();
    }
    for (int i = 0; i < 300 && g_localhost_answered.load() == 0; ++i) std::this_thread::sleep_for(10ms);
    BOOST_TEST_REQUIRE(g_localhost_answered.load() == 1);
    std::this_thread::sleep_for(100ms);  // the thread is done with its result
    BOOST_TEST(!called, "a handler of a destroyed io_context must not run");
}

// A name the DNS says does not exist is final: no pause, no retry.
BOOST_AUTO_TEST_CASE(a_host_that_does_not_exist_is_not_retried) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.base_url = "https://no-such-host.bwvoice.test/api/v2";
    config.retry.max_retries = 3;
    ConferenceClient client(ioc, config);
    g_nonexistent_resolutions = 0;
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::connection_failed), r.ec.message());
        BOOST_TEST(r.diag.retries == 0u);
        BOOST_TEST(r.diag.message.find("cannot resolve no-such-host.bwvoice.test") != std::string::npos,
                   r.diag.message);
    });
    BOOST_TEST(g_nonexistent_resolutions.load() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
