/// @file
/// What is known about a failed (or successful) lookup beyond its error_code.
#ifndef BWVOICE_DIAGNOSTICS_HPP
#define BWVOICE_DIAGNOSTICS_HPP

#include <optional>
#include <string>

namespace bwvoice {

/// Filled by every ConferenceClient operation before its handler runs, so
/// callers read the HTTP status and the API's error body without parsing
/// strings (the Boost.MySQL split: the error_code says what kind of failure,
/// Diagnostics says the details). Never holds credentials, OAuth tokens or
/// request headers.
///
/// With OAuth client credentials, an operation that could not get a token
/// reports the token endpoint's failure here: `message` then starts with
/// "no OAuth token" or "the token endpoint", `http_status` is the token
/// endpoint's, `api_error_type` and `api_error_description` its OAuth
/// `error` and `error_description`, and `attempts` counts the operation's
/// own tries only (0 when it never had a token to send).
struct Diagnostics {
    /// Status of the last HTTP response received, if any response was received.
    std::optional<unsigned> http_status;
    /// `type` and `description` of the API's error body (voiceApiError), when
    /// the last response was an error whose body was JSON of that shape (or
    /// `error` and `error_description` of an OAuth error body).
    std::string api_error_type;
    /// The error body's `description` (see api_error_type).
    std::string api_error_description;
    /// A human-readable account of the failure written by the client (for
    /// example "connect to 127.0.0.1:8443: Connection refused" or "field
    /// 'createdTime': expected a string"). Empty on success. An operation
    /// that was stopped says why ("cancelled by the caller", "no result
    /// within the deadline of 300 ms", "the client was closed"), then, as
    /// "(last failure: ...)", an earlier try's failure or the step of
    /// connecting it stopped ("stopped while resolving ..."), if any; a read
    /// or write the stop aborted is not a failure. It may quote the
    /// server (an error body's description, an ID an answer named); control
    /// characters in it are written as escapes (`\r`, `\n`, `\t`, `\xHH`;
    /// `\uHHHH` for the C1 controls, U+2028, U+2029 and the bidirectional
    /// overrides), so it is one line, safe to log as it is. A backslash the
    /// server sent is left as it is: the escapes are for reading, not for
    /// parsing back. api_error_type and api_error_description keep the
    /// server's text unchanged, credentials apart (replaced with
    /// "[redacted]" in every field).
    std::string message;
    /// How many tries were made: requests written (stale-connection resends
    /// included) and connection attempts that failed before a request could
    /// be written.
    unsigned attempts = 0;
    /// How many of those tries were counted retries (429, 502-504, connection
    /// failures); never more than attempts - 1.
    unsigned retries = 0;

    /// Back to the state of a new Diagnostics. (An operation replaces the
    /// whole object when it completes, so reusing one needs no clear().)
    void clear() { *this = Diagnostics{}; }
};

}  // namespace bwvoice

#endif
