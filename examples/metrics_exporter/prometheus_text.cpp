#include "prometheus_text.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace example {

namespace {

using namespace std::chrono_literals;
using bwvoice::LatencyDistribution;

// The histograms' upper bounds (le), one set for every duration so that
// dashboards compare them: from a loopback round trip to a request that ran
// into the default timeouts. Prometheus cannot re-bucket after the fact, so
// pick bounds around your own latencies; the client keeps a finer
// distribution (LatencyDistribution), so any bound reads off it.
constexpr std::array<std::chrono::nanoseconds, 14> kBounds{1ms,   2500us, 5ms, 10ms,   25ms, 50ms, 100ms,
                                                           250ms, 500ms,  1s,  2500ms, 5s,   10s,  30s};

double seconds(std::chrono::nanoseconds d) {
    return static_cast<double>(d.count()) / 1e9;
}

// The shortest text that reads back as the same double (Prometheus parses
// it with Go's ParseFloat): 0.001, not 0.0010000000000000000208.
std::string number(double v) {
    std::array<char, 32> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return ec == std::errc() ? std::string(buf.data(), end) : std::string("NaN");
}

// `name="value"`, the value escaped as the format requires (backslash,
// double quote, line feed). The values here are enum names, but a copy of
// this code may label with anything.
std::string label(std::string_view name, std::string_view value) {
    std::string out(name);
    out += "=\"";
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

// Builds the text one family at a time: the format wants a family's HELP
// and TYPE lines once, before all its samples, and no family twice.
class Exposition {
public:
    // HELP text escapes backslash and line feed (not the double quote).
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_.append("# HELP ").append(name).append(" ");
        for (char c : help) {
            if (c == '\\') {
                out_ += "\\\\";
            } else if (c == '\n') {
                out_ += "\\n";
            } else {
                out_ += c;
            }
        }
        out_.append("\n");
        out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    }

    void sample(std::string_view name, std::string_view labels, std::string_view value) {
        out_.append(name);
        if (!labels.empty()) out_.append("{").append(labels).append("}");
        out_.append(" ").append(value).append("\n");
    }
    void sample(std::string_view name, std::string_view labels, std::uint64_t value) {
        sample(name, labels, std::to_string(value));
    }

    // One series of a histogram family: cumulative _bucket counts at
    // kBounds and +Inf (which must equal _count), then _sum and _count.
    void histogram(std::string_view name, std::string_view labels, const LatencyDistribution& d) {
        const std::string bucket = std::string(name) + "_bucket";
        const std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
        for (std::chrono::nanoseconds bound : kBounds)
            sample(bucket, prefix + label("le", number(seconds(bound))), d.count_at_most(bound));
        sample(bucket, prefix + label("le", "+Inf"), d.count());
        sample(std::string(name) + "_sum", labels, number(d.sum().count()));
        sample(std::string(name) + "_count", labels, d.count());
    }

    // A family of one unlabelled series, named once.
    void single(std::string_view name, std::string_view type, std::string_view help, std::uint64_t value) {
        family(name, type, help);
        sample(name, "", value);
    }
    void single_histogram(std::string_view name, std::string_view help, const LatencyDistribution& d) {
        family(name, "histogram", help);
        histogram(name, "", d);
    }

    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

void operations(Exposition& x, const bwvoice::ClientMetrics& m) {
    // Every (operation, outcome) pair from the first scrape on, zeros
    // included: a series that appears only with its first failure hides that
    // failure from rate() and increase().
    x.family("bwvoice_operations_total", "counter",
             "Operations completed, by kind and outcome (success, or the bwvoice::errc name); "
             "operation=\"token_fetch\" is the client's own OAuth token request, not an operation of the caller's.");
    for (std::size_t k = 0; k < bwvoice::operation_kind_count; ++k) {
        const auto kind = static_cast<bwvoice::OperationKind>(k);
        const bwvoice::OperationMetrics& op = m.of(kind);
        const std::string operation = label("operation", bwvoice::to_string(kind));
        x.sample("bwvoice_operations_total", operation + "," + label("outcome", "success"), op.succeeded);
        for (std::size_t e = 1; e <= bwvoice::errc_count; ++e) {
            const auto code = static_cast<bwvoice::errc>(e);
            x.sample("bwvoice_operations_total", operation + "," + label("outcome", bwvoice::to_string(code)),
                     op.failed_with(code));
        }
    }

    x.family("bwvoice_operation_duration_seconds", "histogram",
             "Operation latency from the initiating call to the handler, retries and waits included; "
             "operation=\"token_fetch\" is the client's own OAuth token request, not an operation of the caller's.");
    for (std::size_t k = 0; k < bwvoice::operation_kind_count; ++k) {
        const auto kind = static_cast<bwvoice::OperationKind>(k);
        x.histogram("bwvoice_operation_duration_seconds", label("operation", bwvoice::to_string(kind)),
                    m.of(kind).latency);
    }

    x.single("bwvoice_operations_in_flight", "gauge", "Operations started and not yet completed.", m.pool.in_flight);

    x.family("bwvoice_retries_total", "counter", "Counted retries, by reason.");
    for (std::size_t r = 0; r < bwvoice::retry_reason_count; ++r) {
        const auto reason = static_cast<bwvoice::RetryReason>(r);
        x.sample("bwvoice_retries_total", label("reason", bwvoice::to_string(reason)), m.retries_for(reason));
    }

    x.single("bwvoice_stale_resends_total", "counter",
             "Requests resent at once because a pooled connection turned out dead (not retries).",
             m.pool.stale_resends);
}

void connections(Exposition& x, const bwvoice::ClientMetrics& m) {
    x.single("bwvoice_pool_open_connections", "gauge", "API connections open now (connecting, busy or idle).",
             m.pool.open);
    x.single("bwvoice_pool_idle_connections", "gauge", "API connections idle in the pool now.", m.pool.idle);
    x.single("bwvoice_pool_waiting_operations", "gauge", "Operations waiting for a connection now.", m.pool.waiting);

    x.single("bwvoice_connections_opened_total", "counter", "TCP connections opened.", m.pool.connections_opened);

    x.family("bwvoice_connections_closed_total", "counter", "Connections closed, by reason.");
    for (std::size_t r = 0; r < bwvoice::close_reason_count; ++r) {
        const auto reason = static_cast<bwvoice::CloseReason>(r);
        x.sample("bwvoice_connections_closed_total", label("reason", bwvoice::to_string(reason)), m.closed_for(reason));
    }

    x.single("bwvoice_connection_reuses_total", "counter", "Requests sent on an already used connection.",
             m.pool.reuses);
    x.single("bwvoice_tls_handshakes_total", "counter", "TLS handshakes completed.", m.pool.handshakes);
    x.single("bwvoice_tls_sessions_resumed_total", "counter", "TLS handshakes that resumed a session.",
             m.pool.sessions_resumed);

    x.single("bwvoice_sent_bytes_total", "counter", "Request bytes written, every try.", m.bytes_sent);
    x.single("bwvoice_received_bytes_total", "counter", "Response bytes read, media included.", m.bytes_received);

    x.single_histogram("bwvoice_resolve_duration_seconds", "Name resolution, per connection opened.", m.resolve);
    x.single_histogram("bwvoice_connect_duration_seconds", "TCP connect, per connection opened.", m.connect);
    x.single_histogram("bwvoice_tls_handshake_duration_seconds", "TLS handshakes completed.", m.tls_handshake);
    x.single_histogram("bwvoice_pool_wait_duration_seconds", "Waits for a connection while the pool was at its bound.",
                       m.pool_wait);
}

void tokens(Exposition& x, const bwvoice::ClientMetrics& m) {
    x.single("bwvoice_oauth_tokens_fetched_total", "counter", "OAuth tokens fetched.", m.tokens_fetched);
    x.single("bwvoice_oauth_token_failures_total", "counter", "OAuth token fetches that failed.", m.tokens_refused);
}

}  // namespace

std::string render_prometheus(const bwvoice::ClientMetrics& m) {
    Exposition x;
    operations(x, m);
    connections(x, m);
    tokens(x, m);
    return x.take();
}

}  // namespace example
