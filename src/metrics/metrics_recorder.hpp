// What ConferenceClient::metrics() reads: counters and histograms that the
// requests record into without a lock, from any thread.
#ifndef BWVOICE_SRC_METRICS_METRICS_RECORDER_HPP
#define BWVOICE_SRC_METRICS_METRICS_RECORDER_HPP

#include "metrics/latency_histogram.hpp"

#include <bwvoice/error.hpp>
#include <bwvoice/metrics.hpp>
#include <bwvoice/observer.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace bwvoice::detail {

class MetricsRecorder {
public:
    /// An operation ended with `ec` (success, an errc, or a caller's cancellation) after `took`.
    void operation_ended(OperationKind op, error_code ec, std::chrono::nanoseconds took) noexcept;
    void retried(RetryReason why) noexcept { add(retries_[static_cast<std::size_t>(why)]); }
    void closed(CloseReason why) noexcept { add(closed_[static_cast<std::size_t>(why)]); }
    void bytes(std::uint64_t sent, std::uint64_t received) noexcept;
    LatencyHistogram resolve, connect, tls_handshake, pool_wait;
    void token_fetched() noexcept { add(tokens_fetched_); }
    void token_refused() noexcept { add(tokens_refused_); }

    /// Everything recorded so far, with the pool's own figures.
    ClientMetrics snapshot(const PoolStats& pool) const;

private:
    static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
        counter.fetch_add(n, std::memory_order_relaxed);
    }

    struct PerOperation {
        std::array<std::atomic<std::uint64_t>, 1 + errc_count> outcomes{};  // [0]: success; [e]: errc e
        LatencyHistogram latency;
    };
    std::array<PerOperation, operation_kind_count> operations_;
    std::array<std::atomic<std::uint64_t>, retry_reason_count> retries_{};
    std::array<std::atomic<std::uint64_t>, close_reason_count> closed_{};
    std::atomic<std::uint64_t> bytes_sent_{0}, bytes_received_{0}, tokens_fetched_{0}, tokens_refused_{0};
};

}  // namespace bwvoice::detail

#endif
