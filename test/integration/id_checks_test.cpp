// "A result is never attributed to the wrong ID", for the conference a
// member, a recording or a recording list belongs to (review item 5), over
// real TLS against the mock: an answer naming another conference is
// bad_response, and the connection that carried it is retired (its answers
// are out of step), so the next request goes out on a new connection and
// succeeds. An answer that names no conference is accepted.
#include "integration/wrong_answer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>

namespace net = boost::asio;
namespace json = boost::json;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;

namespace {

const std::string kOther = "OTHER-CONF";

/// `object_json` with its conferenceId set to `conference` (null when nullopt, absent when "-").
std::string with_conference(const std::string& object_json, const std::optional<std::string>& conference) {
    json::object o = json::parse(object_json).as_object();
    if (!conference)
        o["conferenceId"] = nullptr;
    else if (*conference == "-")
        o.erase("conferenceId");
    else
        o["conferenceId"] = *conference;
    return json::serialize(o);
}

/// The recording list of `s`, with item `index`'s conferenceId changed as above.
std::string list_with_conference(const mock::MockServer& server, const Subject& s, std::size_t index,
                                 const std::optional<std::string>& conference) {
    json::array list = json::parse(server.recordings_json(s.conference).value()).as_array();
    BOOST_REQUIRE(index < list.size());
    list[index] = json::parse(with_conference(json::serialize(list[index]), conference));
    return json::serialize(list);
}

Action answering(std::string body) {
    Action a;
    a.body = std::move(body);
    return a;
}

/// The message of an answer refused for naming conference kOther: it names
/// that conference and `named` (what came back).
void check_names_the_other_conference(const Diagnostics& bad, const std::string& named) {
    BOOST_TEST(contains(bad.message, "conference '" + kOther + "'"), bad.message);
    BOOST_TEST(contains(bad.message, named), bad.message);
    BOOST_TEST(contains(bad.message, "not the conference requested"), bad.message);
}

/// Runs `op` twice; the first answer is `scripted`, which must be accepted,
/// and the connection reused for the second.
void accepted_and_reused(Op op, const std::string& scripted) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const std::string route = route_of(op, s);
    env.server->script_route(route, {answering(scripted)});
    net::io_context ioc;
    ConferenceClient client(ioc, one_connection(env));
    run_again(ioc, [&]() -> net::awaitable<void> {
        for (int i = 0; i < 2; ++i) {
            const OpResult r = co_await call(op, client, s);
            BOOST_TEST(!r.ec, i << ": " << r.ec.message() << ": " << r.diag.message);
        }
    });
    BOOST_TEST(env.server->stats().connections_accepted == 1u);
    BOOST_TEST(client.stats().reuses == 1u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(id_checks)

BOOST_AUTO_TEST_CASE(a_member_of_another_conference_is_bad_response_and_its_connection_retired) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const std::string member = env.server->member_json(s.conference, s.member).value();
    // The member's own call ID: only the conference is wrong.
    const Diagnostics bad = refused_then_recovered(env, s.route_member(), with_conference(member, kOther),
                                                   member_read(s), member_now(*env.server, s));
    check_names_the_other_conference(bad, "member '" + s.member + "'");
}

BOOST_AUTO_TEST_CASE(a_recording_of_another_conference_is_bad_response_and_its_connection_retired) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const std::string recording = env.server->recording_json(s.conference, s.recording).value();
    const RecordingMetadata own = recording_now(*env.server, s.conference, s.recording);
    const Diagnostics bad =
        refused_then_recovered(env, s.route_recording(), with_conference(recording, kOther), recording_read(s), own);
    check_names_the_other_conference(bad, "recording '" + s.recording + "'");
}

BOOST_AUTO_TEST_CASE(a_recording_list_holding_another_conferences_recording_is_bad_response) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    // Review item 5's reproducer: a list of one recording naming another conference.
    std::string one = env.server->recording_json(s.conference, s.recording).value();
    const std::vector<RecordingMetadata> own = recordings_now(*env.server, s.conference);
    const Diagnostics bad = refused_then_recovered(env, s.route_recordings(), "[" + with_conference(one, kOther) + "]",
                                                   recording_list_read(s), own);
    check_names_the_other_conference(bad, "the list holds recording '" + s.recording + "'");

    // A longer list in which only the last recording is another conference's.
    json::array list = json::parse(env.server->recordings_json(s.conference).value()).as_array();
    json::object extra = json::parse(one).as_object();
    extra["recordingId"] = "r-of-another";
    extra["conferenceId"] = kOther;
    list.push_back(extra);
    const Diagnostics longer_bad =
        refused_then_recovered(env, s.route_recordings(), json::serialize(list), recording_list_read(s), own);
    check_names_the_other_conference(longer_bad, "the list holds recording 'r-of-another'");
}

BOOST_AUTO_TEST_CASE(an_answer_naming_no_conference_is_accepted) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const std::string member = env.server->member_json(s.conference, s.member).value();
    const std::string recording = env.server->recording_json(s.conference, s.recording).value();
    for (const std::optional<std::string>& conference :
         {std::optional<std::string>("-"), std::optional<std::string>()}) {
        BOOST_TEST_CONTEXT("conferenceId " << (conference ? "absent" : "null")) {
            accepted_and_reused(Op::get_member, with_conference(member, conference));
            accepted_and_reused(Op::get_recording, with_conference(recording, conference));
            accepted_and_reused(Op::list_recordings, list_with_conference(*env.server, s, 0, conference));
        }
    }
    accepted_and_reused(Op::list_recordings, "[]");
    // The seeded answers name their own conference.
    accepted_and_reused(Op::get_member, member);
    accepted_and_reused(Op::list_recordings, *env.server->recordings_json(s.conference));
}

BOOST_AUTO_TEST_CASE(the_member_id_is_still_checked_first) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const std::string other_member = env.server->member_json(s.conference, s.other_member).value();
    env.server->script_route(s.route_member(), {answering(with_conference(other_member, kOther))});
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_again(ioc, [&]() -> net::awaitable<void> {
        const OpResult bad = co_await call(Op::get_member, client, s);
        BOOST_TEST((bad.ec == errc::bad_response), bad.ec.message());
        BOOST_TEST(bad.diag.message == "the response is for member '" + s.other_member + "', not the one requested");
    });
}

BOOST_AUTO_TEST_SUITE_END()
