// The latency histogram's buckets and quantiles, against exact quantiles of
// known distributions (seeded, so every run sees the same numbers).
#include "metrics/latency_histogram.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

using bwvoice::detail::HistogramLayout;
using bwvoice::detail::LatencyHistogram;
using namespace std::chrono_literals;

namespace {

/// The exact q-quantile of `sorted`, by the same rank rule as the histogram.
double exact_quantile(const std::vector<std::uint64_t>& sorted, double q) {
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return static_cast<double>(sorted[std::max<std::size_t>(rank, 1) - 1]);
}

void check_quantiles(const std::vector<std::uint64_t>& samples) {
    LatencyHistogram h;
    for (auto ns : samples) h.record(std::chrono::nanoseconds(ns));
    const auto snap = h.snapshot();
    BOOST_TEST(snap.count() == samples.size());
    std::vector<std::uint64_t> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    for (double q : {0.5, 0.9, 0.99, 0.999}) {
        const double exact = exact_quantile(sorted, q);
        const auto read = static_cast<double>(snap.quantile(q).count());
        BOOST_TEST_CONTEXT("q " << q << ": exact " << exact << " ns, histogram " << read << " ns") {
            BOOST_TEST(std::abs(read - exact) / exact <= 1.0 / (2 * HistogramLayout::kSubBuckets) + 1e-9);
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(latency_histogram)

BOOST_AUTO_TEST_CASE(every_duration_falls_in_the_bucket_that_bounds_it) {
    std::mt19937_64 rng(7);
    std::vector<std::uint64_t> values{0,
                                      1,
                                      HistogramLayout::kFloor - 1,
                                      HistogramLayout::kFloor,
                                      HistogramLayout::kFloor + 1,
                                      HistogramLayout::kCeiling - 1};
    for (int i = 0; i < 100'000; ++i) values.push_back(rng() >> (rng() % 64));
    for (auto v : values) {
        const auto i = HistogramLayout::index_of(v);
        BOOST_TEST_REQUIRE(i < HistogramLayout::kBuckets);
        BOOST_TEST_REQUIRE(HistogramLayout::lower_bound(i) <= v, v);
        if (i + 1 < HistogramLayout::kBuckets) BOOST_TEST_REQUIRE(v < HistogramLayout::lower_bound(i + 1), v);
    }
    BOOST_TEST(HistogramLayout::index_of(HistogramLayout::kCeiling) == HistogramLayout::kBuckets - 1);
    BOOST_TEST(HistogramLayout::index_of(~std::uint64_t{0}) == HistogramLayout::kBuckets - 1);
}

BOOST_AUTO_TEST_CASE(buckets_are_at_most_one_sub_bucket_wide) {
    for (std::size_t i = 1; i + 1 < HistogramLayout::kBuckets; ++i) {
        const auto lo = static_cast<double>(HistogramLayout::lower_bound(i));
        const auto hi = static_cast<double>(HistogramLayout::lower_bound(i + 1));
        BOOST_TEST_REQUIRE(hi > lo);
        BOOST_TEST_REQUIRE((hi - lo) / lo <= 1.0 / HistogramLayout::kSubBuckets + 1e-12, i);
    }
}

BOOST_AUTO_TEST_CASE(quantiles_of_a_log_uniform_spread_read_within_a_few_percent) {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> exponent(std::log(100e3), std::log(10e9));  // 100 us .. 10 s
    std::vector<std::uint64_t> samples(200'000);
    for (auto& s : samples) s = static_cast<std::uint64_t>(std::exp(exponent(rng)));
    check_quantiles(samples);
}

BOOST_AUTO_TEST_CASE(quantiles_of_a_long_tail_read_within_a_few_percent) {
    // Most requests near 2 ms, one in a hundred near 250 ms: p99 and p99.9 sit in the tail.
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> fast(std::log(2e6), 0.3), slow(std::log(250e6), 0.5);
    std::bernoulli_distribution tail(0.01);
    std::vector<std::uint64_t> samples(300'000);
    for (auto& s : samples) s = static_cast<std::uint64_t>(tail(rng) ? slow(rng) : fast(rng));
    check_quantiles(samples);
}

BOOST_AUTO_TEST_CASE(an_empty_histogram_reads_zero_and_the_sum_is_kept) {
    LatencyHistogram h;
    BOOST_TEST(h.snapshot().count() == 0u);
    BOOST_TEST(h.snapshot().quantile(0.99).count() == 0);
    h.record(3ms);
    h.record(-1ms);  // a clock that stepped back counts as 0
    const auto s = h.snapshot();
    BOOST_TEST(s.count() == 2u);
    BOOST_TEST(s.sum() == 3ms);
    BOOST_TEST(s.quantile(0).count() < static_cast<std::int64_t>(HistogramLayout::kFloor));
}

BOOST_AUTO_TEST_CASE(records_from_many_threads_are_all_counted) {
    LatencyHistogram h;
    constexpr int kThreads = 4, kEach = 100'000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&h, t] {
            for (int i = 0; i < kEach; ++i) h.record(std::chrono::microseconds(1 + (i + t) % 5000));
        });
    for (auto& t : threads) t.join();
    const auto s = h.snapshot();
    BOOST_TEST(s.count() == std::uint64_t{kThreads} * kEach);
}

BOOST_AUTO_TEST_CASE(count_at_most_reads_cumulative_buckets_within_a_bucket) {
    // 1,000 durations spread evenly over 1..1000 ms: count_at_most(x ms) is x
    // (within the share of the one bucket x falls in), and never decreases.
    LatencyHistogram h;
    for (int ms = 1; ms <= 1000; ++ms) h.record(std::chrono::milliseconds(ms));
    const auto s = h.snapshot();
    std::uint64_t previous = 0;
    for (int ms = 0; ms <= 1200; ms += 7) {
        const std::uint64_t n = s.count_at_most(std::chrono::milliseconds(ms));
        BOOST_TEST_CONTEXT("at most " << ms << " ms: " << n) {
            const double expected = std::min(ms, 1000);
            BOOST_TEST(std::abs(static_cast<double>(n) - expected) <= expected / HistogramLayout::kSubBuckets + 1);
            BOOST_TEST(n >= previous);
        }
        previous = n;
    }
    BOOST_TEST(s.count_at_most(std::chrono::hours(1)) == 1000u);
    BOOST_TEST(s.count_at_most(-1ms) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
