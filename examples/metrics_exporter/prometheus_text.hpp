// bwvoice::ClientMetrics in the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
#ifndef BWVOICE_EXAMPLES_PROMETHEUS_TEXT_HPP
#define BWVOICE_EXAMPLES_PROMETHEUS_TEXT_HPP

#include <bwvoice/metrics.hpp>

#include <string>
#include <string_view>

namespace example {

/// The Content-Type a scrape of the text format must be answered with.
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// Every metric family of `m`, named by Prometheus' rules: prefix bwvoice_,
/// counters end in _total, durations are histograms in seconds, each family
/// with its HELP and TYPE lines.
std::string render_prometheus(const bwvoice::ClientMetrics& m);

}  // namespace example

#endif
