// Fuzz target: JSON text to a conference recording's metadata (issue 9).
//
// Feeds arbitrary bytes to every decoder of include/bwvoice/recording.hpp and
// checks what must hold for any input, not just that nothing crashes:
//  - parse_recording_metadata and recording_metadata_from_json over
//    json::parse agree; so do parse_recording_list and
//    recording_metadata_from_json on each element of an array;
//  - a failed decode is bad_response, says why (a list's message names the
//    element: "[i]...") and leaves its output untouched;
//  - whatever decodes, encodes (to_json, the same as value_from) and decodes
//    again to an equal value (FileFormat::unknown, which is omitted, reads
//    back as absent), and encodes again to the same text;
//  - parse_iso8601_duration on the first line either fails or gives a
//    non-negative value that format_iso8601_duration writes as "PT...S" and
//    parse_iso8601_duration reads back unchanged.
// Any broken property is __builtin_trap(), so libFuzzer records the input.
#include <bwvoice/recording.hpp>

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
using bwvoice::RecordingMetadata;

constexpr std::size_t max_values_walked = 512;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

/// A value no decoder can produce from JSON, so "untouched on failure" is visible.
RecordingMetadata sentinel() {
    RecordingMetadata r;
    r.recording_id = "\x01sentinel";
    r.channels = -1;
    r.file_format = bwvoice::FileFormat::unknown;
    return r;
}

/// What survives encoding: an unknown file format is omitted, so it reads
/// back as absent; everything else is kept.
RecordingMetadata as_written(RecordingMetadata r) {
    if (r.file_format == bwvoice::FileFormat::unknown) r.file_format.reset();
    return r;
}

void check_duration(std::string_view text) {
    const auto d = bwvoice::parse_iso8601_duration(text);
    if (!d) return;
    check(d->count() >= 0);
    const std::string formatted = bwvoice::format_iso8601_duration(*d);
    check(formatted.size() >= 4 && formatted.rfind("PT", 0) == 0 && formatted.back() == 'S');
    const auto again = bwvoice::parse_iso8601_duration(formatted);
    check(again && *again == *d);
}

void check_round_trip(const RecordingMetadata& r) {
    const std::string text = bwvoice::to_json(r);
    check(json::serialize(json::value_from(r)) == text);
    RecordingMetadata again;
    std::string why;
    check(!bwvoice::parse_recording_metadata(text, again, &why));
    check(again == as_written(r));
    check(bwvoice::to_json(again) == text);
}

void check_one(std::string_view text, const json::value* root) {
    RecordingMetadata r = sentinel();
    std::string why;
    const bwvoice::error_code ec = bwvoice::parse_recording_metadata(text, r, &why);
    if (ec) {
        check(ec == bwvoice::errc::bad_response);
        check(!why.empty());
        check(r == sentinel());
    } else {
        check_round_trip(r);
    }
    if (!root) {
        check(static_cast<bool>(ec));
        return;
    }
    RecordingMetadata dom = sentinel();
    check(static_cast<bool>(bwvoice::recording_metadata_from_json(*root, dom)) == static_cast<bool>(ec));
    check(dom == r);
}

void check_list(std::string_view text, const json::value* root) {
    const std::vector<RecordingMetadata> untouched{sentinel()};
    std::vector<RecordingMetadata> list = untouched;
    std::string why;
    const bwvoice::error_code ec = bwvoice::parse_recording_list(text, list, &why);
    if (ec) {
        check(ec == bwvoice::errc::bad_response);
        check(!why.empty());
        check(list == untouched);
    }
    if (!root || !root->is_array()) {
        check(static_cast<bool>(ec));
        return;
    }
    const json::array& items = root->get_array();
    bool all_decode = true;
    for (std::size_t i = 0; i < items.size() && all_decode; ++i) {
        RecordingMetadata r;
        all_decode = !bwvoice::recording_metadata_from_json(items[i], r);
        if (all_decode && !ec) check(r == list[i]);
    }
    check(all_decode == !ec);
    if (ec) {
        check(why.front() == '[');
        return;
    }
    check(list.size() == items.size());
    std::string encoded = "[";
    std::vector<RecordingMetadata> expected;
    for (const auto& r : list) {
        if (encoded.size() > 1) encoded += ',';
        encoded += bwvoice::to_json(r);
        expected.push_back(as_written(r));
    }
    encoded += ']';
    std::vector<RecordingMetadata> again;
    check(!bwvoice::parse_recording_list(encoded, again, &why));
    check(again == expected);
}

/// Every nested value is tried as one recording, so a recording anywhere in
/// the document (a list's element, a wrapper object) reaches the decoder.
void walk(const json::value& v, std::size_t& budget) {
    if (budget == 0) return;
    --budget;
    RecordingMetadata r = sentinel();
    std::string why;
    if (bwvoice::recording_metadata_from_json(v, r, &why)) {
        check(!why.empty());
        check(r == sentinel());
    } else {
        check_round_trip(r);
    }
    if (v.is_array()) {
        for (const auto& e : v.get_array()) walk(e, budget);
    } else if (v.is_object()) {
        for (const auto& kv : v.get_object()) walk(kv.value(), budget);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // Durations: the first line, so seeds can be plain duration strings.
    check_duration(text.substr(0, text.find('\n')));

    bwvoice::error_code ec;
    const json::value root = json::parse(text, ec);
    const json::value* parsed = ec ? nullptr : &root;
    check_one(text, parsed);
    check_list(text, parsed);
    if (parsed) {
        std::size_t budget = max_values_walked;
        walk(root, budget);
    }
    return 0;
}
