// The client against a server we did not write: Debian's nginx, started by
// test/interop/run_nginx_test.sh on loopback with TLS, Basic auth,
// keepalive_timeout 1s and keepalive_requests 5, so nginx closes connections
// under the client both politely (Connection: close on the 5th response) and
// silently (an idle connection after 1 s). Run it through that script (CTest
// does); it reads the server's address and credentials from the environment.
#include "common/lookup_helpers.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstdlib>
#include <fstream>
#include <thread>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kKeepaliveTimeout = 1s;  // nginx's keepalive_timeout in run_nginx_test.sh
constexpr std::size_t kKeepaliveRequests = 5;
/// Longer than nginx's keepalive_timeout (and than the client's 1 s probe
/// threshold), with margin: every idle connection is closed by nginx by then.
constexpr std::chrono::milliseconds kLongPause{1500};
static_assert(kLongPause > kKeepaliveTimeout);
/// Well under nginx's keepalive_timeout: idle connections are still good.
constexpr auto kShortPause = 200ms;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    BOOST_TEST_REQUIRE(v != nullptr,
                       name << " is not set: run this test through test/interop/run_nginx_test.sh (ctest does)");
    return v;
}

struct Nginx {
    std::string url = env("BWVOICE_NGINX_URL");
    std::string ca = env("BWVOICE_NGINX_CA");
    std::string user = env("BWVOICE_NGINX_USER");
    std::string password = env("BWVOICE_NGINX_PASSWORD");
    std::string access_log = env("BWVOICE_NGINX_ACCESS_LOG");

    ClientConfig config() const {
        ClientConfig c;
        c.base_url = url;
        c.account_id = "9900000";
        c.username = user;
        c.password = password;
        c.tls.use_system_store = false;
        c.tls.extra_ca_file = ca;
        c.request_timeout = 15s;
        c.retry.backoff_base = 1ms;
        c.retry.backoff_cap = 20ms;
        return c;
    }

    /// "$status $uri" lines nginx has logged so far.
    std::vector<std::string> access_lines() const {
        std::vector<std::string> lines;
        std::ifstream in(access_log);
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        return lines;
    }
};

/// What the nginx configuration serves for conf-<n>.
Conference expected_conference(const std::string& id) {
    Conference c;
    const std::string json = R"({"id":")" + id + R"(","name":"Conference )" + id +
                             R"(","createdTime":"2026-03-04T05:06:07.089Z","completedTime":null,)"
                             R"("conferenceEventUrl":"https://hooks.example.test/)" +
                             id + R"(","conferenceEventMethod":"POST","tag":"interop","activeMembers":[{"callId":"c-)" +
                             id + R"(","conferenceId":")" + id +
                             R"(","memberUrl":null,"mute":false,"hold":true,"callIdsToCoach":[]}]})";
    BOOST_REQUIRE(!parse_conference(json, c));
    return c;
}

void pause(std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nginx_interop)

// 2,000 lookups, pool 4, in bursts separated by pauses longer than nginx's
// keepalive_timeout: every connection nginx closed (after 5 requests, or idle)
// is replaced, stale ones are probed or resent, and not one lookup fails.
BOOST_AUTO_TEST_CASE(bursts_survive_keepalive_limits_and_idle_closes) {
    const Nginx nginx;
    auto config = nginx.config();
    config.pool_size = 4;
    net::io_context ioc;
    ConferenceClient client(ioc, config);
    constexpr std::size_t rounds = 5, per_round = 400;
    std::size_t ok = 0, failed = 0;
    std::vector<std::string> failures;
    for (std::size_t round = 0; round < rounds; ++round) {
        if (round > 0) pause(round % 2 == 1 ? kLongPause : kShortPause);
        for (std::size_t i = 0; i < per_round; ++i) {
            const std::string id = "conf-" + std::to_string(round * per_round + i);
            client.async_get_conference(id, [&, id](error_code ec, Conference c) {
                if (!ec && c == expected_conference(id)) {
                    ++ok;
                } else {
                    ++failed;
                    if (failures.size() < 10) failures.push_back(id + ": " + ec.message());
                }
            });
        }
        ioc.restart();
        run_to_completion(ioc, 120s);
    }
    const auto s = client.stats();
    BOOST_TEST_MESSAGE("nginx bursts: " << ok << " ok, " << failed << " failed; connections opened "
                                        << s.connections_opened << ", resumed " << s.sessions_resumed << ", reuses "
                                        << s.reuses << ", retries " << s.retries << ", stale resends "
                                        << s.stale_resends);
    BOOST_TEST(ok == rounds * per_round);
    BOOST_TEST(failed == 0u);
    for (const auto& f : failures) BOOST_TEST_MESSAGE("failure: " << f);
    // nginx serves at most 5 requests per connection: at least 400 connections.
    BOOST_TEST(s.connections_opened >= rounds * per_round / kKeepaliveRequests);
    BOOST_TEST(s.handshakes == s.connections_opened);
    BOOST_TEST(s.sessions_resumed > 0u);  // nginx's session tickets are used on reconnects
    BOOST_TEST(s.retries == 0u);          // a well-behaved server never needs a counted retry
    BOOST_TEST(s.in_flight == 0u);
    BOOST_TEST(s.open <= 4u);
}

// One connection, lookups separated by pauses either side of nginx's
// keepalive_timeout: after a short pause the connection is reused; after a
// long one nginx has closed it, and the client notices (probe) or resends
// (stale connection) without a counted retry and without failing.
BOOST_AUTO_TEST_CASE(idle_connections_nginx_closed_are_replaced_without_failures) {
    const Nginx nginx;
    auto config = nginx.config();
    config.pool_size = 1;
    config.retry.max_retries = 0;  // only a probe or a stale resend may save a lookup
    net::io_context ioc;
    ConferenceClient client(ioc, config);
    std::size_t n = 0;
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (int cycle = 0; cycle < 4; ++cycle) {
            for (auto wait : {kShortPause, kLongPause}) {
                const std::string id = "conf-" + std::to_string(++n);
                auto r = co_await lookup(client, id);
                BOOST_TEST_REQUIRE(!r.ec, id << ": " << r.ec.message() << " (" << r.diag.message << ")");
                BOOST_TEST((r.conference == expected_conference(id)));
                BOOST_TEST(r.diag.retries == 0u);
                net::steady_timer t(co_await net::this_coro::executor, wait);
                co_await t.async_wait(net::use_awaitable);
            }
        }
        auto last = co_await lookup(client, "conf-999");
        BOOST_TEST_REQUIRE(!last.ec, last.diag.message);
    });
    const auto s = client.stats();
    BOOST_TEST_MESSAGE("nginx idle: connections opened " << s.connections_opened << ", reuses " << s.reuses
                                                         << ", stale resends " << s.stale_resends);
    BOOST_TEST(s.connections_opened >= 5u);  // one per long pause, plus the first
    BOOST_TEST(s.reuses >= 4u);              // one per short pause
    BOOST_TEST(s.retries == 0u);
}

BOOST_AUTO_TEST_CASE(a_wrong_password_is_unauthorized) {
    const Nginx nginx;
    auto config = nginx.config();
    config.password = nginx.password + "-wrong";
    net::io_context ioc;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::unauthorized), r.ec.message());
        BOOST_TEST(r.diag.http_status.value_or(0) == 401u);
        BOOST_TEST(r.diag.retries == 0u);
        BOOST_TEST(r.diag.message.find(config.password) == std::string::npos);
    });
    // The same client with the right password still works: the 401's connection is fine to reuse.
    auto good = nginx.config();
    ConferenceClient good_client(ioc, good);
    ioc.restart();
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(good_client, "conf-1");
        BOOST_TEST(!r.ec, r.diag.message);
    });
}

BOOST_AUTO_TEST_CASE(unknown_paths_and_ids_are_not_found) {
    const Nginx nginx;
    net::io_context ioc;
    auto config = nginx.config();
    ConferenceClient client(ioc, config);
    auto other_root = nginx.config();
    other_root.base_url = nginx.url.substr(0, nginx.url.size() - 2) + "v9";  // .../api/v9
    ConferenceClient other(ioc, other_root);
    auto other_account = nginx.config();
    other_account.account_id = "1234567";
    ConferenceClient stranger(ioc, other_account);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (auto* c : {&client, &other, &stranger}) {
            auto r = co_await lookup(*c, c == &client ? "no-such-conference" : "conf-1");
            BOOST_TEST((r.ec == errc::not_found), r.ec.message());
            BOOST_TEST(r.diag.http_status.value_or(0) == 404u);
            BOOST_TEST(r.diag.api_error_description == "nothing here");
        }
    });
}

// nginx (like RFC 3986 5.2.4) removes dot segments before routing, even
// percent-encoded ones: GET .../conferences/. would be the conference list and
// .../conferences/.. the account itself. run_nginx_test.sh serves those as a
// conference-shaped "NOT-A-CONFERENCE"; the client must refuse such IDs.
BOOST_AUTO_TEST_CASE(dot_segment_ids_cannot_reach_another_resource) {
    const Nginx nginx;
    net::io_context ioc;
    ConferenceClient client(ioc, nginx.config());
    std::vector<std::string> log_before = nginx.access_lines();
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (const char* id : {".", ".."}) {
            auto r = co_await lookup(client, id);
            BOOST_TEST(r.conference.id != "NOT-A-CONFERENCE", "ID '" << id << "' returned another resource");
        }
    });
    const auto lines = nginx.access_lines();
    for (std::size_t i = log_before.size(); i < lines.size(); ++i)
        BOOST_TEST(!lines[i].starts_with("200 "), "nginx served " << lines[i]);
}

BOOST_AUTO_TEST_SUITE_END()
