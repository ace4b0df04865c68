// OAuth 2.0 client credentials over real TLS against the mock's token
// endpoint: one fetch for many requests, refresh, revocation, refusal, and
// failures of the token endpoint.
#include "common/lookup_helpers.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <thread>
#include <vector>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using namespace std::chrono_literals;

namespace {

const std::string kClientId = "client-7781";
const std::string kSecret = "s3cr3t-Vq9-never-shown";

mock::ServerOptions oauth_server(std::optional<std::chrono::seconds> lifetime = 3600s) {
    mock::ServerOptions o;
    o.client_id = kClientId;
    o.client_secret = kSecret;
    o.token_lifetime = lifetime;
    o.accept_basic = false;
    return o;
}

ClientConfig oauth_config(const MockEnv& env) {
    ClientConfig c = env.client_config();
    c.username.clear();
    c.password.clear();
    c.client_id = kClientId;
    c.client_secret = kSecret;
    c.token_url = env.server->token_url();
    return c;
}

struct Outcome {
    error_code ec;
    Diagnostics diag;
};

/// Starts `n` lookups at once and runs them all.
std::vector<Outcome> lookups(net::io_context& ioc, ConferenceClient& client, int n) {
    std::vector<Outcome> out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        auto& o = out[static_cast<std::size_t>(i)];
        client.async_get_conference("conf-" + std::to_string(i % 100), o.diag,
                                    [&o](error_code ec, Conference) { o.ec = ec; });
    }
    run_to_completion(ioc);
    ioc.restart();
    return out;
}

void check_no_secret(const Outcome& o) {
    for (const std::string* text : {&o.diag.message, &o.diag.api_error_type, &o.diag.api_error_description})
        BOOST_TEST(text->find(kSecret) == std::string::npos, *text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_oauth)

BOOST_AUTO_TEST_CASE(a_thousand_concurrent_lookups_share_one_token_fetch) {
    MockEnv env(oauth_server());
    net::io_context ioc;
    auto config = oauth_config(env);
    config.pool_size = 32;
    ConferenceClient client(ioc, config);
    const auto results = lookups(ioc, client, 1000);
    for (const auto& r : results) BOOST_TEST_REQUIRE(!r.ec, r.ec.message() << ": " << r.diag.message);
    BOOST_TEST(env.server->token_requests() == 1u);
    BOOST_TEST(env.server->bearer_rejections() == 0u);
    // Every API request carried the token, and the token request the client credentials.
    for (const auto& req : env.server->requests()) {
        if (req.route == mock::kTokenRoute) {
            BOOST_TEST(req.authorization.starts_with("Basic "));
            BOOST_TEST(req.content_type == "application/x-www-form-urlencoded");
            BOOST_TEST(req.body == "grant_type=client_credentials");
            BOOST_TEST(req.method == "POST");
        } else {
            BOOST_TEST(req.authorization.starts_with("Bearer "), req.authorization.substr(0, 7));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_revoked_token_is_fetched_again_once_and_every_lookup_succeeds) {
    MockEnv env(oauth_server());
    net::io_context ioc;
    auto config = oauth_config(env);
    config.pool_size = 16;
    ConferenceClient client(ioc, config);
    for (const auto& r : lookups(ioc, client, 50)) BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
    BOOST_TEST_REQUIRE(env.server->token_requests() == 1u);
    env.server->revoke_tokens();
    const auto after = lookups(ioc, client, 300);
    for (const auto& r : after) BOOST_TEST_REQUIRE(!r.ec, r.ec.message() << ": " << r.diag.message);
    BOOST_TEST(env.server->token_requests() == 2u);
    BOOST_TEST(env.server->bearer_rejections() >= 1u);
}

BOOST_AUTO_TEST_CASE(a_change_refused_with_401_is_sent_once_more_with_a_new_token) {
    MockEnv env(oauth_server());
    net::io_context ioc;
    ConferenceClient client(ioc, oauth_config(env));
    for (const auto& r : lookups(ioc, client, 1)) BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
    env.server->revoke_tokens();
    ConferenceUpdate update;
    update.status = ConferenceStatus::completed;
    error_code ec;
    client.async_update_conference("conf-1", update, [&](error_code e) { ec = e; });
    run_to_completion(ioc);
    BOOST_TEST(!ec, ec.message());
    BOOST_TEST(env.server->request_count("conferences/conf-1") == 2u);  // the 401, then the change
    BOOST_TEST(env.server->token_requests() == 2u);
}

BOOST_AUTO_TEST_CASE(one_fetch_per_expiry_across_a_burst) {
    // A 2 s lifetime: refreshed after half of it (the margin is capped), so
    // a burst of 3.5 s crosses several refreshes, one fetch each.
    MockEnv env(oauth_server(2s));
    net::io_context ioc;
    auto config = oauth_config(env);
    config.pool_size = 8;
    ConferenceClient client(ioc, config);
    const auto start = std::chrono::steady_clock::now();
    int done = 0, failed = 0;
    std::function<void()> next = [&] {
        if (std::chrono::steady_clock::now() - start > 3500ms) return;
        client.async_get_conference("conf-1", [&](error_code ec, Conference) {
            ++done;
            if (ec) ++failed;
            next();
        });
    };
    for (int i = 0; i < 8; ++i) next();
    run_to_completion(ioc);
    BOOST_TEST(failed == 0);
    BOOST_TEST(done > 100);
    // Fetched at 0 s, then about every second: 4 or 5 fetches, never one per request.
    BOOST_TEST(env.server->token_requests() >= 3u);
    BOOST_TEST(env.server->token_requests() <= 5u);
    BOOST_TEST(env.server->bearer_rejections() == 0u);
}

BOOST_AUTO_TEST_CASE(refused_credentials_fail_every_waiting_lookup_with_unauthorized) {
    MockEnv env(oauth_server());
    env.server->refuse_client_credentials(true);
    net::io_context ioc;
    ConferenceClient client(ioc, oauth_config(env));
    const auto results = lookups(ioc, client, 100);
    for (const auto& r : results) {
        BOOST_TEST((r.ec == errc::unauthorized), r.ec.message());
        BOOST_TEST(r.diag.http_status.value_or(0) == 401u);
        BOOST_TEST(r.diag.message.find("refused the client credentials") != std::string::npos, r.diag.message);
        check_no_secret(r);
    }
    BOOST_TEST(env.server->token_requests() == 1u);
    BOOST_TEST(env.server->request_count("conferences/conf-1") == 0u);  // nothing went to the API
    // Not cached forever: once the credentials are accepted, the next lookup fetches again.
    env.server->refuse_client_credentials(false);
    std::this_thread::sleep_for(50ms);  // past the first backoff (config: 1 ms base)
    for (const auto& r : lookups(ioc, client, 1)) BOOST_TEST(!r.ec, r.diag.message);
    BOOST_TEST(env.server->token_requests() == 2u);
}

BOOST_AUTO_TEST_CASE(a_garbage_token_response_is_a_clear_bad_response) {
    MockEnv env(oauth_server());
    Action html = Action::respond(200, {{"Content-Type", "text/html"}});
    html.body = "<html>maintenance</html>";
    Action no_token = Action::respond(200, {{"Content-Type", "application/json"}});
    no_token.body = R"({"token":"x","expires_in":60})";
    env.server->script_route(mock::kTokenRoute, {html, no_token});
    net::io_context ioc;
    ConferenceClient client(ioc, oauth_config(env));
    auto r1 = lookups(ioc, client, 1).front();
    BOOST_TEST((r1.ec == errc::bad_response), r1.ec.message());
    BOOST_TEST(r1.diag.message.find("not a token") != std::string::npos, r1.diag.message);
    BOOST_TEST(r1.diag.message.find("maintenance") != std::string::npos, r1.diag.message);
    std::this_thread::sleep_for(50ms);
    auto r2 = lookups(ioc, client, 1).front();
    BOOST_TEST((r2.ec == errc::bad_response), r2.ec.message());
    BOOST_TEST(r2.diag.message.find("no access_token") != std::string::npos, r2.diag.message);
}

BOOST_AUTO_TEST_CASE(a_token_endpoint_that_is_down_gives_its_transport_error) {
    MockEnv env(oauth_server());
    auto config = oauth_config(env);
    {
        net::io_context probe;
        net::ip::tcp::acceptor a(probe, {net::ip::make_address("127.0.0.1"), 0});
        config.token_url = "https://127.0.0.1:" + std::to_string(a.local_endpoint().port()) + "/api/v1/oauth2/token";
    }
    config.retry.max_retries = 1;
    net::io_context ioc;
    ConferenceClient client(ioc, config);
    const auto r = lookups(ioc, client, 5);
    for (const auto& o : r) {
        BOOST_TEST((o.ec == errc::connection_failed), o.ec.message() << ": " << o.diag.message);
        check_no_secret(o);
    }
    BOOST_TEST(env.server->request_count("conferences/conf-1") == 0u);
}

BOOST_AUTO_TEST_CASE(a_token_response_slower_than_the_deadline_times_out_within_it) {
    MockEnv env(oauth_server());
    Action slow = Action::respond(200);
    slow.delay = 3s;
    env.server->script_route(mock::kTokenRoute, {slow});
    auto config = oauth_config(env);
    config.request_timeout = 500ms;
    net::io_context ioc;
    ConferenceClient client(ioc, config);
    const auto start = std::chrono::steady_clock::now();
    const auto r = lookups(ioc, client, 3);
    const auto took = std::chrono::steady_clock::now() - start;
    for (const auto& o : r) BOOST_TEST((o.ec == errc::timeout), o.ec.message());
    // The deadline plus 500 ms of slack, not the token endpoint's 3 s.
    BOOST_TEST((took < 1000ms), std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
}

BOOST_AUTO_TEST_CASE(cancelling_a_lookup_waiting_for_the_token_leaves_the_fetch_to_the_others) {
    MockEnv env(oauth_server());
    Action slow = Action::respond(200);
    slow.delay = 300ms;
    env.server->script_route(mock::kTokenRoute, {slow});
    net::io_context ioc;
    ConferenceClient client(ioc, oauth_config(env));
    net::cancellation_signal signal;
    error_code cancelled_ec, other_ec;
    client.async_get_conference("conf-1", net::bind_cancellation_slot(signal.slot(), [&](error_code e, Conference) {
                                    cancelled_ec = e;
                                }));
    client.async_get_conference("conf-2", [&](error_code e, Conference) { other_ec = e; });
    net::steady_timer timer(ioc, 50ms);
    timer.async_wait([&](error_code) { signal.emit(net::cancellation_type::terminal); });
    run_to_completion(ioc);
    BOOST_TEST((cancelled_ec == net::error::operation_aborted), cancelled_ec.message());
    BOOST_TEST(!other_ec, other_ec.message());
    BOOST_TEST(env.server->token_requests() == 1u);
}

BOOST_AUTO_TEST_CASE(both_or_neither_kind_of_credentials_is_refused) {
    MockEnv env(oauth_server());
    net::io_context ioc;
    auto both = oauth_config(env);
    both.username = "u";
    both.password = "p";
    BOOST_CHECK_EXCEPTION(ConferenceClient(ioc, both), std::invalid_argument, [](const std::invalid_argument& e) {
        return std::string(e.what()).find("client_id") != std::string::npos;
    });
    auto neither = oauth_config(env);
    neither.client_id.clear();
    neither.client_secret.clear();
    BOOST_CHECK_THROW(ConferenceClient(ioc, neither), std::invalid_argument);
    auto http_token = oauth_config(env);
    http_token.token_url = "http://127.0.0.1:1/token";
    BOOST_CHECK_EXCEPTION(ConferenceClient(ioc, http_token), std::invalid_argument,
                          [](const std::invalid_argument& e) {
                              return std::string(e.what()).find("token_url") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_SUITE_END()
