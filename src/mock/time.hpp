// Timestamps as the Voice API writes them (UTC, milliseconds, "Z") and as a
// client may send them in listConferences filters (any ISO 8601 offset).
#ifndef BWVOICE_MOCK_TIME_HPP
#define BWVOICE_MOCK_TIME_HPP

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace bwvoice::mock::detail {

using Instant = std::chrono::sys_time<std::chrono::nanoseconds>;

/// "2026-11-28T15:02:11.482Z": the API's own form, milliseconds always written.
std::string format_time(std::chrono::sys_time<std::chrono::milliseconds> t);

/// Which way to round a fraction finer than nanoseconds, so that comparing the
/// result with a stored time gives the same answer as comparing the exact instants.
enum class Round { down, up };

/// "YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm|+hhmm|-hhmm)" as an instant.
/// An offset is required: without one the text names no instant. nullopt for
/// anything else, including impossible dates and times.
std::optional<Instant> parse_time(std::string_view text, Round round = Round::down);

}  // namespace bwvoice::mock::detail

#endif
