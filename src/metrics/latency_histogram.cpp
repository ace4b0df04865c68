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

double HistogramSnapshot::quantile_ns(double q) const noexcept {
    if (count == 0 || counts.empty()) return 0;
    q = q < 0 ? 0 : q > 1 ? 1 : q;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count)));
    if (rank == 0) rank = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        seen += counts[i];
        if (seen >= rank) {
            if (i == HistogramLayout::kBuckets - 1) return static_cast<double>(HistogramLayout::kCeiling);
            const auto lo = static_cast<double>(HistogramLayout::lower_bound(i));
            const auto hi = static_cast<double>(HistogramLayout::lower_bound(i + 1));
            return (lo + hi) / 2;
        }
    }
    return static_cast<double>(HistogramLayout::kCeiling);
}

void LatencyHistogram::record(std::chrono::nanoseconds d) noexcept {
    const std::uint64_t ns = d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count());
    counts_[HistogramLayout::index_of(ns)].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
}

HistogramSnapshot LatencyHistogram::snapshot() const {
    HistogramSnapshot s;
    s.counts.resize(HistogramLayout::kBuckets);
    // The buckets are summed for `count`, so count and buckets always agree
    // even while records land.
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        s.counts[i] = counts_[i].load(std::memory_order_relaxed);
        s.count += s.counts[i];
    }
    s.sum_ns = sum_ns_.load(std::memory_order_relaxed);
    if (s.count == 0) s.counts.clear();
    return s;
}

}  // namespace bwvoice::detail
