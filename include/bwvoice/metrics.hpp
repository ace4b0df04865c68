/// @file
/// ConferenceClient::metrics(): counters and latency distributions since the
/// client was made, cheap to take from any thread.
#ifndef BWVOICE_METRICS_HPP
#define BWVOICE_METRICS_HPP

#include <bwvoice/error.hpp>
#include <bwvoice/export.hpp>
#include <bwvoice/observer.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bwvoice {

/// A snapshot of the client's counters. With OAuth client credentials, the
/// token endpoint has a pool of its own (one connection): `open`, `idle` and
/// `waiting` are the API pool's, while `connections_opened`, `handshakes`,
/// `sessions_resumed`, `reuses`, `retries` and `stale_resends` count the
/// token endpoint's too. Token fetches are not operations: they are in
/// `token_fetches`, not in `in_flight` or `lookups_completed`.
struct PoolStats {
    std::size_t open = 0;  ///< API connections open now (connecting, busy or idle).
    std::size_t idle = 0;  ///< Of those, idle in the pool.
    /// Operations waiting for a connection now. One issued from outside the
    /// context's threads (before run(), another thread) is counted here once
    /// the context has run its start; until then it is in `in_flight` only.
    std::size_t waiting = 0;
    std::size_t in_flight = 0;             ///< Operations started and not yet completed.
    std::uint64_t connections_opened = 0;  ///< TCP connections ever opened.
    std::uint64_t handshakes = 0;          ///< TLS handshakes completed.
    std::uint64_t sessions_resumed = 0;    ///< Of those, resumed TLS sessions.
    std::uint64_t reuses = 0;              ///< Exchanges sent on an already used connection.
    std::uint64_t retries = 0;             ///< Counted retries.
    std::uint64_t stale_resends = 0;       ///< Requests resent because a pooled connection was dead.
    std::uint64_t lookups_completed = 0;   ///< Operations whose handler has been scheduled.
    std::uint64_t token_fetches = 0;       ///< OAuth token fetches ended (a token or a failure).
};

/// A distribution of durations, in log-linear buckets (as HdrHistogram's):
/// each power of two from 1.024 microseconds to about 137 seconds is split
/// into 32 equal buckets, so a quantile reads within 1.6 % of the true value.
/// Below 1.024 us is one bucket; from 137 s up another.
class BWVOICE_API LatencyDistribution {
public:
    /// Empty.
    LatencyDistribution() = default;
    /// From bucket counts (bucket_count() of them, or none) and the sum of
    /// the durations recorded; for the client and for tests.
    LatencyDistribution(std::vector<std::uint64_t> bucket_counts, std::chrono::duration<double> sum);

    /// How many durations were recorded.
    std::uint64_t count() const noexcept { return count_; }
    /// Their sum, in seconds (a double: a count of nanoseconds would
    /// overflow within months at a thousand operations in flight).
    std::chrono::duration<double> sum() const noexcept { return sum_; }
    /// The q-quantile (0 <= q <= 1; 0.5 is the median, 0.99 the p99): the
    /// middle of the bucket holding the ceil(q * count())-th smallest
    /// duration; 0 when empty.
    std::chrono::nanoseconds quantile(double q) const noexcept;
    /// How many durations were at most `bound`: whole buckets below it, and
    /// a share of the bucket it falls in (durations taken as spread evenly
    /// in it). Non-decreasing in `bound`: Prometheus' cumulative `le`
    /// buckets can be read off it. Durations from 137 s up (the open-ended
    /// last bucket) are never included: Prometheus' `+Inf` is count().
    std::uint64_t count_at_most(std::chrono::nanoseconds bound) const noexcept;

    /// The number of buckets.
    static std::size_t bucket_count() noexcept;
    /// The smallest duration bucket `i` holds; it ends where bucket i + 1 begins.
    static std::chrono::nanoseconds bucket_lower_bound(std::size_t i) noexcept;
    /// How many durations bucket `i` holds.
    std::uint64_t bucket(std::size_t i) const noexcept { return i < counts_.size() ? counts_[i] : 0; }

private:
    std::vector<std::uint64_t> counts_;  // empty when nothing was recorded
    std::uint64_t count_ = 0;
    std::chrono::duration<double> sum_{0};
};

/// The number of errc values (bad_request = 1 ... cancelled).
inline constexpr std::size_t errc_count = 12;

/// One kind of operation's outcomes and latency.
struct OperationMetrics {
    std::uint64_t succeeded = 0;  ///< Operations that succeeded.
    /// Failures by code: failed[static_cast<std::size_t>(e) - 1] for errc e;
    /// a caller's cancellation counts as errc::cancelled. See failed_with().
    std::array<std::uint64_t, errc_count> failed{};
    /// From the initiating call to the handler being scheduled, retries and
    /// waits included; successes and failures alike.
    LatencyDistribution latency{};

    /// Failures with code `e`.
    std::uint64_t failed_with(errc e) const noexcept {
        const auto i = static_cast<std::size_t>(e);
        return i >= 1 && i <= errc_count ? failed[i - 1] : 0;
    }
    /// Failures, all codes.
    std::uint64_t failures() const noexcept {
        std::uint64_t n = 0;
        for (auto f : failed) n += f;
        return n;
    }
    /// Operations ended, successes and failures.
    std::uint64_t completed() const noexcept { return succeeded + failures(); }
};

/// Everything the client counts. Totals since the client was made, apart
/// from PoolStats' gauges (open, idle, waiting, in_flight).
struct ClientMetrics {
    /// The pool's gauges and counters, as ConferenceClient::stats().
    PoolStats pool{};
    /// By OperationKind: operations[static_cast<std::size_t>(k)]; see of().
    std::array<OperationMetrics, operation_kind_count> operations{};
    /// Counted retries by RetryReason: retries[static_cast<std::size_t>(r)].
    std::array<std::uint64_t, retry_reason_count> retries{};
    /// Connections closed by CloseReason: connections_closed[static_cast<std::size_t>(r)].
    std::array<std::uint64_t, close_reason_count> connections_closed{};
    std::uint64_t bytes_sent = 0;         ///< Request bytes written, every try, the token endpoint's too.
    std::uint64_t bytes_received = 0;     ///< Response bytes read, media included.
    LatencyDistribution resolve{};        ///< Name resolution, per connection opened.
    LatencyDistribution connect{};        ///< TCP connect, per connection opened.
    LatencyDistribution tls_handshake{};  ///< TLS handshakes completed.
    LatencyDistribution pool_wait{};      ///< Waits for a connection at the pool's bound.
    std::uint64_t tokens_fetched = 0;     ///< OAuth tokens fetched.
    std::uint64_t tokens_refused = 0;     ///< OAuth token fetches that failed.

    /// The figures of one kind of operation.
    const OperationMetrics& of(OperationKind k) const noexcept { return operations[static_cast<std::size_t>(k)]; }
    /// Counted retries for `r`.
    std::uint64_t retries_for(RetryReason r) const noexcept { return retries[static_cast<std::size_t>(r)]; }
    /// Connections closed for `r`.
    std::uint64_t closed_for(CloseReason r) const noexcept { return connections_closed[static_cast<std::size_t>(r)]; }
};

}  // namespace bwvoice

#endif
