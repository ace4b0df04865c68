// One conference member (Get Conference Member): parse_member and to_json.
#include <bwvoice/conference.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

namespace json = boost::json;
using bwvoice::ConferenceMember;
using bwvoice::errc;
using bwvoice::error_code;

// Example payload C of the spec (voice-conferences.md, "Example payloads").
constexpr std::string_view payload_c = R"({
  "callId": "c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112",
  "conferenceId": "conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",
  "memberUrl": "https://voice.bandwidth.com/api/v2/accounts/9901234/conferences/conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab/members/c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112",
  "mute": true,
  "hold": false,
  "callIdsToCoach": []
})";

// bandwidth.yml's conferenceMember, built from the examples of its properties.
constexpr std::string_view openapi_member = R"({
  "callId": "c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85",
  "conferenceId": "conf-fe23a767-a75a5b77-20c5-4cca-b581-cbbf0776eca9",
  "memberUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/conferences/conf-fe23a767-a75a5b77-20c5-4cca-b581-cbbf0776eca9/members/c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85",
  "mute": false,
  "hold": false,
  "callIdsToCoach": ["c-25ac29a2-1331029c-2cb0-4a07-b215-b22865662d85"]
})";

struct Outcome {
    error_code ec;
    std::string why;
    ConferenceMember member;
};

Outcome parse(std::string_view text) {
    Outcome o;
    o.ec = bwvoice::parse_member(text, o.member, &o.why);
    return o;
}

Outcome parse(const json::object& doc) {
    return parse(json::serialize(doc));
}

void check_rejected(const Outcome& o, std::string_view why) {
    BOOST_TEST((o.ec == errc::bad_response));
    BOOST_TEST(o.why == why);
}

json::object full_member() {
    return json::object{{"callId", "c-1"},
                        {"conferenceId", "conf-1"},
                        {"memberUrl", "https://x/m/c-1"},
                        {"mute", true},
                        {"hold", false},
                        {"callIdsToCoach", json::array{"c-0", "c-2"}}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(member_json)

BOOST_AUTO_TEST_CASE(spec_payload_c) {
    const auto o = parse(payload_c);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(o.member.call_id == "c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112");
    BOOST_TEST(o.member.conference_id.value() == "conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab");
    BOOST_TEST(o.member.member_url.value().ends_with("/members/c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112"));
    BOOST_TEST(o.member.mute.value() == true);
    BOOST_TEST(o.member.hold.value() == false);
    BOOST_TEST(o.member.call_ids_to_coach.empty());
}

BOOST_AUTO_TEST_CASE(spec_payload_c_output) {
    const auto o = parse(payload_c);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(
        bwvoice::to_json(o.member) ==
        R"({"callId":"c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112",)"
        R"("conferenceId":"conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab",)"
        R"("memberUrl":"https://voice.bandwidth.com/api/v2/accounts/9901234/conferences/conf-7d1e2a90-3b4c5d6e-1a2b-4c3d-9e8f-0123456789ab/members/c-3f6d21aa-0c9e4b57-1d2e-4f80-9b6a-c7e8d9f0a112",)"
        R"("mute":true,"hold":false,"callIdsToCoach":[]})");
}

BOOST_AUTO_TEST_CASE(openapi_example_member) {
    const auto o = parse(openapi_member);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(o.member.call_id == "c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85");
    BOOST_TEST(o.member.mute.value() == false);
    BOOST_TEST(o.member.hold.value() == false);
    BOOST_TEST(
        (o.member.call_ids_to_coach == std::vector<std::string>{"c-25ac29a2-1331029c-2cb0-4a07-b215-b22865662d85"}));
}

BOOST_AUTO_TEST_CASE(agrees_with_member_from_json) {
    for (std::string_view text : {payload_c, openapi_member}) {
        ConferenceMember from_value;
        std::string why;
        BOOST_TEST_REQUIRE(!bwvoice::member_from_json(json::parse(text), from_value, &why), why);
        BOOST_TEST((parse(text).member == from_value));
    }
}

BOOST_AUTO_TEST_CASE(only_call_id_is_required_and_nulls_are_absent) {
    for (std::string_view text : {std::string_view(R"({"callId":"c"})"),
                                  std::string_view(R"({"callId":"c","conferenceId":null,"memberUrl":null,)"
                                                   R"("mute":null,"hold":null,"callIdsToCoach":null})")}) {
        const auto o = parse(text);
        BOOST_TEST_REQUIRE(!o.ec, o.why);
        BOOST_TEST((o.member == ConferenceMember{"c", {}, {}, {}, {}, {}}), text);
    }
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored) {
    auto doc = full_member();
    doc["memberId"] = "c-1";
    doc["extra"] = json::object{{"a", json::array{1, nullptr}}};
    BOOST_TEST((parse(doc).member == parse(full_member()).member));
}

BOOST_AUTO_TEST_CASE(call_id_missing_or_null) {
    auto doc = full_member();
    doc.erase("callId");
    check_rejected(parse(doc), "callId: missing");
    doc["callId"] = nullptr;
    check_rejected(parse(doc), "callId: expected a string");
}

BOOST_AUTO_TEST_CASE(wrong_type_names_the_field) {
    struct Case {
        std::string_view key;
        json::value bad;
        std::string_view why;
    };
    const std::vector<Case> cases{
        {"callId", 7, "callId: expected a string"},
        {"conferenceId", json::object{}, "conferenceId: expected a string"},
        {"memberUrl", false, "memberUrl: expected a string"},
        {"mute", "true", "mute: expected a boolean"},
        {"hold", 0, "hold: expected a boolean"},
        {"callIdsToCoach", "c-0", "callIdsToCoach: expected an array"},
        {"callIdsToCoach", json::array{"c-0", 5}, "callIdsToCoach[1]: expected a string"},
    };
    for (const auto& c : cases) {
        auto doc = full_member();
        doc[c.key] = c.bad;
        BOOST_TEST_CONTEXT(c.key << " = " << json::serialize(c.bad)) {
            check_rejected(parse(doc), c.why);
        }
    }
}

BOOST_AUTO_TEST_CASE(top_level_must_be_an_object) {
    for (const char* text : {"[]", R"([{"callId":"c"}])", R"("c")", "1", "null"}) BOOST_TEST_CONTEXT(text) {
            check_rejected(parse(text), "top level: expected an object");
        }
}

BOOST_AUTO_TEST_CASE(invalid_json) {
    for (std::string_view text : {"", "{", R"({"callId":"c"} x)", R"({"callId":"c",})", "\xff"}) {
        const auto o = parse(text);
        BOOST_TEST((o.ec == errc::bad_response), text);
        BOOST_TEST(o.why.rfind("invalid JSON: ", 0) == 0u, o.why);
    }
}

BOOST_AUTO_TEST_CASE(output_is_untouched_on_failure) {
    ConferenceMember m{"keep", "conf", {}, true, {}, {"x"}};
    const ConferenceMember before = m;
    std::string why;
    BOOST_TEST((bwvoice::parse_member(R"({"callId":"c","mute":1})", m, &why) == errc::bad_response));
    BOOST_TEST((m == before));
    BOOST_TEST((bwvoice::parse_member("{", m) == errc::bad_response));
    BOOST_TEST((m == before));
}

BOOST_AUTO_TEST_CASE(large_member_beyond_the_stack_buffer) {
    auto doc = full_member();
    json::array coached;
    for (int i = 0; i < 2000; ++i) coached.emplace_back("c-" + std::to_string(i));
    doc["callIdsToCoach"] = coached;
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(o.member.call_ids_to_coach.size() == 2000u);
    BOOST_TEST(o.member.call_ids_to_coach.back() == "c-1999");
}

BOOST_AUTO_TEST_CASE(to_json_agrees_with_value_from_and_round_trips) {
    const std::vector<ConferenceMember> members{
        {"c", {}, {}, {}, {}, {}},
        {"c-\"q\"\\\n\x01", "conf", "https://x/m?a=1&b=2", false, true, {"a", "b"}},
        parse(payload_c).member,
    };
    for (const auto& m : members) {
        const std::string text = bwvoice::to_json(m);
        BOOST_TEST(text == json::serialize(json::value_from(m)));
        const auto o = parse(text);
        BOOST_TEST_REQUIRE(!o.ec, o.why << " in " << text);
        BOOST_TEST((o.member == m), text);
    }
    BOOST_TEST(bwvoice::to_json(ConferenceMember{"c", {}, {}, {}, {}, {}}) ==
               R"({"callId":"c","conferenceId":null,"memberUrl":null,"mute":null,"hold":null,"callIdsToCoach":[]})");
}

BOOST_AUTO_TEST_SUITE_END()
