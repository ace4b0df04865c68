// bwvoice: parse_conference, a streaming (SAX) decoder of the conference JSON.
//
// This is the hot path of every lookup, so the text goes straight into the
// Conference with Boost.JSON's basic_parser: no DOM is built and no key is
// looked up in a hash table. The rules are those of conference_from_json
// (conference_json.cpp): id, name and createdTime (and a member's callId) are
// required; every other field may be absent or null, and must have the right
// type when present; unknown fields are ignored. A JSON syntax error is
// reported before any field error, as the DOM decoder does; a document that
// breaks a rule, or repeats a key, is decoded again by the DOM decoder, so
// both always agree on the verdict and the message.
#include <bwvoice/conference.hpp>

#include "api/json_read.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bwvoice {
namespace {

namespace json = boost::json;
using json_string_view = json::string_view;

enum class Field : std::uint8_t {
    unknown,
    id,
    name,
    created_time,
    completed_time,
    event_url,
    event_method,
    tag,
    active_members,
    call_id,
    conference_id,
    member_url,
    mute,
    hold,
    call_ids_to_coach,
};

Field conference_field(std::string_view k) noexcept {
    if (k == "id") return Field::id;
    if (k == "name") return Field::name;
    if (k == "createdTime") return Field::created_time;
    if (k == "completedTime") return Field::completed_time;
    if (k == "conferenceEventUrl") return Field::event_url;
    if (k == "conferenceEventMethod") return Field::event_method;
    if (k == "tag") return Field::tag;
    if (k == "activeMembers") return Field::active_members;
    return Field::unknown;
}

Field member_field(std::string_view k) noexcept {
    if (k == "callId") return Field::call_id;
    if (k == "conferenceId") return Field::conference_id;
    if (k == "memberUrl") return Field::member_url;
    if (k == "mute") return Field::mute;
    if (k == "hold") return Field::hold;
    if (k == "callIdsToCoach") return Field::call_ids_to_coach;
    return Field::unknown;
}

/// What the value being read belongs to.
enum class Where : std::uint8_t { root, conference, members, member, coached };

class ConferenceHandler {
public:
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

    explicit ConferenceHandler(Conference& out) : c_(out) {}

    /// Whether some field broke the rules; the DOM decoder then says which.
    bool failed() const noexcept { return failed_; }
    /// Whether a known key appeared twice in one object. The DOM keeps the
    /// last one, whose verdict this one-pass decoder cannot reproduce.
    bool saw_duplicate_keys() const noexcept { return duplicate_keys_; }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }

    bool on_object_begin(json::error_code&) {
        if (failed_) return true;
        if (skipping_value()) return enter_skipped();
        switch (where_) {
        case Where::root: where_ = Where::conference; return true;
        case Where::conference:
        case Where::member: return value_is_wrong_type();
        case Where::members:
            c_.active_members.emplace_back();
            member_seen_call_id_ = false;
            member_keys_ = 0;
            where_ = Where::member;
            return true;
        case Where::coached: return fail();
        }
        return true;
    }

    bool on_object_end(std::size_t, json::error_code&) {
        if (skip_ > 0) return leave_skipped();
        if (failed_) return true;
        if (where_ == Where::conference) {
            if (!seen_id_) return fail();
            if (!seen_name_) return fail();
            if (!seen_created_) return fail();
            where_ = Where::root;
        } else if (where_ == Where::member) {
            if (!member_seen_call_id_) return fail();
            where_ = Where::members;
        }
        return true;
    }

    bool on_array_begin(json::error_code&) {
        if (failed_) return true;
        if (skipping_value()) return enter_skipped();
        switch (where_) {
        case Where::root: return fail();
        case Where::conference:
            if (key_ == Field::active_members) {
                where_ = Where::members;
                c_.active_members.clear();
                return true;
            }
            return value_is_wrong_type();
        case Where::member:
            if (key_ == Field::call_ids_to_coach) {
                where_ = Where::coached;
                c_.active_members.back().call_ids_to_coach.clear();
                return true;
            }
            return value_is_wrong_type();
        case Where::members: return fail();
        case Where::coached: return fail();
        }
        return true;
    }

    bool on_array_end(std::size_t, json::error_code&) {
        if (skip_ > 0) return leave_skipped();
        if (failed_) return true;
        if (where_ == Where::members)
            where_ = Where::conference;
        else if (where_ == Where::coached)
            where_ = Where::member;
        return true;
    }

    bool on_key_part(json_string_view s, std::size_t, json::error_code&) {
        if (skip_ == 0 && !failed_) part_.append(s.data(), s.size());
        return true;
    }

    bool on_key(json_string_view s, std::size_t, json::error_code&) {
        if (skip_ > 0 || failed_) return true;
        std::string_view k(s.data(), s.size());
        if (!part_.empty()) {
            part_.append(k);
            k = part_;
        }
        key_ = where_ == Where::conference ? conference_field(k) : member_field(k);
        part_.clear();
        if (key_ != Field::unknown) {
            auto& seen = where_ == Where::conference ? conference_keys_ : member_keys_;
            const auto bit = 1u << static_cast<unsigned>(key_);
            if (seen & bit) duplicate_keys_ = true;
            seen |= bit;
        }
        return true;
    }

    bool on_string_part(json_string_view s, std::size_t, json::error_code&) {
        if (skip_ == 0 && !failed_) part_.append(s.data(), s.size());
        return true;
    }

    bool on_string(json_string_view s, std::size_t, json::error_code&) {
        if (skip_ > 0 || failed_) return true;
        std::string_view v(s.data(), s.size());
        if (!part_.empty()) {
            part_.append(v);
            v = part_;
        }
        const bool ok = string_value(v);
        part_.clear();
        return ok;
    }

    bool on_number_part(json_string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t, json_string_view, json::error_code&) { return scalar(); }
    bool on_uint64(std::uint64_t, json_string_view, json::error_code&) { return scalar(); }
    bool on_double(double, json_string_view, json::error_code&) { return scalar(); }

    bool on_bool(bool b, json::error_code&) {
        if (skip_ > 0 || failed_) return true;
        if (where_ == Where::member && (key_ == Field::mute || key_ == Field::hold)) {
            (key_ == Field::mute ? c_.active_members.back().mute : c_.active_members.back().hold) = b;
            return true;
        }
        return scalar();
    }

    bool on_null(json::error_code&) {
        if (skip_ > 0 || failed_) return true;
        switch (where_) {
        case Where::root: return fail();
        case Where::members: return fail();
        case Where::coached: return fail();
        case Where::conference:
            switch (key_) {
            // Required fields may not be null; the others read null as absent.
            case Field::id:
            case Field::name:
            case Field::created_time: return value_is_wrong_type();
            case Field::completed_time: c_.completed_time.reset(); return true;
            case Field::event_url: c_.conference_event_url.reset(); return true;
            case Field::event_method: c_.conference_event_method.reset(); return true;
            case Field::tag: c_.tag.reset(); return true;
            case Field::active_members: c_.active_members.clear(); return true;
            default: return true;
            }
        case Where::member: {
            auto& m = c_.active_members.back();
            switch (key_) {
            case Field::call_id: return value_is_wrong_type();
            case Field::conference_id: m.conference_id.reset(); return true;
            case Field::member_url: m.member_url.reset(); return true;
            case Field::mute: m.mute.reset(); return true;
            case Field::hold: m.hold.reset(); return true;
            case Field::call_ids_to_coach: m.call_ids_to_coach.clear(); return true;
            default: return true;
            }
        }
        }
        return true;
    }

    bool on_comment_part(json_string_view, json::error_code&) { return true; }
    bool on_comment(json_string_view, json::error_code&) { return true; }

private:
    // Field errors do not stop the parser: it goes on to the end so that a
    // syntax error later in the text is still the one reported. Which field
    // and why is for the DOM decoder to say: parse_conference falls back to it.
    bool fail() {
        failed_ = true;
        return true;
    }

    /// An object, array, number or wrong scalar where the key wants something else.
    bool value_is_wrong_type() { return key_ == Field::unknown ? true : fail(); }

    bool scalar() {
        if (skip_ > 0 || failed_) return true;
        switch (where_) {
        case Where::root: return fail();
        case Where::members: return fail();
        case Where::coached: return fail();
        default: return value_is_wrong_type();
        }
    }

    /// Objects and arrays inside an unknown field are skipped whole.
    bool skipping_value() const noexcept {
        return skip_ > 0 || ((where_ == Where::conference || where_ == Where::member) && key_ == Field::unknown);
    }

    bool enter_skipped() {
        ++skip_;
        return true;
    }

    bool leave_skipped() {
        --skip_;
        return true;
    }

    bool string_value(std::string_view v) {
        switch (where_) {
        case Where::root: return fail();
        case Where::members: return fail();
        case Where::coached: c_.active_members.back().call_ids_to_coach.emplace_back(v); return true;
        case Where::conference: return conference_string(v);
        case Where::member: return member_string(v);
        }
        return true;
    }

    bool conference_string(std::string_view v) {
        switch (key_) {
        case Field::id:
            c_.id.assign(v);
            seen_id_ = true;
            return true;
        case Field::name:
            c_.name.assign(v);
            seen_name_ = true;
            return true;
        case Field::created_time:
            if (auto t = parse_timestamp(v)) {
                c_.created_time = *t;
                seen_created_ = true;
                return true;
            }
            return fail();
        case Field::completed_time:
            if (auto t = parse_timestamp(v)) {
                c_.completed_time = *t;
                return true;
            }
            return fail();
        case Field::event_url: c_.conference_event_url.emplace(v); return true;
        case Field::tag: c_.tag.emplace(v); return true;
        case Field::event_method:
            // As in the DOM decoder: a method this library does not know is not an error.
            c_.conference_event_method = parse_event_method(v).value_or(EventMethod::unknown);
            return true;
        case Field::active_members: return value_is_wrong_type();
        default: return true;
        }
    }

    bool member_string(std::string_view v) {
        auto& m = c_.active_members.back();
        switch (key_) {
        case Field::call_id:
            m.call_id.assign(v);
            member_seen_call_id_ = true;
            return true;
        case Field::conference_id: m.conference_id.emplace(v); return true;
        case Field::member_url: m.member_url.emplace(v); return true;
        case Field::mute:
        case Field::hold:
        case Field::call_ids_to_coach: return value_is_wrong_type();
        default: return true;
        }
    }

    Conference& c_;
    Where where_ = Where::root;
    Field key_ = Field::unknown;
    std::size_t skip_ = 0;
    std::string part_;
    bool failed_ = false;
    bool seen_id_ = false, seen_name_ = false, seen_created_ = false, member_seen_call_id_ = false;
    bool duplicate_keys_ = false;
    std::uint32_t conference_keys_ = 0, member_keys_ = 0;
};

}  // namespace

error_code parse_conference(std::string_view json_text, Conference& out, std::string* why) {
    Conference c;
    json::basic_parser<ConferenceHandler> parser(json::parse_options{}, c);
    json::error_code ec;
    const std::size_t used = parser.write_some(false, json_text.data(), json_text.size(), ec);
    if (!ec && used != json_text.size()) ec = json::error::extra_data;
    if (ec) {
        if (why) *why = "invalid JSON: " + ec.message();
        return errc::bad_response;
    }
    if (parser.handler().failed() || parser.handler().saw_duplicate_keys()) {
        // Rare enough to take the slow, exact path: the DOM decoder's verdict
        // and message, where the last of duplicate keys wins.
        json::value dom;
        if (auto dom_ec = json_read::parse_document(json_text, dom, why)) return dom_ec;
        return conference_from_json(dom, out, why);
    }
    out = std::move(c);
    return {};
}

}  // namespace bwvoice
