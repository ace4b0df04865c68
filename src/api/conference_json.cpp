// bwvoice: the conference model to and from JSON (Boost.JSON).
//
// Decoding is strict about types and lenient about presence: the spec marks
// no field required, but a conference without id, name or createdTime (or a
// member without callId) is useless to every caller, so those are required.
// Every other field may be absent or null; when it is there it must have the
// right type. Each failure names the field's path so a bad_response can be
// diagnosed from the message alone (json_read.hpp).
#include <bwvoice/conference.hpp>

#include "api/json_read.hpp"
#include "api/json_write.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace bwvoice {
namespace {

namespace json = boost::json;
using namespace json_read;

error_code read_event_method(const json::object& o, const Path& at, std::optional<EventMethod>& out, std::string* why) {
    constexpr std::string_view key = "conferenceEventMethod";
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_string()) return fail(why, field(at, key), "expected a string");
    // The API may add methods; one this library does not know is not an error.
    const std::string_view text{v->get_string().data(), v->get_string().size()};
    out = parse_event_method(text).value_or(EventMethod::unknown);
    return {};
}

error_code read_coached_calls(const json::object& o, const Path& at, std::vector<std::string>& out, std::string* why) {
    constexpr std::string_view key = "callIdsToCoach";
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_array()) return fail(why, field(at, key), "expected an array");
    const json::array& a = v->get_array();
    out.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string()) return fail(why, element(field(at, key), i), "expected a string");
        out.emplace_back(a[i].get_string().data(), a[i].get_string().size());
    }
    return {};
}

error_code decode_member(const json::value& v, const Path& at, ConferenceMember& m, std::string* why) {
    if (!v.is_object()) return fail(why, at, "expected an object");
    const json::object& o = v.get_object();
    if (auto ec = required_string(o, at, "callId", m.call_id, why)) return ec;
    if (auto ec = optional_string(o, at, "conferenceId", m.conference_id, why)) return ec;
    if (auto ec = optional_string(o, at, "memberUrl", m.member_url, why)) return ec;
    if (auto ec = optional_bool(o, at, "mute", m.mute, why)) return ec;
    if (auto ec = optional_bool(o, at, "hold", m.hold, why)) return ec;
    return read_coached_calls(o, at, m.call_ids_to_coach, why);
}

error_code read_members(const json::object& o, const Path& at, std::vector<ConferenceMember>& out, std::string* why) {
    constexpr std::string_view key = "activeMembers";
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_array()) return fail(why, field(at, key), "expected an array");
    const json::array& a = v->get_array();
    const Path members = field(at, key);
    out.resize(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        if (auto ec = decode_member(a[i], element(members, i), out[i], why)) return ec;
    return {};
}

error_code decode_conference(const json::value& v, const Path& at, Conference& c, std::string* why) {
    if (!v.is_object()) return fail(why, at, "expected an object");
    const json::object& o = v.get_object();
    if (auto ec = required_string(o, at, "id", c.id, why)) return ec;
    if (auto ec = required_string(o, at, "name", c.name, why)) return ec;
    if (auto ec = required_timestamp(o, at, "createdTime", c.created_time, why)) return ec;
    if (auto ec = optional_timestamp(o, at, "completedTime", c.completed_time, why)) return ec;
    if (auto ec = optional_string(o, at, "conferenceEventUrl", c.conference_event_url, why)) return ec;
    if (auto ec = read_event_method(o, at, c.conference_event_method, why)) return ec;
    if (auto ec = optional_string(o, at, "tag", c.tag, why)) return ec;
    return read_members(o, at, c.active_members, why);
}

json::value optional_string_value(const std::optional<std::string>& s, const json::storage_ptr& sp) {
    if (!s) return json::value(nullptr, sp);
    return json::value(json::string(*s, sp));
}

json::value optional_bool_value(const std::optional<bool>& b, const json::storage_ptr& sp) {
    if (!b) return json::value(nullptr, sp);
    return json::value(*b, sp);
}

}  // namespace

error_code member_from_json(const json::value& v, ConferenceMember& out, std::string* why) {
    // Decode into a fresh object so `out` is untouched when decoding fails.
    ConferenceMember m;
    if (auto ec = decode_member(v, Path{}, m, why)) return ec;
    out = std::move(m);
    return {};
}

error_code conference_from_json(const json::value& v, Conference& out, std::string* why) {
    Conference c;
    if (auto ec = decode_conference(v, Path{}, c, why)) return ec;
    out = std::move(c);
    return {};
}

// parse_conference is in conference_reader.cpp: a streaming decoder for the hot path.

error_code parse_member(std::string_view json_text, ConferenceMember& out, std::string* why) {
    // A member is small: the DOM lives in a stack buffer as long as it fits.
    std::array<unsigned char, 4096> storage;
    json::monotonic_resource resource(storage.data(), storage.size());
    json::value doc(&resource);
    if (auto ec = parse_document(json_text, doc, why)) return ec;
    return member_from_json(doc, out, why);
}

error_code parse_conference_list(std::string_view json_text, std::vector<Conference>& out, std::string* why) {
    // The DOM is dropped whole at the end: a monotonic resource spares the
    // allocator one call per value freed.
    json::monotonic_resource resource;
    json::value doc(&resource);
    if (auto ec = parse_document(json_text, doc, why)) return ec;
    // List items omit activeMembers; should one have them, they are decoded
    // with the same rules as a single conference's.
    return array_of(doc, out, why, decode_conference);
}

void tag_invoke(json::value_from_tag, json::value& v, const ConferenceMember& m) {
    const json::storage_ptr sp = v.storage();  // a copy: emplace_object rebuilds v
    json::object& o = v.emplace_object();
    o.reserve(6);
    o.emplace("callId", json::string(m.call_id, sp));
    o.emplace("conferenceId", optional_string_value(m.conference_id, sp));
    o.emplace("memberUrl", optional_string_value(m.member_url, sp));
    o.emplace("mute", optional_bool_value(m.mute, sp));
    o.emplace("hold", optional_bool_value(m.hold, sp));
    json::array& coached = o.emplace("callIdsToCoach", json::array(sp)).first->value().get_array();
    coached.reserve(m.call_ids_to_coach.size());
    for (const auto& id : m.call_ids_to_coach) coached.emplace_back(json::string(id, sp));
}

void tag_invoke(json::value_from_tag tag, json::value& v, const Conference& c) {
    const json::storage_ptr sp = v.storage();  // a copy: emplace_object rebuilds v
    json::object& o = v.emplace_object();
    o.reserve(8);
    o.emplace("id", json::string(c.id, sp));
    o.emplace("name", json::string(c.name, sp));
    o.emplace("createdTime", json::string(format_timestamp(c.created_time), sp));
    // The API omits completedTime while a conference is live; mirror it.
    if (c.completed_time) o.emplace("completedTime", json::string(format_timestamp(*c.completed_time), sp));
    o.emplace("conferenceEventUrl", optional_string_value(c.conference_event_url, sp));
    // An unknown method has no text to send back: it is written as null.
    if (c.conference_event_method && *c.conference_event_method != EventMethod::unknown)
        o.emplace("conferenceEventMethod", json::string(to_string(*c.conference_event_method), sp));
    else
        o.emplace("conferenceEventMethod", nullptr);
    o.emplace("tag", optional_string_value(c.tag, sp));
    json::array& members = o.emplace("activeMembers", json::array(sp)).first->value().get_array();
    members.reserve(c.active_members.size());
    for (const auto& m : c.active_members) tag_invoke(tag, members.emplace_back(nullptr), m);
}

std::string to_json(const Conference& c) {
    return json_write::compact(c);
}

std::string to_json(const ConferenceMember& m) {
    return json_write::compact(m);
}

}  // namespace bwvoice
