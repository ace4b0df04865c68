// The shared token under threads (run under TSan too): four threads run one
// io_context while tokens expire every second, then tokens are revoked;
// every lookup succeeds, and fetches stay one per expiry or revocation,
// never one per request.
#include "common/lookup_helpers.hpp"
#include "common/oauth_env.hpp"

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(client_oauth_threads)

// Phase one: 1 s tokens, refreshed every half second, under four threads.
// Phase two: tokens of an hour, and once one is held and no fetch is under
// way, every token revoked: one refetch, and every lookup still succeeds.
// (A revocation racing a refresh is another story: the token fetched before
// the revocation arrives after it, is newer than the refused one and is kept,
// so a request refused twice ends unauthorized, as the rules say.)
BOOST_AUTO_TEST_CASE(four_threads_share_one_token_through_expiries_and_a_revocation) {
    MockEnv env(oauth_server(1s));
    net::io_context ioc(4);
    auto config = oauth_config(env);
    config.pool_size = 16;
    ConferenceClient client(ioc, config);

    std::mutex m;  // guards the phase changes below
    std::uint64_t requests_at_switch = 0;
    bool switched = false, revoked = false;
    int done_at_revoke = 0;
    std::atomic<int> done{0}, failed{0};
    std::string first_failure;
    const auto start = std::chrono::steady_clock::now();
    const auto advance = [&](int n) {
        std::lock_guard lock(m);
        if (!switched && std::chrono::steady_clock::now() - start > 2s) {
            env.server->set_token_lifetime(3600s);
            requests_at_switch = env.server->token_requests();
            switched = true;
        } else if (switched && !revoked && env.server->token_requests() > requests_at_switch &&
                   client.stats().token_fetches == env.server->token_requests()) {
            env.server->revoke_tokens();
            revoked = true;
            done_at_revoke = n;
        }
        const bool over = revoked && n >= done_at_revoke + 300;
        return !over && std::chrono::steady_clock::now() - start < 20s;
    };
    // Each chain starts the next lookup from the previous one's handler, on
    // whichever thread ran it.
    std::function<void()> next = [&] {
        auto diag = std::make_shared<Diagnostics>();
        client.async_get_conference("conf-" + std::to_string(done.load() % 50), *diag,
                                    [&, diag](error_code ec, Conference c) {
                                        if (ec || c.id.empty()) {
                                            std::lock_guard lock(m);
                                            if (failed++ == 0)
                                                first_failure = ec.message() + ": " + diag->message +
                                                                (revoked ? " (after the revocation)" : "") +
                                                                ", attempts " + std::to_string(diag->attempts);
                                        }
                                        if (advance(++done)) next();
                                    });
    };
    for (int i = 0; i < 32; ++i) net::post(ioc, next);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([&] { ioc.run(); });
    for (auto& t : threads) t.join();

    BOOST_TEST(failed.load() == 0, first_failure);
    BOOST_TEST(revoked);
    BOOST_TEST(env.server->bearer_rejections() >= 1u);
    // Two seconds of 1 s tokens refreshed after half a second, the hour
    // token, the refetch after the revocation: a handful, never one per lookup.
    BOOST_TEST(env.server->token_requests() >= 4u);
    BOOST_TEST(env.server->token_requests() <= 12u, env.server->token_requests());
    BOOST_TEST(client.stats().token_fetches == env.server->token_requests());
}

BOOST_AUTO_TEST_SUITE_END()
