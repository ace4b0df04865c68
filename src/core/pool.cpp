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

std::shared_ptr<PoolWaiter> Pool::next_waiter_locked() {
    if (waiters_.empty()) return nullptr;
    auto w = std::move(waiters_.front());
    waiters_.pop_front();
    w->queued = false;
    return w;
}

void Pool::grant_to_waiters_locked(std::vector<std::shared_ptr<PoolWaiter>>& woken) {
    while (!waiters_.empty()) {
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
        BOOST_ASSERT(idle_.empty() || waiters_.empty());
        expire_idle_locked(now, to_close);
        // Room freed by expiry belongs to those already queued; a newcomer
        // waits its turn. (None is queued while a connection is idle: release
        // and discard hand straight to waiters. So no waiter on another thread
        // can open a connection in an expired one's place before the caller
        // has closed it and told of it.)
        grant_to_waiters_locked(woken);
        if (waiters_.empty() && !idle_.empty()) {
            out = PoolLease(*this, std::move(idle_.back()));
            idle_.pop_back();
            result = Acquired::connection;
        } else if (waiters_.empty() && open_ < max_open_) {
            ++open_;
            out = PoolLease(*this, nullptr);
            result = Acquired::connect_slot;
        } else {
            waiter->queued = true;
            waiters_.push_back(waiter);
        }
    }
    for (auto& w : woken) w->wake();
    return result;
}

Acquired Pool::take_grant(PoolWaiter& waiter, PoolLease& out) {
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

bool Pool::cancel_wait(PoolWaiter& waiter) {
    std::lock_guard lock(mutex_);
    if (!waiter.queued) return false;
    auto it = std::find_if(waiters_.begin(), waiters_.end(), [&](const auto& w) { return w.get() == &waiter; });
    if (it != waiters_.end()) waiters_.erase(it);
    waiter.queued = false;
    return true;
}

std::vector<ConnectionPtr> Pool::close() {
    std::vector<ConnectionPtr> to_close;
    std::deque<std::shared_ptr<PoolWaiter>> woken;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return to_close;
        closed_ = true;
        for (auto& c : idle_) to_close.push_back(std::move(c));
        open_ -= idle_.size();
        idle_.clear();
        woken.swap(waiters_);
        for (auto& w : woken) {
            w->queued = false;
            w->pool_closed = true;
        }
    }
    for (auto& w : woken) w->wake();
    return to_close;
}

Pool::Counts Pool::counts() const {
    std::lock_guard lock(mutex_);
    return {open_, idle_.size(), waiters_.size()};
}

}  // namespace bwvoice::detail
