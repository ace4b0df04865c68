/// @file
/// The conference model of the Voice API and its JSON form.
#ifndef BWVOICE_CONFERENCE_HPP
#define BWVOICE_CONFERENCE_HPP

#include <bwvoice/export.hpp>

#include <bwvoice/error.hpp>

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bwvoice {

/// Instants as the API gives them: UTC, millisecond precision.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// HTTP method Bandwidth uses for conference webhooks (`callbackMethodEnum`).
/// The API may add methods: a value this library does not know decodes as
/// `unknown` (and encodes as null), never as an error.
enum class EventMethod {
    get,      ///< `GET`
    post,     ///< `POST` (the API's default)
    unknown,  ///< A method this library does not know.
};

/// "GET" or "POST"; "unknown".
BWVOICE_API std::string_view to_string(EventMethod m) noexcept;

/// "GET" or "POST" in any letter case (as the API's own SDKs accept it); nullopt otherwise.
BWVOICE_API std::optional<EventMethod> parse_event_method(std::string_view text) noexcept;

/// A member of a conference (`conferenceMember`). `callId` is required; the
/// API marks no other field required, so absent ones are empty optionals.
struct ConferenceMember {
    std::string call_id;                         ///< `callId`, also the member's ID.
    std::optional<std::string> conference_id;    ///< `conferenceId`
    std::optional<std::string> member_url;       ///< `memberUrl`
    std::optional<bool> mute;                    ///< `mute`
    std::optional<bool> hold;                    ///< `hold`
    std::vector<std::string> call_ids_to_coach;  ///< `callIdsToCoach`; null and absent read as empty.

    /// Field by field.
    friend bool operator==(const ConferenceMember&, const ConferenceMember&) = default;
};

/// A conference (`conference`), as returned by Get Conference Information.
/// `id`, `name` and `createdTime` are required: a response without them is a
/// bad_response, never a conference with empty fields.
struct Conference {
    std::string id;                                      ///< `id`
    std::string name;                                    ///< `name`
    Timestamp created_time{};                            ///< `createdTime`
    std::optional<Timestamp> completed_time;             ///< `completedTime`; empty while live.
    std::optional<std::string> conference_event_url;     ///< `conferenceEventUrl`
    std::optional<EventMethod> conference_event_method;  ///< `conferenceEventMethod`
    std::optional<std::string> tag;                      ///< `tag`
    std::vector<ConferenceMember> active_members;        ///< `activeMembers`; null and absent read as empty.

    /// Field by field.
    friend bool operator==(const Conference&, const Conference&) = default;
};

/// Parses an RFC 3339 / ISO 8601 date-time ("2026-11-28T15:02:11.482Z",
/// "2026-11-28T16:02:11+01:00"): any number of fractional digits (truncated
/// to milliseconds), `Z` or a numeric offset, normalised to UTC. Returns
/// nullopt for anything else, including impossible dates.
BWVOICE_API std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept;

/// Formats as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, milliseconds), the API's own form.
BWVOICE_API std::string format_timestamp(Timestamp t);

/// Decodes a conference from JSON text. Unknown fields are ignored. On a
/// syntax error, a missing required field or a field of the wrong type it
/// returns errc::bad_response and, if `why` is given, writes a message that
/// names the field (for example "activeMembers[1].callId: missing").
BWVOICE_API error_code parse_conference(std::string_view json_text, Conference& out, std::string* why = nullptr);

/// The same from an already parsed JSON value.
BWVOICE_API error_code conference_from_json(const boost::json::value& v, Conference& out, std::string* why = nullptr);
/// A member from an already parsed JSON value, with parse_member's rules.
BWVOICE_API error_code member_from_json(const boost::json::value& v, ConferenceMember& out, std::string* why = nullptr);

/// Decodes one member (Get Conference Member) from JSON text, with the rules
/// of parse_conference (`callId` required); `out` is untouched on failure.
BWVOICE_API error_code parse_member(std::string_view json_text, ConferenceMember& out, std::string* why = nullptr);

/// Decodes a JSON array of conferences (a page of List Conferences, whose
/// items omit `activeMembers`; an item that has them gets them decoded with
/// the same rules). Each item follows parse_conference's rules, and the first
/// item that breaks them fails the whole list, `why` naming it
/// ("[3].createdTime: not a valid date-time", "[3]: expected an object"); a
/// document that is not an array is "top level: expected an array". `out` is
/// untouched on failure.
BWVOICE_API error_code parse_conference_list(std::string_view json_text, std::vector<Conference>& out,
                                             std::string* why = nullptr);

/// JSON with the API's field names, for boost::json::value_from. Absent
/// optionals are written as null, except `completedTime`, which is omitted
/// when absent (as the API does for a live conference); EventMethod::unknown
/// is written as null too. An absent or null `callIdsToCoach` or
/// `activeMembers` is written as [].
BWVOICE_API void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const ConferenceMember& m);
/// A conference as JSON, with the same rules (its members written as above).
BWVOICE_API void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const Conference& c);

/// Compact JSON text of a conference, as `bwconf get` prints it.
BWVOICE_API std::string to_json(const Conference& c);
/// Compact JSON text of a member, as `bwconf member` prints it.
BWVOICE_API std::string to_json(const ConferenceMember& m);

}  // namespace bwvoice

#endif
