// bwconf get as a streaming tool: results printed while input still
// trickles in, input read incrementally, bounded concurrency, a bulk run,
// and SIGINT / SIGTERM mid-run.
#include "cli/cli_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace bwconf_test;
using bwvoice::mock::Action;
using namespace std::chrono_literals;

namespace {

std::size_t newlines(const std::string& s) {
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

void check_interrupted(int signo, int expected_status) {
    auto server = make_server();
    server->script_all({Action::of(Action::Kind::silent)});
    Process p(get_args(server->base_url(), {"--concurrency", "8", "conf-1", "conf-2", "conf-1", "--ids-from", "-"}));
    p.write_stdin("conf-3\n\nconf-4\n");  // stdin stays open: more IDs might come
    // Every ID read is on the wire before the signal.
    BOOST_TEST_REQUIRE(p.pump_until([&] { return server->stats().requests >= 5; }, 10s));
    p.send_signal(signo);
    auto r = p.wait(10s);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.exit_code == expected_status, "exit " << r.exit_code << " signal " << r.term_signal << " " << r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 5u, r.out);
    const char* ids[] = {"conf-1", "conf-2", "conf-1", "conf-3", "conf-4"};
    for (std::size_t i = 0; i < 5; ++i) check_error(lines[i], ids[i], "cancelled", std::nullopt);
    check_no_secret(r);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_stream)

BOOST_AUTO_TEST_CASE(sigint_prints_every_unfinished_id_as_cancelled_and_exits_130) {
    check_interrupted(SIGINT, 130);
}

BOOST_AUTO_TEST_CASE(sigterm_prints_every_unfinished_id_as_cancelled_and_exits_143) {
    check_interrupted(SIGTERM, 143);
}

BOOST_AUTO_TEST_CASE(positional_ids_not_yet_started_are_cancelled_too) {
    // All arguments were requested, even those still waiting for a free slot.
    auto server = make_server();
    server->script_all({Action::of(Action::Kind::silent)});
    std::vector<std::string> extra{"--concurrency", "2"};
    for (int i = 0; i < 10; ++i) extra.push_back("conf-" + std::to_string(i));
    Process p(get_args(server->base_url(), extra));
    BOOST_TEST_REQUIRE(p.pump_until([&] { return server->stats().requests >= 2; }, 10s));
    p.pump_for(100ms);
    BOOST_TEST(server->stats().requests == 2u, "more lookups in flight than --concurrency");
    p.send_signal(SIGINT);
    auto r = p.wait(10s);
    BOOST_TEST(r.exit_code == 130);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 10u);
    for (std::size_t i = 0; i < 10; ++i) check_error(lines[i], "conf-" + std::to_string(i), "cancelled", std::nullopt);
}

BOOST_AUTO_TEST_CASE(finished_lines_are_kept_and_only_unfinished_ones_cancelled) {
    auto server = make_server();
    server->script("conf-2", {Action::of(Action::Kind::silent)});
    Process p(get_args(server->base_url(), {"conf-1", "conf-2", "conf-3"}));
    // conf-1 is printed at once; conf-3 is done but waits behind conf-2.
    BOOST_TEST_REQUIRE(p.pump_until([&] { return newlines(p.out()) == 1 && server->stats().requests >= 3; }, 10s));
    p.pump_for(200ms);
    BOOST_TEST(newlines(p.out()) == 1u, "conf-3 must wait for conf-2: " << p.out());
    p.send_signal(SIGINT);
    auto r = p.wait(10s);
    BOOST_TEST(r.exit_code == 130);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 3u);
    BOOST_TEST(lines[0] == expected_line(1));
    check_error(lines[1], "conf-2", "cancelled", std::nullopt);
    BOOST_TEST(lines[2] == expected_line(3));
}

BOOST_AUTO_TEST_CASE(results_are_printed_while_stdin_trickles) {
    Process p(get_args(tls_mock().url, {"--ids-from", "-"}));
    p.write_stdin("conf-1\n");
    // The line must come out while stdin is still open and silent.
    BOOST_TEST(p.pump_until([&] { return newlines(p.out()) == 1; }, 10s), "no output before stdin ended");
    p.write_stdin("conf-2\r\n");
    BOOST_TEST(p.pump_until([&] { return newlines(p.out()) == 2; }, 10s));
    p.write_stdin("conf-3");  // no newline yet: not a complete ID
    p.pump_for(300ms);
    BOOST_TEST(newlines(p.out()) == 2u);
    auto r = p.wait(10s);  // closing stdin completes the last line
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == expected_line(1) + "\n" + expected_line(2) + "\n" + expected_line(3) + "\n");
}

BOOST_AUTO_TEST_CASE(input_is_read_incrementally_and_unread_ids_are_not_requested) {
    auto server = make_server();
    server->script_all({Action::of(Action::Kind::silent)});
    Process p(get_args(server->base_url(), {"--concurrency", "2", "--ids-from", "-"}));
    // About 2.4 MB of IDs: far more than pipe buffers and one read chunk.
    std::string ids;
    for (int i = 0; i < 200'000; ++i) ids += "conf-" + std::to_string(i) + "\n";
    p.write_stdin(ids);
    BOOST_TEST_REQUIRE(p.pump_until([&] { return server->stats().requests >= 2; }, 10s));
    p.pump_for(500ms);
    BOOST_TEST(p.stdin_backlogged());
    BOOST_TEST(p.stdin_written() < 1'000'000u, "bwconf read " << p.stdin_written() << " bytes ahead");
    BOOST_TEST(server->stats().requests == 2u);
    p.send_signal(SIGTERM);
    auto r = p.wait(10s);
    BOOST_TEST(r.exit_code == 143);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    check_error(lines[0], "conf-0", "cancelled", std::nullopt);
    check_error(lines[1], "conf-1", "cancelled", std::nullopt);
}

BOOST_AUTO_TEST_CASE(concurrency_bounds_the_lookups_in_flight) {
    auto server = make_server();
    Action slow;
    slow.delay = 50ms;
    server->script_all({slow});
    std::vector<std::string> extra{"--concurrency", "3", "--pool-size", "50"};
    for (int i = 0; i < 30; ++i) extra.push_back("conf-" + std::to_string(i));
    auto r = run(get_args(server->base_url(), extra));
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.lines().size() == 30u);
    // A connection is only opened for a lookup that finds none idle.
    BOOST_TEST(server->stats().max_open_connections <= 3u);
    BOOST_TEST(server->stats().requests == 30u);
}

BOOST_AUTO_TEST_CASE(bulk_run_through_stdin_in_order) {
    constexpr std::size_t n = 20'000;
    bwvoice::mock::ServerOptions options;
    options.conferences = n;
    options.record_requests = false;
    options.threads = 1;
    auto server = make_server(options);
    std::string ids;
    for (std::size_t i = 0; i < n; ++i) ids += "conf-" + std::to_string(i) + "\n";
    const auto start = std::chrono::steady_clock::now();
    auto r = run(get_args(server->base_url(), {"--ids-from", "-", "--concurrency", "32", "--pool-size", "4"}), {}, ids,
                 240s);  // a hang guard only; ASan on a loaded 2-core machine is slow
    BOOST_TEST_MESSAGE("bulk: " << n << " lookups in "
                                << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
                                << " s");
    BOOST_TEST_REQUIRE(!r.timed_out);
    BOOST_TEST(r.exit_code == 0, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == n);
    for (std::size_t i = 0; i < n; i += 997) BOOST_TEST(lines[i] == expected_line(i, options.seed), "line " << i);
    for (std::size_t i = 0; i < n; ++i) {
        const auto expected_id = "{\"id\":\"conf-" + std::to_string(i) + "\"";
        if (!lines[i].starts_with(expected_id)) {
            BOOST_TEST(false, "line " << i << " out of order: " << lines[i]);
            break;
        }
    }
    BOOST_TEST(server->stats().max_open_connections <= 4u);
    BOOST_TEST(server->stats().requests == n);
}

// Lookups that the client refuses before any I/O complete at once; thousands
// in a row once overflowed the stack (exit 139, nothing printed).
BOOST_AUTO_TEST_CASE(thousands_of_refused_ids_each_get_their_error_line) {
    auto server = make_server();
    constexpr std::size_t n = 2'000;
    std::string ids;
    for (std::size_t i = 0; i < n; ++i) ids += i % 2 ? ".\n" : "..\n";
    auto r = run(get_args(server->base_url(), {"--ids-from", "-"}), {}, ids, 120s);
    BOOST_TEST_REQUIRE(!r.timed_out);
    BOOST_TEST(r.exit_code == 1, "exit " << r.exit_code << " signal " << r.term_signal << " " << r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == n);
    for (std::size_t i = 0; i < n; i += 199) check_error(lines[i], i % 2 ? "." : "..", "bad_request", std::nullopt);
    BOOST_TEST(server->stats().requests == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
