#include "metrics/latency_histogram.hpp"

#include <bit>
#include <cmath>

namespace bwvoice::detail {

std::size_t HistogramLayout::index_of(std::uint64_t ns) noexcept {
    if (ns < kFloor) return 0;
    if (ns >= kCeiling) return kBuckets - 1;
    const unsigned octave = static_cast<unsigned>(std::bit_width(ns)) - 1 - kFloorBits;  // 0 .. kOctaves - 1
    const unsigned sub = static_cast<unsigned>(ns >> (octave + kFloorBits - kSubBucketBits)) & (kSubBuckets - 1);
    return 1 + std::size_t{octave} * kSubBuckets + sub;
}

std::uint64_t HistogramLayout::lower_bound(std::size_t i) noexcept {
    if (i == 0) return 0;
    if (i >= kBuckets - 1) return kCeiling;
    const std::size_t octave = (i - 1) / kSubBuckets;
    const std::size_t sub = (i - 1) % kSubBuckets;
    return (kFloor << octave) + (sub << (octave + kFloorBits - kSubBucketBits));
}

void LatencyHistogram::record(std::chrono::nanoseconds d) noexcept {
    const std::uint64_t ns = d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count());
    counts_[HistogramLayout::index_of(ns)].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(ns / 1000, std::memory_order_relaxed);
}

LatencyDistribution LatencyHistogram::snapshot() const {
    std::vector<std::uint64_t> counts(HistogramLayout::kBuckets);
    for (std::size_t i = 0; i < counts_.size(); ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
    return LatencyDistribution(
        std::move(counts),
        std::chrono::duration<double>(static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6));
}

}  // namespace bwvoice::detail
