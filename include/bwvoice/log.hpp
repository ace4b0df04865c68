/// @file
/// A structured log hook: the client's events as (level, event, fields)
/// records, for services that prefer logs to an observer. Set
/// ClientConfig::log; nothing is logged by default.
#ifndef BWVOICE_LOG_HPP
#define BWVOICE_LOG_HPP

#include <bwvoice/export.hpp>

#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace bwvoice {

/// How much a record matters. An operation that fails is an error (but a
/// not_found or a cancellation is info: an answer about the caller's data,
/// the caller's own doing), and so is a refused token request; failures the
/// client handles (a retry, a try that failed) are warnings (a try stopped
/// by the deadline or the caller is info); connections opening and closing,
/// stale resends and token fetches are info; every request, reuse, pool wait
/// and successful operation is debug.
enum class LogLevel { debug, info, warning, error };
/// "debug", "info", "warning", "error".
BWVOICE_API std::string_view to_string(LogLevel level) noexcept;

/// One field of a record: `value` is already text (numbers in decimal,
/// durations as `<name>_ms` with microsecond precision, booleans as true or
/// false). An operation's error is `outcome` (success or the errc name, as
/// bwvoice::to_string(errc)); a try's is `error` (the errc name for the
/// client's own codes, else the transport's message) or its `status`.
struct LogField {
    std::string_view name;  ///< "operation", "attempt", "duration_ms", ...
    std::string value;      ///< The value as text.
};

/// One event. The event names are the ClientObserver events'
/// ("request_started", "retry_scheduled", "connection_closed", ...), and the
/// fields their members ("operation", "attempt", "reason", "backoff_ms", ...).
/// No record carries credentials, tokens, request targets or bodies.
/// `fields` (and every string_view) is valid only during the call.
struct LogRecord {
    LogLevel level;                    ///< How much it matters.
    std::string_view event;            ///< "request_started", "connection_closed", ...
    std::span<const LogField> fields;  ///< The event's members, as text.
};

/// Called for each record at or above ClientConfig::log_level, on the strand
/// of the request it is about (see ClientObserver for the threading and the
/// rule not to block). An exception from it is caught and dropped.
using LogHook = std::function<void(const LogRecord&)>;

}  // namespace bwvoice

#endif
