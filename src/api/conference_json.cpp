// bwvoice: the conference model to and from JSON (Boost.JSON).
//
// Decoding is strict about types and lenient about presence: the spec marks
// no field required, but a conference without id, name or createdTime (or a
// member without callId) is useless to every caller, so those are required.
// Every other field may be absent or null; when it is there it must have the
// right type. Each failure names the field's path so a bad_response can be
// diagnosed from the message alone.
#include <bwvoice/conference.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace bwvoice {
namespace {

namespace json = boost::json;

/// Where a field lives, built into a message only when something is wrong,
/// so the successful path never allocates for it.
struct Path {
    const Path* parent = nullptr;
    std::string_view key;           // empty for an array element
    std::size_t index = 0;

    void append_to(std::string& out) const {
        if (parent) parent->append_to(out);
        if (!key.empty()) {
            if (!out.empty()) out += '.';
            out.append(key);
        } else if (parent) {
            out += '[';
            out += std::to_string(index);
            out += ']';
        }
    }
};

Path field(const Path& parent, std::string_view key) { return {&parent, key, 0}; }
Path element(const Path& parent, std::size_t index) { return {&parent, {}, index}; }

/// Reports a decoding failure; always returns bad_response.
error_code fail(std::string* why, const Path& at, std::string_view problem) {
    if (why) {
        why->clear();
        at.append_to(*why);
        if (why->empty()) why->assign("top level");
        why->append(": ").append(problem);
    }
    return errc::bad_response;
}

/// A present, non-null field, or nullptr for absent and null alike.
const json::value* present(const json::object& o, std::string_view key) noexcept {
    const json::value* v = o.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

error_code read_required_string(const json::object& o, const Path& at, std::string_view key, std::string& out,
                                std::string* why) {
    const json::value* v = o.if_contains(key);
    if (!v) return fail(why, field(at, key), "missing");
    if (!v->is_string()) return fail(why, field(at, key), "expected a string");
    const json::string& s = v->get_string();
    out.assign(s.data(), s.size());
    return {};
}

error_code read_optional_string(const json::object& o, const Path& at, std::string_view key,
                                std::optional<std::string>& out, std::string* why) {
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_string()) return fail(why, field(at, key), "expected a string");
    const json::string& s = v->get_string();
    out.emplace(s.data(), s.size());
    return {};
}

error_code read_optional_bool(const json::object& o, const Path& at, std::string_view key, std::optional<bool>& out,
                              std::string* why) {
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_bool()) return fail(why, field(at, key), "expected a boolean");
    out = v->get_bool();
    return {};
}

error_code read_timestamp(const json::value& v, const Path& at, Timestamp& out, std::string* why) {
    if (!v.is_string()) return fail(why, at, "expected a string");
    const json::string& s = v.get_string();
    const auto t = parse_timestamp({s.data(), s.size()});
    if (!t) return fail(why, at, "not a valid date-time");
    out = *t;
    return {};
}

error_code read_created_time(const json::object& o, const Path& at, Timestamp& out, std::string* why) {
    constexpr std::string_view key = "createdTime";
    const json::value* v = o.if_contains(key);
    if (!v) return fail(why, field(at, key), "missing");
    return read_timestamp(*v, field(at, key), out, why);
}

error_code read_completed_time(const json::object& o, const Path& at, std::optional<Timestamp>& out,
                               std::string* why) {
    constexpr std::string_view key = "completedTime";
    const json::value* v = present(o, key);
    if (!v) return {};
    Timestamp t{};
    if (auto ec = read_timestamp(*v, field(at, key), t, why)) return ec;
    out = t;
    return {};
}

error_code read_event_method(const json::object& o, const Path& at, std::optional<EventMethod>& out,
                             std::string* why) {
    constexpr std::string_view key = "conferenceEventMethod";
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_string()) return fail(why, field(at, key), "expected a string");
    // The API may add methods; one this library does not know is not an error.
    const std::string_view text{v->get_string().data(), v->get_string().size()};
    out = parse_event_method(text).value_or(EventMethod::unknown);
    return {};
}

error_code read_coached_calls(const json::object& o, const Path& at, std::vector<std::string>& out,
                              std::string* why) {
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
    if (auto ec = read_required_string(o, at, "callId", m.call_id, why)) return ec;
    if (auto ec = read_optional_string(o, at, "conferenceId", m.conference_id, why)) return ec;
    if (auto ec = read_optional_string(o, at, "memberUrl", m.member_url, why)) return ec;
    if (auto ec = read_optional_bool(o, at, "mute", m.mute, why)) return ec;
    if (auto ec = read_optional_bool(o, at, "hold", m.hold, why)) return ec;
    return read_coached_calls(o, at, m.call_ids_to_coach, why);
}

error_code read_members(const json::object& o, const Path& at, std::vector<ConferenceMember>& out,
                        std::string* why) {
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

error_code decode_conference(const json::value& v, Conference& c, std::string* why) {
    const Path root{};
    if (!v.is_object()) return fail(why, root, "expected an object");
    const json::object& o = v.get_object();
    if (auto ec = read_required_string(o, root, "id", c.id, why)) return ec;
    if (auto ec = read_required_string(o, root, "name", c.name, why)) return ec;
    if (auto ec = read_created_time(o, root, c.created_time, why)) return ec;
    if (auto ec = read_completed_time(o, root, c.completed_time, why)) return ec;
    if (auto ec = read_optional_string(o, root, "conferenceEventUrl", c.conference_event_url, why)) return ec;
    if (auto ec = read_event_method(o, root, c.conference_event_method, why)) return ec;
    if (auto ec = read_optional_string(o, root, "tag", c.tag, why)) return ec;
    return read_members(o, root, c.active_members, why);
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

std::optional<EventMethod> parse_event_method(std::string_view text) noexcept {
    // Java's SDK matches callbackMethodEnum case-insensitively; so do we.
    auto equals_ignoring_case = [](std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
            if (lower(a[i]) != lower(b[i])) return false;
        }
        return true;
    };
    if (equals_ignoring_case(text, "GET")) return EventMethod::get;
    if (equals_ignoring_case(text, "POST")) return EventMethod::post;
    return std::nullopt;
}

std::string_view to_string(EventMethod m) noexcept {
    switch (m) {
        case EventMethod::get: return "GET";
        case EventMethod::post: return "POST";
        case EventMethod::unknown: break;
    }
    return "unknown";
}

error_code member_from_json(const json::value& v, ConferenceMember& out, std::string* why) {
    // Decode into a fresh object so `out` is untouched when decoding fails.
    ConferenceMember m;
    if (auto ec = decode_member(v, Path{}, m, why)) return ec;
    out = std::move(m);
    return {};
}

error_code conference_from_json(const json::value& v, Conference& out, std::string* why) {
    Conference c;
    if (auto ec = decode_conference(v, c, why)) return ec;
    out = std::move(c);
    return {};
}

// parse_conference is in conference_reader.cpp: a streaming decoder for the hot path.

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
    // The value only lives for this call; a stack-backed monotonic resource
    // spares the allocator one call per string.
    std::array<unsigned char, 8192> storage;
    json::monotonic_resource resource(storage.data(), storage.size());
    json::value v(&resource);
    tag_invoke(json::value_from_tag{}, v, c);
    return json::serialize(v);
}

}  // namespace bwvoice
