// A page of List Conferences: parse_conference_list.
#include <bwvoice/conference.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

namespace json = boost::json;
using bwvoice::Conference;
using bwvoice::errc;
using bwvoice::error_code;
using bwvoice::EventMethod;

// Example payload B of the spec (voice-conferences.md, "Example payloads").
constexpr std::string_view payload_b = R"([
  {
    "id": "conf-0a1b2c3d-4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
    "name": "weekly-standup-blue",
    "createdTime": "2026-11-07T15:00:03.120Z",
    "completedTime": "2026-11-07T15:18:44.905Z",
    "conferenceEventUrl": "https://hooks.example.net/bw/conference-events",
    "conferenceEventMethod": "POST",
    "tag": null
  },
  {
    "id": "conf-5e6f7a8b-9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
    "name": "weekly-standup-blue",
    "createdTime": "2026-11-14T15:01:27.664Z",
    "completedTime": "2026-11-14T15:22:09.031Z",
    "conferenceEventUrl": null,
    "conferenceEventMethod": "GET",
    "tag": "team=blue"
  }
])";

// bandwidth.yml: #/components/examples/listConferencesResponseExample, as JSON.
constexpr std::string_view openapi_list = R"([
  {
    "id": "conf-fe23a767-a75a5b77-20c5-4cca-b581-cbbf0776eca9",
    "name": "my-conference-name",
    "createdTime": "2022-06-17T22:19:40.375Z",
    "completedTime": "2022-06-17T22:20:00.000Z",
    "conferenceEventUrl": "https://myServer.example/bandwidth/webhooks/conferenceEvent",
    "conferenceEventMethod": "POST",
    "tag": "my custom tag"
  }
])";

struct Outcome {
    error_code ec;
    std::string why;
    std::vector<Conference> list;
};

Outcome parse(std::string_view text) {
    Outcome o;
    o.ec = bwvoice::parse_conference_list(text, o.list, &o.why);
    return o;
}

Outcome parse(const json::array& doc) {
    return parse(json::serialize(doc));
}

void check_rejected(const Outcome& o, std::string_view why) {
    BOOST_TEST((o.ec == errc::bad_response));
    BOOST_TEST(o.why == why);
}

json::object item(int n) {
    return json::object{{"id", "conf-" + std::to_string(n)},
                        {"name", "n"},
                        {"createdTime", "2026-11-0" + std::to_string(1 + n % 9) + "T15:00:03.120Z"},
                        {"conferenceEventMethod", "POST"}};
}

/// Five valid items; tests break the fourth ([3]).
json::array five_items() {
    json::array a;
    for (int i = 0; i < 5; ++i) a.emplace_back(item(i));
    return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conference_list)

BOOST_AUTO_TEST_CASE(spec_payload_b) {
    const auto o = parse(payload_b);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST_REQUIRE(o.list.size() == 2u);
    BOOST_TEST(o.list[0].id == "conf-0a1b2c3d-4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8");
    BOOST_TEST(bwvoice::format_timestamp(o.list[0].completed_time.value()) == "2026-11-07T15:18:44.905Z");
    BOOST_TEST(!o.list[0].tag.has_value());
    BOOST_TEST((o.list[0].conference_event_method == EventMethod::post));
    BOOST_TEST(!o.list[1].conference_event_url.has_value());
    BOOST_TEST((o.list[1].conference_event_method == EventMethod::get));
    BOOST_TEST(o.list[1].tag.value() == "team=blue");
    for (const auto& c : o.list) BOOST_TEST(c.active_members.empty());
}

BOOST_AUTO_TEST_CASE(openapi_example_list) {
    const auto o = parse(openapi_list);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST_REQUIRE(o.list.size() == 1u);
    BOOST_TEST(o.list[0].name == "my-conference-name");
    BOOST_TEST(bwvoice::format_timestamp(o.list[0].created_time) == "2022-06-17T22:19:40.375Z");
    BOOST_TEST(o.list[0].tag.value() == "my custom tag");
}

BOOST_AUTO_TEST_CASE(each_item_decodes_as_parse_conference_would) {
    const json::value doc = json::parse(payload_b);
    const auto o = parse(payload_b);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    for (std::size_t i = 0; i < o.list.size(); ++i) {
        Conference single;
        std::string why;
        BOOST_TEST_REQUIRE(!bwvoice::parse_conference(json::serialize(doc.at(i)), single, &why), why);
        BOOST_TEST((o.list[i] == single), i);
    }
}

BOOST_AUTO_TEST_CASE(empty_list) {
    const auto o = parse("[]");
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST(o.list.empty());
}

BOOST_AUTO_TEST_CASE(an_error_in_element_3_names_it) {
    struct Case {
        std::string_view key;
        json::value bad;
        bool erase;  // erase the key instead of setting it to `bad`
        std::string_view why;
    };
    const std::vector<Case> cases{
        {"createdTime", "2026-02-30T00:00:00Z", false, "[3].createdTime: not a valid date-time"},
        {"createdTime", nullptr, true, "[3].createdTime: missing"},
        {"id", nullptr, true, "[3].id: missing"},
        {"id", 3, false, "[3].id: expected a string"},
        {"name", nullptr, false, "[3].name: expected a string"},
        {"completedTime", "soon", false, "[3].completedTime: not a valid date-time"},
        {"tag", json::array{}, false, "[3].tag: expected a string"},
        {"conferenceEventMethod", 1, false, "[3].conferenceEventMethod: expected a string"},
        {"activeMembers", json::array{json::object{{"mute", true}}}, false, "[3].activeMembers[0].callId: missing"},
    };
    for (const auto& c : cases) {
        auto doc = five_items();
        auto& broken = doc[3].as_object();
        if (c.erase)
            broken.erase(c.key);
        else
            broken[c.key] = c.bad;
        BOOST_TEST_CONTEXT(c.key) {
            check_rejected(parse(doc), c.why);
        }
    }
}

BOOST_AUTO_TEST_CASE(elements_must_be_objects) {
    for (json::value bad : {json::value("conf-3"), json::value(nullptr), json::value(json::array{}), json::value(3)}) {
        auto doc = five_items();
        doc[3] = bad;
        check_rejected(parse(doc), "[3]: expected an object");
    }
}

BOOST_AUTO_TEST_CASE(the_first_broken_element_is_named) {
    auto doc = five_items();
    doc[1].as_object().erase("name");
    doc[3].as_object().erase("id");
    check_rejected(parse(doc), "[1].name: missing");
}

BOOST_AUTO_TEST_CASE(top_level_must_be_an_array) {
    for (const char* text :
         {"{}", R"({"id":"c","name":"n","createdTime":"2026-11-28T15:02:11Z"})", "\"x\"", "1", "null", "true"})
        BOOST_TEST_CONTEXT(text) {
            check_rejected(parse(text), "top level: expected an array");
        }
}

BOOST_AUTO_TEST_CASE(invalid_json) {
    for (std::string_view text : {"", "[", "[{}", "[] []", "[1,]", "\xef\xbb\xbf[]"}) {
        const auto o = parse(text);
        BOOST_TEST((o.ec == errc::bad_response), text);
        BOOST_TEST(o.why.rfind("invalid JSON: ", 0) == 0u, o.why);
    }
}

BOOST_AUTO_TEST_CASE(unknown_fields_and_event_methods_are_tolerated) {
    auto doc = five_items();
    doc[2].as_object()["conferenceEventMethod"] = "PUT";
    doc[2].as_object()["memberCount"] = 3;
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST((o.list[2].conference_event_method == EventMethod::unknown));
}

BOOST_AUTO_TEST_CASE(output_is_untouched_on_failure) {
    auto good = parse(five_items());
    BOOST_TEST_REQUIRE(!good.ec, good.why);
    std::vector<Conference> out = good.list;
    auto doc = five_items();
    doc[4].as_object().erase("id");
    std::string why;
    BOOST_TEST((bwvoice::parse_conference_list(json::serialize(doc), out, &why) == errc::bad_response));
    BOOST_TEST((out == good.list));
    BOOST_TEST((bwvoice::parse_conference_list("[", out) == errc::bad_response));
    BOOST_TEST((out == good.list));
}

BOOST_AUTO_TEST_CASE(a_full_page) {
    json::array doc;
    for (int i = 0; i < 1000; ++i) doc.emplace_back(item(i));
    const auto o = parse(doc);
    BOOST_TEST_REQUIRE(!o.ec, o.why);
    BOOST_TEST_REQUIRE(o.list.size() == 1000u);
    BOOST_TEST(o.list[999].id == "conf-999");
    doc[999].as_object()["createdTime"] = "x";
    check_rejected(parse(doc), "[999].createdTime: not a valid date-time");
}

BOOST_AUTO_TEST_SUITE_END()
