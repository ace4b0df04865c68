// The --stats line's rendering (src/cli/stats_json.cpp), from hand-made
// ClientMetrics: the documented shape key by key, which parts are always
// there and which only when non-zero, and durations in microseconds.
#include "cli/stats_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <vector>

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

/// A distribution of `count` durations all in the bucket that starts at or
/// just above `at`, summing to `sum`.
bwvoice::LatencyDistribution around(std::chrono::nanoseconds at, std::uint64_t count, std::chrono::nanoseconds sum) {
    std::vector<std::uint64_t> buckets(bwvoice::LatencyDistribution::bucket_count(), 0);
    std::size_t i = 0;
    while (i + 1 < buckets.size() && bwvoice::LatencyDistribution::bucket_lower_bound(i) < at) ++i;
    buckets[i] = count;
    return bwvoice::LatencyDistribution(std::move(buckets), sum);
}

std::uint64_t n(const json::value& v) {
    return v.to_number<std::uint64_t>();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_stats_json)

// Nothing counted: every fixed part is there with zeros, no operation, and
// the quantiles of an empty distribution are null (0 would read "instant").
BOOST_AUTO_TEST_CASE(empty_metrics_have_the_whole_shape) {
    const std::string empty_distribution = R"({"count":0,"sum":0,"p50":null,"p90":null,"p99":null,"p999":null})";
    const std::string expected =
        R"({"stats":{"operations":{},)"
        R"("retries":{"rate_limited":0,"server_unavailable":0,"connection_failed":0},)"
        R"("connections":{"opened":0,"reused":0,"stale_resends":0,)"
        R"("closed":{"idle_expired":0,"server_closed":0,"error":0,"interrupted":0,"client_closed":0},)"
        R"("tls_handshakes":0,"sessions_resumed":0,"connect_us":)" +
        empty_distribution + R"(,"tls_handshake_us":)" + empty_distribution + R"(},)" +
        R"("bytes":{"sent":0,"received":0},"pool_wait_us":)" + empty_distribution +
        R"(,"tokens":{"fetched":0,"refused":0}}})"
        "\n";
    BOOST_TEST(bwconf::stats_line(bwvoice::ClientMetrics{}) == expected);
}

BOOST_AUTO_TEST_CASE(counts_go_where_the_documentation_says) {
    bwvoice::ClientMetrics m;
    auto& get = m.operations[static_cast<std::size_t>(bwvoice::OperationKind::get_conference)];
    get.succeeded = 3;
    get.failed[static_cast<std::size_t>(bwvoice::errc::timeout) - 1] = 2;
    get.failed[static_cast<std::size_t>(bwvoice::errc::not_found) - 1] = 1;
    get.latency = around(10ms, 6, 61'234'567ns);
    // Failures only: still listed, with "succeeded":0.
    m.operations[static_cast<std::size_t>(bwvoice::OperationKind::update_member)]
        .failed[static_cast<std::size_t>(bwvoice::errc::cancelled) - 1] = 4;
    m.retries[static_cast<std::size_t>(bwvoice::RetryReason::server_unavailable)] = 5;
    m.connections_closed[static_cast<std::size_t>(bwvoice::CloseReason::client_closed)] = 2;
    m.pool.connections_opened = 2;
    m.pool.reuses = 7;
    m.pool.stale_resends = 1;
    m.pool.handshakes = 2;
    m.pool.sessions_resumed = 1;
    m.bytes_sent = 1234;
    m.bytes_received = 98765;
    m.pool_wait = around(2ms, 1, 1'500ns);  // the sum rounds to the nearest microsecond
    m.tokens_fetched = 1;
    m.tokens_refused = 2;

    const std::string line = bwconf::stats_line(m);
    BOOST_TEST_REQUIRE(line.back() == '\n');
    BOOST_TEST(line.find('\n') == line.size() - 1);
    const auto stats = json::parse(line).at("stats").as_object();

    const auto& ops = stats.at("operations").as_object();
    BOOST_TEST(ops.size() == 2u);
    const auto& g = ops.at("get_conference").as_object();
    BOOST_TEST(n(g.at("succeeded")) == 3u);
    // Codes in errc order, only those that occurred.
    BOOST_TEST(json::serialize(g.at("failed")) == R"({"not_found":1,"timeout":2})");
    const auto& latency = g.at("latency_us").as_object();
    BOOST_TEST(n(latency.at("count")) == 6u);
    BOOST_TEST(n(latency.at("sum")) == 61'235u);
    for (const char* q : {"p50", "p90", "p99", "p999"}) {
        // Within the bucket's 1.6 % of 10 ms, in microseconds.
        BOOST_TEST(n(latency.at(q)) >= 10'000u, q);
        BOOST_TEST(n(latency.at(q)) <= 10'400u, q);
    }
    const auto& u = ops.at("update_member").as_object();
    BOOST_TEST(n(u.at("succeeded")) == 0u);
    BOOST_TEST(json::serialize(u.at("failed")) == R"({"cancelled":4})");
    BOOST_TEST(n(u.at("latency_us").at("count")) == 0u);

    BOOST_TEST(json::serialize(stats.at("retries")) ==
               R"({"rate_limited":0,"server_unavailable":5,"connection_failed":0})");
    const auto& c = stats.at("connections").as_object();
    BOOST_TEST(n(c.at("opened")) == 2u);
    BOOST_TEST(n(c.at("reused")) == 7u);
    BOOST_TEST(n(c.at("stale_resends")) == 1u);
    BOOST_TEST(n(c.at("tls_handshakes")) == 2u);
    BOOST_TEST(n(c.at("sessions_resumed")) == 1u);
    BOOST_TEST(json::serialize(c.at("closed")) ==
               R"({"idle_expired":0,"server_closed":0,"error":0,"interrupted":0,"client_closed":2})");
    BOOST_TEST(json::serialize(stats.at("bytes")) == R"({"sent":1234,"received":98765})");
    BOOST_TEST(n(stats.at("pool_wait_us").at("sum")) == 2u);
    BOOST_TEST(n(stats.at("pool_wait_us").at("p50")) >= 2'000u);
    BOOST_TEST(json::serialize(stats.at("tokens")) == R"({"fetched":1,"refused":2})");
}

BOOST_AUTO_TEST_SUITE_END()
