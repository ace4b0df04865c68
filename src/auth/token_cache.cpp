#include "auth/token_cache.hpp"

#include <algorithm>

namespace bwvoice::detail {

TokenCache::Answer TokenCache::need(clock::time_point now) {
    if (token_ && now < expires_at_) {
        Answer a;
        a.verdict = Verdict::use;
        a.token = token_;
        // Ahead of expiry: one fetch refreshes it while requests go on with
        // the current token, so nobody waits at a routine refresh.
        if (now >= refresh_at_ && !fetching_ && (failures_in_a_row_ == 0 || now >= retry_at()))
            a.start_fetch = start_fetch(now);
        return a;
    }
    token_.reset();  // expired: never carried again
    Answer a;        // Verdict::wait
    if (fetching_) return a;
    if (failures_in_a_row_ > 0 && now < retry_at()) {
        a.verdict = Verdict::back_off;
        a.not_before = retry_at();
        a.last_error = last_error_;
        return a;
    }
    a.start_fetch = start_fetch(now);
    return a;
}

bool TokenCache::start_fetch(clock::time_point now) noexcept {
    fetching_ = true;
    ++fetches_;
    fetch_started_at_ = now;
    return true;
}

TokenCache::clock::time_point TokenCache::retry_at() const noexcept {
    const unsigned shift = std::min(failures_in_a_row_ - 1, 20u);
    const auto pause =
        std::min<std::chrono::milliseconds>(settings_.backoff_cap, settings_.backoff_base * (1u << shift));
    return failed_at_ + pause;
}

std::shared_ptr<const AccessToken> TokenCache::fetched(std::string access_token,
                                                       std::optional<std::chrono::seconds> lifetime) {
    fetching_ = false;
    failures_in_a_row_ = 0;
    last_error_ = {};
    auto token = std::make_shared<const AccessToken>(AccessToken{"Bearer " + std::move(access_token), fetches_});
    if (lifetime && *lifetime > std::chrono::seconds::zero()) {
        // The lifetime counts from when the fetch started: the token may have
        // been issued at any moment of the fetch.
        expires_at_ = fetch_started_at_ + *lifetime;
        // Halved in milliseconds: a lifetime of 1 s is refreshed after half a second.
        const auto margin = std::min<clock::duration>(
            settings_.refresh_margin, std::chrono::duration_cast<std::chrono::milliseconds>(*lifetime) / 2);
        refresh_at_ = expires_at_ - margin;
        token_ = token;
    } else {
        token_.reset();  // "use once": it serves this fetch's waiters only
    }
    return token;
}

void TokenCache::fetch_failed(error_code ec, clock::time_point now) noexcept {
    fetching_ = false;
    ++failures_in_a_row_;
    failed_at_ = now;
    last_error_ = ec;
}

bool TokenCache::rejected(std::uint64_t generation) noexcept {
    if (!token_ || token_->generation != generation) return false;
    token_.reset();
    return true;
}

}  // namespace bwvoice::detail
