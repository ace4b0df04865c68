// An exception (std::bad_alloc) thrown inside a lookup while it holds a pool
// slot: the lookup still completes, and the slot comes back, so the pool
// does not shrink for good.
//
// This binary replaces the global operator new (common/replaced_global_new.hpp)
// so that a test can make one allocation fail: any of at least g_fail_from
// bytes while armed. A 2 MB conference ID: the
// initiating function copies it and builds its path (each about 2 MB), and
// once a connection is held the request's bytes are serialized: the path
// plus the request line and headers, some 100 bytes more. Failing only
// allocations of the ID's size + 100 bytes or more hits that one. Asio's
// own allocations (aligned_alloc) can be made to fail after a chosen event.
// It also counts the allocations a warm client makes per get (suite
// steady_state).
#include "common/lookup_helpers.hpp"
#include "common/replaced_global_new.hpp"

#include "auth/token_broker.hpp"

#include "core/address_sanitizer.hpp"

#include <boost/asio/detached.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using namespace std::chrono_literals;

namespace {
std::atomic<std::size_t> g_fail_from{0};  // 0: allocations never fail
std::atomic<int> g_failed{0};

/// The other way to fail: on this thread only, the countdown-th allocation of
/// exactly `size` bytes (so the mock server's thread is never affected).
thread_local std::size_t t_exact_size = 0;
thread_local int t_countdown = 0;

/// Counting, on this thread only: operator new, and aligned_alloc apart
/// (Asio takes its coroutine frames and operations from it, not from
/// operator new).
thread_local bool t_counting = false;
/// Asio's allocations fail too: on this thread, the countdown-th call of
/// aligned_alloc returns null (Asio then throws std::bad_alloc).
thread_local int t_aligned_countdown = 0;
thread_local std::size_t t_counted = 0;
thread_local std::size_t t_counted_aligned = 0;
}  // namespace

// Replaces the C library's for the whole executable, to count; the memory
// comes from posix_memalign, which free() takes.
extern "C" void* aligned_alloc(std::size_t align, std::size_t size) noexcept {
    if (t_counting) ++t_counted_aligned;
    if (t_aligned_countdown > 0 && --t_aligned_countdown == 0) {
        ++g_failed;
        return nullptr;
    }
    void* p = nullptr;
    if (align < sizeof(void*)) align = sizeof(void*);
    return ::posix_memalign(&p, align, size == 0 ? 1 : size) == 0 ? p : nullptr;
}

void* bwvoice::test::replaced_allocate(std::size_t n, std::size_t align) {
    if (t_counting && align == 0) ++t_counted;  // an aligned form counts in aligned_alloc
    const std::size_t limit = g_fail_from.load(std::memory_order_relaxed);
    if (limit != 0 && n >= limit) {
        ++g_failed;
        throw std::bad_alloc();
    }
    if (t_exact_size != 0 && n == t_exact_size && --t_countdown == 0) {
        t_exact_size = 0;
        ++g_failed;
        throw std::bad_alloc();
    }
    return system_allocate(n, align);
}

namespace {
/// Counts the connections told opened and closed; with fail_after = n, makes
/// the first of Asio's allocations after the n-th RequestStarted fail (the
/// write it announces starts next).
struct CountingObserver final : ClientObserver {
    int fail_after = 0, started = 0, opened = 0, closed = 0;
    void on_request_started(const RequestStarted&) override {
        if (++started == fail_after) t_aligned_countdown = 1;
    }
    void on_connection_opened(const ConnectionOpened&) override { ++opened; }
    void on_connection_closed(const ConnectionClosed&) override { ++closed; }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(alloc_failure)

BOOST_AUTO_TEST_CASE(an_exception_while_holding_a_connection_gives_its_slot_back) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    config.request_timeout = 3s;
    auto observer = std::make_shared<CountingObserver>();
    config.observer = observer;
    ConferenceClient client(ioc, config);
    const std::string huge_id(2'000'000, 'a');

    for (int round = 0; round < 2; ++round) {  // on a fresh connection, then on a reused one
        g_failed = 0;
        LookupResult failing;
        bool failing_done = false;
        g_fail_from = huge_id.size() + 100;
        long open_untold = -1;  // connections open by the count told, beyond those stats() shows
        client.async_get_conference(huge_id, failing.diag, [&](error_code ec, Conference) {
            g_fail_from = 0;
            failing.ec = ec;
            failing_done = true;
            open_untold = long{observer->opened} - observer->closed - static_cast<long>(client.stats().open);
        });
        ioc.restart();
        run_to_completion(ioc);
        g_fail_from = 0;
        BOOST_TEST_REQUIRE(failing_done, "round " << round << ": the lookup never completed");
        BOOST_TEST(g_failed.load() >= 1, "round " << round << ": the allocation failure was not met");
        BOOST_TEST(failing.ec.failed());
        BOOST_TEST((failing.ec.category() == client_category()), failing.ec.message());
        // The connection it held was closed, and its close told before the handler ran.
        BOOST_TEST(open_untold == 0, "round " << round);

        // With one slot, this lookup can only run if the slot came back.
        ioc.restart();
        run_coroutine(ioc, [&]() -> net::awaitable<void> {
            auto r = co_await lookup(client, "conf-" + std::to_string(round));
            BOOST_TEST(!r.ec, "round " << round << ": " << r.ec.message() << " (" << r.diag.message << ")");
        });
        const auto s = client.stats();
        BOOST_TEST(s.open <= 1u);
        BOOST_TEST(s.in_flight == 0u);
    }
}

// Every allocation of one size along a failing lookup's path, in turn: the
// size of the API's error description, which the client copies, redacts (it
// echoes the password) and hands over in finish(). Whichever one fails, the
// handler is called exactly once and the pool keeps its place. (An exception
// in finish() once lost the handler: the lookup was marked finished first.)
BOOST_AUTO_TEST_CASE(an_allocation_failure_anywhere_on_the_failure_path_still_calls_the_handler) {
    mock::ServerOptions options;
    options.password = "pw-secret-4711";
    MockEnv env(options);
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    config.request_timeout = 3s;
    config.retry.max_retries = 0;
    ConferenceClient client(ioc, config);
    const std::string description = "no such conference for " + options.password + std::string(3000, '.');
    mock::Action echo = mock::Action::respond(404);
    echo.body = R"({"type":"validation","description":")" + description + R"("})";

    int failures_met = 0;
    for (int k = 1; k <= 8; ++k) {
        env.server->script("conf-x", {echo});
        g_failed = 0;
        int calls = 0;
        error_code result;
        t_exact_size = description.size() + 1;  // a std::string of that length allocates one more byte
        t_countdown = k;
        client.async_get_conference("conf-x", [&](error_code ec, Conference) {
            ++calls;
            result = ec;
        });
        ioc.restart();
        run_to_completion(ioc);
        t_exact_size = 0;
        failures_met += g_failed.load();
        BOOST_TEST(calls == 1, "failing allocation #" << k << ": handler called " << calls << " times");
        BOOST_TEST(result.failed(), "allocation #" << k);
        ioc.restart();
        run_coroutine(ioc, [&]() -> net::awaitable<void> {
            auto r = co_await lookup(client, "conf-1");
            BOOST_TEST(!r.ec, "after allocation #" << k << ": " << r.ec.message() << " (" << r.diag.message << ")");
        });
        BOOST_TEST(client.stats().in_flight == 0u);
    }
    BOOST_TEST(failures_met >= 2, "the sweep must meet at least the copy and the redaction");
}

// A get that waited for the pool's only connection gets it, and its write
// cannot start (Asio cannot allocate its operation): the handler is told
// connection_failed, and by the time it runs the connection is closed and
// its close told, so its place is free. (It once stayed busy until the
// operation's memory was freed, after the handler, and was never told.)
BOOST_AUTO_TEST_CASE(a_write_that_cannot_start_after_a_pool_wait_frees_the_connection_before_the_handler) {
    MockEnv env;
    auto observer = std::make_shared<CountingObserver>();
    auto config = env.client_config();
    config.pool_size = 1;
    config.request_timeout = 3s;
    config.observer = observer;
    net::io_context ioc;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {  // the connection opened and pooled
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.ec.message());
    });

    int first_calls = 0, waiting_calls = 0;
    error_code waiting_ec;
    PoolStats when_done;
    int closes_told_when_done = 0;
    observer->started = 0;
    observer->fail_after = 2;  // the get that waits
    client.async_get_conference("conf-1", [&](error_code ec, Conference) {
        ++first_calls;
        BOOST_TEST(!ec, ec.message());
    });
    client.async_get_conference("conf-2", [&](error_code ec, Conference) {
        ++waiting_calls;
        waiting_ec = ec;
        when_done = client.stats();
        closes_told_when_done = observer->closed;
    });
    g_failed = 0;
    ioc.restart();
    run_to_completion(ioc);
    t_aligned_countdown = 0;
    BOOST_TEST_REQUIRE(g_failed.load() == 1, "the write's allocation was not met");
    BOOST_TEST(first_calls == 1);
    BOOST_TEST_REQUIRE(waiting_calls == 1);
    BOOST_TEST((waiting_ec == errc::connection_failed), waiting_ec.message());
    BOOST_TEST(when_done.open == 0u, "the connection whose write failed to start is still open");
    BOOST_TEST(when_done.in_flight == 0u);
    BOOST_TEST(closes_told_when_done == 1);
    BOOST_TEST(observer->opened == 1);

    ioc.restart();
    run_coroutine(ioc, [&]() -> net::awaitable<void> {  // the pool still has its place
        auto r = co_await lookup(client, "conf-3");
        BOOST_TEST(!r.ec, r.ec.message() << " (" << r.diag.message << ")");
    });
}

namespace {
struct QueuedForToken final : detail::TokenWaiter {
    int woken = 0;
    void wake() noexcept override { ++woken; }
};
}  // namespace

// A token fetch that fails, and the client's close(), must answer every
// request waiting for the token even when nothing can be allocated: both
// are noexcept, so an allocation escaping them would end the process.
BOOST_AUTO_TEST_CASE(token_waiters_are_answered_when_nothing_can_be_allocated) {
    using clock = detail::TokenBroker::clock;
    detail::TokenBroker broker(detail::TokenCache::Settings{});
    const auto first = std::make_shared<QueuedForToken>();
    Diagnostics unused;
    const auto a = broker.need(first, clock::now(), unused);
    BOOST_TEST_REQUIRE((a.verdict == detail::TokenCache::Verdict::wait && a.start_fetch));
    Diagnostics why;
    why.message = std::string(200, 'x');  // copying it allocates
    g_failed = 0;
    g_fail_from = 1;  // every allocation fails
    broker.fetch_failed(make_error_code(errc::unauthorized), why, clock::now());
    g_fail_from = 0;
    BOOST_TEST(g_failed > 0, "nothing tried to allocate: the failure was not exercised");
    BOOST_TEST(first->woken == 1);
    BOOST_TEST_REQUIRE(first->token_outcome != nullptr);
    BOOST_TEST((first->token_outcome->error == make_error_code(errc::connection_failed)),
               "the outcome made in advance for out of memory");

    const auto second = std::make_shared<QueuedForToken>();
    broker.need(second, clock::now() + std::chrono::hours(1), unused);  // past the back-off: waits for a new fetch
    BOOST_TEST_REQUIRE(second->token_outcome == nullptr);
    g_fail_from = 1;
    broker.close();
    g_fail_from = 0;
    BOOST_TEST(second->woken == 1);
    BOOST_TEST_REQUIRE(second->token_outcome != nullptr);
    BOOST_TEST((second->token_outcome->error == net::error::operation_aborted));
}

BOOST_AUTO_TEST_SUITE_END()

// Issue 13: once the pool is warm, a get allocates per request only what the
// caller's handler and the operation are (the type-erased handler, the
// operation, its request target), beyond the decoded result's own strings:
// the exchange's memory and its strand (two allocations) are recycled. And
// its write and read make no coroutine frames: Asio takes each operation's
// memory from its per-thread cache of two, or else from aligned_alloc.
// Counted on the client's thread (the mock answers from its own), over
// gets one after another (so the order of the client's allocations does not
// depend on the mock's timing), in one io_context::run(): Asio's cache lives
// as long as one run() (run_for() makes a new one per handler).
BOOST_AUTO_TEST_SUITE(steady_state)

namespace {
/// A client with one connection, and a conference whose ID has a real ID's
/// length: its copy, and the request target it makes, are longer than a
/// short string.
struct WarmGets {
    static constexpr int warm = 50, measured = 500;

    MockEnv env;
    net::io_context ioc;
    ConferenceClient client{ioc, [this] {
                                auto config = env.client_config();
                                config.pool_size = 1;
                                return config;
                            }()};
    const std::string id = "conf-fe23a767-a75a5b77-20c5-4cca-b581-cbbf0776eca9";

    WarmGets() {
        const auto seeded = env.server->conference_json("conf-1");
        BOOST_TEST_REQUIRE(seeded.has_value());
        auto conference = boost::json::parse(*seeded).as_object();
        conference["id"] = id;
        env.server->put_conference(id, boost::json::serialize(conference));
    }

    /// Called after each completion, `completed` in all: counts the ones
    /// after the warm-up.
    static void count_after(int completed) {
        if (completed == warm) t_counting = true;
        if (completed == warm + measured) t_counting = false;
    }

    /// After ioc.run(): the client's and Asio's allocations per measured get,
    /// beyond what decoding the answer allocates (its strings and vectors).
    void check_counts() {
        t_counting = false;
        const std::size_t counted = t_counted, counted_aligned = t_counted_aligned;
        const auto body = env.server->conference_json(id);
        BOOST_TEST_REQUIRE(body.has_value());
        t_counted = 0;
        t_counting = true;
        {
            Conference decoded;
            BOOST_TEST_REQUIRE(!parse_conference(*body, decoded));
        }
        t_counting = false;
        const std::size_t per_decode = t_counted;

        const double per_get =
            (static_cast<double>(counted) - double{measured} * static_cast<double>(per_decode)) / double{measured};
        const double asio_per_get = static_cast<double>(counted_aligned) / double{measured};
        BOOST_TEST_MESSAGE("per get: " << per_get << " allocations beyond the result's " << per_decode << ", and "
                                       << asio_per_get << " of Asio's");
        // None: the exchange and its strand come from the context's Recycler;
        // the handler's holder, the operation, the ID's copy, the target (and
        // the default token's Diagnostics) from the thread's operation stock.
        // Under ASan nothing is recycled, and they are made afresh.
        if (!bwvoice::detail::built_with_address_sanitizer)
            BOOST_TEST(per_get == 0.0);
        else
            BOOST_TEST(per_get == unrecycled_per_get);
        // Asio's, from its per-thread cache of two when a block fits, else
        // aligned_alloc: the write's and the read's completions and the
        // handler's dispatch take turns in that cache. Measured 2 per get with
        // g++ 12 and clang 14 (also under ASan) since the round trip runs as
        // plain handlers; with the write and read awaited in a coroutine (step
        // three) it was 4 with g++ and 6 with clang. A caller's coroutine adds
        // its own awaitable frames.
        BOOST_TEST(asio_per_get <= asio_allocations_per_get);
    }
    /// 2 in a quiet run; under ctest -j2 two more in 500 gets were seen once
    /// (timing decides which operation finds the cache taken). Another Asio
    /// allocation per get would not pass.
    double asio_allocations_per_get = 2.5;
    /// With no block recycled (ASan): the holder, the operation, the ID's
    /// copy, the target, the exchange.
    double unrecycled_per_get = 5.0;
};
}  // namespace

BOOST_FIXTURE_TEST_CASE(a_warm_clients_get_allocates_nothing_but_its_result, WarmGets) {
    struct Driver {
        ConferenceClient& client;
        const std::string& id;
        int total;
        int issued = 0, completed = 0, failed = 0;
        void issue() {
            if (issued == total) return;
            ++issued;
            client.async_get_conference(id, [this](error_code ec, Conference) {
                failed += ec ? 1 : 0;
                count_after(++completed);
                issue();
            });
        }
    };
    Driver driver{client, id, warm + measured + 1};
    driver.issue();
    t_counted = t_counted_aligned = 0;
    ioc.run();  // each get ends by its request_timeout at the latest
    BOOST_TEST_REQUIRE(driver.failed == 0);
    BOOST_TEST_REQUIRE(driver.completed == driver.total);
    check_counts();
}

// The way the README writes it: `co_await client.async_get_conference(id)`,
// the default token (with_diagnostics over use_awaitable), which also makes
// the operation's Diagnostics.
BOOST_FIXTURE_TEST_CASE(a_warm_get_awaited_with_the_default_token_allocates_nothing_but_its_result, WarmGets) {
    int completed = 0, failed = 0;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            for (int i = 0; i <= warm + measured; ++i) {
                try {
                    const Conference c = co_await client.async_get_conference(id);
                    failed += c.id == id ? 0 : 1;
                } catch (const std::exception&) {
                    ++failed;
                }
                count_after(++completed);
            }
        },
        net::detached);
    t_counted = t_counted_aligned = 0;
    ioc.run();
    BOOST_TEST_REQUIRE(failed == 0);
    BOOST_TEST_REQUIRE(completed == warm + measured + 1);
    // The coroutine's awaitable frames take turns in Asio's cache too:
    // measured 2 with g++ 12 and clang 14.
    unrecycled_per_get = 6.0;  // and the Diagnostics
    check_counts();
}

BOOST_AUTO_TEST_SUITE_END()
