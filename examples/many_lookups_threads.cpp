// Thousands of lookups on an io_context run by several threads, every result
// counted: one client shared by many coroutines, as a busy service uses it.
//
//   many_lookups_threads [--count N] [--threads T] [--workers W] [--conferences C]
//
//   --count N        lookups to make (default 5000)
//   --threads T      threads running the io_context (default 4)
//   --workers W      coroutines, each making one lookup at a time, so at most
//                    W lookups in flight (default 256)
//   --conferences C  look up conf-0 .. conf-(C-1), round robin (default 1000,
//                    bwvoice-mock's default store)
//
// The client never opens more than ClientConfig::pool_size connections (16 by
// default): lookups beyond that wait for one in FIFO order, within their
// deadline.
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 every lookup returned its own conference; 1 a lookup failed,
// returned another conference, or was lost (its handler never ran); 2 usage
// or configuration error.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <atomic>
#include <exception>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/settings.hpp"

namespace asio = boost::asio;

namespace {

/// Shared by every worker on every thread, hence atomics.
struct Tally {
    std::atomic<unsigned long> next{0};  ///< The next lookup to make.
    std::atomic<unsigned long> ok{0};
    std::atomic<unsigned long> wrong{0};  ///< Answered with another conference than asked for.
    /// Failures by bwvoice::errc value (1 .. cancelled).
    std::array<std::atomic<unsigned long>, static_cast<std::size_t>(bwvoice::errc::cancelled) + 1> failed{};
};

asio::awaitable<void> worker(bwvoice::ConferenceClient& client, Tally& tally, unsigned long count,
                             unsigned long conferences) {
    for (;;) {
        const unsigned long i = tally.next.fetch_add(1);
        if (i >= count) co_return;
        // A named variable, not an expression inside the co_await: g++ 12
        // mishandles some temporaries there.
        const std::string id = "conf-" + std::to_string(i % conferences);
        // as_tuple: a failure is a value to count, not an exception.
        auto [ec, conference] = co_await client.async_get_conference(id, asio::as_tuple(asio::use_awaitable));
        if (ec)
            ++tally.failed[static_cast<std::size_t>(bwvoice::to_errc(ec))];
        else if (conference.id != id)
            ++tally.wrong;
        else
            ++tally.ok;
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {"count", "threads", "workers", "conferences"});
        const unsigned long count = args.count("count", 5000);
        const unsigned long threads = args.count("threads", 4);
        const unsigned long workers = args.count("workers", 256);
        const unsigned long conferences = args.count("conferences", 1000);

        asio::io_context ioc;
        const bwvoice::ClientConfig config = example::config_from_env();
        bwvoice::ConferenceClient client(ioc, config);

        Tally tally;
        // A worker that throws (nothing is expected to) is counted, not
        // rethrown: this handler may run on any of the pool's threads, where
        // an exception would end the process.
        std::atomic<unsigned long> broken_workers{0};
        for (unsigned long w = 0; w < workers; ++w)
            asio::co_spawn(ioc, worker(client, tally, count, conferences), [&broken_workers](std::exception_ptr e) {
                if (e) ++broken_workers;
            });

        // Every thread runs the same io_context: the workers' steps, and the
        // client's handlers, run on whichever thread is free. run() returns
        // on all of them once every worker is done.
        std::vector<std::thread> pool;
        for (unsigned long t = 1; t < threads; ++t) pool.emplace_back([&ioc] { ioc.run(); });
        ioc.run();
        for (std::thread& t : pool) t.join();

        if (broken_workers != 0) {
            std::cerr << "many_lookups_threads: " << broken_workers << " workers ended with an exception\n";
            return example::kExitFailed;
        }
        unsigned long failed = 0;
        for (std::size_t e = 1; e < tally.failed.size(); ++e) {
            if (tally.failed[e] == 0) continue;
            failed += tally.failed[e];
            std::cout << "  failed with " << bwvoice::to_string(static_cast<bwvoice::errc>(e)) << ": "
                      << tally.failed[e] << "\n";
        }
        // Every operation calls its handler exactly once: none may be missing.
        const unsigned long completed = tally.ok + tally.wrong + failed;
        const bwvoice::PoolStats stats = client.stats();
        std::cout << "lookups: " << count << ", completed: " << completed << ", ok: " << tally.ok
                  << ", failed: " << failed << ", wrong conference: " << tally.wrong
                  << ", lost: " << static_cast<long long>(count) - static_cast<long long>(completed) << "\n"
                  << "over " << stats.connections_opened << " connections (pool_size " << config.pool_size << "), "
                  << stats.reuses << " requests on reused connections, " << threads << " threads, " << workers
                  << " workers\n";
        return tally.ok == count && completed == count ? 0 : example::kExitFailed;
    } catch (const example::UsageError& e) {
        std::cerr << "many_lookups_threads: " << e.what()
                  << "\nusage: many_lookups_threads [--count N] [--threads T] [--workers W] [--conferences C]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE
        std::cerr << "many_lookups_threads: " << e.what() << "\n";
        return example::kExitUsage;
    }
}
