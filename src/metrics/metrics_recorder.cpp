#include "metrics/metrics_recorder.hpp"

namespace bwvoice::detail {

static_assert(static_cast<std::size_t>(errc::cancelled) == errc_count, "errc_count must follow errc");
static_assert(static_cast<std::size_t>(OperationKind::token_fetch) + 1 == operation_kind_count);
static_assert(static_cast<std::size_t>(RetryReason::connection_failed) + 1 == retry_reason_count);
static_assert(static_cast<std::size_t>(CloseReason::client_closed) + 1 == close_reason_count);

void MetricsRecorder::operation_ended(OperationKind op, error_code ec, std::chrono::nanoseconds took) noexcept {
    auto& per = operations_[static_cast<std::size_t>(op)];
    add(per.outcomes[ec ? static_cast<std::size_t>(to_errc(ec)) : 0]);
    per.latency.record(took);
}

void MetricsRecorder::bytes(std::uint64_t sent, std::uint64_t received) noexcept {
    if (sent) add(bytes_sent_, sent);
    if (received) add(bytes_received_, received);
}

ClientMetrics MetricsRecorder::snapshot(const PoolStats& pool) const {
    const auto load = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    ClientMetrics m;
    m.pool = pool;
    for (std::size_t k = 0; k < operations_.size(); ++k) {
        const auto& per = operations_[k];
        auto& out = m.operations[k];
        out.succeeded = load(per.outcomes[0]);
        for (std::size_t e = 1; e <= errc_count; ++e) out.failed[e - 1] = load(per.outcomes[e]);
        out.latency = per.latency.snapshot();
    }
    for (std::size_t r = 0; r < retries_.size(); ++r) m.retries[r] = load(retries_[r]);
    for (std::size_t r = 0; r < closed_.size(); ++r) m.connections_closed[r] = load(closed_[r]);
    m.bytes_sent = load(bytes_sent_);
    m.bytes_received = load(bytes_received_);
    m.resolve = resolve.snapshot();
    m.connect = connect.snapshot();
    m.tls_handshake = tls_handshake.snapshot();
    m.pool_wait = pool_wait.snapshot();
    m.tokens_fetched = load(tokens_fetched_);
    m.tokens_refused = load(tokens_refused_);
    return m;
}

}  // namespace bwvoice::detail
