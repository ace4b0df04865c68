// One client shared by coroutines on a multi-threaded io_context, with
// cancellations and a close racing the lookups. Meant to run under TSan too.
#include "common/lookup_helpers.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using namespace std::chrono_literals;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

struct Tally {
    std::atomic<std::size_t> ok{0}, cancelled{0}, timed_out{0}, other{0};
    std::atomic<std::size_t> raced{0};  // lookups raced against a short timer: the only ones that may be cancelled
    std::size_t total() const { return ok + cancelled + timed_out + other; }
};

net::awaitable<void> worker(ConferenceClient& client, Tally& tally, int worker_index, int lookups) {
    auto ex = co_await net::this_coro::executor;
    for (int i = 0; i < lookups; ++i) {
        const std::string id = "conf-" + std::to_string((worker_index * 131 + i) % 1000);
        if (i % 7 == 3) {
            // Race a short timer against the lookup: either may win.
            ++tally.raced;
            net::steady_timer timer(ex, std::chrono::microseconds(50 * (i % 5)));
            auto r = co_await (client.async_get_conference(id, net::as_tuple(net::use_awaitable)) ||
                               timer.async_wait(net::use_awaitable));
            if (r.index() == 1) {
                ++tally.cancelled;
                continue;
            }
            auto [ec, c] = std::get<0>(r);
            if (!ec && c.id == id)
                ++tally.ok;
            else
                ++tally.other;
            continue;
        }
        auto [ec, c] = co_await client.async_get_conference(id, net::as_tuple(net::use_awaitable));
        if (!ec && c.id == id)
            ++tally.ok;
        else if (ec == condition::cancelled)
            ++tally.cancelled;
        else if (ec == errc::timeout)
            ++tally.timed_out;
        else
            ++tally.other;
    }
}

/// The most connections the client held open at once, from its own events
/// (the server counts a close only when it reads the EOF, which under load
/// comes after the client's next connect), and how many it closed itself.
class OpenConnectionsWatch : public ClientObserver {
public:
    void on_connection_opened(const ConnectionOpened& e) override {
        const std::lock_guard lock(mutex_);
        open_.insert(e.connection);
        most_ = std::max(most_, open_.size());
    }
    void on_connection_closed(const ConnectionClosed& e) override {
        const std::lock_guard lock(mutex_);
        open_.erase(e.connection);
        if (e.reason != CloseReason::server_closed) ++closed_by_client_;
    }
    std::size_t most() const {
        const std::lock_guard lock(mutex_);
        return most_;
    }
    std::size_t closed_by_client() const {
        const std::lock_guard lock(mutex_);
        return closed_by_client_;
    }

private:
    mutable std::mutex mutex_;
    std::set<std::uint64_t> open_;
    std::size_t most_ = 0, closed_by_client_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(client_stress)

BOOST_AUTO_TEST_CASE(shared_client_on_four_threads_accounts_for_every_lookup) {
    mock::ServerOptions options;
    options.threads = 2;
    options.random_drop_rate = 0.02;
    MockEnv env(options);
    net::io_context ioc(4);
    auto config = env.client_config();
    config.pool_size = 6;
    auto watch = std::make_shared<OpenConnectionsWatch>();
    config.observer = watch;
    ConferenceClient client(ioc, config);
    Tally tally;
    constexpr int workers = 24, per_worker = 60;
    // Boost.Test assertions are not thread-safe: count on the threads, check after joining.
    std::atomic<int> finished{0}, threw{0};
    for (int w = 0; w < workers; ++w)
        net::co_spawn(net::make_strand(ioc), worker(client, tally, w, per_worker), [&](std::exception_ptr e) {
            if (e) ++threw;
            ++finished;
        });
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back([&] { ioc.run_for(120s); });
    for (auto& t : threads) t.join();
    BOOST_TEST(finished == workers);
    BOOST_TEST(threw == 0);
    BOOST_TEST(tally.total() == std::size_t{workers * per_worker});
    // Nothing but the raced timers may stop a lookup: with 2% of connections
    // dropped and 10 s deadlines, every other lookup ends with its conference.
    BOOST_TEST(tally.other == 0u);
    BOOST_TEST(tally.timed_out == 0u);
    BOOST_TEST(tally.cancelled <= tally.raced);
    BOOST_TEST(tally.ok + tally.cancelled == tally.total());
    auto stats = client.stats();
    BOOST_TEST(stats.in_flight == 0u);
    BOOST_TEST(stats.open <= 6u);
    BOOST_TEST(watch->most() <= 6u);
    // The server sees each close the client made itself (a raced lookup's
    // interrupted connection) when it reads the EOF, possibly after the
    // client's next connect: those may overlap. (Its random drops end as
    // server_closed, not counted: the server counted them closed as it
    // dropped them.) +1 for a close seen late
    // otherwise, as this check always allowed (once in ~700 loaded runs).
    BOOST_TEST(env.server->stats().max_open_connections <= 6u + watch->closed_by_client() + 1u);
}

BOOST_AUTO_TEST_CASE(close_from_another_thread_races_lookups_safely) {
    MockEnv env;
    net::io_context ioc(4);
    auto config = env.client_config();
    config.pool_size = 4;
    ConferenceClient client(ioc, config);
    std::atomic<std::size_t> delivered{0}, unexpected{0};
    for (int i = 0; i < 2000; ++i)
        client.async_get_conference("conf-" + std::to_string(i % 1000), [&](error_code ec, Conference) {
            if (ec && ec != errc::cancelled) ++unexpected;
            ++delivered;
        });
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) threads.emplace_back([&] { ioc.run_for(60s); });
    std::this_thread::sleep_for(20ms);
    client.close();
    for (auto& t : threads) t.join();
    BOOST_TEST(delivered == 2000u);
    BOOST_TEST(unexpected == 0u);
    BOOST_TEST(client.stats().open == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
