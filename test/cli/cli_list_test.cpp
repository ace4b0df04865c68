// bwconf list: paging, --limit fetching no page it does not need, the
// filters as sent, a next page on another origin, a failing page, usage
// errors and SIGINT mid-listing.
#include "cli/cli_fixture.hpp"

#include <bwvoice/conference.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>

using namespace bwconf_test;
using bwvoice::mock::Action;
using namespace std::chrono_literals;

namespace {

Action status(unsigned s, std::optional<std::string> body = std::nullopt,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    Action a;
    a.status = s;
    a.body = std::move(body);
    a.headers = std::move(headers);
    return a;
}

/// The lines `bwconf list` prints for the first `n` seeded conferences:
/// oldest first (createdTime, then ID), as listed (without activeMembers).
std::vector<std::string> listed_lines(std::size_t n, std::uint64_t seed = kMockSeed) {
    std::vector<bwvoice::Conference> all;
    for (std::size_t i = 0; i < n; ++i) {
        bwvoice::Conference c;
        BOOST_TEST_REQUIRE(!bwvoice::parse_conference(bwvoice::mock::seeded_conference_json(seed, i), c));
        c.active_members.clear();
        all.push_back(std::move(c));
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return a.created_time != b.created_time ? a.created_time < b.created_time : a.id < b.id;
    });
    std::vector<std::string> lines;
    for (const auto& c : all) lines.push_back(bwvoice::to_json(c));
    return lines;
}

std::unique_ptr<bwvoice::mock::MockServer> server_with(std::size_t conferences) {
    bwvoice::mock::ServerOptions o;
    o.conferences = conferences;
    return make_server(o);
}

std::vector<std::string> list_targets(const bwvoice::mock::MockServer& server) {
    std::vector<std::string> targets;
    for (const auto& r : server.requests())
        if (r.route == "conferences") targets.push_back(r.target);
    return targets;
}

void check_list_error(const std::string& line, const std::string& code, std::optional<unsigned> http_status) {
    check_error_fields(line, {}, code, http_status);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_list)

BOOST_AUTO_TEST_CASE(every_page_is_followed_oldest_first) {
    auto server = server_with(23);
    auto r = run(command_args("list", server->base_url(), {"--page-size", "5"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.empty(), r.err);
    BOOST_TEST(r.lines() == listed_lines(23), boost::test_tools::per_element());
    // Five pages: 5, 5, 5, 5, 3; each request carries the page size.
    BOOST_TEST(server->request_count("conferences", "GET") == 5u);
    const auto targets = list_targets(*server);
    BOOST_TEST_REQUIRE(targets.size() == 5u);
    BOOST_TEST(targets[0] == "/api/v2/accounts/" + kAccount + "/conferences?pageSize=5");
    for (const auto& t : targets) BOOST_TEST(t.find("pageSize=5") != std::string::npos, t);
    for (std::size_t i = 1; i < targets.size(); ++i)
        BOOST_TEST(targets[i].find("pageToken=") != std::string::npos, targets[i]);
}

BOOST_AUTO_TEST_CASE(without_page_size_none_is_sent_and_one_page_may_hold_everything) {
    auto server = server_with(12);
    auto r = run(command_args("list", server->base_url()));
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.lines() == listed_lines(12), boost::test_tools::per_element());
    const auto targets = list_targets(*server);
    BOOST_TEST_REQUIRE(targets.size() == 1u);
    BOOST_TEST(targets[0] == "/api/v2/accounts/" + kAccount + "/conferences");
}

BOOST_AUTO_TEST_CASE(limit_stops_after_n_lines_and_fetches_no_page_it_does_not_need) {
    auto server = server_with(23);
    const auto all = listed_lines(23);
    struct Case {
        const char* limit;
        std::size_t lines, pages;
    };
    // 7: the second page is cut short. 10: the second page ends exactly at
    // the limit, and its next link is not followed. 3: the first page is enough.
    for (const Case c : {Case{"7", 7, 2}, Case{"10", 10, 2}, Case{"3", 3, 1}, Case{"5", 5, 1}, Case{"100", 23, 5}}) {
        BOOST_TEST_CONTEXT("--limit " << c.limit) {
            server->clear_requests();
            auto r = run(command_args("list", server->base_url(), {"--page-size", "5", "--limit", c.limit}));
            BOOST_TEST(r.exit_code == 0, r.err);
            BOOST_TEST(r.lines() == std::vector<std::string>(all.begin(), all.begin() + c.lines),
                       boost::test_tools::per_element());
            BOOST_TEST(server->request_count("conferences") == c.pages);
        }
    }
}

BOOST_AUTO_TEST_CASE(filters_are_sent_as_given) {
    auto server = server_with(40);
    const auto all = listed_lines(40);
    // A name that some seeded conferences share, and a window of time around them.
    const auto first = parse_line(all[3]);
    const std::string name(first.at("name").as_string());
    auto r = run(command_args("list", server->base_url(),
                              {"--name", name, "--min-created-time", "2020-01-01T01:00:00+01:00", "--max-created-time",
                               "2099-12-31T23:59:59.999Z", "--page-size", "2"}));
    BOOST_TEST(r.exit_code == 0, r.err);
    std::vector<std::string> expected;
    for (const auto& line : all)
        if (parse_line(line).at("name").as_string() == name) expected.push_back(line);
    BOOST_TEST(!expected.empty());
    BOOST_TEST(r.lines() == expected, boost::test_tools::per_element());
    const auto targets = list_targets(*server);
    BOOST_TEST_REQUIRE(!targets.empty());
    // The times as given, percent-encoded ('+' must not turn into a space).
    BOOST_TEST(targets[0].find("minCreatedTime=2020-01-01T01:00:00%2B01:00") != std::string::npos, targets[0]);
    BOOST_TEST(targets[0].find("maxCreatedTime=2099-12-31T23:59:59.999Z") != std::string::npos, targets[0]);
    BOOST_TEST(targets[0].find("pageSize=2") != std::string::npos, targets[0]);

    // A window that excludes everything: nothing printed, success.
    auto none = run(command_args("list", server->base_url(), {"--max-created-time", "2000-01-01T00:00:00Z"}));
    BOOST_TEST(none.exit_code == 0, none.err);
    BOOST_TEST(none.out.empty());
    // A time the server refuses: one error line.
    auto bad = run(command_args("list", server->base_url(), {"--min-created-time", "yesterday"}));
    BOOST_TEST(bad.exit_code == 1);
    BOOST_TEST_REQUIRE(bad.lines().size() == 1u, bad.out);
    check_list_error(bad.lines()[0], "bad_request", 400u);
}

BOOST_AUTO_TEST_CASE(a_failing_page_keeps_the_lines_printed_and_adds_one_error_line) {
    auto server = server_with(23);
    server->script_route("conferences", {Action(), Action(), status(500)});
    auto r = run(command_args("list", server->base_url(), {"--page-size", "5", "--retries", "0"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 11u, r.out);
    const auto all = listed_lines(23);
    BOOST_TEST(std::vector<std::string>(lines.begin(), lines.begin() + 10) ==
                   std::vector<std::string>(all.begin(), all.begin() + 10),
               boost::test_tools::per_element());
    check_list_error(lines[10], "server_error", 500u);
    BOOST_TEST(server->request_count("conferences") == 3u);

    // Invalid JSON on the first page: just the error line.
    server->clear_requests();
    server->script_route("conferences", {status(200, "[{\"id\":")});
    auto bad = run(command_args("list", server->base_url()));
    BOOST_TEST(bad.exit_code == 1);
    BOOST_TEST_REQUIRE(bad.lines().size() == 1u, bad.out);
    check_list_error(bad.lines()[0], "bad_response", 200u);
}

BOOST_AUTO_TEST_CASE(a_next_page_on_another_origin_is_not_followed) {
    // The other origin is a real server on another port: it must see nothing.
    auto other = server_with(5);
    auto server = server_with(23);
    const std::string foreign_origin = "https://127.0.0.1:" + std::to_string(other->port());
    const std::string foreign_link =
        "<" + foreign_origin + "/api/v2/accounts/" + kAccount + "/conferences?pageSize=5&pageToken=x>; rel=\"next\"";
    // Page 1 as usual; page 2 a valid page whose next link points elsewhere.
    const auto all = listed_lines(23);
    const std::string page2 = "[" + all[5] + "," + all[6] + "]";
    server->script_route("conferences", {Action(), status(200, page2, {{"Link", foreign_link}})});
    auto r = run(command_args("list", server->base_url(), {"--page-size", "5"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 6u, r.out);
    BOOST_TEST(std::vector<std::string>(lines.begin(), lines.begin() + 5) ==
                   std::vector<std::string>(all.begin(), all.begin() + 5),
               boost::test_tools::per_element());
    check_list_error(lines[5], "bad_response", 200u);
    BOOST_TEST(server->request_count("conferences") == 2u);
    BOOST_TEST(other->stats().requests == 0u);
    BOOST_TEST(other->stats().connections_accepted == 0u);

    // A server whose every link names another origin (a host name for the
    // same address counts as another host): nothing beyond the first page.
    bwvoice::mock::ServerOptions o;
    o.conferences = 23;
    o.link_origin = "https://localhost:" + std::to_string(other->port());
    auto elsewhere = make_server(o);
    auto r2 = run(command_args("list", elsewhere->base_url(), {"--page-size", "5"}));
    BOOST_TEST(r2.exit_code == 1);
    BOOST_TEST_REQUIRE(!r2.lines().empty());
    check_list_error(r2.lines().back(), "bad_response", 200u);
    BOOST_TEST(elsewhere->request_count("conferences") == 1u);
    BOOST_TEST(other->stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(list_against_bwvoice_mock) {
    auto r = run(command_args("list", tls_mock().url, {"--limit", "3", "--page-size", "2"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 0, r.err);
    const auto all = listed_lines(1000);
    BOOST_TEST(r.lines() == std::vector<std::string>(all.begin(), all.begin() + 3), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(usage_errors) {
    const std::string url = tls_mock().url;
    for (const char* size : {"0", "1001", "-1", "ten", ""}) {
        BOOST_TEST_CONTEXT("--page-size " << size) {
            check_usage_error(run(command_args("list", url, {"--page-size", size})));
        }
    }
    for (const char* limit : {"0", "-3", "1.5", "x"}) {
        BOOST_TEST_CONTEXT("--limit " << limit) {
            check_usage_error(run(command_args("list", url, {"--limit", limit})));
        }
    }
    check_usage_error(run(command_args("list", url, {"conf-1"})));
    check_usage_error(run(command_args("list", url, {"--name"})));
    check_usage_error(run(command_args("list", url, {"--bogus"})));
    // The edges that are fine.
    auto ok = run(command_args("list", url, {"--page-size", "1000", "--limit", "1"}));
    BOOST_TEST(ok.exit_code == 0, ok.err);
    BOOST_TEST(ok.lines().size() == 1u);
}

BOOST_AUTO_TEST_CASE(sigint_mid_listing_keeps_the_lines_and_prints_cancelled) {
    auto server = server_with(23);
    server->script_route("conferences", {Action(), Action::of(Action::Kind::silent)});
    Process p(command_args("list", server->base_url(), {"--page-size", "5"}));
    BOOST_TEST_REQUIRE(p.pump_until(
        [&] {
            return std::count(p.out().begin(), p.out().end(), '\n') == 5 && server->request_count("conferences") == 2;
        },
        10s));
    p.send_signal(SIGINT);
    auto r = p.wait(10s);
    BOOST_TEST(r.exit_code == 130, r.err);
    const auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == 6u, r.out);
    check_list_error(lines[5], "cancelled", std::nullopt);

    server->script_route("conferences", {Action::of(Action::Kind::silent)});
    Process t(command_args("list", server->base_url(), {"--page-size", "5"}));
    BOOST_TEST_REQUIRE(t.pump_until([&] { return server->request_count("conferences") == 3; }, 10s));
    t.send_signal(SIGTERM);
    auto rt = t.wait(10s);
    BOOST_TEST(rt.exit_code == 143, rt.err);
}

BOOST_AUTO_TEST_SUITE_END()
