// List Conference Recordings and Get Conference Recording over real TLS:
// the metadata as the mock serves it, and an answer for another recording
// refused.
#include "integration/wrong_answer.hpp"

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using namespace std::chrono_literals;

namespace {

constexpr auto tuple = net::as_tuple(net::use_awaitable);

}  // namespace

BOOST_AUTO_TEST_SUITE(recordings)

BOOST_AUTO_TEST_CASE(recordings_list_as_the_mock_serves_them_with_each_completion_token) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const auto expected = recordings_now(*env.server, s.conference);
    BOOST_TEST_REQUIRE(!expected.empty());
    BOOST_TEST(expected[0].recording_id == s.recording);
    BOOST_TEST(expected[0].media_url.has_value());
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());

    std::vector<RecordingMetadata> awaited;
    Diagnostics diag;
    run_again(ioc, [&]() -> net::awaitable<void> {
        awaited = co_await client.async_list_recordings(s.conference, diag, net::use_awaitable);
    });
    BOOST_TEST((awaited == expected));
    BOOST_TEST(diag.http_status == std::optional<unsigned>(200));
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(diag.message == "");

    // A conference without recordings (every fourth seeded one): an empty list.
    std::vector<RecordingMetadata> none{RecordingMetadata{}};
    error_code none_ec = make_error_code(errc::timeout);
    client.async_list_recordings("conf-3", [&](error_code ec, std::vector<RecordingMetadata> list) {
        none_ec = ec;
        none = std::move(list);
    });
    ioc.restart();
    run_to_completion(ioc);
    BOOST_TEST(!none_ec);
    BOOST_TEST(none.empty());

    // A recording of several kinds, as put into the mock.
    BOOST_TEST_REQUIRE(env.server->put_recording(
        s.conference, R"({"recordingId":"r-extra","fileFormat":"flac","status":"processing","channels":2,)"
                      R"("duration":"PT1H2M3.5S","startTime":"2026-03-01T10:00:00+02:00","futureField":[1,2]})"));
    run_again(ioc, [&]() -> net::awaitable<void> {
        auto [ec, list] = co_await client.async_list_recordings(s.conference, tuple);
        BOOST_TEST_REQUIRE(!ec);
        BOOST_TEST((list == recordings_now(*env.server, s.conference)));
        BOOST_TEST_REQUIRE(list.size() == expected.size() + 1);
        const RecordingMetadata& extra = list.back();
        BOOST_TEST(extra.recording_id == "r-extra");
        BOOST_TEST((extra.file_format == FileFormat::unknown));
        BOOST_TEST(extra.channels == std::optional<std::int32_t>(2));
        BOOST_TEST(extra.duration == std::optional<std::string>("PT1H2M3.5S"), "kept as sent");
        BOOST_TEST((parse_iso8601_duration(extra.duration.value_or("")) == std::chrono::milliseconds(3'723'500)));
        BOOST_TEST(extra.start_time.has_value());
        BOOST_TEST(format_timestamp(*extra.start_time) == "2026-03-01T08:00:00.000Z");
        BOOST_TEST(!extra.media_url.has_value());
    });
}

BOOST_AUTO_TEST_CASE(a_recording_reads_as_the_mock_serves_it_with_each_completion_token) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const RecordingMetadata expected = recording_now(*env.server, s.conference, s.recording);
    BOOST_TEST(expected.conference_id == std::optional<std::string>(s.conference));
    BOOST_TEST((expected.file_format == FileFormat::wav));
    BOOST_TEST(expected.status == std::optional<std::string>("complete"));
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());

    RecordingMetadata awaited;
    Diagnostics diag;
    run_again(ioc, [&]() -> net::awaitable<void> {
        awaited = co_await client.async_get_recording(s.conference, s.recording, diag, net::use_awaitable);
    });
    BOOST_TEST((awaited == expected));
    BOOST_TEST(diag.http_status == std::optional<unsigned>(200));
    BOOST_TEST(diag.message == "");

    RecordingMetadata called;
    client.async_get_recording(s.conference, s.recording, [&](error_code ec, RecordingMetadata r) {
        BOOST_TEST(!ec);
        called = std::move(r);
    });
    ioc.restart();
    run_to_completion(ioc);
    BOOST_TEST((called == expected));

    run_again(ioc, [&]() -> net::awaitable<void> {
        auto [ec, r] = co_await client.async_get_recording(s.conference, s.recording, tuple);
        BOOST_TEST(!ec);
        BOOST_TEST((r == expected));
    });
    BOOST_TEST(env.server->request_count(s.route_recording(), "GET") == 3u);
}

// "A result is never attributed to the wrong ID": a 200 carrying another
// recording's metadata is refused, and its connection is not reused.
BOOST_AUTO_TEST_CASE(an_answer_naming_another_recording_is_a_bad_response) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    // Another conference's first recording (always there for index % 4 != 3).
    const std::string other_conference = s.conference == "conf-0" ? "conf-1" : "conf-0";
    const auto others = recordings_now(*env.server, other_conference);
    BOOST_TEST_REQUIRE(!others.empty());
    BOOST_TEST_REQUIRE(others[0].recording_id != s.recording);
    const RecordingMetadata own = recording_now(*env.server, s.conference, s.recording);
    BOOST_TEST(own.recording_id == s.recording);
    const Diagnostics bad = refused_then_recovered(
        env, s.route_recording(), *env.server->recording_json(other_conference, others[0].recording_id),
        recording_read(s), own);
    BOOST_TEST(contains(bad.message, "'" + others[0].recording_id + "', not the one requested"), bad.message);
}

BOOST_AUTO_TEST_CASE(unknown_recordings_and_conferences_are_not_found) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_again(ioc, [&]() -> net::awaitable<void> {
        Diagnostics d1, d2, d3;
        auto [e1, r1] = co_await client.async_get_recording(s.conference, "r-nope", d1, tuple);
        auto [e2, r2] = co_await client.async_get_recording("conf-nope", s.recording, d2, tuple);
        auto [e3, l3] = co_await client.async_list_recordings("conf-nope", d3, tuple);
        BOOST_TEST((e1 == errc::not_found));
        BOOST_TEST(d1.api_error_description == "Recording [r-nope] not found");
        BOOST_TEST((e2 == errc::not_found));
        BOOST_TEST(d2.api_error_description == "Conference [conf-nope] not found");
        BOOST_TEST((e3 == errc::not_found));
        BOOST_TEST(d3.api_error_description == "Conference [conf-nope] not found");
        BOOST_TEST(l3.empty());
        for (const Diagnostics* d : {&d1, &d2, &d3}) BOOST_TEST(d->http_status == std::optional<unsigned>(404));
    });
}

// The same when the answer is for the right recording ID in another
// conference: it names another conference than the one asked for.
BOOST_AUTO_TEST_CASE(an_answer_naming_another_conference_is_a_bad_response) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    auto other = boost::json::parse(*env.server->recording_json(s.conference, s.recording)).as_object();
    other["conferenceId"] = "conf-elsewhere";
    const RecordingMetadata own = recording_now(*env.server, s.conference, s.recording);
    BOOST_TEST(own.conference_id == std::optional<std::string>(s.conference));
    const Diagnostics bad =
        refused_then_recovered(env, s.route_recording(), boost::json::serialize(other), recording_read(s), own);
    BOOST_TEST(contains(bad.message, "conference 'conf-elsewhere', not the conference requested"), bad.message);
}

BOOST_AUTO_TEST_SUITE_END()
