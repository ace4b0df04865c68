// bwconf member, recordings, recording: the lines, in order, the error lines
// with their key fields, absent fields omitted, usage errors, signals.
#include "cli/cli_fixture.hpp"

#include <bwvoice/conference.hpp>
#include <bwvoice/recording.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace bwconf_test;
using bwvoice::mock::Action;
using namespace std::chrono_literals;

namespace {

Action status(unsigned s, std::optional<std::string> body = std::nullopt) {
    Action a;
    a.status = s;
    a.body = std::move(body);
    return a;
}

std::vector<std::string> member_ids(const bwvoice::mock::MockServer& server, const std::string& conference) {
    std::vector<std::string> ids;
    const auto json = server.conference_json(conference);
    BOOST_TEST_REQUIRE(json.has_value());
    const auto conference_value = boost::json::parse(*json);
    for (const auto& m : conference_value.at("activeMembers").as_array()) ids.emplace_back(m.at("callId").as_string());
    return ids;
}

std::string member_line(const bwvoice::mock::MockServer& server, const std::string& conference,
                        const std::string& member) {
    bwvoice::ConferenceMember m;
    const auto json = server.member_json(conference, member);
    BOOST_TEST_REQUIRE(json.has_value());
    BOOST_TEST_REQUIRE(!bwvoice::parse_member(*json, m));
    return bwvoice::to_json(m);
}

std::vector<std::string> recording_lines(const bwvoice::mock::MockServer& server, const std::string& conference) {
    std::vector<bwvoice::RecordingMetadata> list;
    const auto json = server.recordings_json(conference);
    BOOST_TEST_REQUIRE(json.has_value());
    BOOST_TEST_REQUIRE(!bwvoice::parse_recording_list(*json, list));
    std::vector<std::string> lines;
    for (const auto& r : list) lines.push_back(bwvoice::to_json(r));
    return lines;
}

boost::json::object member_key(const std::string& conference, const std::string& member) {
    return {{"conferenceId", conference}, {"memberId", member}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_read)

BOOST_AUTO_TEST_CASE(member_prints_one_line_per_member_in_order) {
    auto server = make_server();
    const auto ids = member_ids(*server, "conf-0");
    BOOST_TEST_REQUIRE(ids.size() >= 2u);
    auto r = run(command_args("member", server->base_url(), {"conf-0", ids[1], "c-nobody", ids[0], ids[1]}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 4u, r.out);
    BOOST_TEST(lines[0] == member_line(*server, "conf-0", ids[1]));
    check_error_fields(lines[1], member_key("conf-0", "c-nobody"), "not_found", 404u);
    BOOST_TEST(lines[2] == member_line(*server, "conf-0", ids[0]));
    BOOST_TEST(lines[3] == member_line(*server, "conf-0", ids[1]));
    auto o = parse_line(lines[0]);
    for (const char* field : {"callId", "conferenceId", "memberUrl", "mute", "hold", "callIdsToCoach"})
        BOOST_TEST(o.contains(field), field);

    auto all_found = run(command_args("member", server->base_url(), {"conf-0", ids[0]}));
    BOOST_TEST(all_found.exit_code == 0, all_found.err);
    BOOST_TEST(all_found.out == member_line(*server, "conf-0", ids[0]) + "\n");
}

BOOST_AUTO_TEST_CASE(member_errors_name_the_conference_and_the_member) {
    auto server = make_server();
    const auto ids = member_ids(*server, "conf-0");
    // Another member's body for this one: never attributed to the wrong ID.
    const std::string other = *server->member_json("conf-0", ids[1]);
    server->script_route("conferences/conf-0/members/" + ids[0], {status(200, other)});
    server->script_route("conferences/conf-0/members/" + ids[1], {status(403)});
    auto r = run(command_args("member", server->base_url(), {"conf-0", ids[0], ids[1], "", "c-x"}));
    BOOST_TEST(r.exit_code == 1);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 4u, r.out);
    check_error_fields(lines[0], member_key("conf-0", ids[0]), "bad_response", 200u);
    check_error_fields(lines[1], member_key("conf-0", ids[1]), "forbidden", 403u);
    check_error_fields(lines[2], member_key("conf-0", ""), "bad_request", std::nullopt);
    check_error_fields(lines[3], member_key("conf-0", "c-x"), "not_found", 404u);

    auto no_conference = run(command_args("member", server->base_url(), {"no-such-conf", ids[0]}));
    BOOST_TEST(no_conference.exit_code == 1);
    check_error_fields(no_conference.out, member_key("no-such-conf", ids[0]), "not_found", 404u);
}

BOOST_AUTO_TEST_CASE(recordings_prints_one_line_per_recording_or_one_error_line) {
    auto server = make_server();
    auto r = run(command_args("recordings", server->base_url(), {"conf-0"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 0, r.err);
    const auto expected = recording_lines(*server, "conf-0");
    BOOST_TEST(!expected.empty());
    BOOST_TEST(r.lines() == expected, boost::test_tools::per_element());
    for (const auto& line : r.lines())
        for (const char* field : {"accountId", "conferenceId", "name", "recordingId", "duration", "channels",
                                  "startTime", "endTime", "fileFormat", "status", "mediaUrl", "recordingName"})
            BOOST_TEST(parse_line(line).contains(field), field << " in " << line);

    // Every fourth seeded conference has none: nothing printed, success.
    auto none = run(command_args("recordings", server->base_url(), {"conf-3"}));
    BOOST_TEST(none.exit_code == 0, none.err);
    BOOST_TEST(none.out.empty());

    auto missing = run(command_args("recordings", server->base_url(), {"nope"}));
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST_REQUIRE(missing.lines().size() == 1u);
    check_error_fields(missing.out, {{"conferenceId", "nope"}}, "not_found", 404u);

    server->script_route("conferences/conf-1/recordings", {status(200, R"([{"recordingId":"r-1","channels":"two"}])")});
    auto bad = run(command_args("recordings", server->base_url(), {"conf-1"}));
    BOOST_TEST(bad.exit_code == 1);
    BOOST_TEST_REQUIRE(bad.lines().size() == 1u);
    check_error_fields(bad.out, {{"conferenceId", "conf-1"}}, "bad_response", 200u);
}

BOOST_AUTO_TEST_CASE(recording_prints_its_metadata_with_absent_and_null_fields_omitted) {
    auto server = make_server();
    BOOST_TEST_REQUIRE(server->put_recording(
        "conf-1", R"({"recordingId":"r-sparse","conferenceId":"conf-1","name":null,"duration":"PT1M2.5S",
                     "channels":2,"startTime":"2026-03-01T10:00:00+01:00","fileFormat":"mp3","status":"complete",
                     "mediaUrl":null})"));
    auto r = run(command_args("recording", server->base_url(), {"conf-1", "r-sparse"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == R"({"conferenceId":"conf-1","recordingId":"r-sparse","duration":"PT1M2.5S","channels":2,)"
                        R"("startTime":"2026-03-01T09:00:00.000Z","fileFormat":"mp3","status":"complete"})"
                        "\n");

    const auto seeded = recording_lines(*server, "conf-0");
    const std::string id(parse_line(seeded[0]).at("recordingId").as_string());
    auto one = run(command_args("recording", server->base_url(), {"conf-0", id}));
    BOOST_TEST(one.exit_code == 0, one.err);
    BOOST_TEST(one.out == seeded[0] + "\n");

    auto missing = run(command_args("recording", server->base_url(), {"conf-0", "r-none"}));
    BOOST_TEST(missing.exit_code == 1);
    check_error_fields(missing.out, {{"conferenceId", "conf-0"}, {"recordingId", "r-none"}}, "not_found", 404u);

    // A body naming another recording is not this one.
    server->script_route("conferences/conf-1/recordings/r-sparse", {status(200, R"({"recordingId":"r-other"})")});
    auto wrong = run(command_args("recording", server->base_url(), {"conf-1", "r-sparse"}));
    BOOST_TEST(wrong.exit_code == 1);
    check_error_fields(wrong.out, {{"conferenceId", "conf-1"}, {"recordingId", "r-sparse"}}, "bad_response", 200u);
}

BOOST_AUTO_TEST_CASE(reads_against_bwvoice_mock) {
    auto r = run(command_args("recordings", tls_mock().url, {"conf-0"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(!r.lines().empty());
    auto m = run(command_args("member", tls_mock().url, {"conf-0", "c-nobody"}));
    BOOST_TEST(m.exit_code == 1);
    check_error_fields(m.out, member_key("conf-0", "c-nobody"), "not_found", 404u);
}

BOOST_AUTO_TEST_CASE(usage_errors) {
    const std::string url = tls_mock().url;
    check_usage_error(run(command_args("member", url)));
    check_usage_error(run(command_args("member", url, {"conf-0"})));
    check_usage_error(run(command_args("recordings", url)));
    check_usage_error(run(command_args("recordings", url, {"conf-0", "conf-1"})));
    check_usage_error(run(command_args("recording", url, {"conf-0"})));
    check_usage_error(run(command_args("recording", url, {"conf-0", "r-1", "r-2"})));
    check_usage_error(run(command_args("member", url, {"conf-0", "c-1", "--concurrency", "2"})));
    for (const char* command : {"member", "recordings", "recording"}) {
        auto help = run({bwconf_path(), command, "--help"});
        BOOST_TEST(help.exit_code == 0);
        BOOST_TEST(help.out.find(std::string("Usage: bwconf ") + command) == 0u, help.out);
        auto help_word = run({bwconf_path(), "help", command});
        BOOST_TEST(help_word.out == help.out);
    }
}

BOOST_AUTO_TEST_CASE(sigint_prints_every_unfinished_member_as_cancelled) {
    auto server = make_server();
    const auto ids = member_ids(*server, "conf-0");
    server->script_route("conferences/conf-0/members/" + ids[1], {Action::of(Action::Kind::silent)});
    Process p(command_args("member", server->base_url(), {"conf-0", ids[0], ids[1], ids[0]}));
    BOOST_TEST_REQUIRE(p.pump_until([&] { return server->stats().requests >= 3; }, 10s));
    p.pump_for(200ms);
    p.send_signal(SIGINT);
    auto r = p.wait(10s);
    BOOST_TEST(r.exit_code == 130, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 3u, r.out);
    BOOST_TEST(lines[0] == member_line(*server, "conf-0", ids[0]));
    check_error_fields(lines[1], member_key("conf-0", ids[1]), "cancelled", std::nullopt);
    BOOST_TEST(lines[2] == member_line(*server, "conf-0", ids[0]));  // finished: kept
}

BOOST_AUTO_TEST_SUITE_END()
