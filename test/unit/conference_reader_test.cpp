// The streaming decoder (parse_conference) must agree with the DOM decoder
// (conference_from_json) on every document: same result, same verdict.
#include <bwvoice/conference.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace bwvoice;

namespace {

const char* base_document = R"({
  "id": "conf-7d1e2a90", "name": "weekly-standup-blue", "createdTime": "2026-11-28T15:02:11.482Z",
  "completedTime": null, "conferenceEventUrl": "https://hooks.example.net/e", "conferenceEventMethod": "POST",
  "tag": "team=blue", "extra": {"a": [1, {"b": null}], "c": "d"},
  "activeMembers": [
    {"callId": "c-1", "conferenceId": "conf-7d1e2a90", "memberUrl": "https://x/m/c-1", "mute": false,
     "hold": false, "callIdsToCoach": null, "other": [[]]},
    {"callId": "c-2", "conferenceId": "conf-7d1e2a90", "memberUrl": "https://x/m/c-2", "mute": true,
     "hold": false, "callIdsToCoach": ["c-1"]}
  ]})";

void expect_agreement(const std::string& text) {
    Conference streamed, dom;
    std::string why_streamed, why_dom;
    const auto ec_streamed = parse_conference(text, streamed, &why_streamed);
    boost::system::error_code jec;
    const json::value v = json::parse(text, jec);
    const auto ec_dom = jec ? make_error_code(errc::bad_response) : conference_from_json(v, dom, &why_dom);
    BOOST_TEST(bool(ec_streamed) == bool(ec_dom), text << "\n streamed: " << why_streamed << "\n dom: " << why_dom);
    if (!ec_streamed && !ec_dom) BOOST_TEST((streamed == dom), text);
    if (ec_streamed) BOOST_TEST((ec_streamed == errc::bad_response));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conference_reader)

BOOST_AUTO_TEST_CASE(agrees_with_the_dom_decoder_on_every_single_field_change) {
    const json::value base = json::parse(base_document);
    expect_agreement(json::serialize(base));
    const json::value replacements[] = {nullptr,
                                        true,
                                        7,
                                        -1.5,
                                        "",
                                        "GET",
                                        "post",
                                        "PUT",
                                        "2026-01-01T00:00:00+02:00",
                                        "nope",
                                        json::array{},
                                        json::array{"x"},
                                        json::array{json::object{}},
                                        json::object{},
                                        json::object{{"callId", "c"}}};
    for (const char* key : {"id", "name", "createdTime", "completedTime", "conferenceEventUrl", "conferenceEventMethod",
                            "tag", "activeMembers", "extra"}) {
        json::value doc = base;
        doc.as_object().erase(key);
        expect_agreement(json::serialize(doc));
        for (const auto& r : replacements) {
            doc = base;
            doc.as_object()[key] = r;
            expect_agreement(json::serialize(doc));
        }
    }
    for (const char* key : {"callId", "conferenceId", "memberUrl", "mute", "hold", "callIdsToCoach", "other"}) {
        for (std::size_t m = 0; m < 2; ++m) {
            json::value doc = base;
            doc.as_object()["activeMembers"].as_array()[m].as_object().erase(key);
            expect_agreement(json::serialize(doc));
            for (const auto& r : replacements) {
                doc = base;
                doc.as_object()["activeMembers"].as_array()[m].as_object()[key] = r;
                expect_agreement(json::serialize(doc));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(agrees_on_malformed_and_odd_documents) {
    for (
        const char* text :
        {"", "{", "[]", "null", "\"x\"", "1", "{}", "{\"id\":\"a\"}", "{} {}", "{}x",
         R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z"})",
         R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z",)",
         R"({"i\u0064":"a","name":"n\"q","createdTime":"2026-01-01T00:00:00Z"})",
         R"({"id":"a","id":"b","name":"n","createdTime":"2026-01-01T00:00:00Z"})",
         // found by fuzzing: the last of duplicate keys wins, as in the DOM
         R"({"id":1,"id":"b","name":"n","createdTime":"2026-11-14T15:01:27.664Z"})",
         R"({"id":"b","name":"n","createdTime":"x","createdTime":"2026-11-14T15:01:27.664Z"})",
         R"({"id":"b","name":"n","createdTime":"2026-01-01T00:00:00Z","activeMembers":[{"callId":2,"callId":"c"}]})",
         R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z","activeMembers":[1]})",
         R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z","activeMembers":[{"callId":"c","callIdsToCoach":[{}]}]})",
         R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z","activeMembers":[{"callId":"c"}],"activeMembers":null})"})
        expect_agreement(text);
}

BOOST_AUTO_TEST_CASE(unknown_event_method_is_unknown_in_both_decoders) {
    for (const char* method : {"PUT", "", "g\u0065t ", "OPTIONS"}) {
        const std::string text = std::string(R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z",)") +
                                 R"("conferenceEventMethod":")" + method + R"("})";
        Conference streamed;
        std::string why;
        BOOST_TEST_REQUIRE(!parse_conference(text, streamed, &why), why);
        BOOST_TEST((streamed.conference_event_method == EventMethod::unknown), text);
        expect_agreement(text);
    }
    // The last of duplicate keys wins in both, unknown or not.
    expect_agreement(
        R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z","conferenceEventMethod":"PUT","conferenceEventMethod":"GET"})");
    expect_agreement(
        R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z","conferenceEventMethod":"GET","conferenceEventMethod":"PUT"})");
}

BOOST_AUTO_TEST_CASE(names_the_field_in_its_message) {
    Conference c;
    std::string why;
    BOOST_TEST((parse_conference(R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z",
        "activeMembers":[{"callId":"c"},{"mute":true}]})",
                                 c, &why) == errc::bad_response));
    BOOST_TEST(why == "activeMembers[1].callId: missing");
    BOOST_TEST((parse_conference(R"({"id":"a","name":"n","createdTime":"yesterday"})", c, &why) == errc::bad_response));
    BOOST_TEST(why == "createdTime: not a valid date-time");
    BOOST_TEST((parse_conference(R"({"id":"a","name":"n","createdTime":"2026-01-01T00:00:00Z",
        "activeMembers":[{"callId":"c","callIdsToCoach":["x",2]}]})",
                                 c, &why) == errc::bad_response));
    BOOST_TEST(why == "activeMembers[0].callIdsToCoach[1]: expected a string");
}

BOOST_AUTO_TEST_SUITE_END()
