// The clauses the contract states once for every subcommand, checked on
// every subcommand (get, list, member, recordings, recording, download,
// update, end, bxml, mute, unmute, hold, unhold, coach) from one table:
// the environment and the flags that win over it, --allow-http, usage errors
// (exit 2, nothing on stdout, nothing sent), one kind of credentials
// (cli_oauth_test runs the OAuth kind), SIGINT and SIGTERM (130/143, one
// cancelled line per requested key), the deadline, error lines and exit 1,
// secrets, changes never resent, reads retried, redirects not followed,
// interim responses skipped, results never given to another ID, IDs as
// one path segment each, the help.
#include "cli/cli_fixture.hpp"
#include "cli/subcommand_table.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>

using namespace bwconf_test;
using bwvoice::mock::Action;
using bwvoice::mock::MockServer;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// `out` with the server's base URL (in a recording's mediaUrl) replaced by
/// "BASE", so that the output of runs on different servers compares.
std::string normalised(std::string out, const MockServer& server) {
    const std::string base = server.base_url();
    for (auto at = out.find(base); at != std::string::npos; at = out.find(base, at))
        out.replace(at, base.size(), "BASE");
    return out;
}

/// A run on a fresh unscripted server: the reference output (normalised)
/// and the number of requests on the subcommand's route.
struct Baseline {
    std::string out;
    std::uint64_t route_requests = 0;
};

Baseline baseline(const Sub& s) {
    auto server = make_server(small_store());
    prepare(s);
    const auto r = run(args_of(s, server->base_url()));
    BOOST_TEST_REQUIRE(r.exit_code == 0, s.name << ": " << r.err);
    return {normalised(r.out, *server), server->request_count(s.route, s.method)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_contract)

// Every connection setting comes from the environment when no flag gives
// it, a flag always wins, and --allow-http reaches a plain server.
BOOST_AUTO_TEST_CASE(every_subcommand_takes_the_environment_and_flags_win) {
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name) {
            {
                auto server = make_server(small_store());
                prepare(s);
                auto r =
                    run(with_connection(s, {"--ca-file", certs().ca_file}), {{"BW_VOICE_BASE_URL", server->base_url()},
                                                                             {"BW_ACCOUNT_ID", kAccount},
                                                                             {"BW_USERNAME", kUser},
                                                                             {"BW_PASSWORD", kPassword}});
                check_no_secret(r);
                BOOST_TEST(r.exit_code == 0, r.err);
                BOOST_TEST(r.lines().size() == s.success_lines, r.out);
            }
            {
                auto server = make_server(small_store());
                prepare(s);
                auto r = run(args_of(s, server->base_url()), {{"BW_VOICE_BASE_URL", "https://127.0.0.1:1/api/v2"},
                                                              {"BW_ACCOUNT_ID", "1111111"},
                                                              {"BW_USERNAME", "someone-else"},
                                                              {"BW_PASSWORD", "not-the-password"}});
                BOOST_TEST(r.exit_code == 0, "a variable won over a flag: " << r.out << r.err);
                BOOST_TEST(r.lines().size() == s.success_lines, r.out);
            }
            {
                auto server = make_server(small_store(false));
                prepare(s);
                auto r = run(args_of(s, server->base_url(), {"--allow-http"}));
                BOOST_TEST(r.exit_code == 0, r.err);
                BOOST_TEST(r.lines().size() == s.success_lines, r.out);
            }
        }
    }
}

// A usage or configuration error: exit 2, a message on stderr, nothing on
// stdout, no request, no file, no secret. Credentials are one kind, whole:
// Basic or OAuth 2.0 client credentials, from flags or the environment;
// both kinds, neither, or half of one is refused, never resolved silently
// (a user would otherwise send the kind they did not mean).
BOOST_AUTO_TEST_CASE(every_subcommand_refuses_bad_settings_before_sending_anything) {
    auto server = make_server(small_store());
    const std::string url = server->base_url();
    const std::string ca = certs().ca_file;
    const std::string http_url = "http" + url.substr(5);
    const std::vector<std::string> full{"--base-url", url,      "--ca-file", ca,           "--account",
                                        kAccount,     "--user", kUser,       "--password", kPassword};
    const auto plus = [&](std::vector<std::string> extra) {
        auto v = full;
        v.insert(v.end(), extra.begin(), extra.end());
        return v;
    };
    const std::map<std::string, std::string> no_env;
    struct Variant {
        std::string what;
        std::vector<std::string> connection;
        std::map<std::string, std::string> env;
        std::string mentions;  ///< Text the message must contain.
    };
    const std::vector<Variant> variants{
        {"an unknown option", plus({"--bogus"}), no_env, "bogus"},
        {"a malformed --timeout-ms", plus({"--timeout-ms", "1.5"}), no_env, "--timeout-ms"},
        {"a zero --pool-size", plus({"--pool-size", "0"}), no_env, "--pool-size"},
        {"a negative --retries", plus({"--retries=-1"}), no_env, "--retries"},
        {"an unreadable --ca-file",
         {"--base-url", url, "--ca-file", (work_dir() / "no-such.pem").string(), "--account", kAccount, "--user", kUser,
          "--password", kPassword},
         no_env,
         "--ca-file"},
        {"an http:// base URL without --allow-http",
         {"--base-url", http_url, "--ca-file", ca, "--account", kAccount, "--user", kUser, "--password", kPassword},
         no_env,
         "--allow-http"},
        {"no account",
         {"--base-url", url, "--ca-file", ca, "--user", kUser, "--password", kPassword},
         no_env,
         "account"},
        {"no user",
         {"--base-url", url, "--ca-file", ca, "--account", kAccount, "--password", kPassword},
         no_env,
         "user"},
        {"no password",
         {"--base-url", url, "--ca-file", ca, "--account", kAccount, "--user", kUser},
         no_env,
         "password"},
        {"both kinds of credentials as flags", plus({"--client-id", "cid-1", "--client-secret", kClientSecret}), no_env,
         "both"},
        {"OAuth variables beside Basic flags",
         full,
         {{"BW_CLIENT_ID", "cid-1"}, {"BW_CLIENT_SECRET", kClientSecret}},
         "both"},
        {"Basic variables beside OAuth flags",
         {"--base-url", url, "--ca-file", ca, "--account", kAccount, "--client-id", "cid-1",
          "--client-secret=" + kClientSecret},
         {{"BW_USERNAME", kUser}, {"BW_PASSWORD", kPassword}},
         "both"},
        {"no credentials", {"--base-url", url, "--ca-file", ca, "--account", kAccount}, no_env, "credentials"},
        {"a client ID without its secret",
         {"--base-url", url, "--ca-file", ca, "--account", kAccount, "--client-id", "cid-1"},
         no_env,
         "client secret"},
        {"a client secret without its ID",
         {"--base-url", url, "--ca-file", ca, "--account", kAccount},
         {{"BW_CLIENT_SECRET", kClientSecret}},
         "client ID"},
        {"a client ID with a colon",
         {"--base-url", url, "--ca-file", ca, "--account", kAccount, "--client-id", "cid:1", "--client-secret",
          kClientSecret},
         no_env,
         "client_id"},
        {"a --token-url beside Basic credentials", plus({"--token-url", "https://127.0.0.1:1/oauth2/token"}), no_env,
         "--token-url"},
        {"an http:// token URL without --allow-http",
         {"--base-url", url, "--ca-file", ca, "--account", kAccount, "--client-id", "cid-1", "--client-secret",
          kClientSecret, "--token-url", "http://127.0.0.1:1/oauth2/token"},
         no_env,
         "--allow-http"},
        {"an empty --token-url",
         {"--base-url", url, "--ca-file", ca, "--account", kAccount, "--client-id", "cid-1", "--client-secret",
          kClientSecret, "--token-url", ""},
         no_env,
         "--token-url"},
    };
    for (const auto& s : subcommands()) {
        for (const auto& v : variants) {
            BOOST_TEST_CONTEXT(s.name << " with " << v.what) {
                prepare(s);
                auto r = run(with_connection(s, v.connection), v.env);
                check_usage_error(r);
                check_no_client_secret(r);
                BOOST_TEST(r.err.find(v.mentions) != std::string::npos, r.err);
                check_nothing_downloaded(s);
            }
        }
    }
    BOOST_TEST(server->stats().requests == 0u);
}

// SIGINT or SIGTERM while requests are in flight: exit 130 or 143, one
// cancelled line for every requested key (the listing: one line), named by
// the key's fields; download leaves no file behind.
BOOST_AUTO_TEST_CASE(every_subcommand_ends_on_sigint_and_sigterm_with_cancelled_lines) {
    for (const auto& s : subcommands()) {
        for (const auto& [signo, exit_status] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
            BOOST_TEST_CONTEXT(s.name << ", signal " << signo) {
                auto server = make_server(small_store());
                server->script_all({of_kind(Action::Kind::silent)});
                check_signal_cancels_every_key(
                    s, args_of(s, server->base_url()), [&] { return server->stats().requests >= 1; }, signo,
                    exit_status);
            }
        }
    }
}

// --timeout-ms bounds each operation, retries included: a server that never
// answers gives every key a timeout line, soon; a change is sent once.
BOOST_AUTO_TEST_CASE(every_subcommand_keeps_its_deadline) {
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name) {
            auto server = make_server(small_store());
            server->script_all({of_kind(Action::Kind::silent)});
            prepare(s);
            const auto start = std::chrono::steady_clock::now();
            auto r = run(args_of(s, server->base_url(), {"--timeout-ms", "600", "--retries", "3"}), {}, {}, 20s);
            const auto took = std::chrono::steady_clock::now() - start;
            BOOST_TEST(r.exit_code == 1, r.err);
            BOOST_TEST((took < 5s), std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
            check_every_key_failed(s, r, "timeout", std::nullopt);
            if (s.change) BOOST_TEST(server->request_count(s.route, s.method) == 1u);
            check_nothing_downloaded(s);
        }
    }
}

// A failure is an error line with the key's fields and exactly code,
// status and message; the other keys are still done and printed; exit 1.
BOOST_AUTO_TEST_CASE(every_subcommand_prints_a_failure_as_its_error_line_and_exits_1) {
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name) {
            auto server = make_server(small_store());
            server->script_route(s.route, {status(400)});
            prepare(s);
            auto r = run(args_of(s, server->base_url()));
            check_no_secret(r);
            BOOST_TEST(r.exit_code == 1, r.err);
            const auto lines = r.lines();
            BOOST_TEST_REQUIRE(lines.size() == s.keys.size(), r.out);
            check_error_fields(lines[0], s.keys[0], "bad_request", 400u);
            for (std::size_t i = 1; i < lines.size(); ++i) BOOST_TEST(!has_error(lines[i]), lines[i]);
            check_nothing_downloaded(s);
        }
    }
}

// A server that echoes the credentials in its error bodies, progress on:
// the password and the Basic credentials appear nowhere.
BOOST_AUTO_TEST_CASE(no_subcommand_prints_a_secret) {
    const std::string echo =
        R"({"type":"validation","description":"you sent )" + kUser + ":" + kPassword + " and " + kPassword + R"("})";
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name) {
            auto server = make_server(small_store());
            server->script_all({status(400, echo)});
            prepare(s);
            auto r = run(args_of(s, server->base_url(), {"--progress"}));
            check_no_secret(r);
            BOOST_TEST(r.exit_code == 1, r.err);
            BOOST_TEST(!r.err.empty(), "no progress drawn");
            BOOST_TEST(r.out.find("you sent") != std::string::npos, "the echo was not in the message: " << r.out);

            // A secret where a number belongs: the usage error does not echo it.
            for (const auto& extra : std::vector<std::vector<std::string>>{
                     {"--timeout-ms", kPassword},
                     {"--client-secret", kClientSecret, "--retries", kClientSecret},
                     {"--client-secret=" + kClientSecret, "--pool-size=" + kClientSecret}}) {
                auto usage = run(args_of(s, server->base_url(), extra));
                check_usage_error(usage);
                check_no_client_secret(usage);
            }
        }
    }
}

// A change is never resent once any byte of it may have reached the
// server (a dropped connection, a 5xx, a timeout, half an answer): it
// reports the error. A 429 (refused, not applied) is retried.
BOOST_AUTO_TEST_CASE(no_change_is_resent_once_it_may_have_arrived) {
    struct Scenario {
        std::string what;
        std::vector<Action> script;
        std::vector<std::string> extra;
        std::vector<std::string> codes;  ///< Acceptable codes of the first line ("" = success).
        std::optional<unsigned> http_status;
        std::uint64_t sent;
    };
    const std::vector<Scenario> scenarios{
        {"a dropped connection", {of_kind(Action::Kind::drop, true)}, {}, {"connection_failed"}, std::nullopt, 1},
        {"half an answer",
         {of_kind(Action::Kind::partial_headers, true)},
         {},
         {"connection_failed", "bad_response"},
         std::nullopt,
         1},
        {"503", std::vector<Action>(4, status(503)), {}, {"server_error"}, 503u, 1},
        {"502", std::vector<Action>(4, status(502)), {}, {"server_error"}, 502u, 1},
        {"no answer", {of_kind(Action::Kind::silent, true)}, {"--timeout-ms", "800"}, {"timeout"}, std::nullopt, 1},
        {"429", {status(429, std::nullopt, {{"Retry-After", "0"}})}, {}, {""}, std::nullopt, 2},
    };
    for (const auto& s : changes()) {
        for (const auto& sc : scenarios) {
            BOOST_TEST_CONTEXT(s.name << " after " << sc.what) {
                auto server = make_server(small_store());
                server->script_route(s.route, sc.script);
                prepare(s);
                std::vector<std::string> extra{"--retries", "3"};
                extra.insert(extra.end(), sc.extra.begin(), sc.extra.end());
                auto r = run(args_of(s, server->base_url(), extra));
                const auto lines = r.lines();
                BOOST_TEST_REQUIRE(lines.size() == s.keys.size(), r.out);
                const std::string code = error_code(lines[0]);
                BOOST_TEST((std::find(sc.codes.begin(), sc.codes.end(), code) != sc.codes.end()), lines[0]);
                if (!code.empty()) check_error_fields(lines[0], s.keys[0], code, sc.http_status);
                BOOST_TEST(r.exit_code == (code.empty() ? 0 : 1), r.err);
                BOOST_TEST(server->request_count(s.route, s.method) == sc.sent);
            }
        }
    }
}

// A read is idempotent: 429, 502, 503, 504 and a connection closed before
// the answer are retried up to --retries times; --retries 0 retries nothing.
BOOST_AUTO_TEST_CASE(every_read_is_retried_within_retries) {
    for (const auto& s : reads()) {
        BOOST_TEST_CONTEXT(s.name) {
            const Baseline b = baseline(s);
            {
                auto server = make_server(small_store());
                server->script_route(s.route, {status(429, std::nullopt, {{"Retry-After", "0"}}), status(502),
                                               status(503), status(504), of_kind(Action::Kind::drop)});
                prepare(s);
                auto r = run(args_of(s, server->base_url(), {"--retries", "5"}));
                BOOST_TEST(r.exit_code == 0, r.err);
                BOOST_TEST(normalised(r.out, *server) == b.out);
                BOOST_TEST(server->request_count(s.route, s.method) == b.route_requests + 5);
            }
            {
                auto server = make_server(small_store());
                server->script_route(s.route, {status(503)});
                prepare(s);
                auto r = run(args_of(s, server->base_url(), {"--retries", "0"}));
                BOOST_TEST(r.exit_code == 1, r.err);
                const auto lines = r.lines();
                BOOST_TEST_REQUIRE(lines.size() == s.keys.size(), r.out);
                check_error_fields(lines[0], s.keys[0], "server_error", 503u);
                BOOST_TEST(server->request_count(s.route, s.method) == 1u);
                check_nothing_downloaded(s);
            }
        }
    }
}

// A 3xx is an http_error, never followed; interim 1xx responses before the
// real one are skipped.
BOOST_AUTO_TEST_CASE(redirects_are_not_followed_and_interim_responses_are_skipped) {
    const Seeded& seed = seeded();
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name) {
            {
                auto server = make_server(small_store());
                // A conference no subcommand here asks for: a followed redirect would show there.
                const std::string elsewhere = server->base_url() + "/accounts/" + kAccount + "/conferences/conf-15";
                server->script_route(s.route, {status(302, std::nullopt, {{"Location", elsewhere}})});
                prepare(s);
                auto r = run(args_of(s, server->base_url()));
                BOOST_TEST(r.exit_code == 1, r.err);
                const auto lines = r.lines();
                BOOST_TEST_REQUIRE(lines.size() == s.keys.size(), r.out);
                check_error_fields(lines[0], s.keys[0], "http_error", 302u);
                BOOST_TEST(server->request_count(s.route, s.method) == 1u);
                BOOST_TEST(server->request_count("conferences/conf-15") == 0u);
                check_nothing_downloaded(s);
            }
            {
                auto server = make_server(small_store());
                // The answer the route gives, preceded by two interim responses.
                std::string type = "application/json", body, head_status = "200 OK";
                std::string expected_out;
                if (s.change) {
                    head_status = "204 No Content";
                } else if (s.name == "list") {
                    body = "[]";  // one page, no Link: nothing to print
                } else if (s.name == "get") {
                    body = *server->conference_json(seed.conference);
                } else if (s.name == "member") {
                    body = *server->member_json(seed.conference, seed.member0);
                } else if (s.name == "recordings") {
                    body = *server->recordings_json(seed.conference);
                } else if (s.name == "recording") {
                    body = *server->recording_json(seed.conference, seed.recording);
                } else if (s.name == "download") {
                    type = "audio/vnd.wave";
                    body = bwvoice::mock::media_bytes(seed.recording, 0, 32 * 1024);
                }
                if (s.name != "list") expected_out = baseline(s).out;
                std::string raw =
                    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n"
                    "HTTP/1.1 " +
                    head_status + "\r\nConnection: close\r\n";
                if (!s.change)
                    raw += "Content-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
                raw += "\r\n" + body;
                Action a = Action::of(Action::Kind::raw);
                a.body = raw;
                server->script_route(s.route, {a});
                prepare(s);
                auto r = run(args_of(s, server->base_url()));
                BOOST_TEST(r.exit_code == 0, r.err);
                BOOST_TEST(normalised(r.out, *server) == expected_out);
                BOOST_TEST(server->request_count(s.route, s.method) == 1u);
            }
        }
    }
}

// A result is never given to the wrong ID: a body naming another
// conference, member or recording is a bad_response for the one requested.
BOOST_AUTO_TEST_CASE(a_body_naming_another_id_is_a_bad_response) {
    const Seeded& seed = seeded();
    for (const auto& s : subcommands()) {
        std::string field;
        std::optional<std::string> body;
        auto server = make_server(small_store());
        if (s.name == "get") {
            field = "id";
            body = server->conference_json(seed.conference);
        } else if (s.name == "member") {
            field = "callId";
            body = server->member_json(seed.conference, seed.member0);
        } else if (s.name == "recording") {
            field = "recordingId";
            body = server->recording_json(seed.conference, seed.recording);
        } else {
            continue;  // no single ID in the answer
        }
        BOOST_TEST_CONTEXT(s.name) {
            BOOST_TEST_REQUIRE(body.has_value());
            auto o = json::parse(*body).as_object();
            o[field] = "someone-else";
            server->script_route(s.route, {status(200, json::serialize(o))});
            auto r = run(args_of(s, server->base_url()));
            BOOST_TEST(r.exit_code == 1, r.err);
            const auto lines = r.lines();
            BOOST_TEST_REQUIRE(lines.size() == s.keys.size(), r.out);
            check_error_fields(lines[0], s.keys[0], "bad_response", 200u);
            for (std::size_t i = 1; i < lines.size(); ++i) BOOST_TEST(!has_error(lines[i]), lines[i]);
        }
    }
}

// Every ID (conference, member, recording) is one percent-encoded path
// segment: '/', '?', '#', '%', spaces, CR and LF never change the request's
// path or headers. Each request reaches the route of exactly the IDs given
// (the mock decodes each segment), once, and each line names the IDs as given.
BOOST_AUTO_TEST_CASE(every_id_is_one_path_segment) {
    Seeded odd;
    odd.conference = "c/1?x=y#z%41 w\r\nX-Injected: 1";
    odd.other = "../conf-1";
    odd.member0 = "m/../2?#%2F \r\n";
    odd.member1 = "m 3\n";
    odd.recording = "r/4?#% \r\nHost: elsewhere";
    for (const auto& s : subcommands(odd)) {
        if (s.name == "list") continue;  // no ID; its filters: cli_list_test
        BOOST_TEST_CONTEXT(s.name) {
            auto server = make_server(small_store());
            prepare(s);
            auto r = run(args_of(s, server->base_url()));
            check_no_secret(r);
            BOOST_TEST(r.exit_code == 1, r.err);
            check_every_key_failed(s, r, "not_found", 404u);
            BOOST_TEST(server->request_count(s.route, s.method) == 1u, "no request on " << s.route);
            BOOST_TEST(server->requests().size() == s.keys.size());
            for (const auto& req : server->requests()) {
                BOOST_TEST(req.target.rfind("/api/v2/accounts/" + kAccount + "/conferences/", 0) == 0u, req.target);
                BOOST_TEST(req.target.find_first_of("?# \r\n") == std::string::npos, req.target);
            }
            check_nothing_downloaded(s);
        }
    }
}

// Every subcommand's help lists the connection options with their
// variables, the OAuth options included.
BOOST_AUTO_TEST_CASE(every_subcommand_has_help_with_the_connection_options) {
    auto top = run({bwconf_path(), "--help"});
    BOOST_TEST(top.exit_code == 0);
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name) {
            BOOST_TEST(top.out.find("  " + s.name + " ") != std::string::npos, "bwconf --help lacks " << s.name);
            auto r = run({bwconf_path(), s.name, "--help"});
            BOOST_TEST(r.exit_code == 0);
            BOOST_TEST(r.err.empty(), r.err);
            BOOST_TEST(r.out.rfind("Usage: bwconf " + s.name, 0) == 0u, r.out);
            for (const char* word : {"--base-url",   "BW_VOICE_BASE_URL", "--account",       "BW_ACCOUNT_ID",
                                     "--user",       "BW_USERNAME",       "--password",      "BW_PASSWORD",
                                     "--ca-file",    "--pool-size",       "--timeout-ms",    "--retries",
                                     "--allow-http", "--progress",        "--no-progress",   "--stats",
                                     "--client-id",  "BW_CLIENT_ID",      "--client-secret", "BW_CLIENT_SECRET",
                                     "--token-url",  "BW_TOKEN_URL",      "Exit status",     "130",
                                     "143"})
                BOOST_TEST(r.out.find(word) != std::string::npos, s.name << " --help lacks " << word);
            auto word = run({bwconf_path(), "help", s.name});
            BOOST_TEST(word.out == r.out);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
