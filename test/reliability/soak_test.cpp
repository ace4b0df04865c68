// Soak: many lookups (200,000 by default) through one client, pool 16, 64 in
// flight, against a mock server that drops 5% of connections at random right
// after reading a request. Proves, over the whole run:
//   - every result is accounted for: each requested index completes exactly
//     once, with the right conference (conf-<i % 1000>, compared with the
//     mock's seeded body) or a typed bwvoice::errc;
//   - the client never has more connections open than the pool allows
//     (stats() sampled throughout);
//   - resident memory is flat after warm-up (VmRSS after 20% of the lookups
//     vs at the end);
//   - no file descriptor is leaked (counted before the client exists and after
//     it is destroyed, its io_context drained and the server has seen every
//     connection close).
// The count comes from BWVOICE_SOAK_LOOKUPS (set by test/reliability/CMakeLists.txt).
#include "common/lookup_helpers.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kPoolSize = 16;
constexpr std::size_t kInFlight = 64;
constexpr std::size_t kDistinctIds = 1000;
constexpr std::size_t kDefaultLookups = 200'000;
/// Growth of resident memory allowed between warm-up and the end: a leak of
/// even 64 bytes per lookup would exceed it over 200,000 lookups.
constexpr long kRssToleranceKiB = 8 * 1024;

std::size_t lookup_count() {
    const char* text = std::getenv("BWVOICE_SOAK_LOOKUPS");
    if (text == nullptr || *text == '\0') return kDefaultLookups;
    std::size_t n = 0;
    const auto end = text + std::strlen(text);
    const auto [p, ec] = std::from_chars(text, end, n);
    BOOST_TEST_REQUIRE((ec == std::errc{} && p == end && n > 0), "BWVOICE_SOAK_LOOKUPS is not a count: " << text);
    return n;
}

/// VmRSS of this process in KiB.
long resident_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    BOOST_FAIL("no VmRSS in /proc/self/status");
    return 0;
}

/// Open file descriptors of this process (the directory iterator's own
/// descriptor is counted every time, so it cancels out).
std::size_t open_fds(std::string* listing = nullptr) {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        ++n;
        if (listing) {
            std::error_code ec;
            *listing += " " + entry.path().filename().string() + "->" +
                        std::filesystem::read_symlink(entry.path(), ec).string();
        }
    }
    return n;
}

/// Keeps kInFlight lookups running until `total` have been started; all state
/// is touched from the io_context's one thread only.
struct Soak {
    ConferenceClient& client;
    const std::vector<Conference>& expected;
    std::size_t total;

    std::size_t next = 0;
    std::size_t completed = 0;
    std::vector<std::uint8_t> completions;  // per index: how many times its handler ran
    std::size_t ok = 0, wrong_conference = 0, untyped_errors = 0;
    std::map<std::string, std::size_t> typed_errors;
    std::string first_untyped;

    std::size_t samples = 0, max_open = 0, max_in_flight = 0, over_bound = 0;
    long rss_warm_kib = 0, rss_max_after_warm_kib = 0;

    Soak(ConferenceClient& c, const std::vector<Conference>& e, std::size_t n)
        : client(c), expected(e), total(n), completions(n, 0) {}

    void launch() {
        if (next == total) return;
        const std::size_t index = next++;
        client.async_get_conference("conf-" + std::to_string(index % kDistinctIds),
                                    [this, index](error_code ec, Conference c) {
                                        done(index, ec, c);
                                        launch();
                                    });
    }

    void done(std::size_t index, const error_code& ec, const Conference& c) {
        ++completions[index];
        ++completed;
        if (!ec) {
            if (c == expected[index % kDistinctIds])
                ++ok;
            else
                ++wrong_conference;
        } else if (ec.category() == client_category()) {
            ++typed_errors[std::string(to_string(static_cast<errc>(ec.value())))];
        } else {
            if (untyped_errors++ == 0) first_untyped = std::string(ec.category().name()) + ": " + ec.message();
        }
        if (completed % 1000 == 0) sample();
        if (completed == total / 5) rss_warm_kib = resident_kib();
        if (completed > total / 5 && completed % 10'000 == 0)
            rss_max_after_warm_kib = std::max(rss_max_after_warm_kib, resident_kib());
    }

    void sample() {
        const PoolStats s = client.stats();
        ++samples;
        max_open = std::max(max_open, s.open);
        max_in_flight = std::max(max_in_flight, s.in_flight);
        if (s.open > kPoolSize) ++over_bound;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(soak)

BOOST_AUTO_TEST_CASE(lookups_through_one_client_with_random_drops_lose_nothing_and_leak_nothing) {
    const std::size_t total = lookup_count();
    mock::ServerOptions options;
    options.random_drop_rate = 0.05;
    options.record_requests = false;
    MockEnv env(options);
    std::vector<Conference> expected;
    for (std::size_t i = 0; i < kDistinctIds; ++i) expected.push_back(seeded_conference(env.options, i));

    auto config = env.client_config();
    config.pool_size = kPoolSize;
    config.request_timeout = 30s;

    // Counted before the io_context exists: its reactor (epoll, eventfd,
    // timerfd) is created lazily by the first socket or timer, and is released
    // only when the io_context is destroyed.
    std::string fds_before_list;
    const std::size_t fds_before = open_fds(&fds_before_list);
    auto ioc = std::make_unique<net::io_context>(1);
    const auto start = Clock::now();

    PoolStats final_stats;
    long rss_end_kib = 0;
    std::size_t missing = 0, repeated = 0;
    std::ostringstream report;
    {
        ConferenceClient client(*ioc, config);
        Soak run(client, expected, total);
        for (std::size_t i = 0; i < kInFlight; ++i) run.launch();
        run_to_completion(*ioc, std::chrono::seconds(1800));
        run.sample();
        rss_end_kib = resident_kib();
        final_stats = client.stats();
        for (auto n : run.completions) {
            if (n == 0) ++missing;
            if (n > 1) ++repeated;
        }
        const auto secs = std::chrono::duration<double>(Clock::now() - start).count();
        report << total << " lookups in " << secs << " s (" << static_cast<long>(static_cast<double>(total) / secs)
               << "/s): " << run.ok << " ok, " << run.wrong_conference << " wrong conference, " << run.untyped_errors
               << " untyped errors";
        for (const auto& [code, n] : run.typed_errors) report << ", " << n << " x " << code;
        report << "; connections opened " << final_stats.connections_opened << ", handshakes " << final_stats.handshakes
               << " (" << final_stats.sessions_resumed << " resumed), reuses " << final_stats.reuses << ", retries "
               << final_stats.retries << ", stale resends " << final_stats.stale_resends << "; max open "
               << run.max_open << " over " << run.samples << " samples, max in flight " << run.max_in_flight
               << "; VmRSS at 20% " << run.rss_warm_kib << " KiB, max after " << run.rss_max_after_warm_kib
               << " KiB, at the end " << rss_end_kib << " KiB";
        BOOST_TEST_MESSAGE(report.str());

        BOOST_TEST(run.completed == total);
        BOOST_TEST(missing == 0u, missing << " indexes never completed");
        BOOST_TEST(repeated == 0u, repeated << " indexes completed more than once");
        BOOST_TEST(run.wrong_conference == 0u);
        BOOST_TEST(run.untyped_errors == 0u, "first: " << run.first_untyped);
        // Drops are retried (3 counted retries plus stale resends): almost all succeed.
        BOOST_TEST(run.ok >= total - total / 100, report.str());
        BOOST_TEST(run.over_bound == 0u, "open connections beyond the pool bound in " << run.over_bound << " samples");
        BOOST_TEST(run.max_open <= kPoolSize);
        // stats().in_flight counts a lookup until its internal state is gone,
        // which is a little after its handler has run (and started the next
        // one), so it may exceed the 64 the driver keeps outstanding; it must
        // not grow without bound.
        BOOST_TEST(run.max_in_flight <= 2 * kInFlight);
        BOOST_TEST(final_stats.in_flight == 0u);
        BOOST_TEST(final_stats.waiting == 0u);
        BOOST_TEST(final_stats.lookups_completed == total);
        // The faults really happened: connections were lost and replaced.
        BOOST_TEST(final_stats.connections_opened > kPoolSize);
        BOOST_TEST(final_stats.retries + final_stats.stale_resends > 0u);
        if (total >= 50'000) {
            // Below that count the run is too short for its warm-up to be meaningful.
            BOOST_TEST(rss_end_kib - run.rss_warm_kib < kRssToleranceKiB,
                       "resident memory grew by " << (rss_end_kib - run.rss_warm_kib) << " KiB after warm-up");
            BOOST_TEST(run.rss_max_after_warm_kib - run.rss_warm_kib < kRssToleranceKiB,
                       "resident memory peaked " << (run.rss_max_after_warm_kib - run.rss_warm_kib)
                                                 << " KiB above its warm-up level");
        }
    }
    // The client is gone; let everything it left on the io_context finish,
    // then wait for the server to see every connection closed.
    ioc->restart();
    run_to_completion(*ioc, 60s);
    ioc.reset();
    const auto wait_until = Clock::now() + 20s;
    while (env.server->stats().open_connections != 0 && Clock::now() < wait_until) std::this_thread::sleep_for(10ms);
    BOOST_TEST(env.server->stats().open_connections == 0u);
    std::string fds_after_list;
    const std::size_t fds_after = open_fds(&fds_after_list);
    BOOST_TEST(fds_after <= fds_before, "file descriptors: " << fds_before << " before:" << fds_before_list << "; "
                                                             << fds_after << " after:" << fds_after_list);
}

BOOST_AUTO_TEST_SUITE_END()
