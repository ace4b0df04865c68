/// @file
/// A conference recording's metadata (`conferenceRecordingMetadata`) and its JSON form.
#ifndef BWVOICE_RECORDING_HPP
#define BWVOICE_RECORDING_HPP

#include <bwvoice/export.hpp>

#include <bwvoice/conference.hpp>
#include <bwvoice/error.hpp>

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bwvoice {

/// The media's format (`fileFormatEnum`). The API may add formats: a value
/// this library does not know decodes as `unknown`, never as an error. It has
/// no text to write back: RecordingMetadata's JSON omits it, as it omits
/// every absent or null field.
enum class FileFormat {
    mp3,      ///< `mp3`
    wav,      ///< `wav`
    unknown,  ///< A format this library does not know.
};

/// "mp3", "wav"; "unknown".
BWVOICE_API std::string_view to_string(FileFormat f) noexcept;
/// "mp3" or "wav" in any letter case; FileFormat::unknown for any other text.
BWVOICE_API FileFormat parse_file_format(std::string_view text) noexcept;

/// An ISO 8601 duration as the API writes recording lengths ("PT13.67S",
/// "PT4M12.318S", "PT1H2M3S", "P1DT2H"): days, hours, minutes and seconds,
/// with a fraction on the last field given, truncated to milliseconds.
/// Years, months and weeks (whose length is not fixed) and negative values
/// give nullopt, as does any other text.
///
/// Precisely: 'P', then `<n>D`, then 'T' followed by `<n>H`, `<n>M`, `<n>S`;
/// each field optional but at least one in all (and at least one after 'T'),
/// in that order, each at most once. `<n>` is ASCII digits, any number of
/// them (a field may exceed its natural range: "PT90M"); only the last field
/// may have a fraction, a '.' and at least one digit ("PT1.5H"), truncated
/// exactly however many digits it has. Designators are upper case; signs,
/// spaces and a comma as the decimal sign are refused. A total beyond
/// std::chrono::milliseconds::max() gives nullopt, so whatever parses can be
/// formatted.
BWVOICE_API std::optional<std::chrono::milliseconds> parse_iso8601_duration(std::string_view text) noexcept;

/// "PT<seconds>S" with up to three decimals, trailing zeros dropped
/// ("PT13.67S", "PT252.318S", "PT0S"). Negative durations are written as 0.
BWVOICE_API std::string format_iso8601_duration(std::chrono::milliseconds d);

/// The metadata of one conference recording. The API marks no field required,
/// so every field is optional, except `recordingId`: a recording without one
/// cannot be told apart from another, and its absence is a bad_response.
struct RecordingMetadata {
    std::optional<std::string> account_id;     ///< `accountId`
    std::optional<std::string> conference_id;  ///< `conferenceId`
    std::optional<std::string> name;           ///< `name`: the conference's name
    std::string recording_id;                  ///< `recordingId`
    /// `duration`, as the API wrote it: an ISO 8601 duration ("PT13.67S");
    /// parse_iso8601_duration() gives its length. Kept as text because the
    /// API's schema says only "string": an answer whose duration is not
    /// ISO 8601 still decodes (and is printed as sent).
    std::optional<std::string> duration;
    std::optional<std::int32_t> channels;   ///< `channels`
    std::optional<Timestamp> start_time;    ///< `startTime`
    std::optional<Timestamp> end_time;      ///< `endTime`
    std::optional<FileFormat> file_format;  ///< `fileFormat`
    /// `status`: an open set ("processing", "partial", "complete", "deleted",
    /// "error", and whatever the API adds), kept as sent.
    std::optional<std::string> status;
    std::optional<std::string> media_url;       ///< `mediaUrl`; present once downloadable.
    std::optional<std::string> recording_name;  ///< `recordingName`

    /// Field by field.
    friend bool operator==(const RecordingMetadata&, const RecordingMetadata&) = default;
};

/// Decodes one recording's metadata from JSON text. Unknown fields are
/// ignored; null reads as absent. A syntax error ("invalid JSON: ..."), a
/// field of the wrong type ("channels: expected an integer"; `channels` must
/// be a JSON integer within int32, else "channels: out of range"), an invalid
/// timestamp ("startTime: not a valid date-time") or duration ("duration: not
/// a valid ISO 8601 duration"), or a missing or null `recordingId` is
/// errc::bad_response, with a message naming the field in `why` if given.
/// `out` is untouched on failure.
BWVOICE_API error_code parse_recording_metadata(std::string_view json_text, RecordingMetadata& out,
                                                std::string* why = nullptr);
/// The same from an already parsed JSON value.
BWVOICE_API error_code recording_metadata_from_json(const boost::json::value& v, RecordingMetadata& out,
                                                    std::string* why = nullptr);
/// A JSON array of them (List Conference Recordings), possibly empty. The
/// first element that breaks the rules fails the list, `why` naming it
/// ("[2].duration: ...", "[2]: expected an object"); not an array is "top
/// level: expected an array". `out` is untouched on failure.
BWVOICE_API error_code parse_recording_list(std::string_view json_text, std::vector<RecordingMetadata>& out,
                                            std::string* why = nullptr);

/// JSON with the API's field names, in the schema's order; absent fields
/// (and FileFormat::unknown) are omitted. `duration` is written as the API
/// sent it (it is kept as text), times by format_timestamp (UTC,
/// milliseconds).
BWVOICE_API void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const RecordingMetadata& r);
/// Compact JSON text, as `bwconf recording` prints it.
BWVOICE_API std::string to_json(const RecordingMetadata& r);

}  // namespace bwvoice

#endif
