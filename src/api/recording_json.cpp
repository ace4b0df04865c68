// bwvoice: a conference recording's metadata to and from JSON (Boost.JSON).
//
// The rules of json_read.hpp: `recordingId` is required (a recording without
// one cannot be told from another); every other field may be absent or null
// and must have the right type when present: `duration` a string (kept as
// sent; parse_iso8601_duration in iso_duration.cpp reads it), `channels` an integer within int32, the times RFC 3339
// date-times. A `fileFormat` this library does not know is FileFormat::unknown
// and a `status` is kept as sent: the API says both sets may grow.
#include <bwvoice/recording.hpp>

#include "api/json_read.hpp"
#include "api/json_write.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <array>

namespace bwvoice {
namespace {

namespace json = boost::json;
using namespace json_read;

error_code read_duration(const json::object& o, const Path& at, std::optional<std::string>& out, std::string* why) {
    constexpr std::string_view key = "duration";
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_string()) return fail(why, field(at, key), "expected a string");
    // Kept as text, not parsed here: the schema says only "string" (see RecordingMetadata::duration).
    out.emplace(v->get_string().data(), v->get_string().size());
    return {};
}

error_code read_file_format(const json::object& o, const Path& at, std::optional<FileFormat>& out, std::string* why) {
    constexpr std::string_view key = "fileFormat";
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_string()) return fail(why, field(at, key), "expected a string");
    out = parse_file_format({v->get_string().data(), v->get_string().size()});
    return {};
}

error_code decode_recording(const json::value& v, const Path& at, RecordingMetadata& r, std::string* why) {
    if (!v.is_object()) return fail(why, at, "expected an object");
    const json::object& o = v.get_object();
    if (auto ec = optional_string(o, at, "accountId", r.account_id, why)) return ec;
    if (auto ec = optional_string(o, at, "conferenceId", r.conference_id, why)) return ec;
    if (auto ec = optional_string(o, at, "name", r.name, why)) return ec;
    if (auto ec = required_string(o, at, "recordingId", r.recording_id, why)) return ec;
    if (auto ec = read_duration(o, at, r.duration, why)) return ec;
    if (auto ec = optional_int32(o, at, "channels", r.channels, why)) return ec;
    if (auto ec = optional_timestamp(o, at, "startTime", r.start_time, why)) return ec;
    if (auto ec = optional_timestamp(o, at, "endTime", r.end_time, why)) return ec;
    if (auto ec = read_file_format(o, at, r.file_format, why)) return ec;
    if (auto ec = optional_string(o, at, "status", r.status, why)) return ec;
    if (auto ec = optional_string(o, at, "mediaUrl", r.media_url, why)) return ec;
    return optional_string(o, at, "recordingName", r.recording_name, why);
}

void put_string(json::object& o, std::string_view key, const std::optional<std::string>& s) {
    if (s) o.emplace(key, json::string(*s, o.storage()));
}

void put_timestamp(json::object& o, std::string_view key, const std::optional<Timestamp>& t) {
    if (t) o.emplace(key, json::string(format_timestamp(*t), o.storage()));
}

}  // namespace

error_code recording_metadata_from_json(const json::value& v, RecordingMetadata& out, std::string* why) {
    // Decode into a fresh object so `out` is untouched when decoding fails.
    RecordingMetadata r;
    if (auto ec = decode_recording(v, Path{}, r, why)) return ec;
    out = std::move(r);
    return {};
}

error_code parse_recording_metadata(std::string_view json_text, RecordingMetadata& out, std::string* why) {
    // One recording is small: the DOM lives in a stack buffer as long as it fits.
    std::array<unsigned char, 4096> storage;
    json::monotonic_resource resource(storage.data(), storage.size());
    json::value doc(&resource);
    if (auto ec = parse_document(json_text, doc, why)) return ec;
    return recording_metadata_from_json(doc, out, why);
}

error_code parse_recording_list(std::string_view json_text, std::vector<RecordingMetadata>& out, std::string* why) {
    json::monotonic_resource resource;
    json::value doc(&resource);
    if (auto ec = parse_document(json_text, doc, why)) return ec;
    return array_of(doc, out, why, decode_recording);
}

void tag_invoke(json::value_from_tag, json::value& v, const RecordingMetadata& r) {
    json::object& o = v.emplace_object();
    o.reserve(12);
    put_string(o, "accountId", r.account_id);
    put_string(o, "conferenceId", r.conference_id);
    put_string(o, "name", r.name);
    o.emplace("recordingId", json::string(r.recording_id, o.storage()));
    if (r.duration) o.emplace("duration", json::string(*r.duration, o.storage()));
    if (r.channels) o.emplace("channels", *r.channels);
    put_timestamp(o, "startTime", r.start_time);
    put_timestamp(o, "endTime", r.end_time);
    // An unknown format has no text to write back: omitted, as if absent.
    if (r.file_format && *r.file_format != FileFormat::unknown)
        o.emplace("fileFormat", json::string(to_string(*r.file_format), o.storage()));
    put_string(o, "status", r.status);
    put_string(o, "mediaUrl", r.media_url);
    put_string(o, "recordingName", r.recording_name);
}

std::string to_json(const RecordingMetadata& r) {
    return json_write::compact(r);
}

}  // namespace bwvoice
