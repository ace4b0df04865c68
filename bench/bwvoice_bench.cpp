// bwvoice-bench: ConferenceClient's own benchmark. The client runs on one
// io_context thread (the main thread) against an in-process bwvoice-mock (by
// default) or an external server (--url ..., e.g. the bench-peers nginx), and
// the tool prints Markdown tables (and --csv FILE for bench/plots.sh):
//
//   * scaling: lookups/s, client CPU per lookup, p50/p99 latency and TLS
//     handshakes per 10,000 lookups, for concurrency 1, 16, 64, 256 with a
//     pool of C connections, and C = 64, 256 over a pool of 16;
//   * memory: heap and RSS per lookup with 100,000 queued at once, and per
//     idle pooled connection;
//   * reconnects: client CPU per lookup when every lookup reconnects, with and
//     without TLS session resumption.
//
// --quick runs it all with tiny counts (the smoke test); --callgrind-lookups N
// runs only N lookups between callgrind's zero and dump requests (see
// bench/callgrind.sh).
#include "allocation_counter.hpp"
#include "child_server.hpp"
#include "counting_observer.hpp"

#include <bwvoice/bwvoice.hpp>

#include "mock/mock_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BWVOICE_BENCH_HAVE_CALLGRIND 1
#else
#define BWVOICE_BENCH_HAVE_CALLGRIND 0
#endif

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <malloc.h>

namespace po = boost::program_options;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- measuring

/// CPU time of the calling thread. The client runs only on the main thread,
/// so sampling it there leaves out the in-process server's threads (and the
/// resolver's helper thread, which runs only when connections are opened).
double thread_cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// Heap bytes in use, all arenas: small chunks (uordblks) plus the ones malloc
/// gets from mmap directly (hblkhd, 128 KiB and more), which uordblks leaves out.
long long heap_in_use() {
    const struct mallinfo2 mi = ::mallinfo2();
    return static_cast<long long>(mi.uordblks + mi.hblkhd);
}

/// Resident set size, bytes (VmRSS from /proc/self/status).
long long rss_bytes() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
    return 0;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// ---------------------------------------------------------------- set-up

struct Target {
    std::string description;
    std::string base_url;  // ".../api/v2"
    std::string user, password;
    std::string ca_pem, ca_file;
};

bwvoice::ClientConfig client_config(const Target& t, std::size_t pool) {
    bwvoice::ClientConfig c;
    c.base_url = t.base_url;
    c.account_id = "9900000";
    c.username = t.user;
    c.password = t.password;
    c.pool_size = pool;
    c.tls.use_system_store = false;
    c.tls.extra_ca_pem = t.ca_pem;
    c.tls.extra_ca_file = t.ca_file;
    // Generous: a loaded machine must slow the benchmark down, not fail it.
    c.request_timeout = 600s;
    return c;
}

/// conf-0 .. conf-999, made before any measurement so that issuing a lookup
/// allocates nothing on the caller's side (the id is passed as a string_view).
const std::vector<std::string>& conference_ids() {
    static const std::vector<std::string> ids = [] {
        std::vector<std::string> v;
        for (int i = 0; i < 1000; ++i) v.push_back("conf-" + std::to_string(i));
        return v;
    }();
    return ids;
}

/// Keeps `in_flight` lookups going until `total` are done (closed loop, as
/// bwvoice-peer does), optionally timing each one.
class Driver {
public:
    Driver(bwvoice::ConferenceClient& client, std::size_t total, bool time_each)
        : client_(client), ids_(conference_ids()), total_(total) {
        if (time_each) {
            started_.resize(total);
            latency_ns_.resize(total);
        }
    }

    /// Issues the first `in_flight` lookups; the caller runs the io_context.
    void start(std::size_t in_flight) {
        for (std::size_t k = 0; k < in_flight && next_ < total_; ++k) issue();
    }

    /// start() and run the io_context until every lookup is done.
    void run(net::io_context& ioc, std::size_t in_flight) {
        start(in_flight);
        ioc.restart();
        ioc.run();
        if (done_ != total_) throw std::runtime_error("the io_context ran out of work with lookups pending");
    }

    std::size_t failed() const { return failed_; }
    const std::string& first_error() const { return first_error_; }

    /// Latency quantile q in [0, 1], microseconds.
    double latency_us(double q) {
        if (latency_ns_.empty()) return 0;
        if (!sorted_) {
            std::sort(latency_ns_.begin(), latency_ns_.end());
            sorted_ = true;
        }
        const auto k =
            std::min(latency_ns_.size() - 1, static_cast<std::size_t>(q * static_cast<double>(latency_ns_.size())));
        return static_cast<double>(latency_ns_[k]) / 1e3;
    }

private:
    void issue() {
        const std::size_t i = next_++;
        if (!started_.empty()) started_[i] = Clock::now();
        client_.async_get_conference(ids_[i % ids_.size()],
                                     [this, i](bwvoice::error_code ec, bwvoice::Conference c) { done(i, ec, c); });
    }

    void done(std::size_t i, const bwvoice::error_code& ec, const bwvoice::Conference& c) {
        if (!started_.empty()) latency_ns_[i] = (Clock::now() - started_[i]).count();
        ++done_;
        if (ec || c.id != ids_[i % ids_.size()]) {
            if (failed_++ == 0)
                first_error_ = ec ? std::string(bwvoice::to_string(bwvoice::to_errc(ec))) : "id mismatch";
        }
        if (next_ < total_) issue();
    }

    bwvoice::ConferenceClient& client_;
    const std::vector<std::string>& ids_;
    std::size_t total_;
    std::size_t next_ = 0, done_ = 0, failed_ = 0;
    std::string first_error_;
    std::vector<Clock::time_point> started_;
    std::vector<std::int64_t> latency_ns_;
    bool sorted_ = false;
};

void check(const Driver& d, const char* what) {
    if (d.failed() != 0)
        throw std::runtime_error(std::string(what) + ": " + std::to_string(d.failed()) +
                                 " lookups failed, first: " + d.first_error());
}

/// Opens the pool's connections and warms caches: `in_flight` lookups at once
/// (so min(in_flight, pool) connections are opened), three rounds of them.
void warm_up(bwvoice::ConferenceClient& client, net::io_context& ioc, std::size_t in_flight) {
    Driver d(client, 3 * in_flight, false);
    d.run(ioc, in_flight);
    check(d, "warm-up");
}

// ---------------------------------------------------------------- scaling

struct ScalingRow {
    std::size_t c, pool, lookups;
    double wall_s, cpu_s, p50_us, p99_us;
    std::uint64_t handshakes, resumed, warm_lookups;
    std::uint64_t allocations;  // on the client's thread, during the measured lookups
};

ScalingRow run_scaling(const Target& t, std::size_t c, std::size_t pool, std::size_t n) {
    net::io_context ioc(1);
    bwvoice::ConferenceClient client(ioc, client_config(t, pool));
    warm_up(client, ioc, c);
    Driver d(client, n, true);
    const double cpu0 = thread_cpu_seconds();
    const std::uint64_t allocations0 = bwvoice::bench::thread_allocations();
    const auto t0 = Clock::now();
    d.run(ioc, c);
    const auto t1 = Clock::now();
    const std::uint64_t allocations1 = bwvoice::bench::thread_allocations();
    const double cpu1 = thread_cpu_seconds();
    check(d, "scaling run");
    const auto st = client.stats();
    return {c,
            pool,
            n,
            std::chrono::duration<double>(t1 - t0).count(),
            cpu1 - cpu0,
            d.latency_us(0.50),
            d.latency_us(0.99),
            st.handshakes,
            st.sessions_resumed,
            3 * c,
            allocations1 - allocations0};
}

// ---------------------------------------------------------------- memory

struct QueuedResult {
    std::size_t lookups, pool;
    long long heap_delta, rss_delta;
};

/// `n` lookups issued at once over a pool of `pool` against a server that
/// answers only after a long delay, so all but `pool` of them wait in the
/// pool's queue; memory is sampled once they all have got there.
QueuedResult run_queued(bwvoice::bench::ChildServer& server, const Target& t, std::size_t n, std::size_t pool) {
    net::io_context ioc(1);
    bwvoice::ConferenceClient client(ioc, client_config(t, pool));
    warm_up(client, ioc, pool);  // the pool's connections exist before the baseline
    // Long enough for all n to be issued and queued before the first answer.
    server.set_delay(10s);
    const auto& ids = conference_ids();

    // Our own per-lookup state is the handler below (one pointer, stored in
    // the lookup's own state as any caller's handler would be) and a
    // string_view into `ids`, which exists already: nothing to subtract.
    std::size_t completed = 0;
    const long long heap0 = heap_in_use(), rss0 = rss_bytes();
    for (std::size_t i = 0; i < n; ++i)
        client.async_get_conference(ids[i % ids.size()],
                                    [&completed](bwvoice::error_code, bwvoice::Conference) { ++completed; });

    long long heap1 = 0, rss1 = 0;
    bool measured = false;
    net::steady_timer poll(ioc);
    const auto give_up = Clock::now() + 120s;
    std::function<void()> arm = [&] {
        poll.expires_after(1ms);
        poll.async_wait([&](bwvoice::error_code) {
            const auto st = client.stats();
            // All issued lookups are in the queue or on one of the pool's connections.
            const bool queued = st.waiting + pool + completed >= n;
            if (queued || Clock::now() > give_up) {
                if (queued) {
                    measured = true;
                    heap1 = heap_in_use();
                    rss1 = rss_bytes();
                }
                client.close();  // fails them all with errc::cancelled
            } else {
                arm();
            }
        });
    };
    arm();
    ioc.restart();  // the warm-up's run() left it stopped
    ioc.run();
    server.set_delay(0ms);
    if (!measured) throw std::runtime_error("queued-lookups run did not reach its measuring point");
    return {n, pool, heap1 - heap0, rss1 - rss0};
}

struct IdleResult {
    std::size_t connections;
    long long heap_delta, rss_delta;
};

/// Heap and RSS growth from 1 to k idle pooled connections, divided by k - 1:
/// the first connection carries the one-off costs (TLS context state, the
/// session and DNS caches) and is part of the baseline.
IdleResult run_idle(const Target& t, std::size_t k) {
    net::io_context ioc(1);
    bwvoice::ConferenceClient client(ioc, client_config(t, k));
    warm_up(client, ioc, 1);
    const long long heap0 = heap_in_use(), rss0 = rss_bytes();
    Driver d(client, k, false);
    d.run(ioc, k);  // k at once: the idle one plus k - 1 new connections
    check(d, "idle-connection run");
    const long long heap1 = heap_in_use(), rss1 = rss_bytes();
    const auto st = client.stats();
    if (st.open != k || st.idle != k)
        throw std::runtime_error("expected " + std::to_string(k) + " idle connections, have " +
                                 std::to_string(st.idle) + " idle of " + std::to_string(st.open));
    return {k, heap1 - heap0, rss1 - rss0};
}

// ---------------------------------------------------------------- reconnects

struct ReconnectResult {
    bool resumption;
    std::size_t lookups;
    double cpu_s;
    std::uint64_t handshakes, resumed;
};

/// Sequential lookups with a pause longer than idle_timeout between them, so
/// each one finds its connection expired and opens a new one.
ReconnectResult run_reconnect(const Target& t, bool resumption, std::size_t n) {
    net::io_context ioc(1);
    auto config = client_config(t, 1);
    config.idle_timeout = 1ms;
    config.tls.session_resumption = resumption;
    bwvoice::ConferenceClient client(ioc, config);
    warm_up(client, ioc, 1);  // the first (full) handshake, and a session to resume
    const auto st0 = client.stats();
    const auto& ids = conference_ids();

    net::steady_timer pause(ioc);
    std::size_t done = 0, failed = 0;
    std::function<void()> next = [&] {
        client.async_get_conference(ids[done % ids.size()], [&](bwvoice::error_code ec, bwvoice::Conference) {
            if (ec) ++failed;
            if (++done == n) return;
            pause.expires_after(3ms);
            pause.async_wait([&](bwvoice::error_code) { next(); });
        });
    };
    const double cpu0 = thread_cpu_seconds();
    // The warm-up's connection must expire before the first measured lookup too.
    pause.expires_after(3ms);
    pause.async_wait([&](bwvoice::error_code) { next(); });
    ioc.restart();
    ioc.run();
    const double cpu1 = thread_cpu_seconds();
    if (failed != 0) throw std::runtime_error("reconnect run: " + std::to_string(failed) + " lookups failed");
    const auto st1 = client.stats();
    return {resumption, n, cpu1 - cpu0, st1.handshakes - st0.handshakes, st1.sessions_resumed - st0.sessions_resumed};
}

// ---------------------------------------------------------------- list pages

struct ListResult {
    std::size_t pages, conferences;
    double cpu_s;
    std::uint64_t allocations;  // on the client's thread
};

/// `pages` List Conferences pages of up to 1,000, one after another, each a
/// new listing's first page: the client's CPU and allocations per conference,
/// to set beside a single get's per lookup.
ListResult run_list(const Target& t, std::size_t pages) {
    net::io_context ioc(1);
    bwvoice::ConferenceClient client(ioc, client_config(t, 1));
    warm_up(client, ioc, 1);
    std::size_t left = pages, conferences = 0, failed = 0;
    std::optional<bwvoice::ConferencePager> pager;
    std::function<void()> next = [&] {
        pager.emplace(client.list_conferences({.page_size = 1000}));
        pager->async_next([&](bwvoice::error_code ec, std::vector<bwvoice::Conference> page) {
            if (ec) ++failed;
            conferences += page.size();
            if (--left != 0) next();
        });
    };
    const double cpu0 = thread_cpu_seconds();
    const std::uint64_t allocations0 = bwvoice::bench::thread_allocations();
    next();
    ioc.restart();
    ioc.run();
    const std::uint64_t allocations1 = bwvoice::bench::thread_allocations();
    const double cpu1 = thread_cpu_seconds();
    if (failed != 0 || conferences == 0)
        throw std::runtime_error("list run: " + std::to_string(failed) + " pages failed");
    return {pages, conferences, cpu1 - cpu0, allocations1 - allocations0};
}

// ---------------------------------------------------------------- callgrind

int run_callgrind(const Target& t, std::size_t c, std::size_t n, bool observed) {
    net::io_context ioc(1);
    auto config = client_config(t, c);
    if (observed) config.observer = std::make_shared<CountingObserver>();
    bwvoice::ConferenceClient client(ioc, config);
    warm_up(client, ioc, c);
    Driver d(client, n, false);
#if BWVOICE_BENCH_HAVE_CALLGRIND
    // Works with callgrind's --instr-atstart=no (the warm-up's handshakes then
    // run uninstrumented, much faster) and with the default yes.
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
#endif
    d.run(ioc, c);
#if BWVOICE_BENCH_HAVE_CALLGRIND
    CALLGRIND_DUMP_STATS_AT("lookups");
    CALLGRIND_STOP_INSTRUMENTATION;
#else
    std::fprintf(stderr, "bwvoice-bench: built without <valgrind/callgrind.h>: nothing was dumped\n");
#endif
    check(d, "callgrind run");
    const auto st = client.stats();
    std::fprintf(stderr, "callgrind: %zu lookups at C=%zu, handshakes=%llu (all in the warm-up)\n", n, c,
                 static_cast<unsigned long long>(st.handshakes));
    return 0;
}

// ---------------------------------------------------------------- output

std::string with_commas(double v) {
    const auto n = static_cast<long long>(v < 0 ? v - 0.5 : v + 0.5);
    const std::string digits = std::to_string(n < 0 ? -n : n);
    // Built forwards rather than with insert(), which g++ 12 flags with a false -Wrestrict.
    std::string out = n < 0 ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

struct Options {
    std::string url, user, password, ca, csv;
    bool quick = false;
    unsigned server_threads = 1;
    std::size_t lookups = 0;  // per scaling row; 0: by mode
    std::size_t callgrind_lookups = 0;
    std::size_t connections = 64;  // for --callgrind-lookups
    bool observer = false;         // for --callgrind-lookups
};

}  // namespace

int main(int argc, char** argv) {
    // Before anything can make OpenSSL allocate.
    const bool openssl_counted = bwvoice::bench::count_openssl_allocations();
    {
        // The count must see an allocation, or its column would read 0.
        const std::uint64_t before = bwvoice::bench::thread_allocations();
        const auto probe = std::make_unique<std::string>(64, 'x');
        if (bwvoice::bench::thread_allocations() < before + 2) {
            std::fprintf(stderr, "bwvoice-bench: the allocation counter counts nothing\n");
            return 2;
        }
    }
    Options o;
    po::options_description desc("bwvoice-bench options");
    desc.add_options()("help,h", "show this help")(
        "url", po::value(&o.url), "an external server, https://HOST:PORT (default: an in-process bwvoice-mock)")(
        "user", po::value(&o.user), "Basic auth user (with --url)")("password", po::value(&o.password),
                                                                    "Basic auth password (with --url)")(
        "ca", po::value(&o.ca), "CA file, the only trust anchor (with --url)")(
        "quick", po::bool_switch(&o.quick), "everything with tiny counts (smoke test, a few seconds)")(
        "lookups", po::value(&o.lookups), "lookups per scaling row (default 20000, --quick 300)")(
        "server-threads", po::value(&o.server_threads)->default_value(1), "threads of the in-process mock")(
        "csv", po::value(&o.csv), "also write the results to this CSV file (for bench/plots.sh)")(
        "callgrind-lookups", po::value(&o.callgrind_lookups),
        "only warm up, then run exactly N lookups between CALLGRIND_ZERO_STATS and CALLGRIND_DUMP_STATS_AT (needs "
        "--url)")("connections", po::value(&o.connections)->default_value(64),
                  "concurrency and pool size for --callgrind-lookups")(
        "observer", po::bool_switch(&o.observer), "with --callgrind-lookups: install an observer counting every event");
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
        if (vm.count("help") != 0) {
            std::cout << desc;
            return 0;
        }
        if (!o.url.empty() && (o.user.empty() || o.password.empty() || o.ca.empty()))
            throw std::invalid_argument("--url needs --user, --password and --ca");
        // The in-process server's threads would be counted with the client's.
        if (o.callgrind_lookups != 0 && o.url.empty())
            throw std::invalid_argument("--callgrind-lookups needs --url (an out-of-process server)");
        if (o.connections == 0 || o.server_threads == 0) throw std::invalid_argument("counts must be at least 1");
    } catch (const std::exception& e) {
        std::cerr << "bwvoice-bench: " << e.what() << "\n" << desc;
        return 2;
    }

    try {
        Target external;
        if (!o.url.empty()) {
            external = {"external server " + o.url, o.url + "/api/v2", o.user, o.password, "", o.ca};
            if (o.callgrind_lookups != 0)
                return run_callgrind(external, o.connections, o.callgrind_lookups, o.observer);
        }

        const std::size_t n = o.lookups != 0 ? o.lookups : o.quick ? 300 : 20000;
        const std::size_t queued = o.quick ? 2000 : 100000, queued_pool = 4;
        const std::size_t idle_k = o.quick ? 8 : 64;
        const std::size_t reconnects = o.quick ? 20 : 300;

        // Key generation is slow: one PKI for both local servers.
        const auto pki = bwvoice::mock::generate_pki();
        bwvoice::mock::ServerOptions so;
        so.cert_pem = pki.server_cert_pem;
        so.key_pem = pki.server_key_pem;
        so.username = "bench";
        so.password = "bench-pw";
        so.record_requests = false;
        so.threads = o.server_threads;

        // Forked first, while this process has no other thread.
        bwvoice::bench::ChildServer child(so);
        const Target child_target{"bwvoice-mock in a child process",
                                  "https://127.0.0.1:" + std::to_string(child.port()) + "/api/v2",
                                  so.username,
                                  so.password,
                                  pki.ca_cert_pem,
                                  ""};

        std::unique_ptr<bwvoice::mock::MockServer> in_process;
        Target main_target = external;
        if (o.url.empty()) {
            in_process = std::make_unique<bwvoice::mock::MockServer>(so);
            main_target = {"in-process bwvoice-mock (" + std::to_string(o.server_threads) + " thread" +
                               (o.server_threads == 1 ? "" : "s") + ")",
                           in_process->base_url(),
                           so.username,
                           so.password,
                           pki.ca_cert_pem,
                           ""};
        }
        const Target& idle_target = o.url.empty() ? child_target : external;

        std::optional<std::ofstream> csv;
        if (!o.csv.empty()) {
            csv.emplace(o.csv);
            if (!*csv) throw std::runtime_error("cannot write " + o.csv);
            *csv << "# section,c,pool,lookups,wall_s,lookups_per_s,cpu_us_per_lookup,p50_us,p99_us,handshakes,"
                    "sessions_resumed,allocations_per_lookup\n";
        }

        // --- memory
        std::printf("## Memory (heap: mallinfo2 uordblks + hblkhd; RSS: VmRSS)\n\n");
        std::printf("| what | heap | RSS |\n|---|--:|--:|\n");
        std::fflush(stdout);
        const auto idle = run_idle(idle_target, idle_k);
        const double kn = static_cast<double>(idle.connections - 1);
        std::printf("| per idle pooled connection (1 -> %zu idle, %s) | %s B | %s B |\n", idle.connections,
                    idle_target.description.c_str(), with_commas(static_cast<double>(idle.heap_delta) / kn).c_str(),
                    with_commas(static_cast<double>(idle.rss_delta) / kn).c_str());
        const auto q = run_queued(child, child_target, queued, queued_pool);
        const double qn = static_cast<double>(q.lookups);
        std::printf("| per queued lookup (%s outstanding at once, pool %zu, %s) | %s B | %s B |\n",
                    with_commas(qn).c_str(), q.pool, child_target.description.c_str(),
                    with_commas(static_cast<double>(q.heap_delta) / qn).c_str(),
                    with_commas(static_cast<double>(q.rss_delta) / qn).c_str());
        std::fflush(stdout);
        if (kSanitized)
            std::printf(
                "\n(Built with a sanitizer: its allocator is not malloc's, so the heap figures mean nothing.)\n");
        std::printf(
            "\nQueued: growth from just before issuing (pool connections already open) to when all are "
            "queued, / count. The caller's side adds no heap per lookup (ids pre-made, one-pointer "
            "handler), so nothing is subtracted. Idle: growth from 1 to K idle connections, / (K - 1).\n\n");
        if (csv) {
            *csv << "memory_queued," << q.lookups << ',' << q.pool << ',' << static_cast<double>(q.heap_delta) / qn
                 << ',' << static_cast<double>(q.rss_delta) / qn << '\n';
            *csv << "memory_idle," << idle.connections << ",," << static_cast<double>(idle.heap_delta) / kn << ','
                 << static_cast<double>(idle.rss_delta) / kn << '\n';
        }

        // --- scaling
        struct Shape {
            std::size_t c, pool;
        };
        const Shape shapes[] = {{1, 1}, {16, 16}, {64, 64}, {256, 256}, {64, 16}, {256, 16}};
        std::printf("## Scaling: %s, %zu lookups per row after a warm-up of 3 x C\n\n", main_target.description.c_str(),
                    n);
        std::printf(
            "| C | pool | lookups/s | client CPU µs/lookup | p50 µs | p99 µs | TLS handshakes / 10k lookups | "
            "allocations/lookup |\n");
        std::printf("|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        std::fflush(stdout);
        for (const auto& s : shapes) {
            auto r = run_scaling(main_target, s.c, s.pool, n);
            // Handshakes of the whole row (warm-up included: that is where the
            // pool's connections are opened) per 10,000 of its lookups.
            const double per10k =
                1e4 * static_cast<double>(r.handshakes) / static_cast<double>(r.lookups + r.warm_lookups);
            const double allocations = static_cast<double>(r.allocations) / static_cast<double>(r.lookups);
            std::printf("| %zu | %zu | %s | %s | %s | %s | %s (%llu) | %s |\n", r.c, r.pool,
                        with_commas(static_cast<double>(r.lookups) / r.wall_s).c_str(),
                        fmt("%.1f", 1e6 * r.cpu_s / static_cast<double>(r.lookups)).c_str(),
                        fmt("%.0f", r.p50_us).c_str(), fmt("%.0f", r.p99_us).c_str(), fmt("%.1f", per10k).c_str(),
                        static_cast<unsigned long long>(r.handshakes), fmt("%.1f", allocations).c_str());
            std::fflush(stdout);
            if (csv)
                *csv << "scaling," << r.c << ',' << r.pool << ',' << r.lookups << ',' << r.wall_s << ','
                     << static_cast<double>(r.lookups) / r.wall_s << ','
                     << 1e6 * r.cpu_s / static_cast<double>(r.lookups) << ',' << r.p50_us << ',' << r.p99_us << ','
                     << r.handshakes << ',' << r.resumed << ',' << allocations << '\n';
        }
        std::printf(
            "\nclient CPU: CLOCK_THREAD_CPUTIME_ID of the one io_context thread over the measured lookups; "
            "handshakes: whole row, warm-up included (count in parentheses); allocations: operator new, "
            "aligned_alloc (Asio's coroutine frames and operations) and OpenSSL's on that thread over the measured "
            "lookups, the result's own strings included%s.\n\n",
            openssl_counted ? "" : " (OpenSSL's not counted: it had allocated before main)");

        // --- list pages
        {
            const auto l = run_list(main_target, o.quick ? 3 : 30);
            const double per = static_cast<double>(l.conferences);
            std::printf("## List Conferences: %s, %zu pages of up to 1,000, one after another\n\n",
                        main_target.description.c_str(), l.pages);
            std::printf("| conferences | client CPU µs/conference | allocations/conference |\n|--:|--:|--:|\n");
            std::printf("| %s | %s | %s |\n\n", with_commas(per).c_str(), fmt("%.2f", 1e6 * l.cpu_s / per).c_str(),
                        fmt("%.1f", static_cast<double>(l.allocations) / per).c_str());
            std::fflush(stdout);
            if (csv)
                *csv << "list," << l.pages << ",," << l.conferences << ',' << 1e6 * l.cpu_s / per << ','
                     << static_cast<double>(l.allocations) / per << '\n';
        }

        // --- reconnects
        std::printf("## Reconnect cost: %s, idle_timeout 1 ms, a 3 ms pause between sequential lookups\n\n",
                    main_target.description.c_str());
        std::printf(
            "| TLS session resumption | reconnecting lookups | client CPU µs/lookup | handshakes | resumed |\n");
        std::printf("|---|--:|--:|--:|--:|\n");
        std::fflush(stdout);
        for (const bool resumption : {true, false}) {
            const auto r = run_reconnect(main_target, resumption, reconnects);
            std::printf("| %s | %zu | %s | %llu | %llu |\n", resumption ? "on" : "off", r.lookups,
                        fmt("%.0f", 1e6 * r.cpu_s / static_cast<double>(r.lookups)).c_str(),
                        static_cast<unsigned long long>(r.handshakes), static_cast<unsigned long long>(r.resumed));
            std::fflush(stdout);
            if (csv)
                *csv << "reconnect," << (resumption ? "on" : "off") << ',' << r.lookups << ','
                     << 1e6 * r.cpu_s / static_cast<double>(r.lookups) << ',' << r.handshakes << ',' << r.resumed
                     << '\n';
        }
        std::printf("\n");
        if (csv && !*csv) throw std::runtime_error("writing " + o.csv + " failed");
        return 0;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::cerr << "bwvoice-bench: " << e.what() << "\n";
        return 1;
    }
}
