// The pool's bookkeeping alone, with no sockets: every order of acquire,
// release, discard, cancel and close, so no grant is lost or given twice.
#include "core/pool.hpp"

#include <algorithm>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

using namespace bwvoice::detail;
using namespace std::chrono_literals;

namespace {

struct TestWaiter final : PoolWaiter {
    int wakes = 0;
    void wake() noexcept override { ++wakes; }
};

struct Fixture {
    boost::asio::io_context ioc;
    ConnectionPtr make() { return std::make_unique<Connection>(ioc.get_executor(), nullptr); }
};

/// The pool takes its clock from its caller: tests pass their own times and never sleep.
const Pool::clock::time_point t0{};

/// acquire() with a fresh lease each time (a lease given to acquire holds no place).
Acquired acquire(Pool& pool, const std::shared_ptr<TestWaiter>& w, PoolLease& out, Pool::clock::time_point now = t0) {
    std::vector<ConnectionPtr> expired;
    out = PoolLease{};
    return pool.acquire(w, out, expired, now);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pool)

BOOST_FIXTURE_TEST_CASE(acquire_opens_up_to_the_bound_then_queues_fifo, Fixture) {
    Pool pool(2, 10s);
    PoolLease la, lb, lc, ld;
    auto a = std::make_shared<TestWaiter>(), b = std::make_shared<TestWaiter>(), c = std::make_shared<TestWaiter>(),
         d = std::make_shared<TestWaiter>();
    BOOST_TEST((acquire(pool, a, la) == Acquired::connect_slot));
    BOOST_TEST(la.holds_place());
    BOOST_TEST(la.connection() == nullptr);
    BOOST_TEST((acquire(pool, b, lb) == Acquired::connect_slot));
    BOOST_TEST((acquire(pool, c, lc) == Acquired::queued));
    BOOST_TEST(!lc.holds_place());
    BOOST_TEST((acquire(pool, d, ld) == Acquired::queued));
    BOOST_TEST(pool.counts().open == 2u);
    BOOST_TEST(pool.counts().waiting == 2u);

    // A released connection goes straight to the oldest waiter.
    la.attach(make());
    la.release(t0);
    BOOST_TEST(!la.holds_place());
    BOOST_TEST(c->wakes == 1);
    BOOST_TEST(d->wakes == 0);
    BOOST_TEST((pool.take_grant(*c, lc) == Acquired::connection));
    BOOST_TEST(lc.connection() != nullptr);

    // A discarded place goes to the next waiter as a connect slot.
    lb.discard();
    BOOST_TEST(d->wakes == 1);
    BOOST_TEST((pool.take_grant(*d, ld) == Acquired::connect_slot));
    BOOST_TEST(pool.counts().open == 2u);
    BOOST_TEST(pool.counts().waiting == 0u);
}

BOOST_FIXTURE_TEST_CASE(reuse_is_lifo, Fixture) {
    Pool pool(3, 10s);
    auto w = std::make_shared<TestWaiter>();
    PoolLease first, second, out;
    BOOST_TEST((acquire(pool, w, first) == Acquired::connect_slot));
    BOOST_TEST((acquire(pool, w, second) == Acquired::connect_slot));
    first.attach(make());
    second.attach(make());
    Connection* first_raw = first.connection();
    Connection* second_raw = second.connection();
    first.release(t0);
    second.release(t0);
    BOOST_TEST((acquire(pool, w, out) == Acquired::connection));
    BOOST_TEST(out.connection() == second_raw);
    PoolLease out2;
    BOOST_TEST((acquire(pool, w, out2) == Acquired::connection));
    BOOST_TEST(out2.connection() == first_raw);
}

// An exception (or any path that forgets) drops a lease that still holds its
// place: the place comes back, the connection is closed, and a waiter gets
// the place, so the pool never shrinks for good.
BOOST_FIXTURE_TEST_CASE(a_lease_dropped_without_giving_back_returns_its_place, Fixture) {
    Pool pool(1, 10s);
    auto a = std::make_shared<TestWaiter>(), b = std::make_shared<TestWaiter>();
    PoolLease lb;
    {
        PoolLease la;
        BOOST_TEST((acquire(pool, a, la) == Acquired::connect_slot));
        la.attach(make());
        BOOST_TEST((acquire(pool, b, lb) == Acquired::queued));
    }  // la destroyed holding its place
    BOOST_TEST(b->wakes == 1);
    BOOST_TEST((pool.take_grant(*b, lb) == Acquired::connect_slot));
    lb = PoolLease{};  // dropped again: back to nothing open
    BOOST_TEST(pool.counts().open == 0u);
    PoolLease again;
    BOOST_TEST((acquire(pool, a, again) == Acquired::connect_slot));
}

BOOST_FIXTURE_TEST_CASE(a_moved_lease_gives_its_place_back_once, Fixture) {
    Pool pool(2, 10s);
    auto w = std::make_shared<TestWaiter>();
    PoolLease one;
    BOOST_TEST((acquire(pool, w, one) == Acquired::connect_slot));
    PoolLease two(std::move(one));
    BOOST_TEST(!one.holds_place());
    BOOST_TEST(two.holds_place());
    one = PoolLease{};
    BOOST_TEST(pool.counts().open == 1u);
    two.discard();
    two.discard();
    BOOST_TEST(pool.counts().open == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_cancelled_waiter_leaves_the_queue, Fixture) {
    Pool pool(1, 10s);
    PoolLease la, lb, lc;
    auto a = std::make_shared<TestWaiter>(), b = std::make_shared<TestWaiter>(), c = std::make_shared<TestWaiter>();
    BOOST_TEST((acquire(pool, a, la) == Acquired::connect_slot));
    BOOST_TEST((acquire(pool, b, lb) == Acquired::queued));
    BOOST_TEST((acquire(pool, c, lc) == Acquired::queued));
    BOOST_TEST(pool.cancel_wait(*b));
    BOOST_TEST(!pool.cancel_wait(*b));
    la.attach(make());
    la.release(t0);
    BOOST_TEST(b->wakes == 0);
    BOOST_TEST(c->wakes == 1);
}

BOOST_FIXTURE_TEST_CASE(notify_then_cancel_keeps_the_grant_for_the_waiter_to_pass_on, Fixture) {
    // Boost.MySQL #509: a waiter granted a connection and cancelled before it
    // ran must not swallow the connection. (The lookup-level test is
    // integration/client_cancel_test.cpp::a_waiter_cancelled_after_its_grant_passes_the_connection_on.)
    Pool pool(1, 10s);
    PoolLease la, lb, lc;
    auto a = std::make_shared<TestWaiter>(), b = std::make_shared<TestWaiter>(), c = std::make_shared<TestWaiter>();
    acquire(pool, a, la);
    acquire(pool, b, lb);
    acquire(pool, c, lc);
    la.attach(make());
    la.release(t0);                     // granted to b
    BOOST_TEST(!pool.cancel_wait(*b));  // too late to leave the queue
    BOOST_TEST((pool.take_grant(*b, lb) == Acquired::connection));
    lb.release(t0);  // b gives it back as it finishes cancelled
    BOOST_TEST(c->wakes == 1);
    BOOST_TEST((pool.take_grant(*c, lc) == Acquired::connection));
}

BOOST_FIXTURE_TEST_CASE(expired_idle_connections_are_closed_and_their_slots_reused, Fixture) {
    Pool pool(1, 10s);
    auto w = std::make_shared<TestWaiter>();
    PoolLease first;
    BOOST_TEST((acquire(pool, w, first) == Acquired::connect_slot));
    first.attach(make());
    first.release(t0);
    std::vector<ConnectionPtr> expired;
    PoolLease second;
    BOOST_TEST((pool.acquire(w, second, expired, t0 + 9s) == Acquired::connection), "not yet expired");
    second.release(t0 + 9s);  // idle again from 9 s
    PoolLease third;
    BOOST_TEST((pool.acquire(w, third, expired, t0 + 19s) == Acquired::connect_slot));
    BOOST_TEST(expired.size() == 1u);
    BOOST_TEST(pool.counts().open == 1u);
}

BOOST_FIXTURE_TEST_CASE(close_fails_waiters_and_refuses_later_use, Fixture) {
    Pool pool(1, 10s);
    PoolLease la, held, lc, later;
    auto a = std::make_shared<TestWaiter>(), b = std::make_shared<TestWaiter>();
    acquire(pool, a, la);
    acquire(pool, b, held);
    la.attach(make());
    la.release(t0);  // to b
    BOOST_TEST((pool.take_grant(*b, held) == Acquired::connection));
    auto c = std::make_shared<TestWaiter>();
    BOOST_TEST((acquire(pool, c, lc) == Acquired::queued));
    auto idle = pool.close();
    BOOST_TEST(c->wakes == 1);
    BOOST_TEST((pool.take_grant(*c, lc) == Acquired::closed));
    BOOST_TEST((acquire(pool, a, later) == Acquired::closed));
    held.release(t0);  // the pool is closed: the connection is closed, not kept
    BOOST_TEST(pool.counts().open == 0u);
    BOOST_TEST(pool.counts().idle == 0u);
}

// Requests are numbered as they are issued and may reach the pool out of that
// order (each starts on its own strand); the queue is served by number, ties
// in arrival order, and a waiter leaving from anywhere keeps the rest in order.
BOOST_FIXTURE_TEST_CASE(the_queue_is_served_in_issue_order_whatever_the_arrival_order, Fixture) {
    Pool pool(1, 10s);
    PoolLease held;
    auto first = std::make_shared<TestWaiter>();
    BOOST_TEST_REQUIRE((acquire(pool, first, held) == Acquired::connect_slot));
    held.attach(make());

    // Arrival order 5, 2, 9, 2 (a tie: after the earlier 2), 7, 1.
    std::vector<std::shared_ptr<TestWaiter>> waiters;
    std::vector<PoolLease> leases(6);
    const std::uint64_t orders[] = {5, 2, 9, 2, 7, 1};
    for (std::size_t i = 0; i < 6; ++i) {
        waiters.push_back(std::make_shared<TestWaiter>());
        waiters[i]->queue_order = orders[i];
        BOOST_TEST_REQUIRE((acquire(pool, waiters[i], leases[i]) == Acquired::queued));
    }
    BOOST_TEST(pool.counts().waiting == 6u);
    // One leaves from the middle (order 7), one from the front (order 1).
    BOOST_TEST(pool.cancel_wait(*waiters[4]));
    BOOST_TEST(pool.cancel_wait(*waiters[5]));
    BOOST_TEST(!pool.cancel_wait(*waiters[5]));
    BOOST_TEST(pool.counts().waiting == 4u);

    // The one connection passes from waiter to waiter: by number, ties by arrival.
    std::vector<std::size_t> served;
    PoolLease current = std::move(held);
    for (std::size_t turn = 0; turn < 4; ++turn) {
        current.release(t0);
        std::size_t woken = waiters.size();
        for (std::size_t i = 0; i < waiters.size(); ++i)
            if (waiters[i]->wakes == 1 && std::find(served.begin(), served.end(), i) == served.end()) woken = i;
        BOOST_TEST_REQUIRE(woken < waiters.size(), "turn " << turn << ": nobody was woken");
        served.push_back(woken);
        BOOST_TEST_REQUIRE((pool.take_grant(*waiters[woken], leases[woken]) == Acquired::connection));
        current = std::move(leases[woken]);
    }
    BOOST_TEST((served == std::vector<std::size_t>{1, 3, 0, 2}));  // orders 2, 2 (the tie: arrived second), 5, 9
    BOOST_TEST(waiters[4]->wakes == 0);
    BOOST_TEST(waiters[5]->wakes == 0);
    BOOST_TEST(pool.counts().waiting == 0u);
}

// close() wakes every waiter still queued, once each, and lets go of them.
BOOST_FIXTURE_TEST_CASE(close_lets_go_of_every_queued_waiter, Fixture) {
    Pool pool(1, 10s);
    PoolLease held;
    BOOST_TEST_REQUIRE((acquire(pool, std::make_shared<TestWaiter>(), held) == Acquired::connect_slot));
    std::vector<std::weak_ptr<TestWaiter>> gone;
    {
        std::vector<std::shared_ptr<TestWaiter>> waiters;
        for (int i = 0; i < 3; ++i) {
            waiters.push_back(std::make_shared<TestWaiter>());
            PoolLease lease;
            BOOST_TEST_REQUIRE((acquire(pool, waiters.back(), lease) == Acquired::queued));
            gone.push_back(waiters.back());
        }
        pool.close();
        for (auto& w : waiters) {
            BOOST_TEST(w->wakes == 1);
            BOOST_TEST(w->pool_closed);
            BOOST_TEST(!w->queued);
        }
    }
    for (auto& w : gone) BOOST_TEST(w.expired(), "the pool still holds a waiter after close()");
    BOOST_TEST(pool.counts().waiting == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
