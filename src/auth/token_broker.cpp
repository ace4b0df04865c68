#include "auth/token_broker.hpp"

#include <boost/asio/error.hpp>

#include <algorithm>
#include <vector>

namespace bwvoice::detail {

namespace {

std::shared_ptr<const TokenOutcome> failure(error_code ec, std::string message) {
    Diagnostics diag;
    diag.message = std::move(message);
    return std::make_shared<const TokenOutcome>(TokenOutcome{.token = nullptr, .error = ec, .diag = std::move(diag)});
}

}  // namespace

// The outcomes close() and an out-of-memory failure hand out are made here,
// so that neither allocates: close() runs from the client's destructor.
TokenBroker::TokenBroker(TokenCache::Settings settings)
    : cache_(settings),
      closed_while_waiting_(
          failure(boost::asio::error::operation_aborted, "the client was closed while waiting for an OAuth token")),
      closed_outcome_(failure(boost::asio::error::operation_aborted, "the client was closed")),
      out_of_memory_(failure(make_error_code(errc::connection_failed), {})) {}

TokenCache::Answer TokenBroker::need(const std::shared_ptr<TokenWaiter>& waiter, clock::time_point now,
                                     Diagnostics& last_failure) {
    std::lock_guard lock(mutex_);
    if (closed_) {
        // Answered at once: the waiter finds its answer without waiting.
        waiter->token_outcome = closed_outcome_;
        return TokenCache::Answer{};  // Verdict::wait
    }
    TokenCache::Answer a = cache_.need(now);
    switch (a.verdict) {
    case TokenCache::Verdict::use: break;
    case TokenCache::Verdict::wait:
        waiter->token_outcome.reset();
        waiters_.push_back(waiter);
        break;
    case TokenCache::Verdict::back_off: last_failure = last_failure_; break;
    }
    return a;
}

bool TokenBroker::answered(const TokenWaiter& waiter) const {
    std::lock_guard lock(mutex_);
    return waiter.token_outcome != nullptr;
}

void TokenBroker::cancel_wait(TokenWaiter& waiter) noexcept {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(waiters_.begin(), waiters_.end(), [&](const auto& w) { return w.get() == &waiter; });
    if (it != waiters_.end()) waiters_.erase(it);
}

void TokenBroker::fetched(std::string access_token, std::optional<std::chrono::seconds> lifetime) {
    auto outcome = std::make_shared<TokenOutcome>();
    std::unique_lock lock(mutex_);
    outcome->token = cache_.fetched(std::move(access_token), lifetime);
    last_failure_ = {};
    answer_all(lock, outcome);
}

void TokenBroker::fetch_failed(error_code ec, const Diagnostics& diag, clock::time_point now) noexcept {
    std::shared_ptr<const TokenOutcome> outcome = out_of_memory_;
    Diagnostics kept;
    try {
        outcome = std::make_shared<const TokenOutcome>(TokenOutcome{.token = nullptr, .error = ec, .diag = diag});
        kept = diag;
    } catch (...) {
        // Out of memory copying the diagnostics: the waiters still learn
        // that the fetch failed, from the outcome made in advance.
    }
    std::unique_lock lock(mutex_);
    cache_.fetch_failed(ec, now);
    last_failure_ = std::move(kept);
    answer_all(lock, outcome);
}

void TokenBroker::close() noexcept {
    std::unique_lock lock(mutex_);
    closed_ = true;
    answer_all(lock, closed_while_waiting_);
}

void TokenBroker::rejected(std::uint64_t generation) noexcept {
    std::lock_guard lock(mutex_);
    cache_.rejected(generation);
}

std::uint64_t TokenBroker::fetches() const {
    std::lock_guard lock(mutex_);
    return cache_.fetches();
}

void TokenBroker::answer_all(std::unique_lock<std::mutex>& lock, const std::shared_ptr<const TokenOutcome>& outcome) {
    for (auto& w : waiters_) w->token_outcome = outcome;
    std::vector<std::shared_ptr<TokenWaiter>> woken;  // unlike a deque's, its default constructor does not allocate
    woken.swap(waiters_);
    lock.unlock();
    for (auto& w : woken) w->wake();
}

}  // namespace bwvoice::detail
