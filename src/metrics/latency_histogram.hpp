// A latency histogram that any thread records into without a lock and that
// any thread reads a snapshot of: log-linear buckets (as HdrHistogram's), so
// quantiles from 1 microsecond to about 2 minutes read within 1/(2*kSubBuckets)
// of the true value (1.6 %).
#ifndef BWVOICE_SRC_METRICS_LATENCY_HISTOGRAM_HPP
#define BWVOICE_SRC_METRICS_LATENCY_HISTOGRAM_HPP

#include <bwvoice/metrics.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bwvoice::detail {

/// The bucket layout shared by the recorder and its snapshots. Bucket 0
/// holds everything below kFloor; then each power of two from kFloor up is
/// split into kSubBuckets equal buckets; the last bucket holds everything
/// from kCeiling up.
struct HistogramLayout {
    static constexpr unsigned kSubBucketBits = 5;
    static constexpr unsigned kSubBuckets = 1u << kSubBucketBits;  // 32 per octave
    static constexpr unsigned kFloorBits = 10;                     // 2^10 ns = 1.024 us
    static constexpr unsigned kOctaves = 27;                       // up to 2^37 ns = 137 s
    static constexpr std::uint64_t kFloor = std::uint64_t{1} << kFloorBits;
    static constexpr std::uint64_t kCeiling = kFloor << kOctaves;
    static constexpr std::size_t kBuckets = 1 + std::size_t{kOctaves} * kSubBuckets + 1;

    /// The bucket of a duration in nanoseconds.
    static std::size_t index_of(std::uint64_t ns) noexcept;
    /// The smallest duration (ns) the bucket holds; its end is lower_bound(i + 1).
    static std::uint64_t lower_bound(std::size_t i) noexcept;
};

class LatencyHistogram {
public:
    LatencyHistogram() = default;
    LatencyHistogram(const LatencyHistogram&) = delete;
    LatencyHistogram& operator=(const LatencyHistogram&) = delete;

    /// Lock-free, any thread. A negative duration counts as 0.
    void record(std::chrono::nanoseconds d) noexcept;

    /// Any thread. Concurrent records may or may not be in it; every record
    /// finished before the call is.
    LatencyDistribution snapshot() const;

private:
    std::array<std::atomic<std::uint64_t>, HistogramLayout::kBuckets> counts_{};
    // Microseconds: a sum of nanoseconds would wrap within months at a
    // thousand operations in flight; of microseconds, within centuries.
    std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace bwvoice::detail

#endif
