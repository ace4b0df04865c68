// The three changes (Update Conference, its BXML, Update Conference Member)
// over real TLS: what is sent, that it shows in later reads, what is refused
// before sending, and the promise that a change is never sent twice once any
// byte of it may have reached the server.
#include "common/operation_helpers.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/json/serialize.hpp>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using Kind = mock::Action::Kind;
using namespace std::chrono_literals;

namespace {

constexpr auto tuple = net::as_tuple(net::use_awaitable);
const std::vector<Op> kChanges{Op::update_conference, Op::update_bxml, Op::update_member};

/// The keys of a JSON object text, in order.
std::vector<std::string> keys_of(const std::string& json_text) {
    std::vector<std::string> keys;
    const boost::json::value v = boost::json::parse(json_text);
    for (const auto& kv : v.as_object()) keys.emplace_back(kv.key());
    return keys;
}

/// Whether the mock has made the change `op` (as call() sends it) on `s`.
bool change_made(const mock::MockServer& server, Op op, const Subject& s) {
    switch (op) {
    case Op::update_conference: return server.last_conference_update(s.conference) == to_json(a_conference_update());
    case Op::update_bxml: return server.last_bxml(s.conference) == kBxml;
    case Op::update_member: return member_now(server, s).mute == true;
    default: return false;
    }
}

Action dropped_after_applying(Kind kind = Kind::drop) {
    Action a = Action::of(kind);
    a.apply = true;
    return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(changes)

BOOST_AUTO_TEST_CASE(completing_a_conference_shows_in_a_later_get) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    Conference before, after;
    Diagnostics diag;
    const ConferenceUpdate complete{.status = ConferenceStatus::completed};
    run_again(ioc, [&]() -> net::awaitable<void> {
        before = co_await client.async_get_conference(s.conference, net::use_awaitable);
        co_await client.async_update_conference(s.conference, complete, diag, net::use_awaitable);
        after = co_await client.async_get_conference(s.conference, net::use_awaitable);
    });
    BOOST_TEST(!before.completed_time.has_value());
    BOOST_TEST(!before.active_members.empty());
    BOOST_TEST_REQUIRE(after.completed_time.has_value(), "completedTime is set once completed");
    BOOST_TEST((*after.completed_time >= before.created_time));
    BOOST_TEST(after.active_members.empty(), "everyone left");
    Conference served;
    BOOST_TEST_REQUIRE(!parse_conference(*env.server->conference_json(s.conference), served));
    BOOST_TEST((after == served));
    BOOST_TEST(diag.http_status == std::optional<unsigned>(204));
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(diag.message == "");

    const auto posts = requests_on(*env.server, s.route_conference(), "POST");
    BOOST_TEST_REQUIRE(posts.size() == 1u);
    BOOST_TEST(posts[0].body == R"({"status":"completed"})");
    BOOST_TEST(posts[0].content_type == "application/json");
    BOOST_TEST(env.server->last_conference_update(s.conference) ==
               std::optional<std::string>(R"({"status":"completed"})"));
}

BOOST_AUTO_TEST_CASE(update_bodies_contain_exactly_the_fields_set) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    const std::vector<std::pair<ConferenceUpdate, std::vector<std::string>>> cases = {
        {{.redirect_url = "https://hooks.example.net/r"}, {"redirectUrl"}},
        {{.redirect_url = "https://hooks.example.net/r", .redirect_method = RedirectMethod::get},
         {"redirectUrl", "redirectMethod"}},
        {{.status = ConferenceStatus::active,
          .redirect_url = "https://hooks.example.net/r?x=1",
          .redirect_method = RedirectMethod::post,
          .username = "hook-user",
          .password = "hook-secret",
          .redirect_fallback_url = "https://fallback.example.net/r",
          .redirect_fallback_method = RedirectMethod::get,
          .fallback_username = "fb-user",
          .fallback_password = "fb-secret"},
         {"status", "redirectUrl", "redirectMethod", "username", "password", "redirectFallbackUrl",
          "redirectFallbackMethod", "fallbackUsername", "fallbackPassword"}},
        // Credentials with status completed: not forbidden by the spec, sent as set.
        {{.status = ConferenceStatus::completed, .username = "u\xC3\xA9"}, {"status", "username"}},
    };
    for (const auto& one_case : cases) {
        // Named references: clang 14 cannot capture structured bindings.
        const auto& update = std::get<0>(one_case);
        const auto& keys = std::get<1>(one_case);
        env.server->clear_requests();
        run_again(ioc, [&]() -> net::awaitable<void> {
            auto [ec] = co_await client.async_update_conference(s.conference, update, tuple);
            BOOST_TEST(!ec, ec.message());
        });
        const auto posts = requests_on(*env.server, s.route_conference(), "POST");
        BOOST_TEST_REQUIRE(posts.size() == 1u);
        BOOST_TEST(posts[0].body == to_json(update));
        auto sent = keys_of(posts[0].body);
        auto expected = keys;
        std::sort(sent.begin(), sent.end());
        std::sort(expected.begin(), expected.end());
        BOOST_TEST(sent == expected, boost::test_tools::per_element());
        const auto body = boost::json::parse(posts[0].body).as_object();
        if (update.redirect_url) BOOST_TEST(body.at("redirectUrl").as_string() == *update.redirect_url);
        if (update.password) BOOST_TEST(body.at("password").as_string() == *update.password);
        if (update.username) BOOST_TEST(body.at("username").as_string() == *update.username);
        BOOST_TEST(env.server->last_conference_update(s.conference) == std::optional<std::string>(posts[0].body));
    }
}

BOOST_AUTO_TEST_CASE(bxml_is_sent_byte_for_byte) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    const std::string document =
        R"(<?xml version="1.0" encoding="UTF-8"?>)"
        "\n<Bxml>\r\n  <PlayAudio>https://audio.example.net/a b.wav</PlayAudio>\n"
        "  <SpeakSentence locale=\"fr_FR\">d\xC3\xA9j\xC3\xA0 &amp; 100%</SpeakSentence>\n</Bxml>";
    Diagnostics diag;
    error_code result = make_error_code(errc::timeout);
    client.async_update_conference_bxml(s.conference, document, diag, [&](error_code ec) { result = ec; });
    run_to_completion(ioc);
    BOOST_TEST(!result, result.message());
    BOOST_TEST(diag.http_status == std::optional<unsigned>(204));
    const auto puts = requests_on(*env.server, s.route_bxml(), "PUT");
    BOOST_TEST_REQUIRE(puts.size() == 1u);
    BOOST_TEST(puts[0].body == document);
    BOOST_TEST(puts[0].content_type == "application/xml");
    BOOST_TEST(env.server->last_bxml(s.conference) == std::optional<std::string>(document));
}

BOOST_AUTO_TEST_CASE(refused_updates_send_nothing) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    const std::string url = "https://hooks.example.net/r";
    struct Refused {
        std::string what;
        std::function<net::awaitable<std::tuple<error_code>>(Diagnostics&)> call;
    };
    auto conference_update = [&](std::string id, ConferenceUpdate u) {
        return [&client, id, u](Diagnostics& d) { return client.async_update_conference(id, u, d, tuple); };
    };
    auto member_update = [&](std::string conference, std::string member, MemberUpdate u) {
        return [&client, conference, member, u](Diagnostics& d) {
            return client.async_update_member(conference, member, u, d, tuple);
        };
    };
    auto bxml = [&](std::string id, std::string doc) {
        return [&client, id, doc](Diagnostics& d) { return client.async_update_conference_bxml(id, doc, d, tuple); };
    };
    const std::vector<Refused> cases = {
        {"no redirectUrl while active", conference_update(s.conference, {})},
        {"status active, no redirectUrl", conference_update(s.conference, {.status = ConferenceStatus::active})},
        {"redirect with completed",
         conference_update(s.conference, {.status = ConferenceStatus::completed, .redirect_url = url})},
        {"fallback method with completed",
         conference_update(s.conference,
                           {.status = ConferenceStatus::completed, .redirect_fallback_method = RedirectMethod::get})},
        {"redirectUrl not a URI", conference_update(s.conference, {.redirect_url = "hooks.example.net/r"})},
        {"password too long",
         conference_update(s.conference, {.redirect_url = url, .password = std::string(1025, 'p')})},
        {"username not UTF-8", conference_update(s.conference, {.redirect_url = url, .username = "\xff"})},
        {"empty conference ID", conference_update("", {.status = ConferenceStatus::completed})},
        {"'..' conference ID", conference_update("..", {.status = ConferenceStatus::completed})},
        {"empty BXML", bxml(s.conference, "")},
        {"'.' conference ID for BXML", bxml(".", kBxml)},
        {"empty member update", member_update(s.conference, s.member, {})},
        {"call ID not UTF-8", member_update(s.conference, s.member, {.call_ids_to_coach = {{"c-1", "\xc3"}}})},
        {"empty member ID", member_update(s.conference, "", {.mute = true})},
        {"'..' member ID", member_update(s.conference, "..", {.mute = true})},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.what) {
            Diagnostics diag;
            run_again(ioc, [&]() -> net::awaitable<void> {
                auto [ec] = co_await c.call(diag);
                BOOST_TEST((ec == errc::bad_request), ec.message());
            });
            BOOST_TEST(!diag.http_status.has_value());
            BOOST_TEST(diag.attempts == 0u);
            BOOST_TEST(contains(diag.message, "nothing was sent"), diag.message);
            BOOST_TEST(!contains(diag.message, "\xff"));
        }
    }
    // The password's value never appears, even in the refusal.
    Diagnostics diag;
    // A named update, not a braced temporary in the co_await expression: g++
    // 12 destroys such a temporary twice (double free).
    const ConferenceUpdate secret{.redirect_url = url, .password = "hunter2" + std::string(1020, 'x')};
    run_again(ioc, [&]() -> net::awaitable<void> {
        co_await client.async_update_conference(s.conference, secret, diag, tuple);
    });
    BOOST_TEST(!contains(diag.message, "hunter2"), diag.message);
    BOOST_TEST(env.server->stats().requests == 0u, "a refused change sent a request");
    BOOST_TEST(env.server->stats().connections_accepted == 0u);
    for (const Op op : kChanges) BOOST_TEST(env.server->request_count(route_of(op, s)) == 0u);
}

// ---- never sent twice -----------------------------------------------------------------------

// The server made the change and then dropped the connection without a word:
// the client cannot know, so it must not send it again.
BOOST_AUTO_TEST_CASE(a_change_whose_connection_drops_after_it_was_written_is_not_resent) {
    for (const Op op : kChanges) {
        for (const Kind kind : {Kind::drop, Kind::partial_headers}) {
            BOOST_TEST_CONTEXT(name_of(op) << (kind == Kind::drop ? ", dropped" : ", half a response")) {
                MockEnv env;
                const Subject s = unmuted_subject(*env.server, env.options);
                env.server->script_route(route_of(op, s), {dropped_after_applying(kind)});
                net::io_context ioc;
                ConferenceClient client(ioc, env.client_config());
                OpResult r;
                run_again(ioc, [&]() -> net::awaitable<void> { r = co_await call(op, client, s); });
                BOOST_TEST((r.ec == errc::connection_failed), r.ec.message());
                BOOST_TEST(contains(r.diag.message, "the change may have been applied: it was not resent"),
                           r.diag.message);
                BOOST_TEST(r.diag.attempts == 1u);
                BOOST_TEST(r.diag.retries == 0u);
                BOOST_TEST(env.server->request_count(route_of(op, s), method_of(op)) == 1u,
                           "the change was sent more than once");
                BOOST_TEST(change_made(*env.server, op, s), "the mock made it (Action::apply)");
            }
        }
    }
}

// The same on a connection that has carried a request before: a read that
// fails there before any byte of an answer is resent at once (the server
// may have closed it while idle), but a change may have been made: it is not.
BOOST_AUTO_TEST_CASE(a_change_dropped_on_a_reused_connection_is_not_resent_as_a_stale_one) {
    for_each_change([&]<Op op>() {
        BOOST_TEST_CONTEXT(name_of(op)) {
            MockEnv env;
            const Subject s = unmuted_subject(*env.server, env.options);
            env.server->script_route(route_of(op, s), {dropped_after_applying()});
            net::io_context ioc;
            auto config = env.client_config();
            config.pool_size = 1;
            ConferenceClient client(ioc, config);
            OpResult r;
            run_again(ioc, [&]() -> net::awaitable<void> {
                // A read on another route (Get Conference's would take the scripted drop).
                auto first = co_await call(Op::list_recordings, client, s);
                BOOST_TEST_REQUIRE(!first.ec);
                r = co_await call(op, client, s);
            });
            BOOST_TEST((r.ec == errc::connection_failed), r.ec.message());
            BOOST_TEST(contains(r.diag.message, "the change may have been applied: it was not resent"), r.diag.message);
            const auto sent = requests_on(*env.server, route_of(op, s), method_of(op));
            BOOST_TEST_REQUIRE(sent.size() == 1u, "the change was sent " << sent.size() << " times");
            BOOST_TEST(sent[0].connection_id == 1u, "it went on the reused connection");
            BOOST_TEST(client.stats().stale_resends == 0u);
            BOOST_TEST(change_made(*env.server, op, s));
        }
    });
}

BOOST_AUTO_TEST_CASE(a_change_the_server_never_answers_times_out_and_is_not_resent) {
    for (const Op op : kChanges) {
        BOOST_TEST_CONTEXT(name_of(op)) {
            MockEnv env;
            const Subject s = unmuted_subject(*env.server, env.options);
            env.server->script_route(route_of(op, s), {dropped_after_applying(Kind::silent)});
            net::io_context ioc;
            auto config = env.client_config();
            config.request_timeout = 400ms;
            ConferenceClient client(ioc, config);
            OpResult r;
            const auto began = std::chrono::steady_clock::now();
            run_again(ioc, [&]() -> net::awaitable<void> { r = co_await call(op, client, s); });
            const auto took = std::chrono::steady_clock::now() - began;
            BOOST_TEST((r.ec == errc::timeout), r.ec.message());
            // At the deadline (Asio's timers never fire early), with slack for a loaded machine.
            BOOST_TEST((took >= config.request_timeout),
                       std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
            BOOST_TEST((took < config.request_timeout + 3s),
                       std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
            BOOST_TEST(contains(r.diag.message, "no result within the deadline"), r.diag.message);
            BOOST_TEST(contains(r.diag.message, "the change may have been applied"), r.diag.message);
            BOOST_TEST(env.server->request_count(route_of(op, s), method_of(op)) == 1u);
            BOOST_TEST(change_made(*env.server, op, s));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_5xx_to_a_change_is_not_retried_but_to_a_read_it_is) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    for (const unsigned status : {502u, 503u, 504u}) {
        for (const Op op : kChanges) {
            BOOST_TEST_CONTEXT(name_of(op) << " answered " << status) {
                env.server->clear_requests();
                env.server->script_route(route_of(op, s), {Action::respond(status)});
                OpResult r;
                run_again(ioc, [&]() -> net::awaitable<void> { r = co_await call(op, client, s); });
                BOOST_TEST((r.ec == errc::server_error), r.ec.message());
                BOOST_TEST(r.diag.http_status == std::optional<unsigned>(status));
                BOOST_TEST(contains(r.diag.message, "the change may have been applied"), r.diag.message);
                BOOST_TEST(env.server->request_count(route_of(op, s), method_of(op)) == 1u);
            }
        }
        // The same status to a read is retried.
        env.server->clear_requests();
        env.server->script_route(s.route_conference(), {Action::respond(status)});
        OpResult r;
        run_again(ioc, [&]() -> net::awaitable<void> { r = co_await call(Op::get_conference, client, s); });
        BOOST_TEST(!r.ec, r.diag.message);
        BOOST_TEST(r.diag.retries == 1u);
        BOOST_TEST(env.server->request_count(s.route_conference(), "GET") == 2u);
    }
}

// 429 says the request was refused, not applied: the one answer after which a change may go again.
BOOST_AUTO_TEST_CASE(a_429_to_a_change_is_retried) {
    for (const Op op : kChanges) {
        BOOST_TEST_CONTEXT(name_of(op)) {
            MockEnv env;
            const Subject s = unmuted_subject(*env.server, env.options);
            env.server->script_route(route_of(op, s), {Action::respond(429, {{"Retry-After", "0"}})});
            net::io_context ioc;
            ConferenceClient client(ioc, env.client_config());
            OpResult r;
            run_again(ioc, [&]() -> net::awaitable<void> { r = co_await call(op, client, s); });
            BOOST_TEST(!r.ec, r.ec.message() << ": " << r.diag.message);
            BOOST_TEST(r.diag.http_status == std::optional<unsigned>(204));
            BOOST_TEST(r.diag.attempts == 2u);
            BOOST_TEST(r.diag.retries == 1u);
            BOOST_TEST(env.server->request_count(route_of(op, s), method_of(op)) == 2u);
            BOOST_TEST(change_made(*env.server, op, s));
        }
    }
}

// A pooled connection the server closed while it sat idle is found dead
// before the change is written, so the change goes once, on a new connection.
BOOST_AUTO_TEST_CASE(a_change_on_a_connection_the_server_closed_while_idle_is_sent_once_on_a_new_one) {
    for (const Op op : kChanges) {
        BOOST_TEST_CONTEXT(name_of(op)) {
            mock::ServerOptions options;
            options.idle_drop = 100ms;
            MockEnv env(options);
            const Subject s = unmuted_subject(*env.server, env.options);
            net::io_context ioc;
            auto config = env.client_config();
            config.pool_size = 1;
            ConferenceClient client(ioc, config);
            OpResult r;
            run_again(ioc, [&]() -> net::awaitable<void> {
                auto first = co_await call(Op::get_conference, client, s);
                BOOST_TEST_REQUIRE(!first.ec);
                BOOST_TEST_REQUIRE(client.stats().idle == 1u);
                // Let the server drop it, and the FIN arrive.
                co_await wait_until([&] { return env.server->stats().open_connections == 0; }, 5s,
                                    "the server to drop the idle connection");
                co_await pause(50ms);
                r = co_await call(op, client, s);
            });
            BOOST_TEST(!r.ec, r.ec.message() << ": " << r.diag.message);
            BOOST_TEST(r.diag.attempts == 1u);
            BOOST_TEST(env.server->request_count(route_of(op, s), method_of(op)) == 1u);
            const auto sent = requests_on(*env.server, route_of(op, s), method_of(op));
            BOOST_TEST_REQUIRE(sent.size() == 1u);
            BOOST_TEST(sent[0].connection_id == 2u, "sent on a new connection");
            BOOST_TEST(env.server->stats().connections_accepted == 2u);
            BOOST_TEST(client.stats().connections_opened == 2u);
            BOOST_TEST(client.stats().stale_resends == 0u, "nothing was written to the dead connection");
            BOOST_TEST(change_made(*env.server, op, s));
        }
    }
}

// ---- cancelling a change ---------------------------------------------------------------------

const char* name_of(net::cancellation_type t) {
    switch (t) {
    case net::cancellation_type::terminal: return "terminal";
    case net::cancellation_type::partial: return "partial";
    case net::cancellation_type::total: return "total";
    default: return "?";
    }
}

/// What a change started with a cancellation slot ended with.
struct Cancelled {
    int runs = 0;
    error_code ec = make_error_code(errc::timeout);
    Diagnostics diag;
    std::chrono::steady_clock::duration took{};
};

/// Starts change `op` on `s` bound to `signal`'s slot, waits until `ready()`,
/// emits `type`, and runs everything to its end.
template <Op op, class Ready>
Cancelled cancel_change(net::io_context& ioc, ConferenceClient& client, const Subject& s,
                        net::cancellation_signal& signal, net::cancellation_type type, Ready ready) {
    Cancelled c;
    Args a{client, s};
    const auto began = std::chrono::steady_clock::now();
    start_op<op>(a, c.diag, net::bind_cancellation_slot(signal.slot(), [&](error_code ec) {
                     ++c.runs;
                     c.ec = ec;
                     c.took = std::chrono::steady_clock::now() - began;
                 }));
    run_again(ioc, [&]() -> net::awaitable<void> {
        co_await wait_until(ready, 5s, "the change to be on its way");
        signal.emit(type);
    });
    return c;
}

// Asio's rule: partial and total cancellation promise that the operation had
// no effect, which cannot be kept once the change may have reached the
// server. They are ignored then, and the change completes as the server says.
BOOST_AUTO_TEST_CASE(partial_and_total_cancellation_of_a_change_on_the_wire_are_ignored) {
    for (const auto type : {net::cancellation_type::partial, net::cancellation_type::total}) {
        for_each_change([&]<Op op>() {
            BOOST_TEST_CONTEXT(name_of(op) << ", " << name_of(type)) {
                MockEnv env;
                const Subject s = unmuted_subject(*env.server, env.options);
                Action slow;  // the normal answer (the change made), 150 ms after the request arrived
                slow.delay = 150ms;
                env.server->script_route(route_of(op, s), {slow});
                net::io_context ioc;
                ConferenceClient client(ioc, env.client_config());
                net::cancellation_signal signal;
                const Cancelled c = cancel_change<op>(ioc, client, s, signal, type, [&] {
                    return env.server->request_count(route_of(op, s), method_of(op)) == 1;
                });
                BOOST_TEST_REQUIRE(c.runs == 1);
                BOOST_TEST(!c.ec, c.ec.message() << ": " << c.diag.message);
                BOOST_TEST(c.diag.http_status == std::optional<unsigned>(204));
                BOOST_TEST(c.diag.message == "");
                BOOST_TEST(c.diag.attempts == 1u);
                BOOST_TEST(env.server->request_count(route_of(op, s), method_of(op)) == 1u);
                BOOST_TEST(change_made(*env.server, op, s));
            }
        });
    }
}

// Terminal cancellation ends a change on the wire at once; the caller is told
// the change may have been applied, and it is not sent again.
BOOST_AUTO_TEST_CASE(terminal_cancellation_of_a_change_on_the_wire_ends_it_and_says_it_may_have_been_applied) {
    for_each_change([&]<Op op>() {
        BOOST_TEST_CONTEXT(name_of(op)) {
            MockEnv env;
            const Subject s = unmuted_subject(*env.server, env.options);
            // The server makes the change and never answers.
            env.server->script_route(route_of(op, s), {dropped_after_applying(Kind::silent)});
            net::io_context ioc;
            auto config = env.client_config();
            config.request_timeout = 10s;
            ConferenceClient client(ioc, config);
            net::cancellation_signal signal;
            // The mock counts a request before it makes the change; waiting
            // for the change itself keeps the check below from racing it.
            const Cancelled c = cancel_change<op>(ioc, client, s, signal, net::cancellation_type::terminal,
                                                  [&] { return change_made(*env.server, op, s); });
            BOOST_TEST_REQUIRE(c.runs == 1);
            BOOST_TEST((c.ec == net::error::operation_aborted), c.ec.message());
            BOOST_TEST((c.ec == condition::cancelled));
            BOOST_TEST(contains(c.diag.message, "cancelled by the caller"), c.diag.message);
            BOOST_TEST(contains(c.diag.message, "the change may have been applied: it was not resent"), c.diag.message);
            BOOST_TEST(c.diag.attempts == 1u);
            // Ended by the cancellation, not by the deadline (generous slack).
            BOOST_TEST((c.took < 5s));
            BOOST_TEST(env.server->request_count(route_of(op, s), method_of(op)) == 1u);
            BOOST_TEST(change_made(*env.server, op, s));
            BOOST_TEST(client.stats().open == 0u, "the connection it was on is closed");
        }
    });
}

// Until a byte of it has been written, a change is like a read: every
// cancellation type applies, and the caller is not told it may have been
// applied. Here it waits for the one connection, busy with a slow read.
BOOST_AUTO_TEST_CASE(every_cancellation_type_stops_a_change_that_has_not_been_sent) {
    MockEnv env;
    const Subject s = unmuted_subject(*env.server, env.options);
    net::io_context ioc;
    auto config = env.client_config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    for (const auto type :
         {net::cancellation_type::terminal, net::cancellation_type::partial, net::cancellation_type::total}) {
        for_each_change([&]<Op op>() {
            BOOST_TEST_CONTEXT(name_of(op) << ", " << name_of(type)) {
                env.server->clear_requests();
                Action slow;
                slow.delay = 100ms;
                env.server->script_route(s.route_recordings(), {slow});
                bool read_done = false;
                client.async_list_recordings(s.conference, [&](error_code ec, std::vector<RecordingMetadata>) {
                    BOOST_TEST(!ec);
                    read_done = true;
                });
                net::cancellation_signal signal;
                const Cancelled c =
                    cancel_change<op>(ioc, client, s, signal, type, [&] { return client.stats().waiting == 1; });
                BOOST_TEST(read_done);
                BOOST_TEST_REQUIRE(c.runs == 1);
                BOOST_TEST((c.ec == net::error::operation_aborted), c.ec.message());
                BOOST_TEST(contains(c.diag.message, "cancelled by the caller"), c.diag.message);
                BOOST_TEST(!contains(c.diag.message, "may have been applied"), c.diag.message);
                BOOST_TEST(c.diag.attempts == 0u);
                BOOST_TEST(env.server->request_count(route_of(op, s)) == 0u, "a cancelled change was sent");
                BOOST_TEST(!change_made(*env.server, op, s));
            }
        });
    }
}

BOOST_AUTO_TEST_SUITE_END()
