// Asio's completion rules on every path, the failing ones too: a handler
// never runs inside the initiating function, so chains of lookups that fail
// at once cannot grow the stack.
#include "common/lookup_helpers.hpp"

#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <memory>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;

namespace {

/// Starts one lookup from inside a handler (as a service's code does) and
/// records whether its handler ran before the initiating function returned.
struct InlineProbe {
    bool initiating_returned = false;
    bool handler_ran = false;
    bool ran_inline = false;
    error_code ec;
};

void probe(net::io_context& ioc, ConferenceClient& client, std::string id, InlineProbe& p) {
    net::post(ioc, [&client, id = std::move(id), &p] {
        client.async_get_conference(id, [&p](error_code ec, Conference) {
            p.handler_ran = true;
            p.ran_inline = !p.initiating_returned;
            p.ec = ec;
        });
        p.initiating_returned = true;
    });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_completion)

BOOST_AUTO_TEST_CASE(no_handler_runs_inside_its_initiating_function) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    // Paths that can fail without any I/O, and ones that do I/O.
    const std::vector<std::pair<std::string, errc>> refused = {
        {"", errc::bad_request}, {".", errc::bad_request}, {"..", errc::bad_request}};
    for (const auto& [id, code] : refused) {
        InlineProbe p;
        probe(ioc, client, id, p);
        ioc.restart();
        run_to_completion(ioc);
        BOOST_TEST_REQUIRE(p.handler_ran, "id '" << id << "'");
        BOOST_TEST(!p.ran_inline, "the handler for id '" << id << "' ran inside the initiating function");
        BOOST_TEST((p.ec == code), "id '" << id << "': " << p.ec.message());
    }
    for (const char* id : {"conf-1", "conf-missing"}) {
        InlineProbe p;
        probe(ioc, client, id, p);
        ioc.restart();
        run_to_completion(ioc);
        BOOST_TEST_REQUIRE(p.handler_ran);
        BOOST_TEST(!p.ran_inline, id);
    }
    client.close();
    InlineProbe closed;
    probe(ioc, client, "conf-1", closed);
    ioc.restart();
    run_to_completion(ioc);
    BOOST_TEST_REQUIRE(closed.handler_ran);
    BOOST_TEST(!closed.ran_inline, "the handler of a lookup on a closed client ran inside the initiating function");
    BOOST_TEST((closed.ec == errc::cancelled));
}

// A worker loop during shutdown: each lookup fails at once. With an inline
// completion every iteration nests a frame and the stack overflows (a crash
// of this test binary is this test failing).
BOOST_AUTO_TEST_CASE(a_hundred_thousand_chained_lookups_on_a_closed_client_do_not_grow_the_stack) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    client.close();
    constexpr int n = 100'000;
    int cancelled = 0;
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (int i = 0; i < n; ++i) {
            auto [ec, c] = co_await client.async_get_conference("conf-1", net::as_tuple(net::use_awaitable));
            if (ec == errc::cancelled) ++cancelled;
        }
    });
    BOOST_TEST(cancelled == n);

    // The same with plain callbacks, each starting the next lookup.
    int callbacks = 0;
    std::function<void()> next = [&] {
        client.async_get_conference(".", [&](error_code ec, Conference) {
            BOOST_TEST_REQUIRE((ec == errc::cancelled || ec == errc::bad_request));
            if (++callbacks < n) next();
        });
    };
    net::post(ioc, next);
    ioc.restart();
    run_to_completion(ioc);
    BOOST_TEST(callbacks == n);
}

BOOST_AUTO_TEST_CASE(chained_refused_ids_on_an_open_client_do_not_grow_the_stack) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    constexpr int n = 100'000;
    int refused = 0;
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (int i = 0; i < n; ++i) {
            try {
                co_await client.async_get_conference(i % 2 ? "." : "", net::deferred);
            } catch (const boost::system::system_error& e) {
                if (e.code() == errc::bad_request) ++refused;
            }
        }
    });
    BOOST_TEST(refused == n);
}

// Inside a handler (or right after co_await) the finished lookup is counted
// as completed and no longer in flight, not both.
BOOST_AUTO_TEST_CASE(stats_seen_from_a_handler_count_its_lookup_as_finished) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    PoolStats in_callback, after_await;
    client.async_get_conference("conf-1", [&](error_code ec, Conference) {
        BOOST_TEST(!ec);
        in_callback = client.stats();
    });
    run_to_completion(ioc);
    BOOST_TEST(in_callback.lookups_completed == 1u);
    BOOST_TEST(in_callback.in_flight == 0u);
    ioc.restart();
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        co_await client.async_get_conference("conf-2", net::as_tuple(net::use_awaitable));
        after_await = client.stats();
    });
    BOOST_TEST(after_await.lookups_completed == 2u);
    BOOST_TEST(after_await.in_flight == 0u);
}

// A moved-from handle fails what it is given, like a closed client (it once
// dereferenced its empty state).
BOOST_AUTO_TEST_CASE(a_moved_from_client_fails_lookups_with_cancelled) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient a(ioc, env.client_config());
    ConferenceClient b(std::move(a));
    InlineProbe p;
    probe(ioc, a, "conf-1", p);  // NOLINT(bugprone-use-after-move): the point of the test
    run_to_completion(ioc);
    BOOST_TEST_REQUIRE(p.handler_ran);
    BOOST_TEST(!p.ran_inline);
    BOOST_TEST((p.ec == errc::cancelled), p.ec.message());
    BOOST_TEST(a.stats().in_flight == 0u);
    a.close();
}

BOOST_AUTO_TEST_SUITE_END()
