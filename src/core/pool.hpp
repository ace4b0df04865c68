// The connection pool's bookkeeping: which connections are idle, how many are
// open, who waits. No I/O happens here; callers do the connecting and closing.
#ifndef BWVOICE_SRC_CLIENT_POOL_HPP
#define BWVOICE_SRC_CLIENT_POOL_HPP

#include "core/connection.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace bwvoice::detail {

class Pool;

/// One counted place in the pool: a connection taken from it, or the right to
/// open one (a connect slot, until a connection is attached). The place must
/// go back, and destroying a lease that still holds it gives it back (closing
/// its connection), so an exception or a forgotten path cannot shrink the pool
/// for good (the role of Boost.MySQL's pooled_connection).
class PoolLease {
public:
    PoolLease() noexcept = default;
    PoolLease(Pool& pool, ConnectionPtr connection) noexcept;
    PoolLease(PoolLease&& other) noexcept;
    PoolLease& operator=(PoolLease&& other) noexcept;
    PoolLease(const PoolLease&) = delete;
    PoolLease& operator=(const PoolLease&) = delete;
    ~PoolLease() { discard(); }

    bool holds_place() const noexcept { return pool_ != nullptr; }
    /// The connection; null for a connect slot with none attached yet.
    Connection* connection() const noexcept { return connection_.get(); }
    Connection* operator->() const noexcept { return connection_.get(); }
    /// Fills a connect slot with the connection opened in it.
    void attach(ConnectionPtr connection) noexcept { connection_ = std::move(connection); }

    /// The connection goes back as idle and reusable from `now`, or to a
    /// waiter; if the pool is closed it is closed instead, and false returned.
    /// Needs a connection.
    bool release(std::chrono::steady_clock::time_point now) noexcept;
    /// The place is freed, and the connection, if any, closed at once.
    void discard() noexcept;

private:
    Pool* pool_ = nullptr;
    ConnectionPtr connection_;
};

/// A lookup waiting for a connection. The pool writes the grant fields under
/// its lock, then calls wake() after releasing the lock; wake() must hand
/// control to the waiter's own strand and must not re-enter the pool.
class PoolWaiter {
public:
    virtual void wake() noexcept = 0;

    /// What the waiter was granted; read them through Pool::take_grant.
    ConnectionPtr granted_connection;
    bool granted_connect_slot = false;
    bool pool_closed = false;
    bool queued = false;

    /// Its place in the queue: waiters are served in this order (ties in the
    /// order they arrived). The client numbers its requests as they are
    /// issued, so one that reaches the pool late (its strand was busy) still
    /// goes before those issued after it.
    std::uint64_t queue_order = 0;

    // The pool's queue, an intrusive list under the pool's mutex: removing
    // any waiter (a cancellation, a deadline) costs the same however long
    // the queue. `queue_hold` keeps a queued waiter alive.
    PoolWaiter* queue_prev = nullptr;
    PoolWaiter* queue_next = nullptr;
    std::shared_ptr<PoolWaiter> queue_hold;

protected:
    ~PoolWaiter() = default;
};

/// What acquire() gives.
enum class Acquired {
    connection,    ///< An idle connection, ready to reuse.
    connect_slot,  ///< Room to open a new connection (counted as open from now on).
    queued,        ///< None now: the waiter was queued and will be woken.
    closed,        ///< The pool is closed.
};

/// Mutex-guarded: every member is safe to call from any thread. The critical
/// sections are a few pointer moves, so the lock is held for nanoseconds and
/// never across I/O.
class Pool {
public:
    using clock = std::chrono::steady_clock;

    Pool(std::size_t max_open, std::chrono::milliseconds idle_timeout);

    /// Takes the most recently used idle connection that has not expired (LIFO,
    /// as Go does, so surplus connections age out), else a connect slot while
    /// fewer than max_open are open, else queues `waiter` (in queue_order). Expired idle
    /// connections are moved to `to_close` for the caller to close outside the lock.
    /// `out` must hold no place (it is assigned under the pool's lock).
    Acquired acquire(const std::shared_ptr<PoolWaiter>& waiter, PoolLease& out, std::vector<ConnectionPtr>& to_close,
                     clock::time_point now);

    /// After a wake-up: moves the grant out of the waiter into `out`. Returns
    /// queued when the waiter is still waiting (a spurious wake-up).
    Acquired take_grant(PoolWaiter& waiter, PoolLease& out) noexcept;

    /// A healthy connection comes back: handed straight to the first waiter,
    /// else kept idle. When the pool is closed it is returned for closing.
    ConnectionPtr release(ConnectionPtr connection, clock::time_point now);

    /// A connection (or a connect slot that did not become one) is gone: the
    /// open count drops and the first waiter may connect in its place.
    void discard();

    /// Removes `waiter` from the queue if it is still queued; returns false if
    /// it was already granted something (which the waiter must then take and
    /// give back, so that no grant is lost).
    bool cancel_wait(PoolWaiter& waiter) noexcept;

    /// Fails every waiter, refuses later acquisitions, and returns the idle
    /// connections for closing.
    std::vector<ConnectionPtr> close();

    struct Counts {
        std::size_t open, idle, waiting;
    };
    Counts counts() const;

private:
    void expire_idle_locked(clock::time_point now, std::vector<ConnectionPtr>& to_close);
    /// Hands idle connections and free slots to queued waiters, oldest first.
    void grant_to_waiters_locked(std::vector<std::shared_ptr<PoolWaiter>>& woken);
    /// Pops the first waiter, or null.
    std::shared_ptr<PoolWaiter> next_waiter_locked();
    /// Queues `waiter` after every waiter of a lower or equal queue_order.
    void enqueue_locked(const std::shared_ptr<PoolWaiter>& waiter);
    /// Takes `waiter` out of the queue; returns what held it.
    std::shared_ptr<PoolWaiter> unlink_locked(PoolWaiter& waiter) noexcept;

    mutable std::mutex mutex_;
    const std::size_t max_open_;
    const clock::duration idle_timeout_;
    std::size_t open_ = 0;
    bool closed_ = false;
    std::deque<ConnectionPtr> idle_;  // oldest at front, most recently used at back
    PoolWaiter* first_waiter_ = nullptr;
    PoolWaiter* last_waiter_ = nullptr;
    std::size_t waiting_ = 0;
};

}  // namespace bwvoice::detail

#endif
