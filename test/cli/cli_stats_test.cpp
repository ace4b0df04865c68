// bwconf --stats: one JSON line of the client's metrics on stderr at the end
// of every run that got past its command line (exit 0, 1, 130, 143; none
// for a usage error), counting what really happened; and nothing else
// changed: the same stdout, the same exit status, the same stderr before it.
// The line's exact rendering is checked by cli_stats_json_test.
#include "cli/cli_fixture.hpp"
#include "cli/subcommand_table.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <map>

using namespace bwconf_test;
using bwvoice::mock::Action;
using bwvoice::mock::MockServer;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const std::string kStatsPrefix = "{\"stats\":";

/// The --stats line of `r`: stderr's last line, and its only stats line.
/// `before` gets the stderr that precedes it.
json::object stats_of(const ProcessResult& r, std::string* before = nullptr) {
    BOOST_TEST_REQUIRE((!r.err.empty() && r.err.back() == '\n'), "stderr: " << r.err);
    const auto start = r.err.rfind('\n', r.err.size() - 2);
    const std::size_t at = start == std::string::npos ? 0 : start + 1;
    const std::string line = r.err.substr(at, r.err.size() - 1 - at);
    BOOST_TEST_REQUIRE(line.rfind(kStatsPrefix, 0) == 0u, "the last line of stderr is not the stats: " << r.err);
    BOOST_TEST(r.err.find(kStatsPrefix) == at, "more than one stats line: " << r.err);
    if (before != nullptr) *before = r.err.substr(0, at);
    const auto o = parse_line(line);
    BOOST_TEST_REQUIRE(o.size() == 1u);
    return o.at("stats").as_object();
}

void check_no_stats(const ProcessResult& r) {
    BOOST_TEST(r.err.find("\"stats\"") == std::string::npos, "a stats line without --stats: " << r.err);
    BOOST_TEST(r.out.find("\"stats\"") == std::string::npos, "a stats line on stdout: " << r.out);
}

std::uint64_t n(const json::value& v) {
    return v.to_number<std::uint64_t>();
}

std::uint64_t n(const json::object& o, const char* key) {
    BOOST_TEST_REQUIRE(o.contains(key), "no " << key << " in " << json::serialize(o));
    return n(o.at(key));
}

/// The failures of one operation, by code.
std::map<std::string, std::uint64_t> failures(const json::object& op) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& f : op.at("failed").as_object()) out[std::string(f.key())] = n(f.value());
    return out;
}

void check_retries(const json::object& stats, std::uint64_t rate_limited, std::uint64_t server_unavailable,
                   std::uint64_t connection_failed) {
    const auto& r = stats.at("retries").as_object();
    BOOST_TEST(r.size() == 3u);
    BOOST_TEST(n(r, "rate_limited") == rate_limited);
    BOOST_TEST(n(r, "server_unavailable") == server_unavailable);
    BOOST_TEST(n(r, "connection_failed") == connection_failed);
}

/// Every connection opened was closed by the end (the client is closed
/// before the line is written), each over TLS.
void check_connections_settled(const json::object& stats) {
    const auto& c = stats.at("connections").as_object();
    std::uint64_t closed = 0;
    for (const auto& reason : c.at("closed").as_object()) closed += n(reason.value());
    BOOST_TEST(n(c, "opened") >= 1u);
    BOOST_TEST(closed == n(c, "opened"), json::serialize(c));
    BOOST_TEST(n(c, "tls_handshakes") == n(c, "opened"));
}

/// `out` with the server's base URL replaced by "BASE" (a recording's
/// mediaUrl names it), so that runs on two servers compare.
std::string normalised(std::string out, const MockServer& server) {
    const std::string base = server.base_url();
    for (auto at = out.find(base); at != std::string::npos; at = out.find(base, at))
        out.replace(at, base.size(), "BASE");
    return out;
}

/// The operation each subcommand of the table runs.
const std::map<std::string, std::string>& operation_of() {
    static const std::map<std::string, std::string> m{
        {"get", "get_conference"},         {"list", "list_conferences"},   {"member", "get_member"},
        {"recordings", "list_recordings"}, {"recording", "get_recording"}, {"download", "download_recording"},
        {"update", "update_conference"},   {"end", "update_conference"},   {"bxml", "update_conference_bxml"},
        {"mute", "update_member"},         {"unmute", "update_member"},    {"hold", "update_member"},
        {"unhold", "update_member"},       {"coach", "update_member"},
    };
    return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_stats)

// Two IDs, one missing: one success, one not_found; stdout, the exit status
// and the rest of stderr exactly as without --stats.
BOOST_AUTO_TEST_CASE(get_counts_outcomes_and_changes_nothing_else) {
    auto server = make_server(small_store());
    const auto plain = run(get_args(server->base_url(), {"conf-1", "missing"}));
    const auto with = run(get_args(server->base_url(), {"conf-1", "missing", "--stats"}));
    BOOST_TEST(plain.exit_code == 1, plain.err);
    BOOST_TEST(with.exit_code == plain.exit_code);
    BOOST_TEST(with.out == plain.out);
    check_no_stats(plain);
    check_no_secret(with);

    std::string before;
    const auto stats = stats_of(with, &before);
    BOOST_TEST(before == plain.err);
    std::vector<std::string> keys;
    for (const auto& kv : stats) keys.emplace_back(kv.key());
    const std::vector<std::string> expected_keys{"operations", "retries",      "connections",
                                                 "bytes",      "pool_wait_us", "tokens"};
    BOOST_TEST(keys == expected_keys, boost::test_tools::per_element());

    const auto& ops = stats.at("operations").as_object();
    BOOST_TEST(ops.size() == 1u, json::serialize(ops));
    const auto& get = ops.at("get_conference").as_object();
    BOOST_TEST(n(get, "succeeded") == 1u);
    const std::map<std::string, std::uint64_t> expected_failures{{"not_found", 1}};
    BOOST_TEST((failures(get) == expected_failures));
    const auto& latency = get.at("latency_us").as_object();
    BOOST_TEST(n(latency, "count") == 2u);
    BOOST_TEST(n(latency, "sum") > 0u);
    BOOST_TEST(n(latency, "p50") > 0u);
    BOOST_TEST(n(latency, "p50") <= n(latency, "p90"));
    BOOST_TEST(n(latency, "p90") <= n(latency, "p99"));
    BOOST_TEST(n(latency, "p99") <= n(latency, "p999"));

    check_retries(stats, 0, 0, 0);
    check_connections_settled(stats);
    const auto& bytes = stats.at("bytes").as_object();
    BOOST_TEST(n(bytes, "sent") > 0u);
    BOOST_TEST(n(bytes, "received") > n(bytes, "sent") / 100);
    const auto& wait = stats.at("pool_wait_us").as_object();
    BOOST_TEST(n(wait, "count") == 0u);
    BOOST_TEST(wait.at("p50").is_null());
    const auto& tokens = stats.at("tokens").as_object();
    BOOST_TEST(n(tokens, "fetched") == 0u);
    BOOST_TEST(n(tokens, "refused") == 0u);
}

// --stats before the subcommand word means the same.
BOOST_AUTO_TEST_CASE(stats_is_accepted_before_the_subcommand) {
    auto server = make_server(small_store());
    auto args = get_args(server->base_url(), {"conf-1"});
    args.insert(args.begin() + 1, "--stats");
    const auto r = run(args);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == expected_line(1) + "\n");
    const auto stats = stats_of(r);
    BOOST_TEST(n(stats.at("operations").at("get_conference").as_object(), "succeeded") == 1u);
}

// A 503 then the answer, a 429 then the answer: one retry of each reason.
BOOST_AUTO_TEST_CASE(retries_are_counted_by_reason) {
    auto server = make_server(small_store());
    server->script("conf-1", {Action::respond(503, {{"Retry-After", "0"}})});
    server->script("conf-2", {Action::respond(429, {{"Retry-After", "0"}})});
    const auto r = run(get_args(server->base_url(), {"conf-1", "conf-2", "--stats"}));
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == expected_line(1) + "\n" + expected_line(2) + "\n");
    check_no_secret(r);
    const auto stats = stats_of(r);
    check_retries(stats, 1, 1, 0);
    const auto& get = stats.at("operations").at("get_conference").as_object();
    BOOST_TEST(n(get, "succeeded") == 2u);
    BOOST_TEST(failures(get).empty());
}

// Every subcommand takes --stats: the same stdout and status as without it,
// and one success counted per request the server answered.
BOOST_AUTO_TEST_CASE(every_subcommand_prints_its_stats) {
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name) {
            auto plain_server = make_server(small_store());
            prepare(s);
            const auto plain = run(args_of(s, plain_server->base_url()));
            BOOST_TEST_REQUIRE(plain.exit_code == 0, plain.err);
            check_no_stats(plain);

            auto server = make_server(small_store());
            prepare(s);
            const auto with = run(args_of(s, server->base_url(), {"--stats"}));
            BOOST_TEST(with.exit_code == 0, with.err);
            BOOST_TEST(normalised(with.out, *server) == normalised(plain.out, *plain_server));
            check_no_secret(with);

            std::string before;
            const auto stats = stats_of(with, &before);
            BOOST_TEST(before == plain.err);
            const auto& ops = stats.at("operations").as_object();
            BOOST_TEST(ops.size() == 1u, json::serialize(ops));
            const auto it = ops.find(operation_of().at(s.name));
            BOOST_TEST_REQUIRE((it != ops.end()), json::serialize(ops));
            const auto& op = it->value().as_object();
            BOOST_TEST(n(op, "succeeded") == server->requests().size());
            BOOST_TEST(failures(op).empty());
            check_retries(stats, 0, 0, 0);
            check_connections_settled(stats);
        }
    }
}

// SIGINT: the cancelled lookup is counted as cancelled, after the line the
// run printed for it, and the status is still 130.
BOOST_AUTO_TEST_CASE(an_interrupted_run_still_prints_its_stats) {
    auto server = make_server(small_store());
    server->script_all({of_kind(Action::Kind::silent)});
    Process p(get_args(server->base_url(), {"conf-1", "--stats"}));
    BOOST_TEST_REQUIRE(p.pump_until([&] { return server->stats().requests >= 1; }, 10s));
    p.send_signal(SIGINT);
    const auto r = p.wait(10s);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.exit_code == 130, r.err);
    check_error(r.out, "conf-1", "cancelled", std::nullopt);
    check_no_secret(r);
    const auto stats = stats_of(r);
    const auto& get = stats.at("operations").at("get_conference").as_object();
    BOOST_TEST(n(get, "succeeded") == 0u);
    const std::map<std::string, std::uint64_t> expected_failures{{"cancelled", 1}};
    BOOST_TEST((failures(get) == expected_failures));
    check_connections_settled(stats);
}

// Interrupted before any request (bxml reading a silent stdin): the line is
// there, all zeros.
BOOST_AUTO_TEST_CASE(a_run_interrupted_before_any_request_prints_empty_stats) {
    auto server = make_server();
    Process p(command_args("bxml", server->base_url(), {"conf-1", "--file", "-", "--stats"}));
    // More than a pipe holds, and no end: once the backlog is gone, bwconf
    // is surely reading stdin.
    p.write_stdin("<Bxml>" + std::string(256 * 1024, ' '));
    BOOST_TEST_REQUIRE(p.pump_until([&] { return !p.stdin_backlogged(); }, 10s));
    p.send_signal(SIGINT);
    // Let it see the signal while stdin is still open: wait() closes stdin,
    // and an end of input first would start the request (then cancelled).
    p.pump_until([&] { return p.out().find('\n') != std::string::npos; }, 10s);
    const auto r = p.wait(10s);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.exit_code == 130, r.err);
    check_error(r.out, "conf-1", "cancelled", std::nullopt);
    const auto stats = stats_of(r);
    BOOST_TEST(stats.at("operations").as_object().empty(), r.err);
    BOOST_TEST(n(stats.at("connections").as_object(), "opened") == 0u);
    BOOST_TEST(server->stats().requests == 0u);
}

// A usage error ran nothing: no stats line, whatever its cause.
BOOST_AUTO_TEST_CASE(a_usage_error_prints_no_stats) {
    const std::string url = tls_mock().url;
    for (const auto& args : {get_args(url, {"--stats"}), get_args(url, {"--stats", "--retries", "x", "conf-1"}),
                             get_args("ftp://127.0.0.1/api/v2", {"--stats", "conf-1"}),
                             std::vector<std::string>{bwconf_path(), "--stats"}}) {
        const auto r = run(args);
        check_usage_error(r);
        check_no_stats(r);
    }
}

// Exact names only before the subcommand too: "--stat" and "--s" are not
// --stats (a prefix accepted today would break when another option starts so).
BOOST_AUTO_TEST_CASE(a_prefix_of_stats_is_an_unknown_option) {
    const std::string url = tls_mock().url;
    for (const char* prefix : {"--stat", "--s"}) {
        auto args = get_args(url, {"conf-1"});
        args.insert(args.begin() + 1, prefix);
        const auto r = run(args);
        BOOST_TEST_CONTEXT(prefix) {
            check_usage_error(r);
            check_no_stats(r);
        }
    }
}

// A stderr whose reader has gone loses the line, not the exit status (no
// death by SIGPIPE): the status is the one the run had.
BOOST_AUTO_TEST_CASE(a_closed_stderr_pipe_does_not_change_the_exit_status) {
    auto server = make_server(small_store());
    std::vector<std::string> argv{
        "/bin/bash", "-c", "\"$@\" 2>&1 >/dev/null | (exec 0<&-; exit 0); echo \"status=${PIPESTATUS[0]}\"", "bash"};
    for (const auto& a : get_args(server->base_url(), {"conf-1", "--stats"})) argv.push_back(a);
    const auto r = run(argv);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == "status=0\n");
}

// OAuth: the token fetch is counted (as tokens and as the token_fetch
// operation) and the client secret, like the password, never shows.
BOOST_AUTO_TEST_CASE(token_fetches_are_counted) {
    auto o = small_store();
    o.client_id = "cli-client-31";
    o.client_secret = kClientSecret;
    o.accept_basic = false;
    auto server = make_server(std::move(o));
    const auto r = run({bwconf_path(), "get", "--base-url", server->base_url(), "--ca-file", certs().ca_file,
                        "--account", kAccount, "--client-id", "cli-client-31", "--client-secret", kClientSecret,
                        "--token-url", server->token_url(), "--stats", "conf-1", "conf-2"});
    BOOST_TEST(r.exit_code == 0, r.err);
    check_no_client_secret(r);
    const auto stats = stats_of(r);
    const auto& tokens = stats.at("tokens").as_object();
    BOOST_TEST(n(tokens, "fetched") == 1u);
    BOOST_TEST(n(tokens, "refused") == 0u);
    const auto& ops = stats.at("operations").as_object();
    BOOST_TEST(n(ops.at("get_conference").as_object(), "succeeded") == 2u);
    BOOST_TEST(n(ops.at("token_fetch").as_object(), "succeeded") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
