// The conference model's JSON form: what is accepted, what is rejected and
// how the rejection names the field, and what is written back.
#include <bwvoice/conference.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

namespace json = boost::json;
using namespace std::chrono;
using bwvoice::Conference;
using bwvoice::ConferenceMember;
using bwvoice::errc;
using bwvoice::error_code;
using bwvoice::EventMethod;

// Example payload A of the spec (voice-conferences.md, "Example payloads").
constexpr std::string_view payload_a = R"({
  "id": "conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",
  "name": "weekly-standup-blue",
  "createdTime": "2026-11-28T15:02:11.482Z",
  "completedTime": null,
  "conferenceEventUrl": "https://hooks.example.net/bw/conference-events",
  "conferenceEventMethod": "POST",
  "tag": "team=blue;ticket=4711",
  "activeMembers": [
    {
      "callId": "c-91b0e3f2-4a17c2d8-77e1-4b0a-a3c5-5d2f19e6b701",
      "conferenceId": "conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",
      "memberUrl": "https://voice.bandwidth.com/api/v2/accounts/9901234/conferences/conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab/members/c-91b0e3f2-4a17c2d8-77e1-4b0a-a3c5-5d2f19e6b701",
      "mute": false,
      "hold": false,
      "callIdsToCoach": null
    },
    {
      "callId": "c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112",
      "conferenceId": "conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",
      "memberUrl": "https://voice.bandwidth.com/api/v2/accounts/9901234/conferences/conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab/members/c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112",
      "mute": true,
      "hold": false,
      "callIdsToCoach": ["c-91b0e3f2-4a17c2d8-77e1-4b0a-a3c5-5d2f19e6b701"]
    }
  ]
})";

constexpr std::string_view conf_id = "conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab";
constexpr std::string_view call_1 = "c-91b0e3f2-4a17c2d8-77e1-4b0a-a3c5-5d2f19e6b701";
constexpr std::string_view call_2 = "c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112";

// Payload A as the CLI prints it: compact, completedTime omitted, null
// callIdsToCoach written as [].
const std::string payload_a_output =
    R"({"id":"conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab","name":"weekly-standup-blue",)"
    R"("createdTime":"2026-11-28T15:02:11.482Z",)"
    R"("conferenceEventUrl":"https://hooks.example.net/bw/conference-events","conferenceEventMethod":"POST",)"
    R"("tag":"team=blue;ticket=4711","activeMembers":[)"
    R"({"callId":"c-91b0e3f2-4a17c2d8-77e1-4b0a-a3c5-5d2f19e6b701",)"
    R"("conferenceId":"conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",)"
    R"("memberUrl":"https://voice.bandwidth.com/api/v2/accounts/9901234/conferences/conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab/members/c-91b0e3f2-4a17c2d8-77e1-4b0a-a3c5-5d2f19e6b701",)"
    R"("mute":false,"hold":false,"callIdsToCoach":[]},)"
    R"({"callId":"c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112",)"
    R"("conferenceId":"conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",)"
    R"("memberUrl":"https://voice.bandwidth.com/api/v2/accounts/9901234/conferences/conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab/members/c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112",)"
    R"("mute":true,"hold":false,"callIdsToCoach":["c-91b0e3f2-4a17c2d8-77e1-4b0a-a3c5-5d2f19e6b701"]}]})";

constexpr std::string_view minimal = R"({"id":"c","name":"n","createdTime":"2026-11-28T15:02:11.482Z"})";

bwvoice::Timestamp at(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms) {
    return bwvoice::Timestamp{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s} +
           milliseconds{ms};
}

/// A valid document with two members; tests break one field of it at a time.
json::object valid_document() {
    json::object member0{{"callId", "c-0"}};
    json::object member1{{"callId", "c-1"},
                         {"conferenceId", "conf-1"},
                         {"memberUrl", "https://x/m/c-1"},
                         {"mute", true},
                         {"hold", false},
                         {"callIdsToCoach", json::array{"c-0", "c-2"}}};
    return json::object{
        {"id", "conf-1"},
        {"name", "n"},
        {"createdTime", "2026-11-28T15:02:11.482Z"},
        {"completedTime", "2026-11-28T16:00:00.000Z"},
        {"conferenceEventUrl", "https://hooks.example.net/x"},
        {"conferenceEventMethod", "GET"},
        {"tag", "t"},
        {"activeMembers", json::array{member0, member1}},
    };
}

json::object& second_member(json::object& doc) {
    return doc["activeMembers"].as_array()[1].as_object();
}

struct Outcome {
    error_code ec;
    std::string why;
    Conference conference;
};

Outcome parse(std::string_view text) {
    Outcome o;
    o.ec = bwvoice::parse_conference(text, o.conference, &o.why);
    return o;
}

Outcome parse(const json::object& doc) {
    return parse(json::serialize(doc));
}

void check_rejected(const Outcome& o, std::string_view why) {
    BOOST_TEST((o.ec == errc::bad_response));
    BOOST_TEST(o.why == why);
}

Conference full_conference() {
    Conference c;
    c.id = "conf-\"quoted\"/slash\\back";
    c.name = "caf\xc3\xa9 \xf0\x9f\x8e\xa7 \n\t\x01";
    c.created_time = at(2026, 11, 28, 15, 2, 11, 482);
    c.completed_time = at(2026, 11, 28, 16, 0, 0, 1);
    c.conference_event_url = "https://hooks.example.net/x?a=1&b=2";
    c.conference_event_method = EventMethod::get;
    c.tag = "";
    ConferenceMember bare;
    bare.call_id = "c-bare";
    ConferenceMember full;
    full.call_id = "c-full";
    full.conference_id = c.id;
    full.member_url = "https://voice.bandwidth.com/m/c-full";
    full.mute = false;
    full.hold = true;
    full.call_ids_to_coach = {"c-bare", "c-other"};
    c.active_members = {bare, full};
    return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conference_json)

BOOST_AUTO_TEST_CASE(spec_payload_a) {
    const auto o = parse(payload_a);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    const Conference& c = o.conference;
    BOOST_TEST(c.id == conf_id);
    BOOST_TEST(c.name == "weekly-standup-blue");
    BOOST_TEST(bwvoice::format_timestamp(c.created_time) == "2026-11-28T15:02:11.482Z");
    BOOST_TEST((c.created_time == at(2026, 11, 28, 15, 2, 11, 482)));
    BOOST_TEST(!c.completed_time.has_value());
    BOOST_TEST(c.conference_event_url.value() == "https://hooks.example.net/bw/conference-events");
    BOOST_TEST((c.conference_event_method == EventMethod::post));
    BOOST_TEST(c.tag.value() == "team=blue;ticket=4711");
    BOOST_TEST_REQUIRE(c.active_members.size() == 2u);

    const ConferenceMember& m0 = c.active_members[0];
    BOOST_TEST(m0.call_id == call_1);
    BOOST_TEST(m0.conference_id.value() == conf_id);
    BOOST_TEST(m0.member_url.value() == "https://voice.bandwidth.com/api/v2/accounts/9901234/conferences/" +
                                            std::string(conf_id) + "/members/" + std::string(call_1));
    BOOST_TEST(m0.mute.value() == false);
    BOOST_TEST(m0.hold.value() == false);
    BOOST_TEST(m0.call_ids_to_coach.empty());

    const ConferenceMember& m1 = c.active_members[1];
    BOOST_TEST(m1.call_id == call_2);
    BOOST_TEST(m1.mute.value() == true);
    BOOST_TEST(m1.hold.value() == false);
    BOOST_TEST_REQUIRE(m1.call_ids_to_coach.size() == 1u);
    BOOST_TEST(m1.call_ids_to_coach[0] == call_1);
}

BOOST_AUTO_TEST_CASE(spec_payload_a_output) {
    const auto o = parse(payload_a);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(bwvoice::to_json(o.conference) == payload_a_output);
}

BOOST_AUTO_TEST_CASE(minimal_conference) {
    const auto o = parse(minimal);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(o.conference.id == "c");
    BOOST_TEST(o.conference.name == "n");
    BOOST_TEST(!o.conference.completed_time);
    BOOST_TEST(!o.conference.conference_event_url);
    BOOST_TEST(!o.conference.conference_event_method);
    BOOST_TEST(!o.conference.tag);
    BOOST_TEST(o.conference.active_members.empty());
}

BOOST_AUTO_TEST_CASE(every_optional_field_may_be_null) {
    const auto o = parse(R"({"id":"c","name":"n","createdTime":"2026-11-28T15:02:11Z","completedTime":null,
        "conferenceEventUrl":null,"conferenceEventMethod":null,"tag":null,"activeMembers":null})");
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(!o.conference.completed_time);
    BOOST_TEST(!o.conference.conference_event_url);
    BOOST_TEST(!o.conference.conference_event_method);
    BOOST_TEST(!o.conference.tag);
    BOOST_TEST(o.conference.active_members.empty());

    const auto m = parse(R"({"id":"c","name":"n","createdTime":"2026-11-28T15:02:11Z","activeMembers":[
        {"callId":"a","conferenceId":null,"memberUrl":null,"mute":null,"hold":null,"callIdsToCoach":null},
        {"callId":"b"}]})");
    BOOST_TEST_REQUIRE(!m.ec, m.why);
    BOOST_TEST_REQUIRE(m.conference.active_members.size() == 2u);
    for (const auto& member : m.conference.active_members) {
        BOOST_TEST(!member.conference_id);
        BOOST_TEST(!member.member_url);
        BOOST_TEST(!member.mute);
        BOOST_TEST(!member.hold);
        BOOST_TEST(member.call_ids_to_coach.empty());
    }
}

BOOST_AUTO_TEST_CASE(every_field_decodes) {
    const auto o = parse(valid_document());
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    const Conference& c = o.conference;
    BOOST_TEST(c.id == "conf-1");
    BOOST_TEST((c.completed_time == at(2026, 11, 28, 16, 0, 0, 0)));
    BOOST_TEST(c.conference_event_url.value() == "https://hooks.example.net/x");
    BOOST_TEST((c.conference_event_method == EventMethod::get));
    BOOST_TEST(c.tag.value() == "t");
    BOOST_TEST_REQUIRE(c.active_members.size() == 2u);
    BOOST_TEST(c.active_members[0].call_id == "c-0");
    const ConferenceMember& m = c.active_members[1];
    BOOST_TEST(m.conference_id.value() == "conf-1");
    BOOST_TEST(m.member_url.value() == "https://x/m/c-1");
    BOOST_TEST(m.mute.value() == true);
    BOOST_TEST(m.hold.value() == false);
    BOOST_TEST((m.call_ids_to_coach == std::vector<std::string>{"c-0", "c-2"}));
}

BOOST_AUTO_TEST_CASE(empty_arrays_and_strings) {
    auto doc = valid_document();
    doc["activeMembers"] = json::array{};
    doc["tag"] = "";
    doc["name"] = "";
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(o.conference.active_members.empty());
    BOOST_TEST(o.conference.tag.value().empty());
    BOOST_TEST(o.conference.name.empty());
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored) {
    auto doc = valid_document();
    doc["extra"] = json::object{{"nested", json::array{1, 2, json::object{{"deep", nullptr}}}}};
    doc["memberCount"] = 3;
    doc["status"] = "active";
    second_member(doc)["memberId"] = "c-1";
    second_member(doc)["whatever"] = json::array{true, 1.5, "x"};
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST((o.conference == parse(valid_document()).conference));
}

BOOST_AUTO_TEST_CASE(event_method_case_insensitive) {
    for (const auto& [text, method] : std::vector<std::pair<std::string, EventMethod>>{{"GET", EventMethod::get},
                                                                                       {"get", EventMethod::get},
                                                                                       {"Get", EventMethod::get},
                                                                                       {"POST", EventMethod::post},
                                                                                       {"post", EventMethod::post},
                                                                                       {"pOsT", EventMethod::post}}) {
        auto doc = valid_document();
        doc["conferenceEventMethod"] = text;
        const auto o = parse(doc);
        BOOST_TEST_REQUIRE(!o.ec, o.why);
        BOOST_TEST((o.conference.conference_event_method == method), text);
    }
}

BOOST_AUTO_TEST_CASE(event_method_unknown_value_decodes_as_unknown) {
    // The API may add methods: an unknown one is EventMethod::unknown, not an error.
    for (const std::string& text : {std::string("PUT"), std::string(""), std::string("GETX"), std::string("POS"),
                                    std::string(" POST"), std::string("GET "), std::string(500, 'X')}) {
        auto doc = valid_document();
        doc["conferenceEventMethod"] = text;
        const auto o = parse(doc);
        BOOST_TEST_CONTEXT("method \"" << text << "\"") {
            BOOST_TEST_REQUIRE(!o.ec, o.why);
            BOOST_TEST((o.conference.conference_event_method == EventMethod::unknown));
            // Everything else still decodes.
            BOOST_TEST(o.conference.id == "conf-1");
            BOOST_TEST(o.conference.active_members.size() == 2u);
        }
        Conference dom;
        std::string why;
        BOOST_TEST_REQUIRE(!bwvoice::conference_from_json(doc, dom, &why), why);
        BOOST_TEST((dom.conference_event_method == EventMethod::unknown));
    }
}

BOOST_AUTO_TEST_CASE(event_method_unknown_is_written_as_null) {
    auto doc = valid_document();
    doc["conferenceEventMethod"] = "PATCH";
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    const json::value v = json::value_from(o.conference);
    BOOST_TEST(v.at("conferenceEventMethod").is_null());
    const std::string text = bwvoice::to_json(o.conference);
    BOOST_TEST(text.find(R"("conferenceEventMethod":null)") != std::string::npos, text);
    BOOST_TEST(text.find("PATCH") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(event_method_parse_still_rejects_unknown_text) {
    BOOST_TEST(!bwvoice::parse_event_method("PUT"));
    BOOST_TEST(!bwvoice::parse_event_method(""));
    BOOST_TEST(!bwvoice::parse_event_method("unknown"));
}

BOOST_AUTO_TEST_CASE(event_method_to_string) {
    BOOST_TEST(bwvoice::to_string(EventMethod::get) == "GET");
    BOOST_TEST(bwvoice::to_string(EventMethod::post) == "POST");
    BOOST_TEST(bwvoice::to_string(EventMethod::unknown) == "unknown");
}

BOOST_AUTO_TEST_CASE(missing_required_fields) {
    for (const char* key : {"id", "name", "createdTime"}) {
        auto doc = valid_document();
        doc.erase(key);
        check_rejected(parse(doc), std::string(key) + ": missing");
    }
    auto doc = valid_document();
    second_member(doc).erase("callId");
    check_rejected(parse(doc), "activeMembers[1].callId: missing");
}

BOOST_AUTO_TEST_CASE(required_fields_may_not_be_null) {
    for (const char* key : {"id", "name", "createdTime"}) {
        auto doc = valid_document();
        doc[key] = nullptr;
        check_rejected(parse(doc), std::string(key) + ": expected a string");
    }
    auto doc = valid_document();
    second_member(doc)["callId"] = nullptr;
    check_rejected(parse(doc), "activeMembers[1].callId: expected a string");
}

BOOST_AUTO_TEST_CASE(wrong_type_names_the_field) {
    struct Case {
        std::string_view key;
        json::value bad;
        std::string_view why;
    };
    const std::vector<Case> top{
        {"id", 42, "id: expected a string"},
        {"id", json::array{"x"}, "id: expected a string"},
        {"name", true, "name: expected a string"},
        {"name", json::object{}, "name: expected a string"},
        {"createdTime", 1764342131482, "createdTime: expected a string"},
        {"completedTime", false, "completedTime: expected a string"},
        {"conferenceEventUrl", 1, "conferenceEventUrl: expected a string"},
        {"conferenceEventMethod", 2, "conferenceEventMethod: expected a string"},
        {"tag", json::array{}, "tag: expected a string"},
        {"activeMembers", json::object{}, "activeMembers: expected an array"},
        {"activeMembers", "c-1", "activeMembers: expected an array"},
    };
    for (const auto& c : top) {
        auto doc = valid_document();
        doc[c.key] = c.bad;
        BOOST_TEST_CONTEXT(c.key << " = " << json::serialize(c.bad)) {
            check_rejected(parse(doc), c.why);
        }
    }

    const std::vector<Case> member{
        {"callId", 7, "activeMembers[1].callId: expected a string"},
        {"conferenceId", json::object{}, "activeMembers[1].conferenceId: expected a string"},
        {"memberUrl", false, "activeMembers[1].memberUrl: expected a string"},
        {"mute", "true", "activeMembers[1].mute: expected a boolean"},
        {"mute", 1, "activeMembers[1].mute: expected a boolean"},
        {"hold", 0, "activeMembers[1].hold: expected a boolean"},
        {"hold", "false", "activeMembers[1].hold: expected a boolean"},
        {"callIdsToCoach", "c-0", "activeMembers[1].callIdsToCoach: expected an array"},
        {"callIdsToCoach", json::array{"c-0", 5}, "activeMembers[1].callIdsToCoach[1]: expected a string"},
        {"callIdsToCoach", json::array{nullptr}, "activeMembers[1].callIdsToCoach[0]: expected a string"},
    };
    for (const auto& c : member) {
        auto doc = valid_document();
        second_member(doc)[c.key] = c.bad;
        BOOST_TEST_CONTEXT(c.key << " = " << json::serialize(c.bad)) {
            check_rejected(parse(doc), c.why);
        }
    }
}

BOOST_AUTO_TEST_CASE(first_member_errors_use_index_zero) {
    auto doc = valid_document();
    doc["activeMembers"].as_array()[0].as_object()["mute"] = "no";
    check_rejected(parse(doc), "activeMembers[0].mute: expected a boolean");
}

BOOST_AUTO_TEST_CASE(member_must_be_an_object) {
    for (json::value bad : {json::value("c-1"), json::value(nullptr), json::value(json::array{})}) {
        auto doc = valid_document();
        doc["activeMembers"].as_array()[1] = bad;
        check_rejected(parse(doc), "activeMembers[1]: expected an object");
    }
}

BOOST_AUTO_TEST_CASE(invalid_timestamps) {
    auto doc = valid_document();
    doc["createdTime"] = "2026-11-31T00:00:00Z";
    check_rejected(parse(doc), "createdTime: not a valid date-time");
    doc["createdTime"] = "";
    check_rejected(parse(doc), "createdTime: not a valid date-time");
    doc = valid_document();
    doc["completedTime"] = "yesterday";
    check_rejected(parse(doc), "completedTime: not a valid date-time");
}

BOOST_AUTO_TEST_CASE(offsets_are_written_as_utc) {
    auto doc = valid_document();
    doc["createdTime"] = "2026-11-28T16:02:11+01:00";
    doc["completedTime"] = "2026-11-28T12:00:00.123456-05:00";
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    const std::string out = bwvoice::to_json(o.conference);
    BOOST_TEST(out.find(R"("createdTime":"2026-11-28T15:02:11.000Z")") != std::string::npos, out);
    BOOST_TEST(out.find(R"("completedTime":"2026-11-28T17:00:00.123Z")") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(top_level_must_be_an_object) {
    for (const char* text : {"[]", R"(["id"])", R"("conf-1")", "1", "true", "null"}) BOOST_TEST_CONTEXT(text) {
            check_rejected(parse(text), "top level: expected an object");
        }
}

BOOST_AUTO_TEST_CASE(invalid_json) {
    const std::vector<std::string_view> cases{
        "",
        " ",
        "{",
        "}",
        R"({"id":})",
        R"({"id":"c",})",
        R"({'id':'c'})",
        R"({"id":"c")",
        R"({"id":"c"} x)",
        R"({"id":"c"}{"id":"d"})",
        R"({"id":"c\q"})",
        "\xef\xbb\xbf{}",
        R"({"id":"c" /* comment */})",
        R"({"id":NaN})",
        std::string_view("{\"id\":\"c\"}\0", 11),
    };
    for (auto text : cases) {
        const auto o = parse(text);
        BOOST_TEST_CONTEXT("input: " << text) {
            BOOST_TEST((o.ec == errc::bad_response));
            BOOST_TEST(o.why.rfind("invalid JSON: ", 0) == 0u, o.why);
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_rejected) {
    const auto o = parse("{\"id\":\"\xff\",\"name\":\"n\",\"createdTime\":\"2026-11-28T15:02:11Z\"}");
    BOOST_TEST((o.ec == errc::bad_response));
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_rejected_not_crashed) {
    for (std::size_t depth : {100u, 100000u}) {
        std::string text = R"({"id":"c","name":"n","createdTime":"2026-11-28T15:02:11Z","x":)";
        text.append(depth, '[');
        text.append(depth, ']');
        text += '}';
        const auto o = parse(text);
        BOOST_TEST((o.ec == errc::bad_response), depth);
        BOOST_TEST(o.why.rfind("invalid JSON: ", 0) == 0u, o.why);
    }
    std::string nested(100000, '{');
    BOOST_TEST((parse(nested).ec == errc::bad_response));
}

BOOST_AUTO_TEST_CASE(moderate_nesting_in_unknown_fields_is_fine) {
    std::string text = R"({"id":"c","name":"n","createdTime":"2026-11-28T15:02:11Z","x":)";
    text.append(20, '[');
    text.append(20, ']');
    text += '}';
    const auto o = parse(text);
    BOOST_TEST(!o.ec, o.why);
}

BOOST_AUTO_TEST_CASE(output_is_untouched_on_failure) {
    Conference c = full_conference();
    const Conference before = c;
    std::string why;
    auto doc = valid_document();
    second_member(doc)["hold"] = "x";
    BOOST_TEST((bwvoice::parse_conference(json::serialize(doc), c, &why) == errc::bad_response));
    BOOST_TEST((c == before));
    BOOST_TEST((bwvoice::parse_conference("{", c, &why) == errc::bad_response));
    BOOST_TEST((c == before));
}

BOOST_AUTO_TEST_CASE(why_is_optional) {
    Conference c;
    BOOST_TEST((bwvoice::parse_conference("[]", c) == errc::bad_response));
    BOOST_TEST((bwvoice::parse_conference("{", c) == errc::bad_response));
    BOOST_TEST(!bwvoice::parse_conference(minimal, c));
}

BOOST_AUTO_TEST_CASE(previous_why_is_replaced) {
    Conference c;
    std::string why = "stale";
    BOOST_TEST((bwvoice::parse_conference("[]", c, &why) == errc::bad_response));
    BOOST_TEST(why == "top level: expected an object");
}

BOOST_AUTO_TEST_CASE(escapes_and_unicode) {
    const auto o = parse(R"({"id":"a\"b\\c\/d","name":"caf\u00e9 \ud83c\udfa7","createdTime":"2026-11-28T15:02:11Z"})");
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(o.conference.id == "a\"b\\c/d");
    BOOST_TEST(o.conference.name == "caf\xc3\xa9 \xf0\x9f\x8e\xa7");
}

BOOST_AUTO_TEST_CASE(from_value_overloads) {
    const json::value v = json::parse(payload_a);
    Conference c;
    std::string why;
    BOOST_TEST_REQUIRE(!bwvoice::conference_from_json(v, c, &why), why);
    BOOST_TEST(c.id == conf_id);

    ConferenceMember m;
    BOOST_TEST_REQUIRE(!bwvoice::member_from_json(v.at("activeMembers").at(1), m, &why), why);
    BOOST_TEST(m.call_id == call_2);

    BOOST_TEST((bwvoice::member_from_json(json::object{{"mute", true}}, m, &why) == errc::bad_response));
    BOOST_TEST(why == "callId: missing");
    BOOST_TEST(m.call_id == call_2);
    BOOST_TEST((bwvoice::member_from_json(json::object{{"callId", "x"}, {"mute", 1}}, m, &why) == errc::bad_response));
    BOOST_TEST(why == "mute: expected a boolean");
    BOOST_TEST((bwvoice::member_from_json(json::value(3), m, &why) == errc::bad_response));
    BOOST_TEST(why == "top level: expected an object");
}

BOOST_AUTO_TEST_CASE(encode_field_order_and_nulls) {
    Conference c;
    c.id = "c";
    c.name = "n";
    c.created_time = at(2026, 11, 28, 15, 2, 11, 482);
    c.active_members.push_back(ConferenceMember{"m", {}, {}, {}, {}, {}});
    BOOST_TEST(bwvoice::to_json(c) ==
               R"({"id":"c","name":"n","createdTime":"2026-11-28T15:02:11.482Z","conferenceEventUrl":null,)"
               R"("conferenceEventMethod":null,"tag":null,"activeMembers":[{"callId":"m","conferenceId":null,)"
               R"("memberUrl":null,"mute":null,"hold":null,"callIdsToCoach":[]}]})");
}

BOOST_AUTO_TEST_CASE(encode_all_fields) {
    const Conference c = full_conference();
    const json::value v = json::value_from(c);
    const json::object& o = v.as_object();
    std::vector<std::string_view> keys;
    for (const auto& kv : o) keys.push_back(kv.key());
    BOOST_TEST(
        (keys == std::vector<std::string_view>{"id", "name", "createdTime", "completedTime", "conferenceEventUrl",
                                               "conferenceEventMethod", "tag", "activeMembers"}));
    BOOST_TEST(o.at("completedTime").as_string() == "2026-11-28T16:00:00.001Z");
    BOOST_TEST(o.at("conferenceEventMethod").as_string() == "GET");
    BOOST_TEST(o.at("tag").as_string() == "");
    const json::object& full = o.at("activeMembers").as_array().at(1).as_object();
    keys.clear();
    for (const auto& kv : full) keys.push_back(kv.key());
    BOOST_TEST((keys == std::vector<std::string_view>{"callId", "conferenceId", "memberUrl", "mute", "hold",
                                                      "callIdsToCoach"}));
    BOOST_TEST(full.at("mute").as_bool() == false);
    BOOST_TEST(full.at("hold").as_bool() == true);
    BOOST_TEST(json::serialize(full.at("callIdsToCoach")) == R"(["c-bare","c-other"])");

    const json::value member = json::value_from(c.active_members[0]);
    BOOST_TEST(
        json::serialize(member) ==
        R"({"callId":"c-bare","conferenceId":null,"memberUrl":null,"mute":null,"hold":null,"callIdsToCoach":[]})");
}

BOOST_AUTO_TEST_CASE(round_trip) {
    for (const Conference& c : {full_conference(), Conference{}, parse(payload_a).conference}) {
        const std::string text = bwvoice::to_json(c);
        const auto o = parse(text);
        BOOST_TEST_REQUIRE(!o.ec, o.why << " in " << text);
        BOOST_TEST((o.conference == c), text);
        BOOST_TEST(bwvoice::to_json(o.conference) == text);
    }
}

BOOST_AUTO_TEST_CASE(round_trip_of_a_large_conference) {
    // Larger than any stack buffer the codec uses, so the heap fallback runs too.
    Conference c = full_conference();
    for (int i = 0; i < 500; ++i) {
        ConferenceMember m = c.active_members[1];
        m.call_id = "c-" + std::to_string(i) + std::string(100, 'x');
        m.mute = i % 2 == 0;
        c.active_members.push_back(m);
    }
    const std::string text = bwvoice::to_json(c);
    BOOST_TEST(text.size() > 100000u);
    const auto o = parse(text);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST((o.conference == c));
}

BOOST_AUTO_TEST_SUITE_END()
