// bwconf --stats: the client's metrics (ConferenceClient::metrics()) as the
// one JSON object printed on stderr at the end of a run. The shape is a
// published interface (docs/cli.md, "--stats"): scripts read it, so keys are
// only ever added, never renamed.
#ifndef BWVOICE_CLI_STATS_JSON_HPP
#define BWVOICE_CLI_STATS_JSON_HPP

#include <bwvoice/metrics.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace bwconf {

/// {"stats":{"operations":{...},"retries":{...},"connections":{...},
/// "bytes":{...},"pool_wait_us":{...},"tokens":{...}}}: every operation kind
/// with at least one completion (its successes, its failures by code, only
/// codes that occurred, and its latency), every retry reason and close
/// reason (zeros included), and durations as whole microseconds.
boost::json::object stats_json(const bwvoice::ClientMetrics& m);

/// stats_json(m), compact, then '\n'.
std::string stats_line(const bwvoice::ClientMetrics& m);

}  // namespace bwconf

#endif
