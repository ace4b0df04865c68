// Lookups over real TLS against the mock server: results, error mapping,
// completion tokens and request shape.
#include "common/lookup_helpers.hpp"

#include <boost/asio/deferred.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <future>
#include <thread>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;

BOOST_AUTO_TEST_SUITE(client_lookup)

BOOST_AUTO_TEST_CASE(lookup_returns_the_served_conference) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (std::size_t i : {0u, 1u, 7u, 999u}) {
            auto r = co_await lookup(client, "conf-" + std::to_string(i));
            BOOST_TEST_REQUIRE(!r.ec, r.ec.message() << " " << r.diag.message);
            BOOST_TEST((r.conference == seeded_conference(env.options, i)));
            BOOST_TEST(r.diag.http_status.value_or(0) == 200u);
            BOOST_TEST(r.diag.attempts == 1u);
        }
    });
}

// The default token is with_diagnostics(deferred): what it throws is still a
// system_error with the code, for code written before the adaptor.
BOOST_AUTO_TEST_CASE(default_token_throws_a_system_error) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        Conference c = co_await client.async_get_conference("conf-3");
        BOOST_TEST(c.id == "conf-3");
        try {
            co_await client.async_get_conference("conf-missing");
            BOOST_FAIL("a 404 must throw with the default token");
        } catch (const boost::system::system_error& e) {
            BOOST_TEST((e.code() == errc::not_found));
        }
    });
}

BOOST_AUTO_TEST_CASE(works_with_callbacks_futures_deferred_and_redirect_error) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());

    int callbacks = 0;
    client.async_get_conference("conf-1", [&](error_code ec, Conference c) {
        BOOST_TEST(!ec);
        BOOST_TEST(c.id == "conf-1");
        ++callbacks;
    });
    auto op = client.async_get_conference("conf-2", net::deferred);
    std::move(op)([&](error_code ec, Conference c) {
        BOOST_TEST(!ec);
        BOOST_TEST(c.id == "conf-2");
        ++callbacks;
    });
    run_to_completion(ioc);
    BOOST_TEST(callbacks == 2);

    // use_future needs the io_context running on another thread.
    ioc.restart();
    auto guard = net::make_work_guard(ioc);
    std::thread runner([&] { ioc.run(); });
    auto fut = client.async_get_conference("conf-4", net::use_future);
    BOOST_TEST(fut.get().id == "conf-4");
    auto bad = client.async_get_conference("nope", net::use_future);
    BOOST_CHECK_THROW(bad.get(), boost::system::system_error);
    guard.reset();
    runner.join();

    ioc.restart();
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        error_code ec;
        co_await client.async_get_conference("nope", net::redirect_error(net::use_awaitable, ec));
        BOOST_TEST((ec == errc::not_found));
    });
}

BOOST_AUTO_TEST_CASE(http_errors_map_to_codes_with_api_diagnostics) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    struct Case {
        unsigned status;
        errc expected;
    };
    const Case cases[] = {{400, errc::bad_request}, {401, errc::unauthorized}, {403, errc::forbidden},
                          {404, errc::not_found},   {405, errc::http_error},   {500, errc::server_error},
                          {301, errc::http_error},  {418, errc::http_error},   {501, errc::server_error}};
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (const auto& c : cases) {
            Action a;
            a.status = c.status;
            env.server->script("conf-5", {a});
            auto r = co_await lookup(client, "conf-5");
            BOOST_TEST((r.ec == c.expected), "status " << c.status << " gave " << r.ec.message());
            BOOST_TEST(r.diag.http_status.value_or(0) == c.status);
            BOOST_TEST(r.diag.retries == 0u, "status " << c.status << " must not be retried");
        }
        auto r = co_await lookup(client, "conf-nonexistent");
        BOOST_TEST((r.ec == errc::not_found));
        BOOST_TEST(r.diag.api_error_type == "validation");
        BOOST_TEST(r.diag.api_error_description.find("not found") != std::string::npos);
    });
}

BOOST_AUTO_TEST_CASE(wrong_credentials_are_unauthorized_and_never_echoed) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.password = "s3cr3t-Pa55word-never-shown";
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::unauthorized));
        BOOST_TEST(r.diag.message.find("s3cr3t") == std::string::npos);
        BOOST_TEST(r.ec.message().find("s3cr3t") == std::string::npos);
    });
}

// A password that occurs inside "[redacted]" itself once made redaction
// search its own replacement forever, spinning the lookup's strand.
BOOST_AUTO_TEST_CASE(an_echoed_password_that_occurs_in_the_redaction_marker_still_completes) {
    for (const std::string password : {"e", "d", "red", "acted"}) {
        mock::ServerOptions options;
        options.password = password;
        MockEnv env(options);
        net::io_context ioc;
        ConferenceClient client(ioc, env.client_config());
        Action echo = Action::respond(404);
        echo.body = R"({"type":"validation","description":"no conference for )" + options.username + ":" + password +
                    " (" + password + ")\"}";
        env.server->script("conf-1", {echo});
        auto result = std::make_shared<std::promise<LookupResult>>();
        auto done = result->get_future();
        net::co_spawn(ioc, lookup(client, "conf-1"),
                      [result](std::exception_ptr, LookupResult r) { result->set_value(std::move(r)); });
        std::thread runner([&] { ioc.run_for(std::chrono::seconds(30)); });
        if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
            // The strand spins and cannot be stopped: report, then end the process.
            BOOST_ERROR("password '" << password << "': the lookup did not complete within 10 s");
            std::abort();
        }
        runner.join();
        const LookupResult r = done.get();
        BOOST_TEST((r.ec == errc::not_found), password << ": " << r.ec.message());
        BOOST_TEST(r.diag.api_error_description.find("[redacted]") != std::string::npos, password);
        BOOST_TEST(r.diag.api_error_description.size() < 200u, r.diag.api_error_description);
    }
}

BOOST_AUTO_TEST_CASE(ids_are_one_percent_encoded_path_segment) {
    MockEnv env;
    const std::string nasty = "a/b?c#d%e f\r\nX-Injected: 1\r\n\r\nGET /";
    env.server->put_conference(nasty, R"({"id":)" + boost::json::serialize(boost::json::string(nasty)) +
                                          R"(,"name":"n","createdTime":"2026-01-01T00:00:00Z"})");
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, nasty);
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST(r.conference.id == nasty);
        for (const char* refused : {".", "..", ""}) {
            auto r2 = co_await lookup(client, refused);  // dot-segments would reach another resource
            BOOST_TEST((r2.ec == errc::bad_request), refused);
            // Nothing was sent: neither the code's text nor the diagnostics may say the API answered 400.
            BOOST_TEST(!r2.diag.http_status.has_value());
            BOOST_TEST(r2.ec.message().find("(HTTP 400)") == std::string::npos, r2.ec.message());
            BOOST_TEST(r2.diag.message.find("nothing was sent") != std::string::npos, r2.diag.message);
        }
    });
    auto requests = env.server->requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);  // empty and dot-segment IDs are refused before sending
    BOOST_TEST(
        requests[0].target ==
        "/api/v2/accounts/9900000/conferences/a%2Fb%3Fc%23d%25e%20f%0D%0AX-Injected%3A%201%0D%0A%0D%0AGET%20%2F");
}

BOOST_AUTO_TEST_CASE(sends_basic_credentials_user_agent_and_accept) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.user_agent = "bwvoice-test/1";
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> { co_await lookup(client, "conf-1"); });
    auto requests = env.server->requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "GET");
    BOOST_TEST(requests[0].authorization == "Basic dXNlcjpwYXNz");  // user:pass
    BOOST_TEST(requests[0].user_agent == "bwvoice-test/1");
    BOOST_TEST(requests[0].tls);
}

BOOST_AUTO_TEST_CASE(malformed_responses_are_bad_response) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.max_body_bytes = 2048;
    ConferenceClient client(ioc, config);
    std::vector<std::pair<Action, std::string>> cases;
    auto body = [](std::string b) {
        Action a;
        a.body = std::move(b);
        return a;
    };
    cases.push_back({body("{not json"), "invalid JSON"});
    cases.push_back({body(R"({"name":"n","createdTime":"2026-01-01T00:00:00Z"})"), "missing id"});
    cases.push_back({body(R"({"id":7,"name":"n","createdTime":"2026-01-01T00:00:00Z"})"), "id of wrong type"});
    cases.push_back({body(std::string(4096, ' ') + "{}"), "body over the limit"});
    Action raw;
    raw.kind = Action::Kind::raw;
    raw.body = "NOT HTTP AT ALL\r\n\r\n";
    cases.push_back({raw, "not HTTP"});
    Action no_content;
    no_content.status = 204;
    no_content.body = "";
    cases.push_back({no_content, "204"});
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (auto& [action, what] : cases) {
            env.server->script("conf-9", {action});
            auto r = co_await lookup(client, "conf-9");
            BOOST_TEST((r.ec == errc::bad_response), what << ": " << r.ec.message() << " / " << r.diag.message);
        }
        // The pool recovered: a normal lookup still works.
        auto ok = co_await lookup(client, "conf-9");
        BOOST_TEST(!ok.ec);
    });
}

BOOST_AUTO_TEST_CASE(interim_responses_are_skipped) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    const std::string json = *env.server->conference_json("conf-2");
    Action raw;
    raw.kind = Action::Kind::raw;
    raw.body =
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(json.size()) + "\r\n\r\n" + json;
    env.server->script("conf-2", {raw});
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST(r.conference.id == "conf-2");
    });
}

// 101 Switching Protocols was never asked for: the connection now speaks
// something else, so the answer is malformed and the connection not reused.
BOOST_AUTO_TEST_CASE(a_switching_protocols_response_is_bad_response_and_retires_the_connection) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    env.server->script("conf-1", {Action::respond(101, {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}})});
    env.server->script("conf-3", {Action::respond(101)});
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (const char* id : {"conf-1", "conf-3"}) {
            auto r = co_await lookup(client, id);
            BOOST_TEST((r.ec == errc::bad_response), id << ": " << r.ec.message());
            BOOST_TEST(r.diag.http_status.value_or(0) == 101u);
            BOOST_TEST(r.diag.retries == 0u);
            auto next = co_await lookup(client, "conf-2");
            BOOST_TEST(!next.ec, next.diag.message);
        }
    });
    // conf-1 on A (101: retired), conf-2 on B, conf-3 reuses B (101: retired), conf-2 on C.
    BOOST_TEST(client.stats().connections_opened == 3u);
    BOOST_TEST(client.stats().reuses == 1u);
}

BOOST_AUTO_TEST_CASE(chunked_and_close_delimited_bodies_are_read) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    Action chunked;
    chunked.kind = Action::Kind::chunked;
    Action close_delimited;
    close_delimited.kind = Action::Kind::close_delimited;
    env.server->script("conf-3", {chunked, close_delimited});
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            auto r = co_await lookup(client, "conf-3");
            BOOST_TEST_REQUIRE(!r.ec, "lookup " << i << ": " << r.diag.message);
            BOOST_TEST((r.conference == seeded_conference(env.options, 3)));
        }
    });
}

BOOST_AUTO_TEST_SUITE_END()
