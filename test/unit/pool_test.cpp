// The pool's bookkeeping alone, with no sockets: every order of acquire,
// release, discard, cancel and close, so no grant is lost or given twice.
#include "client/pool.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <thread>

using namespace bwvoice::detail;
using namespace std::chrono_literals;

namespace {

struct TestWaiter final : PoolWaiter {
    int wakes = 0;
    void wake() override { ++wakes; }
};

struct Fixture {
    boost::asio::io_context ioc;
    ConnectionPtr make() { return std::make_unique<Connection>(ioc.get_executor(), nullptr); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pool)

BOOST_FIXTURE_TEST_CASE(acquire_opens_up_to_the_bound_then_queues_fifo, Fixture) {
    Pool pool(2, 10s);
    std::vector<ConnectionPtr> expired;
    ConnectionPtr out;
    auto a = std::make_shared<TestWaiter>(), b = std::make_shared<TestWaiter>(), c = std::make_shared<TestWaiter>(),
         d = std::make_shared<TestWaiter>();
    BOOST_TEST((pool.acquire(a, out, expired) == Acquired::connect_slot));
    BOOST_TEST((pool.acquire(b, out, expired) == Acquired::connect_slot));
    BOOST_TEST((pool.acquire(c, out, expired) == Acquired::queued));
    BOOST_TEST((pool.acquire(d, out, expired) == Acquired::queued));
    BOOST_TEST(pool.counts().open == 2u);
    BOOST_TEST(pool.counts().waiting == 2u);

    // A released connection goes straight to the oldest waiter.
    BOOST_TEST(!pool.release(make()));
    BOOST_TEST(c->wakes == 1);
    BOOST_TEST(d->wakes == 0);
    BOOST_TEST((pool.take_grant(*c, out) == Acquired::connection));
    BOOST_TEST(out != nullptr);

    // A discarded connection gives its slot to the next waiter.
    pool.discard();
    BOOST_TEST(d->wakes == 1);
    BOOST_TEST((pool.take_grant(*d, out) == Acquired::connect_slot));
    BOOST_TEST(pool.counts().open == 2u);
    BOOST_TEST(pool.counts().waiting == 0u);
}

BOOST_FIXTURE_TEST_CASE(reuse_is_lifo, Fixture) {
    Pool pool(3, 10s);
    auto first = make(), second = make();
    auto* first_raw = first.get();
    auto* second_raw = second.get();
    std::vector<ConnectionPtr> expired;
    ConnectionPtr out;
    auto w = std::make_shared<TestWaiter>();
    for (int i = 0; i < 2; ++i) BOOST_TEST((pool.acquire(w, out, expired) == Acquired::connect_slot));
    pool.release(std::move(first));
    pool.release(std::move(second));
    BOOST_TEST((pool.acquire(w, out, expired) == Acquired::connection));
    BOOST_TEST(out.get() == second_raw);
    BOOST_TEST((pool.acquire(w, out, expired) == Acquired::connection));
    BOOST_TEST(out.get() == first_raw);
}

BOOST_FIXTURE_TEST_CASE(a_cancelled_waiter_leaves_the_queue, Fixture) {
    Pool pool(1, 10s);
    std::vector<ConnectionPtr> expired;
    ConnectionPtr out;
    auto a = std::make_shared<TestWaiter>(), b = std::make_shared<TestWaiter>(), c = std::make_shared<TestWaiter>();
    BOOST_TEST((pool.acquire(a, out, expired) == Acquired::connect_slot));
    BOOST_TEST((pool.acquire(b, out, expired) == Acquired::queued));
    BOOST_TEST((pool.acquire(c, out, expired) == Acquired::queued));
    BOOST_TEST(pool.cancel_wait(*b));
    BOOST_TEST(!pool.cancel_wait(*b));
    pool.release(make());
    BOOST_TEST(b->wakes == 0);
    BOOST_TEST(c->wakes == 1);
}

BOOST_FIXTURE_TEST_CASE(notify_then_cancel_keeps_the_grant_for_the_waiter_to_pass_on, Fixture) {
    // Boost.MySQL #509: a waiter granted a connection and cancelled before it
    // ran must not swallow the connection.
    Pool pool(1, 10s);
    std::vector<ConnectionPtr> expired;
    ConnectionPtr out;
    auto a = std::make_shared<TestWaiter>(), b = std::make_shared<TestWaiter>(), c = std::make_shared<TestWaiter>();
    pool.acquire(a, out, expired);
    pool.acquire(b, out, expired);
    pool.acquire(c, out, expired);
    pool.release(make());                  // granted to b
    BOOST_TEST(!pool.cancel_wait(*b));     // too late to leave the queue
    BOOST_TEST((pool.take_grant(*b, out) == Acquired::connection));
    pool.release(std::move(out));          // b gives it back as it finishes cancelled
    BOOST_TEST(c->wakes == 1);
    BOOST_TEST((pool.take_grant(*c, out) == Acquired::connection));
}

BOOST_FIXTURE_TEST_CASE(expired_idle_connections_are_closed_and_their_slots_reused, Fixture) {
    Pool pool(1, 0ms);
    std::vector<ConnectionPtr> expired;
    ConnectionPtr out;
    auto w = std::make_shared<TestWaiter>();
    BOOST_TEST((pool.acquire(w, out, expired) == Acquired::connect_slot));
    pool.release(make());
    std::this_thread::sleep_for(1ms);
    BOOST_TEST((pool.acquire(w, out, expired) == Acquired::connect_slot));
    BOOST_TEST(expired.size() == 1u);
    BOOST_TEST(pool.counts().open == 1u);
}

BOOST_FIXTURE_TEST_CASE(close_fails_waiters_and_refuses_later_use, Fixture) {
    Pool pool(1, 10s);
    std::vector<ConnectionPtr> expired;
    ConnectionPtr out;
    auto a = std::make_shared<TestWaiter>(), b = std::make_shared<TestWaiter>();
    pool.acquire(a, out, expired);
    pool.acquire(b, out, expired);
    pool.release(make());  // to b
    auto held = ConnectionPtr{};
    BOOST_TEST((pool.take_grant(*b, held) == Acquired::connection));
    auto c = std::make_shared<TestWaiter>();
    BOOST_TEST((pool.acquire(c, out, expired) == Acquired::queued));
    auto idle = pool.close();
    BOOST_TEST(c->wakes == 1);
    BOOST_TEST((pool.take_grant(*c, out) == Acquired::closed));
    BOOST_TEST((pool.acquire(a, out, expired) == Acquired::closed));
    BOOST_TEST(pool.release(std::move(held)) != nullptr);  // handed back for closing
    BOOST_TEST(pool.counts().open == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
