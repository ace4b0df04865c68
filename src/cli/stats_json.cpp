// bwconf --stats: rendering of ClientMetrics; the shape is in stats_json.hpp
// and docs/cli.md.
//
// Durations are whole microseconds rather than fractional seconds: Boost.JSON
// writes a double as "1.23E-2", awkward to read and to compare, while an
// integer is exact; the distributions' buckets are 1.6 % wide anyway, far
// coarser than a microsecond above the first few.
//
// Only enumeration names and numbers go in: nothing the user typed or a
// server sent, so no secret can reach the line (and it is not passed
// through redact(), which would mangle numbers that happen to contain a
// short password).
#include "cli/stats_json.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace bwconf {
namespace {

namespace json = boost::json;

std::uint64_t micros(std::chrono::nanoseconds d) {
    // Rounded to nearest; a negative duration cannot be recorded.
    return d.count() <= 0 ? 0 : static_cast<std::uint64_t>((d.count() + 500) / 1000);
}

std::uint64_t micros(std::chrono::duration<double> d) {
    return d.count() <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(d.count() * 1e6));
}

json::string_view key(std::string_view name) {
    return {name.data(), name.size()};
}

// {"count":N,"sum":US,"p50":US,"p90":US,"p99":US,"p999":US}; the quantiles
// are null while the distribution is empty: 0 would read as "instant".
json::object distribution(const bwvoice::LatencyDistribution& d) {
    json::object o;
    o["count"] = d.count();
    o["sum"] = micros(d.sum());
    constexpr struct {
        const char* name;
        double q;
    } kQuantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};
    for (const auto& [name, q] : kQuantiles) {
        if (d.count() == 0)
            o[name] = nullptr;
        else
            o[name] = micros(d.quantile(q));
    }
    return o;
}

json::object operations(const bwvoice::ClientMetrics& m) {
    json::object out;
    for (std::size_t k = 0; k < bwvoice::operation_kind_count; ++k) {
        const auto kind = static_cast<bwvoice::OperationKind>(k);
        const auto& op = m.of(kind);
        if (op.completed() == 0) continue;
        json::object failed;
        for (std::size_t e = 1; e <= bwvoice::errc_count; ++e) {
            const auto code = static_cast<bwvoice::errc>(e);
            if (const auto n = op.failed_with(code); n != 0) failed[key(bwvoice::to_string(code))] = n;
        }
        json::object o;
        o["succeeded"] = op.succeeded;
        o["failed"] = std::move(failed);
        o["latency_us"] = distribution(op.latency);
        out[key(bwvoice::to_string(kind))] = std::move(o);
    }
    return out;
}

json::object retries(const bwvoice::ClientMetrics& m) {
    json::object out;
    for (std::size_t r = 0; r < bwvoice::retry_reason_count; ++r) {
        const auto reason = static_cast<bwvoice::RetryReason>(r);
        out[key(bwvoice::to_string(reason))] = m.retries_for(reason);
    }
    return out;
}

json::object connections(const bwvoice::ClientMetrics& m) {
    json::object closed;
    for (std::size_t r = 0; r < bwvoice::close_reason_count; ++r) {
        const auto reason = static_cast<bwvoice::CloseReason>(r);
        closed[key(bwvoice::to_string(reason))] = m.closed_for(reason);
    }
    json::object out;
    out["opened"] = m.pool.connections_opened;
    out["reused"] = m.pool.reuses;
    out["stale_resends"] = m.pool.stale_resends;
    out["closed"] = std::move(closed);
    out["tls_handshakes"] = m.pool.handshakes;
    out["sessions_resumed"] = m.pool.sessions_resumed;
    out["connect_us"] = distribution(m.connect);
    out["tls_handshake_us"] = distribution(m.tls_handshake);
    return out;
}

}  // namespace

json::object stats_json(const bwvoice::ClientMetrics& m) {
    json::object stats;
    stats["operations"] = operations(m);
    stats["retries"] = retries(m);
    stats["connections"] = connections(m);
    stats["bytes"] = json::object{{"sent", m.bytes_sent}, {"received", m.bytes_received}};
    stats["pool_wait_us"] = distribution(m.pool_wait);
    stats["tokens"] = json::object{{"fetched", m.tokens_fetched}, {"refused", m.tokens_refused}};
    return json::object{{"stats", std::move(stats)}};
}

std::string stats_line(const bwvoice::ClientMetrics& m) {
    std::string line = json::serialize(stats_json(m));
    line += '\n';
    return line;
}

}  // namespace bwconf
