#include "metrics/latency_histogram.hpp"

#include <bwvoice/metrics.hpp>

#include <cmath>

namespace bwvoice {
using detail::HistogramLayout;

LatencyDistribution::LatencyDistribution(std::vector<std::uint64_t> bucket_counts, std::chrono::duration<double> sum)
    : counts_(std::move(bucket_counts)), sum_(sum) {
    if (counts_.size() != HistogramLayout::kBuckets) counts_ = {};
    // The buckets are summed for count(), so the count and the buckets agree
    // even when records landed while they were copied.
    for (auto c : counts_) count_ += c;
    if (count_ == 0) counts_ = {};  // an empty one holds no buckets
}

std::size_t LatencyDistribution::bucket_count() noexcept {
    return HistogramLayout::kBuckets;
}

std::chrono::nanoseconds LatencyDistribution::bucket_lower_bound(std::size_t i) noexcept {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(HistogramLayout::lower_bound(i)));
}

std::chrono::nanoseconds LatencyDistribution::quantile(double q) const noexcept {
    if (count_ == 0) return std::chrono::nanoseconds{0};
    q = !(q >= 0) ? 0 : q > 1 ? 1 : q;  // NaN too
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    if (rank == 0) rank = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen < rank) continue;
        if (i == HistogramLayout::kBuckets - 1) break;
        const std::uint64_t lo = HistogramLayout::lower_bound(i);
        const std::uint64_t hi = HistogramLayout::lower_bound(i + 1);
        return std::chrono::nanoseconds(static_cast<std::int64_t>(lo + (hi - lo) / 2));
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(HistogramLayout::kCeiling));
}

std::uint64_t LatencyDistribution::count_at_most(std::chrono::nanoseconds bound) const noexcept {
    if (count_ == 0 || bound.count() < 0) return 0;
    const auto ns = static_cast<std::uint64_t>(bound.count());
    const std::size_t in = HistogramLayout::index_of(ns);
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < in; ++i) n += counts_[i];
    if (in == HistogramLayout::kBuckets - 1) return n;  // the open-ended bucket has no width to share
    // The bucket `bound` falls in: its share up to and including `bound`.
    const std::uint64_t lo = HistogramLayout::lower_bound(in);
    const std::uint64_t hi = HistogramLayout::lower_bound(in + 1);
    const double share = static_cast<double>(ns - lo + 1) / static_cast<double>(hi - lo);
    return n + static_cast<std::uint64_t>(std::floor(share * static_cast<double>(counts_[in])));
}

}  // namespace bwvoice
