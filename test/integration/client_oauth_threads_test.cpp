// The shared token under threads (run under TSan too): four threads run one
// io_context while tokens expire every second and are revoked mid-run; every
// lookup succeeds, and fetches stay one per expiry or revocation, never one
// per request.
#include "common/lookup_helpers.hpp"
#include "common/oauth_env.hpp"

#include <atomic>
#include <thread>
#include <vector>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(client_oauth_threads)

BOOST_AUTO_TEST_CASE(four_threads_share_one_token_through_expiries_and_a_revocation) {
    MockEnv env(oauth_server(1s));
    net::io_context ioc(4);
    auto config = oauth_config(env);
    config.pool_size = 16;
    ConferenceClient client(ioc, config);

    std::atomic<int> done{0}, failed{0};
    std::atomic<bool> revoked{false};
    const auto until = std::chrono::steady_clock::now() + 2500ms;
    // Each chain starts the next lookup from the previous one's handler, on
    // whichever thread ran it.
    std::function<void()> next = [&] {
        if (std::chrono::steady_clock::now() > until) return;
        client.async_get_conference("conf-" + std::to_string(done.load() % 50), [&](error_code ec, Conference c) {
            if (ec || c.id.empty()) ++failed;
            if (++done == 400 && !revoked.exchange(true)) env.server->revoke_tokens();
            next();
        });
    };
    for (int i = 0; i < 32; ++i) net::post(ioc, next);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([&] { ioc.run(); });
    for (auto& t : threads) t.join();

    BOOST_TEST(failed.load() == 0);
    BOOST_TEST(done.load() > 400);
    BOOST_TEST(revoked.load());
    // 1 s tokens refreshed after half a second over 2.5 s, plus the
    // revocation: a handful of fetches, far fewer than the lookups.
    BOOST_TEST(env.server->token_requests() >= 3u);
    BOOST_TEST(env.server->token_requests() <= 10u, env.server->token_requests());
    BOOST_TEST(client.stats().token_fetches == env.server->token_requests());
}

BOOST_AUTO_TEST_SUITE_END()
