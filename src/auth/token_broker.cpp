#include "auth/token_broker.hpp"

#include <boost/asio/error.hpp>

#include <algorithm>
#include <vector>

namespace bwvoice::detail {

TokenCache::Answer TokenBroker::need(const std::shared_ptr<TokenWaiter>& waiter, clock::time_point now,
                                     Diagnostics& last_failure) {
    std::lock_guard lock(mutex_);
    if (closed_) {
        // Answered at once: the waiter finds its answer without waiting.
        waiter->token_error = boost::asio::error::operation_aborted;
        waiter->token_diag.message = "the client was closed";
        waiter->token_answered = true;
        return TokenCache::Answer{};  // Verdict::wait
    }
    TokenCache::Answer a = cache_.need(now);
    switch (a.verdict) {
    case TokenCache::Verdict::use: break;
    case TokenCache::Verdict::wait:
        waiter->token_answered = false;
        waiter->given_token.reset();
        waiter->token_error = {};
        waiters_.push_back(waiter);
        break;
    case TokenCache::Verdict::back_off: last_failure = last_failure_; break;
    }
    return a;
}

bool TokenBroker::answered(const TokenWaiter& waiter) const {
    std::lock_guard lock(mutex_);
    return waiter.token_answered;
}

void TokenBroker::cancel_wait(TokenWaiter& waiter) noexcept {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(waiters_.begin(), waiters_.end(), [&](const auto& w) { return w.get() == &waiter; });
    if (it != waiters_.end()) waiters_.erase(it);
}

void TokenBroker::fetched(std::string access_token, std::optional<std::chrono::seconds> lifetime) {
    std::unique_lock lock(mutex_);
    const auto token = cache_.fetched(std::move(access_token), lifetime);
    last_failure_ = {};
    for (auto& w : waiters_) {
        w->given_token = token;
        w->token_answered = true;
    }
    wake_all(lock);
}

void TokenBroker::fetch_failed(error_code ec, const Diagnostics& diag, clock::time_point now) {
    std::unique_lock lock(mutex_);
    cache_.fetch_failed(ec, now);
    last_failure_ = diag;
    for (auto& w : waiters_) {
        w->token_error = ec;
        w->token_diag = diag;
        w->token_answered = true;
    }
    wake_all(lock);
}

void TokenBroker::close() {
    std::unique_lock lock(mutex_);
    closed_ = true;
    for (auto& w : waiters_) {
        w->token_error = boost::asio::error::operation_aborted;
        w->token_diag = Diagnostics{};
        w->token_diag.message = "the client was closed while waiting for an OAuth token";
        w->token_answered = true;
    }
    wake_all(lock);
}

void TokenBroker::rejected(std::uint64_t generation) noexcept {
    std::lock_guard lock(mutex_);
    cache_.rejected(generation);
}

std::uint64_t TokenBroker::fetches() const {
    std::lock_guard lock(mutex_);
    return cache_.fetches();
}

void TokenBroker::wake_all(std::unique_lock<std::mutex>& lock) {
    std::deque<std::shared_ptr<TokenWaiter>> woken;
    woken.swap(waiters_);
    lock.unlock();
    for (auto& w : woken) w->wake();
}

}  // namespace bwvoice::detail
