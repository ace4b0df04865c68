// Fuzz target: JSON text to the conference model (issue 5, "Fuzzing").
//
// Feeds arbitrary bytes to every decoder of include/bwvoice/conference.hpp and
// checks what must hold for any input, not just that nothing crashes:
//  - parse_conference and conference_from_json over json::parse agree (the
//    former uses its own parser set-up on stack buffers, the latter the
//    default one; a difference would mean the fast path decodes differently);
//  - whatever decodes, encodes (to_json / value_from) and decodes again to an
//    equal value (an unknown event method, written as null, reads back as
//    absent), and encodes again to the same text;
//  - a failed decode reports why and leaves its output untouched, as the
//    header promises;
//  - parse_member and parse_conference_list (the text as one member, or as a
//    page of List Conferences) agree with member_from_json and with
//    conference_from_json on each element, leave their output untouched and
//    say why on failure, and what they decode round-trips through to_json;
//  - parse_timestamp on a prefix either fails or yields a value that
//    format_timestamp writes and parse_timestamp reads back unchanged.
// Any broken property is __builtin_trap(), so libFuzzer records the input.
//
// Built with -fsanitize=fuzzer (preset "fuzz") this is a libFuzzer binary;
// otherwise replay_main.cpp runs the seed corpus and regressions through it.
#include <bwvoice/conference.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace json = boost::json;

// Walking every nested value of a huge array is quadratic-ish work for no new
// coverage; this bounds one input's cost so the fuzzer keeps its pace.
constexpr std::size_t max_values_walked = 512;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

/// Values no decoder can produce from JSON, so "untouched on failure" is visible.
bwvoice::Conference conference_sentinel() {
    bwvoice::Conference c;
    c.id = "\x01sentinel";
    c.tag = "\x02";
    return c;
}

bwvoice::ConferenceMember member_sentinel() {
    bwvoice::ConferenceMember m;
    m.call_id = "\x01sentinel";
    m.mute = true;
    return m;
}

void check_timestamp(std::string_view text) {
    const auto t = bwvoice::parse_timestamp(text);
    if (!t) return;
    const std::string formatted = bwvoice::format_timestamp(*t);
    // parse_timestamp only accepts years 0000..9999 after normalising, so the
    // API's fixed-width form always applies.
    check(formatted.size() == 24 && formatted.back() == 'Z');
    const auto again = bwvoice::parse_timestamp(formatted);
    check(again && *again == *t);
}

/// What survives encoding: an unknown event method is written as null, so it
/// reads back as absent; everything else is kept.
bwvoice::Conference as_written(bwvoice::Conference c) {
    if (c.conference_event_method == bwvoice::EventMethod::unknown) c.conference_event_method.reset();
    return c;
}

void check_conference_round_trip(const bwvoice::Conference& c) {
    const std::string text = bwvoice::to_json(c);
    bwvoice::Conference again;
    std::string why;
    check(!bwvoice::parse_conference(text, again, &why));
    check(again == as_written(c));
    check(bwvoice::to_json(again) == text);

    // value_from is the other public encoder (what callers embedding the model
    // in their own JSON use); it must agree with to_json.
    const json::value v = json::value_from(c);
    check(json::serialize(v) == text);
}

void check_member(const json::value& v) {
    bwvoice::ConferenceMember m = member_sentinel();
    std::string why;
    if (bwvoice::member_from_json(v, m, &why)) {
        check(!why.empty());
        check(m == member_sentinel());
        return;
    }
    const json::value encoded = json::value_from(m);
    bwvoice::ConferenceMember again;
    check(!bwvoice::member_from_json(encoded, again, &why));
    check(again == m);
}

void check_conference_value(const json::value& v) {
    bwvoice::Conference c = conference_sentinel();
    std::string why;
    if (bwvoice::conference_from_json(v, c, &why)) {
        check(!why.empty());
        check(c == conference_sentinel());
        return;
    }
    check_conference_round_trip(c);
}

/// parse_member over the whole text: the same verdict and value as
/// member_from_json over its DOM (`root`, or nullptr if the text is not JSON).
void check_member_text(std::string_view text, const json::value* root) {
    bwvoice::ConferenceMember m = member_sentinel();
    std::string why;
    const bwvoice::error_code ec = bwvoice::parse_member(text, m, &why);
    if (ec) {
        check(ec == bwvoice::errc::bad_response);
        check(!why.empty());
        check(m == member_sentinel());
    }
    if (!root) {
        check(static_cast<bool>(ec));
        return;
    }
    bwvoice::ConferenceMember dom = member_sentinel();
    check(static_cast<bool>(bwvoice::member_from_json(*root, dom)) == static_cast<bool>(ec));
    check(dom == m);
    if (ec) return;
    const std::string encoded = bwvoice::to_json(m);
    check(encoded == json::serialize(json::value_from(m)));
    bwvoice::ConferenceMember again;
    check(!bwvoice::parse_member(encoded, again, &why));
    check(again == m);
}

/// parse_conference_list over the whole text: succeeds exactly when the text
/// is an array whose every element conference_from_json accepts, with the
/// same values; the list encoded element by element reads back the same.
void check_list_text(std::string_view text, const json::value* root) {
    const std::vector<bwvoice::Conference> sentinel{conference_sentinel()};
    std::vector<bwvoice::Conference> list = sentinel;
    std::string why;
    const bwvoice::error_code ec = bwvoice::parse_conference_list(text, list, &why);
    if (ec) {
        check(ec == bwvoice::errc::bad_response);
        check(!why.empty());
        check(list == sentinel);
    }
    if (!root) {
        check(static_cast<bool>(ec));
        return;
    }
    if (!root->is_array()) {
        check(static_cast<bool>(ec));
        return;
    }
    const json::array& items = root->get_array();
    bool all_decode = true;
    for (std::size_t i = 0; i < items.size() && all_decode; ++i) {
        bwvoice::Conference c;
        all_decode = !bwvoice::conference_from_json(items[i], c);
        if (all_decode && !ec) check(c == list[i]);
    }
    check(all_decode == !ec);
    if (ec) {
        // The message names the element: "[i]..." (an element's own field or the element itself).
        check(why.front() == '[');
        return;
    }
    check(list.size() == items.size());
    std::string encoded = "[";
    std::vector<bwvoice::Conference> expected;
    for (const auto& c : list) {
        if (encoded.size() > 1) encoded += ',';
        encoded += bwvoice::to_json(c);
        expected.push_back(as_written(c));
    }
    encoded += ']';
    std::vector<bwvoice::Conference> again;
    check(!bwvoice::parse_conference_list(encoded, again, &why));
    check(again == expected);
}

/// Every value in the document is tried as a member and as a conference, so a
/// member nested anywhere (activeMembers, an array of them, the spec's member
/// payload) reaches member_from_json.
void walk(const json::value& v, std::size_t& budget) {
    if (budget == 0) return;
    --budget;
    check_member(v);
    check_conference_value(v);
    if (v.is_array()) {
        for (const auto& e : v.get_array()) walk(e, budget);
    } else if (v.is_object()) {
        for (const auto& kv : v.get_object()) walk(kv.value(), budget);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // Timestamps: the first line, so seeds can be plain date-time strings; a
    // date-time longer than 64 bytes is only fraction digits, which the
    // fraction loop handles the same at any length.
    check_timestamp(text.substr(0, text.find('\n')).substr(0, 64));

    bwvoice::Conference fast = conference_sentinel();
    std::string why;
    const bwvoice::error_code fast_ec = bwvoice::parse_conference(text, fast, &why);
    if (fast_ec) {
        check(fast_ec == bwvoice::errc::bad_response);
        check(!why.empty());
        check(fast == conference_sentinel());
    } else {
        check_conference_round_trip(fast);
    }

    bwvoice::error_code ec;
    const json::value root = json::parse(text, ec);
    check_member_text(text, ec ? nullptr : &root);
    check_list_text(text, ec ? nullptr : &root);
    if (ec) {
        // Both parse the whole text as one JSON document with default options.
        check(static_cast<bool>(fast_ec));
        return 0;
    }

    bwvoice::Conference slow = conference_sentinel();
    const bwvoice::error_code slow_ec = bwvoice::conference_from_json(root, slow);
    check(static_cast<bool>(slow_ec) == static_cast<bool>(fast_ec));
    check(slow == fast);

    std::size_t budget = max_values_walked;
    walk(root, budget);
    return 0;
}
