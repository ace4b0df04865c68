// A conference recording's metadata: what is accepted, what is rejected and
// how the rejection names the field, and what is written back.
#include <bwvoice/recording.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

namespace json = boost::json;
using namespace std::chrono;
using bwvoice::errc;
using bwvoice::error_code;
using bwvoice::FileFormat;
using bwvoice::RecordingMetadata;

// Example payload D of the spec (voice-conferences.md, "Example payloads").
constexpr std::string_view payload_d = R"([
  {
    "accountId": "9901234",
    "conferenceId": "conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",
    "name": "weekly-standup-blue",
    "recordingId": "r-2c4e6a8b-1d3f5a7c-9e0b-4d2f-8a6c-4e2a0c8b6d4f",
    "duration": "PT4M12.318S",
    "channels": 1,
    "startTime": "2026-11-28T15:03:00.017Z",
    "endTime": "2026-11-28T15:07:12.335Z",
    "fileFormat": "wav",
    "status": "complete",
    "mediaUrl": "https://voice.bandwidth.com/api/v2/accounts/9901234/conferences/conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab/recordings/r-2c4e6a8b-1d3f5a7c-9e0b-4d2f-8a6c-4e2a0c8b6d4f/media",
    "recordingName": "standup-part-1"
  },
  {
    "accountId": "9901234",
    "conferenceId": "conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",
    "name": "weekly-standup-blue",
    "recordingId": "r-8f7e6d5c-4b3a2918-0f1e-4d2c-b3a4-95867768594a",
    "duration": "PT31.9S",
    "channels": 1,
    "startTime": "2026-11-28T15:09:40.502Z",
    "endTime": "2026-11-28T15:10:12.402Z",
    "fileFormat": "mp3",
    "status": "processing",
    "mediaUrl": null,
    "recordingName": "standup-part-2"
  }
])";

// bandwidth.yml's conferenceRecordingMetadata, built from the examples of its
// properties (#/components/schemas/accountId, conferenceId, ... recordingName).
constexpr std::string_view openapi_recording = R"({
  "accountId": "9900000",
  "conferenceId": "conf-fe23a767-a75a5b77-20c5-4cca-b581-cbbf0776eca9",
  "name": "my-conference-name",
  "recordingId": "r-fbe05094-9fd2afe9-bf5b-4c68-820a-41a01c1c5833",
  "duration": "PT13.67S",
  "channels": 1,
  "startTime": "2022-06-17T22:19:40.375Z",
  "endTime": "2022-06-17T22:20:00.000Z",
  "fileFormat": "wav",
  "status": "completed",
  "mediaUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/conferences/conf-fe23a767-a75a5b77-20c5-4cca-b581-cbbf0776eca9/recordings/r-fbe05094-9fd2afe9-bf5b-4c68-820a-41a01c1c5833/media",
  "recordingName": "my-recording-name"
})";

bwvoice::Timestamp at(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms) {
    return bwvoice::Timestamp{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s} +
           milliseconds{ms};
}

struct Outcome {
    error_code ec;
    std::string why;
    RecordingMetadata recording;
};

Outcome parse(std::string_view text) {
    Outcome o;
    o.ec = bwvoice::parse_recording_metadata(text, o.recording, &o.why);
    return o;
}

Outcome parse(const json::object& doc) {
    return parse(json::serialize(doc));
}

void check_rejected(const Outcome& o, std::string_view why) {
    BOOST_TEST((o.ec == errc::bad_response));
    BOOST_TEST(o.why == why);
}

/// Every field set; tests break one at a time.
json::object valid_document() {
    return json::object{
        {"accountId", "9901234"},
        {"conferenceId", "conf-1"},
        {"name", "weekly"},
        {"recordingId", "r-1"},
        {"duration", "PT1H2M3.5S"},
        {"channels", 1},
        {"startTime", "2026-11-28T15:03:00.017Z"},
        {"endTime", "2026-11-28T16:05:03.517Z"},
        {"fileFormat", "mp3"},
        {"status", "partial"},
        {"mediaUrl", "https://x/r-1/media"},
        {"recordingName", "part-1"},
    };
}

const std::vector<std::string_view> optional_keys{"accountId", "conferenceId", "name",         "duration",
                                                  "channels",  "startTime",    "endTime",      "fileFormat",
                                                  "status",    "mediaUrl",     "recordingName"};

RecordingMetadata full_recording() {
    RecordingMetadata r;
    r.account_id = "9901234";
    r.conference_id = "conf-\"q\"/\\";
    r.name = "caf\xc3\xa9 \xf0\x9f\x8e\xa7 \n\t\x01";
    r.recording_id = "r-1";
    r.duration = "PT4M12.318S";
    r.channels = 1;
    r.start_time = at(2026, 11, 28, 15, 3, 0, 17);
    r.end_time = at(2026, 11, 28, 15, 7, 12, 335);
    r.file_format = FileFormat::wav;
    r.status = "complete";
    r.media_url = "https://x/media?a=1&b=2";
    r.recording_name = "";
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recording_json)

BOOST_AUTO_TEST_CASE(spec_payload_d) {
    std::vector<RecordingMetadata> list;
    std::string why;
    BOOST_TEST_REQUIRE(!bwvoice::parse_recording_list(payload_d, list, &why), why);
    BOOST_TEST_REQUIRE(list.size() == 2u);

    const RecordingMetadata& r = list[0];
    BOOST_TEST(r.account_id.value() == "9901234");
    BOOST_TEST(r.conference_id.value() == "conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab");
    BOOST_TEST(r.name.value() == "weekly-standup-blue");
    BOOST_TEST(r.recording_id == "r-2c4e6a8b-1d3f5a7c-9e0b-4d2f-8a6c-4e2a0c8b6d4f");
    BOOST_TEST(bwvoice::parse_iso8601_duration(r.duration.value())->count() == 252'318);
    BOOST_TEST(r.channels.value() == 1);
    BOOST_TEST((r.start_time.value() == at(2026, 11, 28, 15, 3, 0, 17)));
    BOOST_TEST((r.end_time.value() == at(2026, 11, 28, 15, 7, 12, 335)));
    BOOST_TEST((r.file_format.value() == FileFormat::wav));
    BOOST_TEST(r.status.value() == "complete");
    BOOST_TEST(r.media_url.value().ends_with("/recordings/r-2c4e6a8b-1d3f5a7c-9e0b-4d2f-8a6c-4e2a0c8b6d4f/media"));
    BOOST_TEST(r.recording_name.value() == "standup-part-1");

    const RecordingMetadata& p = list[1];
    BOOST_TEST(bwvoice::parse_iso8601_duration(p.duration.value())->count() == 31'900);
    BOOST_TEST((p.file_format.value() == FileFormat::mp3));
    BOOST_TEST(p.status.value() == "processing");
    BOOST_TEST(!p.media_url.has_value());
    BOOST_TEST(p.recording_name.value() == "standup-part-2");
}

BOOST_AUTO_TEST_CASE(spec_payload_d_output) {
    std::vector<RecordingMetadata> list;
    std::string why;
    BOOST_TEST_REQUIRE(!bwvoice::parse_recording_list(payload_d, list, &why), why);
    BOOST_TEST_REQUIRE(list.size() == 2u);
    BOOST_TEST(
        bwvoice::to_json(list[0]) ==
        R"({"accountId":"9901234","conferenceId":"conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",)"
        R"("name":"weekly-standup-blue","recordingId":"r-2c4e6a8b-1d3f5a7c-9e0b-4d2f-8a6c-4e2a0c8b6d4f",)"
        R"("duration":"PT4M12.318S","channels":1,"startTime":"2026-11-28T15:03:00.017Z",)"
        R"("endTime":"2026-11-28T15:07:12.335Z","fileFormat":"wav","status":"complete",)"
        R"("mediaUrl":"https://voice.bandwidth.com/api/v2/accounts/9901234/conferences/conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab/recordings/r-2c4e6a8b-1d3f5a7c-9e0b-4d2f-8a6c-4e2a0c8b6d4f/media",)"
        R"("recordingName":"standup-part-1"})");
    // mediaUrl null: omitted.
    BOOST_TEST(bwvoice::to_json(list[1]) ==
               R"({"accountId":"9901234","conferenceId":"conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",)"
               R"("name":"weekly-standup-blue","recordingId":"r-8f7e6d5c-4b3a2918-0f1e-4d2c-b3a4-95867768594a",)"
               R"("duration":"PT31.9S","channels":1,"startTime":"2026-11-28T15:09:40.502Z",)"
               R"("endTime":"2026-11-28T15:10:12.402Z","fileFormat":"mp3","status":"processing",)"
               R"("recordingName":"standup-part-2"})");
}

BOOST_AUTO_TEST_CASE(openapi_example_recording) {
    const auto o = parse(openapi_recording);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(o.recording.recording_id == "r-fbe05094-9fd2afe9-bf5b-4c68-820a-41a01c1c5833");
    BOOST_TEST(bwvoice::parse_iso8601_duration(o.recording.duration.value())->count() == 13'670);
    BOOST_TEST((o.recording.start_time.value() == at(2022, 6, 17, 22, 19, 40, 375)));
    BOOST_TEST((o.recording.end_time.value() == at(2022, 6, 17, 22, 20, 0, 0)));
    BOOST_TEST(o.recording.status.value() == "completed");
    BOOST_TEST(o.recording.recording_name.value() == "my-recording-name");
}

BOOST_AUTO_TEST_CASE(every_field_decodes) {
    const auto o = parse(valid_document());
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    const RecordingMetadata& r = o.recording;
    BOOST_TEST(r.account_id.value() == "9901234");
    BOOST_TEST(r.conference_id.value() == "conf-1");
    BOOST_TEST(r.name.value() == "weekly");
    BOOST_TEST(r.recording_id == "r-1");
    BOOST_TEST(bwvoice::parse_iso8601_duration(r.duration.value())->count() == 3'723'500);
    BOOST_TEST(r.channels.value() == 1);
    BOOST_TEST((r.start_time.value() == at(2026, 11, 28, 15, 3, 0, 17)));
    BOOST_TEST((r.end_time.value() == at(2026, 11, 28, 16, 5, 3, 517)));
    BOOST_TEST((r.file_format.value() == FileFormat::mp3));
    BOOST_TEST(r.status.value() == "partial");
    BOOST_TEST(r.media_url.value() == "https://x/r-1/media");
    BOOST_TEST(r.recording_name.value() == "part-1");
}

BOOST_AUTO_TEST_CASE(only_recording_id_is_required) {
    const auto o = parse(R"({"recordingId":"r"})");
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    RecordingMetadata expected;
    expected.recording_id = "r";
    BOOST_TEST((o.recording == expected));
    BOOST_TEST(bwvoice::to_json(o.recording) == R"({"recordingId":"r"})");
}

BOOST_AUTO_TEST_CASE(null_is_absent_for_every_optional_field) {
    for (auto key : optional_keys) {
        auto with_null = valid_document();
        with_null[key] = nullptr;
        auto without = valid_document();
        without.erase(key);
        const auto a = parse(with_null);
        const auto b = parse(without);
        BOOST_TEST_CONTEXT(key) {
            BOOST_TEST_REQUIRE(!a.ec, a.why);
            BOOST_TEST_REQUIRE(!b.ec, b.why);
            BOOST_TEST((a.recording == b.recording));
            BOOST_TEST(!(a.recording == parse(valid_document()).recording));
            BOOST_TEST(bwvoice::to_json(a.recording).find(std::string("\"") + std::string(key) + "\"") ==
                       std::string::npos);
        }
    }
    json::object all_null{{"recordingId", "r"}};
    for (auto key : optional_keys) all_null[key] = nullptr;
    const auto o = parse(all_null);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(bwvoice::to_json(o.recording) == R"({"recordingId":"r"})");
}

BOOST_AUTO_TEST_CASE(recording_id_missing_or_null) {
    auto doc = valid_document();
    doc.erase("recordingId");
    check_rejected(parse(doc), "recordingId: missing");
    doc["recordingId"] = nullptr;
    check_rejected(parse(doc), "recordingId: expected a string");
}

BOOST_AUTO_TEST_CASE(wrong_type_names_the_field) {
    struct Case {
        std::string_view key;
        json::value bad;
        std::string_view why;
    };
    const std::vector<Case> cases{
        {"accountId", 9901234, "accountId: expected a string"},
        {"conferenceId", json::array{}, "conferenceId: expected a string"},
        {"name", false, "name: expected a string"},
        {"recordingId", 1, "recordingId: expected a string"},
        {"recordingId", json::object{}, "recordingId: expected a string"},
        {"duration", 13.67, "duration: expected a string"},
        {"duration", 13670, "duration: expected a string"},
        {"channels", "1", "channels: expected an integer"},
        {"channels", 1.0, "channels: expected an integer"},
        {"channels", true, "channels: expected an integer"},
        {"channels", json::array{1}, "channels: expected an integer"},
        {"startTime", 1764342180017, "startTime: expected a string"},
        {"endTime", json::object{}, "endTime: expected a string"},
        {"fileFormat", true, "fileFormat: expected a string"},
        {"fileFormat", 3, "fileFormat: expected a string"},
        {"status", json::object{}, "status: expected a string"},
        {"mediaUrl", json::array{"https://x"}, "mediaUrl: expected a string"},
        {"recordingName", 0, "recordingName: expected a string"},
    };
    for (const auto& c : cases) {
        auto doc = valid_document();
        doc[c.key] = c.bad;
        BOOST_TEST_CONTEXT(c.key << " = " << json::serialize(c.bad)) {
            check_rejected(parse(doc), c.why);
        }
    }
}

// The schema types duration as a plain string: Stoplight Prism's random
// answers carry text such as "dolor voluptate". It decodes, kept as sent, so
// one odd field cannot fail a whole listing; parsing it is the caller's call.
BOOST_AUTO_TEST_CASE(a_duration_that_is_not_iso_8601_is_kept_as_text) {
    for (std::string_view text : {"13", "", "PT-1S", "P1M", "PT99999999999999999999S", "dolor voluptate"}) {
        auto doc = valid_document();
        doc["duration"] = text;
        const auto o = parse(doc);
        BOOST_TEST_REQUIRE(!o.ec, text << ": " << o.why);
        BOOST_TEST(o.recording.duration.value() == text);
        BOOST_TEST(!bwvoice::parse_iso8601_duration(text).has_value(), text);
        BOOST_TEST(bwvoice::to_json(o.recording).find(R"("duration":)" + json::serialize(json::string(text))) !=
                   std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(invalid_values_name_the_field) {
    struct Case {
        std::string_view key;
        std::string_view bad;
        std::string_view why;
    };
    const std::vector<Case> cases{
        {"startTime", "2026-11-31T00:00:00Z", "startTime: not a valid date-time"},
        {"startTime", "", "startTime: not a valid date-time"},
        {"endTime", "yesterday", "endTime: not a valid date-time"},
    };
    for (const auto& c : cases) {
        auto doc = valid_document();
        doc[c.key] = c.bad;
        BOOST_TEST_CONTEXT(c.key << " = \"" << c.bad << "\"") {
            check_rejected(parse(doc), c.why);
        }
    }
}

BOOST_AUTO_TEST_CASE(channels_within_int32) {
    auto doc = valid_document();
    for (std::int64_t n : {0LL, -1LL, 2147483647LL, -2147483648LL}) {
        doc["channels"] = n;
        const auto o = parse(doc);
        BOOST_TEST_REQUIRE(!o.ec, o.why);
        BOOST_TEST(o.recording.channels.value() == n);
    }
    for (std::string_view text : {"2147483648", "-2147483649", "9223372036854775807", "18446744073709551615"}) {
        const auto o = parse(R"({"recordingId":"r","channels":)" + std::string(text) + "}");
        BOOST_TEST_CONTEXT(text) {
            check_rejected(o, "channels: out of range");
        }
    }
    check_rejected(parse(R"({"recordingId":"r","channels":1e0})"), "channels: expected an integer");
    check_rejected(parse(R"({"recordingId":"r","channels":1e30})"), "channels: expected an integer");
}

BOOST_AUTO_TEST_CASE(file_format_any_case_and_unknown) {
    const std::vector<std::pair<std::string_view, FileFormat>> cases{
        {"mp3", FileFormat::mp3},  {"MP3", FileFormat::mp3},      {"Mp3", FileFormat::mp3},
        {"wav", FileFormat::wav},  {"WAV", FileFormat::wav},      {"ogg", FileFormat::unknown},
        {"", FileFormat::unknown}, {"wav ", FileFormat::unknown}, {"unknown", FileFormat::unknown},
    };
    for (const auto& [text, format] : cases) {
        BOOST_TEST((bwvoice::parse_file_format(text) == format), text);
        auto doc = valid_document();
        doc["fileFormat"] = text;
        const auto o = parse(doc);
        BOOST_TEST_REQUIRE(!o.ec, o.why);
        BOOST_TEST((o.recording.file_format.value() == format), text);
    }
    BOOST_TEST(bwvoice::to_string(FileFormat::mp3) == "mp3");
    BOOST_TEST(bwvoice::to_string(FileFormat::wav) == "wav");
    BOOST_TEST(bwvoice::to_string(FileFormat::unknown) == "unknown");
}

BOOST_AUTO_TEST_CASE(unknown_file_format_is_omitted_on_output) {
    auto doc = valid_document();
    doc["fileFormat"] = "flac";
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    const std::string text = bwvoice::to_json(o.recording);
    BOOST_TEST(text.find("fileFormat") == std::string::npos, text);
    BOOST_TEST(text.find("flac") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(status_is_kept_as_sent) {
    for (std::string_view status : {"processing", "partial", "complete", "deleted", "error", "archived-cold", ""}) {
        auto doc = valid_document();
        doc["status"] = status;
        const auto o = parse(doc);
        BOOST_TEST_REQUIRE(!o.ec, o.why);
        BOOST_TEST(o.recording.status.value() == status);
    }
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored) {
    auto doc = valid_document();
    doc["transcription"] = json::object{{"status", "none"}, {"completedTime", nullptr}};
    doc["callId"] = "c-1";
    doc["extra"] = json::array{1, 2.5, nullptr};
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST((o.recording == parse(valid_document()).recording));
}

BOOST_AUTO_TEST_CASE(offsets_are_written_as_utc) {
    auto doc = valid_document();
    doc["startTime"] = "2026-11-28T16:03:00.0171+01:00";
    doc["endTime"] = "2026-11-28T10:07:12.335-05:00";
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    const std::string out = bwvoice::to_json(o.recording);
    BOOST_TEST(out.find(R"("startTime":"2026-11-28T15:03:00.017Z")") != std::string::npos, out);
    BOOST_TEST(out.find(R"("endTime":"2026-11-28T15:07:12.335Z")") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(top_level_must_be_an_object) {
    for (const char* text : {"[]", R"([{"recordingId":"r"}])", R"("r")", "1", "null"}) BOOST_TEST_CONTEXT(text) {
            check_rejected(parse(text), "top level: expected an object");
        }
}

BOOST_AUTO_TEST_CASE(invalid_json) {
    for (std::string_view text :
         {"", "{", R"({"recordingId":"r"} x)", R"({"recordingId":"r",})", "\xff", R"({"recordingId":"r\q"})"}) {
        const auto o = parse(text);
        BOOST_TEST((o.ec == errc::bad_response), text);
        BOOST_TEST(o.why.rfind("invalid JSON: ", 0) == 0u, o.why);
    }
}

BOOST_AUTO_TEST_CASE(output_is_untouched_on_failure) {
    RecordingMetadata r = full_recording();
    const RecordingMetadata before = r;
    std::string why;
    auto doc = valid_document();
    doc["startTime"] = "soon";
    BOOST_TEST((bwvoice::parse_recording_metadata(json::serialize(doc), r, &why) == errc::bad_response));
    BOOST_TEST((r == before));
    BOOST_TEST((bwvoice::parse_recording_metadata("{", r) == errc::bad_response));
    BOOST_TEST((r == before));
    BOOST_TEST((bwvoice::recording_metadata_from_json(json::value(1), r, &why) == errc::bad_response));
    BOOST_TEST((r == before));
}

BOOST_AUTO_TEST_CASE(from_value_agrees_with_text) {
    RecordingMetadata from_value;
    std::string why;
    BOOST_TEST_REQUIRE(!bwvoice::recording_metadata_from_json(json::parse(openapi_recording), from_value, &why), why);
    BOOST_TEST((from_value == parse(openapi_recording).recording));
}

BOOST_AUTO_TEST_CASE(encode_field_order) {
    const json::value v = json::value_from(full_recording());
    std::vector<std::string_view> keys;
    for (const auto& kv : v.as_object()) keys.push_back(kv.key());
    BOOST_TEST((keys == std::vector<std::string_view>{"accountId", "conferenceId", "name", "recordingId", "duration",
                                                      "channels", "startTime", "endTime", "fileFormat", "status",
                                                      "mediaUrl", "recordingName"}));
    BOOST_TEST(v.at("channels").is_int64());
    BOOST_TEST(v.at("duration").as_string() == "PT4M12.318S");
    BOOST_TEST(json::serialize(v) == bwvoice::to_json(full_recording()));
}

BOOST_AUTO_TEST_CASE(round_trip) {
    RecordingMetadata bare;
    bare.recording_id = "r";
    RecordingMetadata zero = full_recording();
    zero.duration = "PT0S";
    zero.channels = -7;
    zero.file_format = FileFormat::mp3;
    for (const RecordingMetadata& r : {full_recording(), bare, zero, parse(openapi_recording).recording}) {
        const std::string text = bwvoice::to_json(r);
        const auto o = parse(text);
        BOOST_TEST_REQUIRE(!o.ec, o.why << " in " << text);
        BOOST_TEST((o.recording == r), text);
        BOOST_TEST(bwvoice::to_json(o.recording) == text);
    }
}

BOOST_AUTO_TEST_SUITE(list)

json::array five() {
    json::array a;
    for (int i = 0; i < 5; ++i) {
        auto doc = valid_document();
        doc["recordingId"] = "r-" + std::to_string(i);
        a.emplace_back(doc);
    }
    return a;
}

Outcome parse_list_error(const json::array& doc) {
    Outcome o;
    std::vector<RecordingMetadata> list;
    o.ec = bwvoice::parse_recording_list(json::serialize(doc), list, &o.why);
    return o;
}

BOOST_AUTO_TEST_CASE(empty_and_full) {
    std::vector<RecordingMetadata> list{full_recording()};
    std::string why;
    BOOST_TEST_REQUIRE(!bwvoice::parse_recording_list("[]", list, &why), why);
    BOOST_TEST(list.empty());
    BOOST_TEST_REQUIRE(!bwvoice::parse_recording_list(json::serialize(five()), list, &why), why);
    BOOST_TEST_REQUIRE(list.size() == 5u);
    for (std::size_t i = 0; i < 5; ++i) BOOST_TEST(list[i].recording_id == "r-" + std::to_string(i));
}

BOOST_AUTO_TEST_CASE(an_error_in_element_3_names_it) {
    struct Case {
        std::string_view key;
        json::value bad;
        bool erase;  // erase the key instead of setting it to `bad`
        std::string_view why;
    };
    const std::vector<Case> cases{
        {"duration", 13.67, false, "[3].duration: expected a string"},
        {"recordingId", nullptr, true, "[3].recordingId: missing"},
        {"recordingId", nullptr, false, "[3].recordingId: expected a string"},
        {"channels", 1.5, false, "[3].channels: expected an integer"},
        {"startTime", "x", false, "[3].startTime: not a valid date-time"},
        {"fileFormat", json::object{}, false, "[3].fileFormat: expected a string"},
    };
    for (const auto& c : cases) {
        auto doc = five();
        auto& broken = doc[3].as_object();
        if (c.erase)
            broken.erase(c.key);
        else
            broken[c.key] = c.bad;
        BOOST_TEST_CONTEXT(c.key) {
            check_rejected(parse_list_error(doc), c.why);
        }
    }
    auto doc = five();
    doc[3] = "r-3";
    check_rejected(parse_list_error(doc), "[3]: expected an object");
}

BOOST_AUTO_TEST_CASE(top_level_must_be_an_array_and_json) {
    std::vector<RecordingMetadata> list;
    std::string why;
    BOOST_TEST((bwvoice::parse_recording_list(R"({"recordingId":"r"})", list, &why) == errc::bad_response));
    BOOST_TEST(why == "top level: expected an array");
    BOOST_TEST((bwvoice::parse_recording_list("[", list, &why) == errc::bad_response));
    BOOST_TEST(why.rfind("invalid JSON: ", 0) == 0u, why);
}

BOOST_AUTO_TEST_CASE(output_is_untouched_on_failure) {
    const std::vector<RecordingMetadata> before{full_recording()};
    std::vector<RecordingMetadata> list = before;
    auto doc = five();
    doc[4].as_object()["duration"] = 1;
    BOOST_TEST((bwvoice::parse_recording_list(json::serialize(doc), list) == errc::bad_response));
    BOOST_TEST((list == before));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
