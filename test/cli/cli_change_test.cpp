// bwconf update, end, bxml, mute, unmute, hold, unhold, coach: the bodies
// sent (exactly the fields given), the lines, the usage errors (nothing
// sent), changes never resent once they may have arrived, secrets.
#include "cli/cli_fixture.hpp"

#include <bwvoice/changes.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>

using namespace bwconf_test;
using bwvoice::mock::Action;
using namespace std::chrono_literals;

namespace {

const std::string kRedirectPassword = "R3direct-Pw!x";
const std::string kFallbackPassword = "Fa11back-Pw!y";

Action status(unsigned s, std::optional<std::string> body = std::nullopt,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    Action a;
    a.status = s;
    a.body = std::move(body);
    a.headers = std::move(headers);
    return a;
}

/// The bodies of the requests with this method on this route, in order.
std::vector<std::string> bodies(const bwvoice::mock::MockServer& server, const std::string& route,
                                const std::string& method) {
    std::vector<std::string> out;
    for (const auto& r : server.requests())
        if (r.route == route && r.method == method) out.push_back(r.body);
    return out;
}

std::vector<bwvoice::mock::RecordedRequest> requests_on(const bwvoice::mock::MockServer& server,
                                                        const std::string& route) {
    std::vector<bwvoice::mock::RecordedRequest> out;
    for (const auto& r : server.requests())
        if (r.route == route) out.push_back(r);
    return out;
}

std::string or_none(const std::optional<std::string>& s) {
    return s.value_or("(nothing)");
}

std::string updated(const std::string& id) {
    return R"({"id":")" + id + R"(","updated":true})";
}

std::string member_updated(const std::string& conference, const std::string& member) {
    return R"({"conferenceId":")" + conference + R"(","memberId":")" + member + R"(","updated":true})";
}

std::vector<std::string> member_ids(const bwvoice::mock::MockServer& server, const std::string& conference) {
    std::vector<std::string> ids;
    const auto value = boost::json::parse(*server.conference_json(conference));
    for (const auto& m : value.at("activeMembers").as_array()) ids.emplace_back(m.at("callId").as_string());
    return ids;
}

void check_no_redirect_secret(const ProcessResult& r) {
    for (const auto& secret : {kRedirectPassword, kFallbackPassword}) {
        BOOST_TEST(r.out.find(secret) == std::string::npos, "a redirect password on stdout: " << r.out);
        BOOST_TEST(r.err.find(secret) == std::string::npos, "a redirect password on stderr: " << r.err);
    }
    check_no_secret(r);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_change)

BOOST_AUTO_TEST_CASE(update_sends_exactly_the_fields_given) {
    auto server = make_server();
    auto r = run(command_args("update", server->base_url(),
                              {"conf-1", "--status", "active", "--redirect-url", "https://hooks.example.com/next"}));
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == updated("conf-1") + "\n");
    BOOST_TEST(or_none(server->last_conference_update("conf-1")) ==
               std::string(R"({"status":"active","redirectUrl":"https://hooks.example.com/next"})"));
    const auto sent = requests_on(*server, "conferences/conf-1");
    BOOST_TEST_REQUIRE(sent.size() == 1u);
    BOOST_TEST(sent[0].method == "POST");
    BOOST_TEST(sent[0].content_type == "application/json");

    // Every option: each field once, with the API's names, nothing more.
    auto all =
        run(command_args("update", server->base_url(),
                         {"conf-2", "--status", "active", "--redirect-url", "https://a.example/r", "--redirect-method",
                          "post", "--redirect-fallback-url", "https://b.example/f", "--redirect-fallback-method", "GET",
                          "--redirect-username", "ru", "--redirect-password", kRedirectPassword, "--fallback-username",
                          "fu", "--fallback-password", kFallbackPassword}));
    check_no_redirect_secret(all);
    BOOST_TEST(all.exit_code == 0, all.err);
    BOOST_TEST(all.out == updated("conf-2") + "\n");
    const bwvoice::ConferenceUpdate expected{.status = bwvoice::ConferenceStatus::active,
                                             .redirect_url = "https://a.example/r",
                                             .redirect_method = bwvoice::RedirectMethod::post,
                                             .username = "ru",
                                             .password = kRedirectPassword,
                                             .redirect_fallback_url = "https://b.example/f",
                                             .redirect_fallback_method = bwvoice::RedirectMethod::get,
                                             .fallback_username = "fu",
                                             .fallback_password = kFallbackPassword};
    BOOST_TEST(or_none(server->last_conference_update("conf-2")) == std::string(bwvoice::to_json(expected)));
    BOOST_TEST(boost::json::parse(*server->last_conference_update("conf-2")).as_object().size() == 9u);

    // Only some of the options: only those fields (no default method filled in).
    auto some = run(command_args(
        "update", server->base_url(),
        {"conf-3", "--redirect-url", "https://a.example/r", "--status", "active", "--fallback-username", ""}));
    BOOST_TEST(some.exit_code == 0, some.err);
    BOOST_TEST(or_none(server->last_conference_update("conf-3")) ==
               std::string(R"({"status":"active","redirectUrl":"https://a.example/r","fallbackUsername":""})"));

    auto completed = run(command_args("update", server->base_url(), {"conf-4", "--status", "completed"}));
    BOOST_TEST(completed.exit_code == 0, completed.err);
    BOOST_TEST(or_none(server->last_conference_update("conf-4")) == std::string(R"({"status":"completed"})"));
}

BOOST_AUTO_TEST_CASE(update_usage_errors_send_nothing) {
    auto server = make_server();
    const std::string url = server->base_url();
    const std::vector<std::vector<std::string>> bad = {
        {"conf-1"},                        // no --status
        {"conf-1", "--status", "paused"},  // not a status
        {"conf-1", "--status", "Active", "--redirect-url", "https://a.example/"},
        {"conf-1", "--status", "active"},                               // active without --redirect-url
        {"conf-1", "--status", "active", "--redirect-method", "POST"},  // still no --redirect-url
        {"conf-1", "--status", "active", "--redirect-url", "https://a.example/", "--redirect-method", "PUT"},
        {"conf-1", "--status", "active", "--redirect-url", "/relative"},  // not an absolute URL
        {"conf-1", "--status", "active", "--redirect-url", "https://a.example/", "--redirect-password",
         std::string(1025, 'p')},                                   // over 1024 characters
        {"--status", "completed"},                                  // no ID
        {"conf-1", "--status", "completed", "--status", "active"},  // twice
    };
    for (const auto& args : bad) BOOST_TEST_CONTEXT(args.size() << " args, last " << args.back())
    check_usage_error(run(command_args("update", url, args)));
    // Any redirect option with --status completed.
    for (const std::string option :
         {"--redirect-url", "--redirect-method", "--redirect-fallback-url", "--redirect-fallback-method",
          "--redirect-username", "--redirect-password", "--fallback-username", "--fallback-password"}) {
        const std::string value = option.ends_with("method")     ? "GET"
                                  : option.ends_with("url")      ? "https://a.example/"
                                  : option.ends_with("password") ? kRedirectPassword
                                                                 : "someone";
        BOOST_TEST_CONTEXT(option) {
            auto r = run(command_args("update", url, {"conf-1", "--status", "completed", option, value}));
            check_usage_error(r);
            check_no_redirect_secret(r);
        }
    }
    // The redirect passwords stay out of usage errors whatever the mistake.
    auto r = run(command_args("update", url,
                              {"conf-1", "--status", kRedirectPassword, "--redirect-password", kRedirectPassword,
                               "--fallback-password=" + kFallbackPassword}));
    check_usage_error(r);
    check_no_redirect_secret(r);
    BOOST_TEST(server->stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(update_errors_are_lines_and_echoed_passwords_are_redacted) {
    auto server = make_server();
    const std::string echo = R"({"type":"validation","description":"bad password )" + kRedirectPassword + " and " +
                             kFallbackPassword + " and " + kPassword + R"("})";
    server->script("conf-1", {status(400, echo)});
    auto r = run(command_args("update", server->base_url(),
                              {"conf-1", "nope", "--status", "active", "--redirect-url", "https://a.example/",
                               "--redirect-password", kRedirectPassword, "--fallback-password", kFallbackPassword}));
    check_no_redirect_secret(r);
    BOOST_TEST(r.exit_code == 1);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u, r.out);
    check_error(lines[0], "conf-1", "bad_request", 400u);
    check_error(lines[1], "nope", "not_found", 404u);
}

// Never resent once any byte may have reached the server; retried after a
// 429 (the server refused it).
BOOST_AUTO_TEST_CASE(a_change_is_not_resent_after_it_may_have_arrived) {
    auto server = make_server();
    Action dropped = Action::of(Action::Kind::drop);
    dropped.apply = true;  // the server made the change, then hung up
    server->script("conf-1", {dropped});
    server->script("conf-2", std::vector<Action>(4, status(503)));
    server->script("conf-3", {status(429, std::nullopt, {{"Retry-After", "0"}})});
    server->script("conf-4", {Action::of(Action::Kind::silent)});
    auto r = run(command_args("end", server->base_url(),
                              {"conf-1", "conf-2", "conf-3", "conf-4", "--retries", "3", "--timeout-ms", "1500"}));
    BOOST_TEST(r.exit_code == 1);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 4u, r.out);
    check_error(lines[0], "conf-1", "connection_failed", std::nullopt);
    check_error(lines[1], "conf-2", "server_error", 503u);
    BOOST_TEST(lines[2] == updated("conf-3"));
    check_error(lines[3], "conf-4", "timeout", std::nullopt);
    BOOST_TEST(server->request_count("conferences/conf-1", "POST") == 1u);
    BOOST_TEST(server->request_count("conferences/conf-2", "POST") == 1u);
    BOOST_TEST(server->request_count("conferences/conf-3", "POST") == 2u);
    BOOST_TEST(server->request_count("conferences/conf-4", "POST") == 1u);
    BOOST_TEST(
        parse_line(lines[0]).at("error").at("message").as_string().find("may have been applied") != std::string::npos,
        lines[0]);
}

BOOST_AUTO_TEST_CASE(end_completes_each_conference) {
    auto server = make_server();
    auto r = run(command_args("end", server->base_url(), {"conf-1", "conf-2", "missing", "conf-5"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 4u, r.out);
    BOOST_TEST(lines[0] == updated("conf-1"));
    BOOST_TEST(lines[1] == updated("conf-2"));
    check_error(lines[2], "missing", "not_found", 404u);
    BOOST_TEST(lines[3] == updated("conf-5"));
    for (const char* id : {"conf-1", "conf-2", "conf-5"}) {
        BOOST_TEST(bodies(*server, std::string("conferences/") + id, "POST") ==
                       std::vector<std::string>{R"({"status":"completed"})"},
                   boost::test_tools::per_element());
        // The server's state shows it: completed, no members left.
        auto state = boost::json::parse(*server->conference_json(id)).as_object();
        BOOST_TEST(state.contains("completedTime"), id);
        BOOST_TEST(state.at("activeMembers").as_array().empty(), id);
    }
    auto ok = run(command_args("end", tls_mock().url, {"conf-900"}));
    BOOST_TEST(ok.exit_code == 0, ok.err);
    BOOST_TEST(ok.out == updated("conf-900") + "\n");
    check_usage_error(run(command_args("end", server->base_url())));
    check_usage_error(run(command_args("end", server->base_url(), {"conf-1", "--status", "active"})));
}

BOOST_AUTO_TEST_CASE(bxml_is_sent_byte_for_byte) {
    auto server = make_server();
    // UTF-8, CRLF, tabs, trailing spaces, a NUL byte, no final newline.
    std::string document =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<Bxml>\t<SpeakSentence>Grüße, 日本 </SpeakSentence>";
    document += std::string("\0<!-- -->", 9);
    document += "\n\n  </Bxml>  ";
    auto file = certs().dir / "doc.xml";
    std::ofstream(file, std::ios::binary) << document;

    auto from_file = run(command_args("bxml", server->base_url(), {"conf-1", "--file", file.string()}));
    check_no_secret(from_file);
    BOOST_TEST(from_file.exit_code == 0, from_file.err);
    BOOST_TEST(from_file.out == updated("conf-1") + "\n");
    BOOST_TEST(or_none(server->last_bxml("conf-1")) == std::string(document));
    const auto sent = requests_on(*server, "conferences/conf-1/bxml");
    BOOST_TEST_REQUIRE(sent.size() == 1u);
    BOOST_TEST(sent[0].method == "PUT");
    BOOST_TEST(sent[0].content_type == "application/xml");
    BOOST_TEST(sent[0].body == document);

    // From stdin, larger than one read(2).
    std::string big = "<Bxml>";
    while (big.size() < 300'000) big += "<Pause duration=\"1\"/>\n";
    big += "</Bxml>";
    auto from_stdin = run(command_args("bxml", server->base_url(), {"conf-2", "--file", "-"}), {}, big);
    BOOST_TEST(from_stdin.exit_code == 0, from_stdin.err);
    BOOST_TEST(from_stdin.out == updated("conf-2") + "\n");
    BOOST_TEST(or_none(server->last_bxml("conf-2")) == std::string(big));

    auto missing = run(command_args("bxml", server->base_url(), {"nope", "--file", file.string()}));
    BOOST_TEST(missing.exit_code == 1);
    check_error(missing.out, "nope", "not_found", 404u);
}

BOOST_AUTO_TEST_CASE(bxml_usage_errors_send_nothing) {
    auto server = make_server();
    const std::string url = server->base_url();
    auto empty = certs().dir / "empty.xml";
    std::ofstream(empty, std::ios::binary).flush();
    auto doc = certs().dir / "one.xml";
    std::ofstream(doc, std::ios::binary) << "<Bxml/>";
    check_usage_error(run(command_args("bxml", url, {"conf-1", "--file", empty.string()})));
    check_usage_error(run(command_args("bxml", url, {"conf-1", "--file", "-"}), {}, ""));
    check_usage_error(run(command_args("bxml", url, {"conf-1"})));
    check_usage_error(run(command_args("bxml", url, {"conf-1", "--file", ""})));
    check_usage_error(run(command_args("bxml", url, {"conf-1", "--file", (certs().dir / "none.xml").string()})));
    check_usage_error(run(command_args("bxml", url, {"conf-1", "--file", certs().dir.string()})));
    check_usage_error(run(command_args("bxml", url, {"--file", doc.string()})));
    check_usage_error(run(command_args("bxml", url, {"conf-1", "conf-2", "--file", doc.string()})));
    BOOST_TEST(server->stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(bxml_from_a_silent_stdin_is_interrupted_by_sigint) {
    auto server = make_server();
    Process p(command_args("bxml", server->base_url(), {"conf-1", "--file", "-"}));
    p.write_stdin("<Bxml>");  // and no end
    p.pump_for(300ms);
    p.send_signal(SIGINT);
    auto r = p.wait(10s);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.exit_code == 130, r.err);
    check_error(r.out, "conf-1", "cancelled", std::nullopt);
    BOOST_TEST(server->stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(mute_unmute_hold_unhold_send_exactly_one_field) {
    auto server = make_server();
    const auto ids = member_ids(*server, "conf-0");
    BOOST_TEST_REQUIRE(ids.size() >= 2u);
    struct Case {
        const char* command;
        const char* body;
    };
    for (const Case c : {Case{"mute", R"({"mute":true})"}, Case{"unmute", R"({"mute":false})"},
                         Case{"hold", R"({"hold":true})"}, Case{"unhold", R"({"hold":false})"}}) {
        BOOST_TEST_CONTEXT(c.command) {
            server->clear_requests();
            auto r = run(command_args(c.command, server->base_url(), {"conf-0", ids[0], "c-nobody", ids[1]}));
            check_no_secret(r);
            BOOST_TEST(r.exit_code == 1, r.err);
            const auto lines = r.lines();
            BOOST_TEST_REQUIRE(lines.size() == 3u, r.out);
            BOOST_TEST(lines[0] == member_updated("conf-0", ids[0]));
            check_error_fields(lines[1], {{"conferenceId", "conf-0"}, {"memberId", "c-nobody"}}, "not_found", 404u);
            BOOST_TEST(lines[2] == member_updated("conf-0", ids[1]));
            for (const std::string& id : {ids[0], std::string("c-nobody"), ids[1]}) {
                const auto sent = requests_on(*server, "conferences/conf-0/members/" + id);
                BOOST_TEST_REQUIRE(sent.size() == 1u);
                BOOST_TEST(sent[0].method == "PUT");
                BOOST_TEST(sent[0].content_type == "application/json");
                BOOST_TEST(sent[0].body == c.body);
            }
            // The server's state shows it.
            const auto member = boost::json::parse(*server->member_json("conf-0", ids[0]));
            const std::string field = std::string(c.body).substr(2, 4);
            BOOST_TEST(member.at(field).as_bool() == (std::string(c.body).find("true") != std::string::npos));
        }
    }
    check_usage_error(run(command_args("mute", server->base_url(), {"conf-0"})));
    check_usage_error(run(command_args("hold", server->base_url())));
}

BOOST_AUTO_TEST_CASE(coach_sends_the_call_list_and_an_empty_one_clears_it) {
    auto server = make_server();
    const auto ids = member_ids(*server, "conf-0");
    const std::string route = "conferences/conf-0/members/" + ids[0];
    auto r = run(command_args("coach", server->base_url(), {"conf-0", ids[0], "--calls", "c-a,c-b"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == member_updated("conf-0", ids[0]) + "\n");
    auto clear = run(command_args("coach", server->base_url(), {"conf-0", ids[0], "--calls", ""}));
    BOOST_TEST(clear.exit_code == 0, clear.err);
    auto one = run(command_args("coach", server->base_url(), {"conf-0", ids[0], "--calls=c-only"}));
    BOOST_TEST(one.exit_code == 0, one.err);
    BOOST_TEST(bodies(*server, route, "PUT") ==
                   (std::vector<std::string>{R"({"callIdsToCoach":["c-a","c-b"]})", R"({"callIdsToCoach":[]})",
                                             R"({"callIdsToCoach":["c-only"]})"}),
               boost::test_tools::per_element());
    const auto member = boost::json::parse(*server->member_json("conf-0", ids[0]));
    BOOST_TEST(member.at("callIdsToCoach") == boost::json::parse(R"(["c-only"])"));

    auto missing = run(command_args("coach", server->base_url(), {"conf-0", "c-nobody", "--calls", "c-a"}));
    BOOST_TEST(missing.exit_code == 1);
    check_error_fields(missing.out, {{"conferenceId", "conf-0"}, {"memberId", "c-nobody"}}, "not_found", 404u);

    server->clear_requests();
    const std::string url = server->base_url();
    check_usage_error(run(command_args("coach", url, {"conf-0", ids[0]})));
    check_usage_error(run(command_args("coach", url, {"conf-0", "--calls", "c-a"})));
    check_usage_error(run(command_args("coach", url, {"conf-0", ids[0], "--calls", "c-a,,c-b"})));
    check_usage_error(run(command_args("coach", url, {"conf-0", ids[0], "--calls", "c-a,"})));
    check_usage_error(run(command_args("coach", url, {"conf-0", ids[0], "--calls", ","})));
    check_usage_error(run(command_args("coach", url, {"conf-0", ids[0], "--calls", "\xff\xfe"})));
    BOOST_TEST(server->requests().empty());
}

BOOST_AUTO_TEST_CASE(sigterm_during_changes_prints_them_cancelled) {
    auto server = make_server();
    server->script_all({Action::of(Action::Kind::silent)});
    Process p(command_args("end", server->base_url(), {"conf-1", "conf-2"}));
    BOOST_TEST_REQUIRE(p.pump_until([&] { return server->stats().requests >= 2; }, 10s));
    p.send_signal(SIGTERM);
    auto r = p.wait(10s);
    BOOST_TEST(r.exit_code == 143, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u, r.out);
    check_error(lines[0], "conf-1", "cancelled", std::nullopt);
    check_error(lines[1], "conf-2", "cancelled", std::nullopt);
}

BOOST_AUTO_TEST_SUITE_END()
