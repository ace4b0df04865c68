// The retry policy's arithmetic: which statuses are worth another try, the
// pause before it, and the server's Retry-After. No I/O, unit-tested alone.
#ifndef BWVOICE_SRC_CORE_RETRY_POLICY_HPP
#define BWVOICE_SRC_CORE_RETRY_POLICY_HPP

#include <bwvoice/config.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace bwvoice::detail {

/// 429, 502, 503 and 504: worth trying again after a pause.
bool is_retryable_status(unsigned status) noexcept;

/// Parses Retry-After as delta-seconds or an HTTP-date (IMF-fixdate, RFC 9110);
/// a date in the past gives zero. nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) noexcept;

/// The pause before counted retry number `retry_index` (0-based): full jitter,
/// uniform in [0, min(cap, base * 2^retry_index)], `unit_random` in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, unsigned retry_index, double unit_random) noexcept;

}  // namespace bwvoice::detail

#endif
