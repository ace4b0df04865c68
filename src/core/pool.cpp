#include "core/pool.hpp"

#include <boost/assert.hpp>

#include <algorithm>
#include <utility>

namespace bwvoice::detail {

PoolLease::PoolLease(Pool& pool, ConnectionPtr connection) noexcept
    : pool_(&pool), connection_(std::move(connection)) {}

PoolLease::PoolLease(PoolLease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}

PoolLease& PoolLease::operator=(PoolLease&& other) noexcept {
    if (this != &other) {
        discard();
        pool_ = std::exchange(other.pool_, nullptr);
        connection_ = std::move(other.connection_);
    }
    return *this;
}

bool PoolLease::release(Pool::clock::time_point now) noexcept {
    if (!pool_) return true;
    Pool* pool = std::exchange(pool_, nullptr);
    if (auto refused = pool->release(std::move(connection_), now)) {
        refused->abort();
        return false;
    }
    return true;
}

void PoolLease::discard() noexcept {
    if (!pool_) return;
    if (connection_) {
        connection_->abort();
        connection_.reset();
    }
    std::exchange(pool_, nullptr)->discard();
}

Pool::Pool(std::size_t max_open, std::chrono::milliseconds idle_timeout)
    : max_open_(max_open), idle_timeout_(idle_timeout) {}

void Pool::expire_idle_locked(clock::time_point now, std::vector<ConnectionPtr>& to_close) {
    // idle_ is ordered by idle_since, so the expired ones are a prefix.
    while (!idle_.empty() && now - idle_.front()->idle_since >= idle_timeout_) {
        to_close.push_back(std::move(idle_.front()));
        idle_.pop_front();
        --open_;
    }
}

void Pool::enqueue_locked(const std::shared_ptr<PoolWaiter>& waiter) {
    PoolWaiter& w = *waiter;
    // Usually the newest: the walk from the back stops at once.
    PoolWaiter* before = last_waiter_;
    while (before && before->queue_order > w.queue_order) before = before->queue_prev;
    w.queue_prev = before;
    w.queue_next = before ? before->queue_next : first_waiter_;
    (w.queue_next ? w.queue_next->queue_prev : last_waiter_) = &w;
    (before ? before->queue_next : first_waiter_) = &w;
    w.queue_hold = waiter;
    w.queued = true;
    ++waiting_;
}

std::shared_ptr<PoolWaiter> Pool::unlink_locked(PoolWaiter& w) noexcept {
    (w.queue_prev ? w.queue_prev->queue_next : first_waiter_) = w.queue_next;
    (w.queue_next ? w.queue_next->queue_prev : last_waiter_) = w.queue_prev;
    w.queue_prev = w.queue_next = nullptr;
    w.queued = false;
    --waiting_;
    return std::move(w.queue_hold);
}

std::shared_ptr<PoolWaiter> Pool::next_waiter_locked() {
    return first_waiter_ ? unlink_locked(*first_waiter_) : nullptr;
}

void Pool::grant_to_waiters_locked(std::vector<std::shared_ptr<PoolWaiter>>& woken) {
    while (first_waiter_) {
        if (!idle_.empty()) {
            auto w = next_waiter_locked();
            w->granted_connection = std::move(idle_.back());
            idle_.pop_back();
            woken.push_back(std::move(w));
        } else if (open_ < max_open_) {
            ++open_;
            auto w = next_waiter_locked();
            w->granted_connect_slot = true;
            woken.push_back(std::move(w));
        } else {
            break;
        }
    }
}

Acquired Pool::acquire(const std::shared_ptr<PoolWaiter>& waiter, PoolLease& out, std::vector<ConnectionPtr>& to_close,
                       clock::time_point now) {
    BOOST_ASSERT(!out.holds_place());  // assigned under the lock: discarding it there would deadlock
    std::vector<std::shared_ptr<PoolWaiter>> woken;
    Acquired result = Acquired::queued;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return Acquired::closed;
        BOOST_ASSERT(idle_.empty() || waiting_ == 0);
        expire_idle_locked(now, to_close);
        // Room freed by expiry belongs to those already queued; a newcomer
        // waits its turn. (None is queued while a connection is idle: release
        // and discard hand straight to waiters. So no waiter on another thread
        // can open a connection in an expired one's place before the caller
        // has closed it and told of it.)
        grant_to_waiters_locked(woken);
        if (waiting_ == 0 && !idle_.empty()) {
            out = PoolLease(*this, std::move(idle_.back()));
            idle_.pop_back();
            result = Acquired::connection;
        } else if (waiting_ == 0 && open_ < max_open_) {
            ++open_;
            out = PoolLease(*this, nullptr);
            result = Acquired::connect_slot;
        } else {
            enqueue_locked(waiter);
        }
    }
    for (auto& w : woken) w->wake();
    return result;
}

Acquired Pool::take_grant(PoolWaiter& waiter, PoolLease& out) noexcept {
    BOOST_ASSERT(!out.holds_place());
    std::lock_guard lock(mutex_);
    if (waiter.granted_connection) {
        out = PoolLease(*this, std::move(waiter.granted_connection));
        return Acquired::connection;
    }
    if (waiter.granted_connect_slot) {
        waiter.granted_connect_slot = false;
        out = PoolLease(*this, nullptr);
        return Acquired::connect_slot;
    }
    if (waiter.pool_closed) return Acquired::closed;
    return Acquired::queued;
}

ConnectionPtr Pool::release(ConnectionPtr connection, clock::time_point now) {
    std::shared_ptr<PoolWaiter> woken;
    {
        std::lock_guard lock(mutex_);
        if (closed_) {
            --open_;
            return connection;
        }
        connection->idle_since = now;
        if ((woken = next_waiter_locked()))
            woken->granted_connection = std::move(connection);
        else
            idle_.push_back(std::move(connection));
    }
    if (woken) woken->wake();
    return nullptr;
}

void Pool::discard() {
    std::shared_ptr<PoolWaiter> woken;
    {
        std::lock_guard lock(mutex_);
        // The slot passes to the oldest waiter, so the open count stays as it is.
        if (!closed_ && (woken = next_waiter_locked()))
            woken->granted_connect_slot = true;
        else
            --open_;
    }
    if (woken) woken->wake();
}

bool Pool::cancel_wait(PoolWaiter& waiter) noexcept {
    std::shared_ptr<PoolWaiter> held;  // let go outside the lock
    std::lock_guard lock(mutex_);
    if (!waiter.queued) return false;
    held = unlink_locked(waiter);
    return true;
}

std::vector<ConnectionPtr> Pool::close() {
    std::vector<ConnectionPtr> to_close;
    PoolWaiter* detached = nullptr;  // the whole queue, woken outside the lock without allocating
    {
        std::lock_guard lock(mutex_);
        if (closed_) return to_close;
        closed_ = true;
        for (auto& c : idle_) to_close.push_back(std::move(c));
        open_ -= idle_.size();
        idle_.clear();
        for (PoolWaiter* w = first_waiter_; w; w = w->queue_next) {
            w->queued = false;
            w->pool_closed = true;
        }
        detached = std::exchange(first_waiter_, nullptr);
        last_waiter_ = nullptr;
        waiting_ = 0;
    }
    // No longer queued, so nobody else touches their links now.
    while (PoolWaiter* w = detached) {
        detached = std::exchange(w->queue_next, nullptr);
        w->queue_prev = nullptr;
        const auto held = std::move(w->queue_hold);
        held->wake();
    }
    return to_close;
}

Pool::Counts Pool::counts() const {
    std::lock_guard lock(mutex_);
    return {open_, idle_.size(), waiting_};
}

}  // namespace bwvoice::detail
