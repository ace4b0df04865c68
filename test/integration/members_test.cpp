// Get and Update Conference Member over real TLS: the member as the mock
// serves it, updates visible in later reads, and an answer for another
// member refused.
#include "integration/wrong_answer.hpp"

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using namespace std::chrono_literals;

namespace {
constexpr auto tuple = net::as_tuple(net::use_awaitable);
}  // namespace

BOOST_AUTO_TEST_SUITE(members)

BOOST_AUTO_TEST_CASE(a_member_reads_as_the_mock_serves_it_with_each_completion_token) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const ConferenceMember expected = member_now(*env.server, s);
    BOOST_TEST(expected.call_id == s.member);
    BOOST_TEST(expected.conference_id == std::optional<std::string>(s.conference));
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());

    ConferenceMember awaited;
    Diagnostics diag;
    run_again(ioc, [&]() -> net::awaitable<void> {
        awaited = co_await client.async_get_member(s.conference, s.member, diag, net::use_awaitable);
    });
    BOOST_TEST((awaited == expected));
    BOOST_TEST(diag.http_status == std::optional<unsigned>(200));
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(diag.message == "");

    ConferenceMember called;
    error_code called_ec = make_error_code(errc::timeout);
    client.async_get_member(s.conference, s.other_member, [&](error_code ec, ConferenceMember m) {
        called_ec = ec;
        called = std::move(m);
    });
    ioc.restart();
    run_to_completion(ioc);
    BOOST_TEST(!called_ec);
    ConferenceMember other;
    BOOST_TEST_REQUIRE(!parse_member(*env.server->member_json(s.conference, s.other_member), other));
    BOOST_TEST((called == other));

    run_again(ioc, [&]() -> net::awaitable<void> {
        auto [ec, m] = co_await client.async_get_member(s.conference, s.member, tuple);
        BOOST_TEST(!ec);
        BOOST_TEST((m == expected));
    });
    BOOST_TEST(env.server->request_count(s.route_member(), "GET") == 2u);
}

BOOST_AUTO_TEST_CASE(a_member_update_shows_in_later_gets) {
    MockEnv env;
    const Subject s = unmuted_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    const ConferenceMember original = member_now(*env.server, s);
    ConferenceMember after_mute, after_coach, after_clear;
    Conference conference;
    Diagnostics diag;
    // Named, not braced temporaries in the co_await expressions: g++ 12
    // fails to compile those ("array used as initializer").
    const MemberUpdate mute{.mute = true};
    const MemberUpdate coach{.hold = true, .call_ids_to_coach = std::vector<std::string>{s.other_member}};
    const MemberUpdate clear{.call_ids_to_coach = std::vector<std::string>{}};
    run_again(ioc, [&]() -> net::awaitable<void> {
        co_await client.async_update_member(s.conference, s.member, mute, diag, net::use_awaitable);
        after_mute = co_await client.async_get_member(s.conference, s.member, net::use_awaitable);
        co_await client.async_update_member(s.conference, s.member, coach, net::use_awaitable);
        after_coach = co_await client.async_get_member(s.conference, s.member, net::use_awaitable);
        co_await client.async_update_member(s.conference, s.member, clear, net::use_awaitable);
        after_clear = co_await client.async_get_member(s.conference, s.member, net::use_awaitable);
        conference = co_await client.async_get_conference(s.conference, net::use_awaitable);
    });
    BOOST_TEST(diag.http_status == std::optional<unsigned>(204));
    BOOST_TEST(diag.message == "");
    BOOST_TEST(after_mute.mute == std::optional<bool>(true));
    BOOST_TEST(after_mute.hold == original.hold, "only the fields sent change");
    BOOST_TEST(after_mute.call_ids_to_coach == original.call_ids_to_coach, boost::test_tools::per_element());
    BOOST_TEST(after_coach.mute == std::optional<bool>(true));
    BOOST_TEST(after_coach.hold == std::optional<bool>(true));
    BOOST_TEST(after_coach.call_ids_to_coach == std::vector<std::string>{s.other_member},
               boost::test_tools::per_element());
    BOOST_TEST(after_clear.call_ids_to_coach.empty(), "an empty list clears it");
    BOOST_TEST(after_clear.hold == std::optional<bool>(true));
    BOOST_TEST((after_clear == member_now(*env.server, s)));
    // The conference shows the member as it is now.
    const auto it = std::find_if(conference.active_members.begin(), conference.active_members.end(),
                                 [&](const ConferenceMember& m) { return m.call_id == s.member; });
    BOOST_TEST_REQUIRE((it != conference.active_members.end()));
    BOOST_TEST((*it == after_clear));

    // Exactly the fields set, and nothing else.
    const auto puts = requests_on(*env.server, s.route_member(), "PUT");
    BOOST_TEST_REQUIRE(puts.size() == 3u);
    BOOST_TEST(puts[0].body == R"({"mute":true})");
    BOOST_TEST(puts[1].body == R"({"hold":true,"callIdsToCoach":[")" + s.other_member + R"("]})");
    BOOST_TEST(puts[2].body == R"({"callIdsToCoach":[]})");
    for (const auto& p : puts) BOOST_TEST(p.content_type == "application/json");
}

// "A result is never attributed to the wrong ID": a 200 naming another
// member is refused, not retried, and the connection that carried it (its
// answers are out of step) is not reused.
BOOST_AUTO_TEST_CASE(an_answer_naming_another_member_is_a_bad_response) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const ConferenceMember own = member_now(*env.server, s);
    BOOST_TEST(own.call_id == s.member);
    const Diagnostics bad = refused_then_recovered(
        env, s.route_member(), *env.server->member_json(s.conference, s.other_member), member_read(s), own);
    BOOST_TEST(contains(bad.message, "'" + s.other_member + "', not the one requested"), bad.message);
}

BOOST_AUTO_TEST_CASE(unknown_members_and_conferences_are_not_found) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
        {s.conference, "c-nobody", "Member [c-nobody] not found in conference [" + s.conference + "]"},
        {"conf-nope", s.member, "Conference [conf-nope] not found"},
    };
    for (const auto& one_case : cases) {
        // Named references: clang 14 cannot capture structured bindings.
        const auto& conference = std::get<0>(one_case);
        const auto& member = std::get<1>(one_case);
        const auto& description = std::get<2>(one_case);
        run_again(ioc, [&]() -> net::awaitable<void> {
            Diagnostics get_diag, put_diag;
            auto [get_ec, m] = co_await client.async_get_member(conference, member, get_diag, tuple);
            const MemberUpdate unhold{.hold = false};
            auto [put_ec] = co_await client.async_update_member(conference, member, unhold, put_diag, tuple);
            for (const auto& [ec, diag] : {std::pair{get_ec, get_diag}, std::pair{put_ec, put_diag}}) {
                BOOST_TEST((ec == errc::not_found), ec.message());
                BOOST_TEST(diag.http_status == std::optional<unsigned>(404));
                BOOST_TEST(diag.api_error_type == "validation");
                BOOST_TEST(diag.api_error_description == description);
                BOOST_TEST(diag.message == "HTTP 404: " + description);
                BOOST_TEST(diag.attempts == 1u);
            }
        });
    }
}

// IDs are one percent-encoded path segment each: nothing in them changes the
// path the server sees.
BOOST_AUTO_TEST_CASE(ids_are_sent_as_one_encoded_segment_each) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    const std::string tricky = "c-1/../../x?y=1#z %";
    run_again(ioc, [&]() -> net::awaitable<void> {
        auto [ec, m] = co_await client.async_get_member(s.conference, tricky, tuple);
        BOOST_TEST((ec == errc::not_found), ec.message());
        const MemberUpdate mute{.mute = true};
        auto [put_ec] = co_await client.async_update_member(s.conference, tricky, mute, tuple);
        BOOST_TEST((put_ec == errc::not_found), put_ec.message());
    });
    const auto all = env.server->requests();
    BOOST_TEST_REQUIRE(all.size() == 2u);
    for (const auto& r : all) {
        BOOST_TEST(r.target == "/api/v2/accounts/9900000/conferences/" + s.conference +
                                   "/members/c-1%2F..%2F..%2Fx%3Fy%3D1%23z%20%25");
        BOOST_TEST(r.route == s.route_conference() + "/members/" + tricky);
    }
}

// The same when the answer is for the right call ID in another conference:
// it names another conference than the one asked for.
BOOST_AUTO_TEST_CASE(an_answer_naming_another_conference_is_a_bad_response) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    auto other = boost::json::parse(*env.server->member_json(s.conference, s.member)).as_object();
    other["conferenceId"] = "conf-elsewhere";
    const ConferenceMember own = member_now(*env.server, s);
    BOOST_TEST(own.conference_id == std::optional<std::string>(s.conference));
    const Diagnostics bad =
        refused_then_recovered(env, s.route_member(), boost::json::serialize(other), member_read(s), own);
    BOOST_TEST(contains(bad.message, "conference 'conf-elsewhere', not the conference requested"), bad.message);
}

BOOST_AUTO_TEST_SUITE_END()
