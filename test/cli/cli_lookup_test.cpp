// bwconf get against real servers: the output format, the order of lines,
// the environment, --ids-from, every error code and its object, timestamps,
// --allow-http, progress.
#include "cli/cli_fixture.hpp"
#include "common/refused_port.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace bwconf_test;
using bwvoice::mock::Action;
using namespace std::chrono_literals;

namespace {

Action status(unsigned s, std::vector<std::pair<std::string, std::string>> headers = {},
              std::optional<std::string> body = std::nullopt) {
    Action a;
    a.status = s;
    a.headers = std::move(headers);
    a.body = std::move(body);
    return a;
}

Action of_kind(Action::Kind k, std::optional<std::string> body = std::nullopt) {
    Action a;
    a.kind = k;
    a.body = std::move(body);
    return a;
}

Action delayed(std::chrono::milliseconds d) {
    Action a;
    a.delay = d;
    return a;
}

std::string error_code_of(const std::string& line) {
    auto o = parse_line(line);
    return o.contains("error") ? std::string(o.at("error").at("code").as_string()) : "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_lookup)

BOOST_AUTO_TEST_CASE(one_line_per_id_in_order_with_duplicates) {
    auto r = run(get_args(tls_mock().url, {"conf-1", "nope", "conf-2", "conf-1"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 1, r.err);
    BOOST_TEST(r.err.empty(), "quiet when stderr is not a terminal: " << r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 4u);
    BOOST_TEST(lines[0] == expected_line(1));
    check_error(lines[1], "nope", "not_found", 404u);
    BOOST_TEST(lines[2] == expected_line(2));
    BOOST_TEST(lines[3] == expected_line(1));
    BOOST_TEST(r.out.back() == '\n');

    auto ok = run(get_args(tls_mock().url, {"conf-3", "conf-4"}));
    BOOST_TEST(ok.exit_code == 0, ok.err);
    BOOST_TEST(ok.out == expected_line(3) + "\n" + expected_line(4) + "\n");
    BOOST_TEST(ok.err.empty());
}

BOOST_AUTO_TEST_CASE(environment_variables_and_flags_that_win) {
    const std::map<std::string, std::string> env{{"BW_VOICE_BASE_URL", tls_mock().url},
                                                 {"BW_ACCOUNT_ID", kAccount},
                                                 {"BW_USERNAME", kUser},
                                                 {"BW_PASSWORD", kPassword}};
    auto from_env = run(bare_args({"--ca-file", certs().ca_file, "conf-7"}), env);
    BOOST_TEST(from_env.exit_code == 0, from_env.err);
    BOOST_TEST(from_env.out == expected_line(7) + "\n");
    check_no_secret(from_env);

    // A wrong value in the environment loses to the right flag...
    auto wrong_env = env;
    wrong_env["BW_PASSWORD"] = "wrong-password";
    wrong_env["BW_VOICE_BASE_URL"] = "https://127.0.0.1:1/api/v2";
    wrong_env["BW_ACCOUNT_ID"] = "1111111";
    wrong_env["BW_USERNAME"] = "nobody";
    auto flags_win = run(bare_args({"--ca-file", certs().ca_file, "--base-url", tls_mock().url, "--account", kAccount,
                                    "--user", kUser, "--password", kPassword, "conf-7"}),
                         wrong_env);
    BOOST_TEST(flags_win.exit_code == 0, flags_win.err);
    BOOST_TEST(flags_win.out == expected_line(7) + "\n");
    check_no_secret(flags_win);

    // ...and a wrong flag wins over the right environment.
    auto wrong_flag = run(bare_args({"--ca-file", certs().ca_file, "--password", "wrong-password", "conf-7"}), env);
    BOOST_TEST(wrong_flag.exit_code == 1);
    check_error(wrong_flag.out, "conf-7", "unauthorized", 401u);
    check_no_secret(wrong_flag);
    auto wrong_account = run(bare_args({"--ca-file", certs().ca_file, "--account", "1111111", "conf-7"}), env);
    BOOST_TEST(wrong_account.exit_code == 1);
    BOOST_TEST(!error_code_of(wrong_account.out).empty());
}

BOOST_AUTO_TEST_CASE(ids_from_a_file_and_from_stdin) {
    // Blank and whitespace-only lines are skipped, CRLF endings handled, the
    // last line may lack its newline, duplicates are kept.
    const std::string input = "conf-5\n\n   \r\nconf-6\r\n\nconf-5\n\t\nconf-8";
    const std::string expected = expected_line(1) + "\n" + expected_line(5) + "\n" + expected_line(6) + "\n" +
                                 expected_line(5) + "\n" + expected_line(8) + "\n";
    auto file = certs().dir / "ids.txt";
    std::ofstream(file, std::ios::binary) << input;

    auto from_file = run(get_args(tls_mock().url, {"conf-1", "--ids-from", file.string()}));
    BOOST_TEST(from_file.exit_code == 0, from_file.err);
    BOOST_TEST(from_file.out == expected);

    auto from_stdin = run(get_args(tls_mock().url, {"--ids-from", "-", "conf-1"}), {}, input);
    BOOST_TEST(from_stdin.exit_code == 0, from_stdin.err);
    BOOST_TEST(from_stdin.out == expected);

    // stdin redirected from a regular file (read without the reactor).
    std::vector<std::string> shell{"/bin/sh", "-c", "exec \"$0\" \"$@\" < \"$BWCONF_IDS\""};
    for (const auto& a : get_args(tls_mock().url, {"conf-1", "--ids-from", "-"})) shell.push_back(a);
    auto from_redirect = run(shell, {{"BWCONF_IDS", file.string()}});
    BOOST_TEST(from_redirect.exit_code == 0, from_redirect.err);
    BOOST_TEST(from_redirect.out == expected);

    // Nothing to look up in the input: nothing printed, success.
    auto empty = run(get_args(tls_mock().url, {"--ids-from", "-"}), {}, "\n\r\n");
    BOOST_TEST(empty.exit_code == 0, empty.err);
    BOOST_TEST(empty.out.empty());
}

BOOST_AUTO_TEST_CASE(order_is_the_input_order_when_later_ids_finish_first) {
    auto server = make_server();
    server->script("conf-0", {delayed(900ms)});
    server->script("conf-1", {delayed(500ms)});
    server->script("conf-3", {delayed(250ms)});
    std::vector<std::string> extra{"--concurrency", "8"};
    for (int i = 0; i < 12; ++i) extra.push_back("conf-" + std::to_string(i));
    auto r = run(get_args(server->base_url(), extra));
    BOOST_TEST(r.exit_code == 0, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 12u);
    for (std::size_t i = 0; i < 12; ++i) BOOST_TEST(lines[i] == expected_line(i), "line " << i);
}

BOOST_AUTO_TEST_CASE(every_error_code_with_its_object) {
    auto server = make_server();
    server->script("e400", {status(400)});
    server->script("e403", {status(403)});
    server->script("e302", {status(302, {{"Location", "https://example.com/"}})});
    server->script("e500", {status(500)});
    server->script("e503", std::vector<Action>(5, status(503)));
    server->script("e429", std::vector<Action>(5, status(429, {{"Retry-After", "0"}})));
    server->script("raw", {of_kind(Action::Kind::raw, "this is not HTTP at all\r\n\r\n")});
    server->script("badjson", {status(200, {}, "{\"id\": \"badjson\", ")});
    server->script("noname", {status(200, {}, R"({"id":"noname","createdTime":"2026-01-01T00:00:00Z"})")});
    server->script("wrongtype",
                   {status(200, {}, R"({"id":"wrongtype","name":5,"createdTime":"2026-01-01T00:00:00Z"})")});
    server->script("silent", {of_kind(Action::Kind::silent)});
    server->script("conf-9", {of_kind(Action::Kind::drop)});  // retried, then fine
    const std::vector<std::string> ids{"e400",    "e403",   "e302",      "e500",   "e503",   "e429",   "raw",
                                       "badjson", "noname", "wrongtype", "silent", "conf-9", "missing"};
    std::vector<std::string> extra{"--retries", "2", "--timeout-ms", "1500"};
    extra.insert(extra.end(), ids.begin(), ids.end());
    auto r = run(get_args(server->base_url(), extra));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == ids.size());
    check_error(lines[0], "e400", "bad_request", 400u);
    check_error(lines[1], "e403", "forbidden", 403u);
    check_error(lines[2], "e302", "http_error", 302u);
    check_error(lines[3], "e500", "server_error", 500u);
    check_error(lines[4], "e503", "server_error", 503u);
    check_error(lines[5], "e429", "rate_limited", 429u);
    check_error(lines[6], "raw", "bad_response", std::nullopt);
    check_error(lines[7], "badjson", "bad_response", 200u);
    check_error(lines[8], "noname", "bad_response", 200u);
    check_error(lines[9], "wrongtype", "bad_response", 200u);
    check_error(lines[10], "silent", "timeout", std::nullopt);
    BOOST_TEST(lines[11] == expected_line(9));
    check_error(lines[12], "missing", "not_found", 404u);
    // --retries 2: three attempts at most for the retryable statuses.
    std::size_t e503 = 0, e429 = 0, e500 = 0;
    for (const auto& req : server->requests()) {
        if (req.target.ends_with("/e503")) ++e503;
        if (req.target.ends_with("/e429")) ++e429;
        if (req.target.ends_with("/e500")) ++e500;
    }
    BOOST_TEST(e503 == 3u);
    BOOST_TEST(e429 == 3u);
    BOOST_TEST(e500 == 1u);
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured) {
    auto server = make_server();
    server->script("conf-2", {status(429, {{"Retry-After", "1"}})});
    const auto start = std::chrono::steady_clock::now();
    auto r = run(get_args(server->base_url(), {"conf-2"}));
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == expected_line(2) + "\n");
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 1s));
}

BOOST_AUTO_TEST_CASE(connection_and_tls_failures_have_a_null_status) {
    const bwvoice::test::RefusedPort down;
    auto refused = run(get_args(down.https_url("/api/v2"), {"--retries", "1", "conf-1", "conf-2"}));
    BOOST_TEST(refused.exit_code == 1);
    const auto lines = refused.lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    check_error(lines[0], "conf-1", "connection_failed", std::nullopt);
    check_error(lines[1], "conf-2", "connection_failed", std::nullopt);
    check_no_secret(refused);

    // Without --ca-file the mock's certificate is not trusted by the system store.
    auto untrusted = run(bare_args(
        {"--base-url", tls_mock().url, "--account", kAccount, "--user", kUser, "--password", kPassword, "conf-1"}));
    BOOST_TEST(untrusted.exit_code == 1);
    check_error(untrusted.out, "conf-1", "tls_error", std::nullopt);
    check_no_secret(untrusted);

    // A TLS client talking to a plain HTTP server.
    auto plain = run(get_args("https" + plain_mock().url.substr(4), {"conf-1"}));
    BOOST_TEST(plain.exit_code == 1);
    const auto code = error_code_of(plain.out);
    BOOST_TEST((code == "tls_error" || code == "connection_failed"), plain.out);
}

BOOST_AUTO_TEST_CASE(timestamps_are_utc_with_milliseconds_and_completed_time_is_omitted_when_null) {
    auto server = make_server();
    server->put_conference("tz-live", R"({"id":"tz-live","name":"live","createdTime":"2026-11-28T16:02:11.5+02:00",
        "completedTime":null,"conferenceEventUrl":null,"conferenceEventMethod":"POST","tag":"t",
        "activeMembers":[{"callId":"c-1","conferenceId":"tz-live","memberUrl":"https://m","mute":false,"hold":true,
        "callIdsToCoach":null}]})");
    server->put_conference("tz-done", R"({"id":"tz-done","name":"done","createdTime":"2026-11-28T10:00:00-05:30",
        "completedTime":"2026-11-29T01:02:03.123456+01:00"})");
    auto r = run(get_args(server->base_url(), {"tz-live", "tz-done"}));
    BOOST_TEST(r.exit_code == 0, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    BOOST_TEST(lines[0] ==
               R"({"id":"tz-live","name":"live","createdTime":"2026-11-28T14:02:11.500Z","conferenceEventUrl":null,)"
               R"("conferenceEventMethod":"POST","tag":"t","activeMembers":[{"callId":"c-1","conferenceId":"tz-live",)"
               R"("memberUrl":"https://m","mute":false,"hold":true,"callIdsToCoach":[]}]})");
    auto done = parse_line(lines[1]);
    BOOST_TEST(done.at("createdTime").as_string() == "2026-11-28T15:30:00.000Z");
    BOOST_TEST(done.at("completedTime").as_string() == "2026-11-29T00:02:03.123Z");
}

BOOST_AUTO_TEST_CASE(ids_are_one_path_segment_and_printed_as_given) {
    auto server = make_server();
    const std::string odd = "a/b?c#d%e f\"x";
    server->put_conference(odd, R"({"id":"a/b?c#d%e f\"x","name":"odd","createdTime":"2026-01-01T00:00:00Z"})");
    auto r = run(get_args(server->base_url(), {odd, "../conf-1"}));
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    auto first = parse_line(lines[0]);
    BOOST_TEST(first.at("id").as_string() == odd);
    BOOST_TEST(first.at("name").as_string() == "odd");
    check_error(lines[1], "../conf-1", "not_found", 404u);
    for (const auto& req : server->requests()) {
        BOOST_TEST(req.target.find_first_of("?# ") == std::string::npos, req.target);
        BOOST_TEST(req.target.starts_with("/api/v2/accounts/" + kAccount + "/conferences/"), req.target);
    }
}

BOOST_AUTO_TEST_CASE(a_server_echoing_the_credentials_does_not_leak_them) {
    auto server = make_server();
    const std::string body =
        R"({"type":"validation","description":"you sent password )" + kPassword + R"( for )" + kUser + R"("})";
    server->script("echo", {status(400, {}, body)});
    server->script("echo2",
                   std::vector<Action>(3, status(503, {}, R"({"type":"x","description":")" + kPassword + R"("})")));
    auto r = run(get_args(server->base_url(), {"--retries", "0", "echo", "echo2"}));
    BOOST_TEST(r.exit_code == 1);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    check_error(lines[0], "echo", "bad_request", 400u);
    check_error(lines[1], "echo2", "server_error", 503u);
    check_no_secret(r);
}

BOOST_AUTO_TEST_CASE(allow_http_reaches_a_plain_server) {
    auto r = run(get_args(plain_mock().url, {"--allow-http", "conf-1", "nope"}));
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    BOOST_TEST(lines[0] == expected_line(1));
    check_error(lines[1], "nope", "not_found", 404u);
    check_no_secret(r);
    // --allow-http permits http://, it does not forbid https://.
    auto tls = run(get_args(tls_mock().url, {"--allow-http", "conf-1"}));
    BOOST_TEST(tls.exit_code == 0, tls.err);
}

BOOST_AUTO_TEST_CASE(progress_and_summary_only_when_asked_or_on_a_terminal) {
    auto forced = run(get_args(tls_mock().url, {"--progress", "conf-1", "nope"}));
    BOOST_TEST(forced.exit_code == 1);
    BOOST_TEST(forced.lines().size() == 2u);  // stdout unaffected
    BOOST_TEST(forced.err.find("2 lookups, 1 failed") != std::string::npos, forced.err);
    BOOST_TEST(forced.err.find("connections opened") != std::string::npos, forced.err);
    check_no_secret(forced);

    auto quiet = run(get_args(tls_mock().url, {"--no-progress", "conf-1"}));
    BOOST_TEST(quiet.exit_code == 0);
    BOOST_TEST(quiet.err.empty());
}

BOOST_AUTO_TEST_SUITE_END()
