// with_diagnostics, over real TLS against the mock: a bare co_await (the
// default token) throws error_with_diagnostics carrying the server's status
// and error description; every operation works with the adaptor around
// callbacks, use_awaitable and use_future; the wrapped handler's executor,
// allocator and cancellation slot still apply; a caller's own Diagnostics&
// is filled and copied into the exception.
#include "common/operation_helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <thread>
#include <type_traits>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using namespace std::chrono_literals;

namespace {

// The adaptor changes the signature; around as_tuple it passes through; an
// explicit asio::deferred keeps the error_code signature.
template <class Op>
using signature_of = typename net::completion_signature_of<Op>::type;
static_assert(std::is_same_v<signature_of<decltype(std::declval<ConferenceClient&>().async_get_conference(""))>,
                             void(std::exception_ptr, Conference)>);
static_assert(std::is_same_v<signature_of<decltype(std::declval<ConferencePager&>().async_next())>,
                             void(std::exception_ptr, std::vector<Conference>)>);
static_assert(
    std::is_same_v<signature_of<decltype(std::declval<ConferenceClient&>().async_get_conference("", net::deferred))>,
                   void(error_code, Conference)>);
static_assert(std::is_same_v<signature_of<decltype(std::declval<ConferenceClient&>().async_update_member(
                                 "", "", MemberUpdate{}, with_diagnostics(net::deferred)))>,
                             void(std::exception_ptr)>);
static_assert(std::is_same_v<signature_of<decltype(std::declval<ConferenceClient&>().async_get_conference(
                                 "", net::as_tuple(with_diagnostics(net::deferred))))>,
                             void(std::tuple<error_code, Conference>)>);
static_assert(std::is_same_v<decltype(with_diagnostics(std::declval<const net::deferred_t&>())),
                             with_diagnostics_t<net::deferred_t>>);
static_assert(std::is_same_v<with_diagnostics_t<>, with_diagnostics_t<net::deferred_t>>);

/// Starts operation `op` on `a` without a Diagnostics&, with `token` or, when
/// none is given, the default token.
template <Op op, class... Token>
auto start_bare(Args& a, Token&&... token) {
    if constexpr (op == Op::get_conference)
        return a.client.async_get_conference(a.s.conference, std::forward<Token>(token)...);
    else if constexpr (op == Op::list_page)
        return a.pager->async_next(std::forward<Token>(token)...);
    else if constexpr (op == Op::update_conference)
        return a.client.async_update_conference(a.s.conference, a.update, std::forward<Token>(token)...);
    else if constexpr (op == Op::update_bxml)
        return a.client.async_update_conference_bxml(a.s.conference, a.bxml, std::forward<Token>(token)...);
    else if constexpr (op == Op::get_member)
        return a.client.async_get_member(a.s.conference, a.s.member, std::forward<Token>(token)...);
    else if constexpr (op == Op::update_member)
        return a.client.async_update_member(a.s.conference, a.s.member, a.member_update, std::forward<Token>(token)...);
    else if constexpr (op == Op::list_recordings)
        return a.client.async_list_recordings(a.s.conference, std::forward<Token>(token)...);
    else if constexpr (op == Op::get_recording)
        return a.client.async_get_recording(a.s.conference, a.s.recording, std::forward<Token>(token)...);
    else
        return a.client.async_download_recording(a.s.conference, a.s.recording, *a.sink, std::forward<Token>(token)...);
}

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
    return n;
}

ConferenceQuery five_per_page() {
    ConferenceQuery q;
    q.page_size = 5;
    return q;
}

/// The exception in `e`, which must be an error_with_diagnostics.
error_with_diagnostics thrown(const std::exception_ptr& e) {
    BOOST_TEST_REQUIRE(static_cast<bool>(e), "no exception");
    try {
        std::rethrow_exception(e);
    } catch (const error_with_diagnostics& x) {
        return x;
    } catch (const std::exception& x) {
        BOOST_FAIL("not an error_with_diagnostics: " << x.what());
    }
    BOOST_FAIL("not a std::exception");
    throw;  // unreachable
}

/// What an exception for an HTTP error must say: the code's message, the
/// status, the API's error type and description, the client's message.
void check_explains(const error_with_diagnostics& e, errc code, unsigned status) {
    const std::string what = e.what();
    const Diagnostics& d = e.diagnostics();
    BOOST_TEST((e.code() == code), e.code().message());
    BOOST_TEST(d.http_status == std::optional<unsigned>(status));
    BOOST_TEST(!d.api_error_type.empty());
    BOOST_TEST(!d.api_error_description.empty());
    BOOST_TEST(!d.message.empty());
    BOOST_TEST(contains(what, e.code().message()), what);
    BOOST_TEST(contains(what, "HTTP " + std::to_string(status)), what);
    BOOST_TEST(contains(what, d.api_error_type), what);
    BOOST_TEST(contains(what, d.api_error_description), what);
    BOOST_TEST(contains(what, d.message), what);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(with_diagnostics_adaptor)

BOOST_AUTO_TEST_CASE(a_bare_co_await_throws_the_servers_explanation) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    bool thrown_as_system_error = false;
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        try {
            co_await client.async_get_conference("conf-missing");
            BOOST_ERROR("a 404 must throw with the default token");
        } catch (const error_with_diagnostics& e) {
            BOOST_TEST_MESSAGE("what(): " << e.what());
            check_explains(e, errc::not_found, 404);
            BOOST_TEST(e.diagnostics().api_error_type == "validation");
            BOOST_TEST(contains(e.diagnostics().api_error_description, "conf-missing"));
            BOOST_TEST(contains(e.diagnostics().api_error_description, "not found"));
            BOOST_TEST(e.diagnostics().attempts == 1u);
            // Each thing said once: the message already names the description.
            BOOST_TEST(occurrences(e.what(), e.diagnostics().api_error_description) == 1u, e.what());
        }
        // Code that catches system_error (as before the adaptor) still does, with the same code.
        try {
            co_await client.async_get_conference("conf-missing-too");
        } catch (const boost::system::system_error& e) {
            thrown_as_system_error = true;
            BOOST_TEST((e.code() == errc::not_found));
            BOOST_TEST(contains(e.what(), "conf-missing-too"), e.what());
        }
        // Success: the value, as ever.
        const Conference c = co_await client.async_get_conference("conf-3");
        BOOST_TEST((c == seeded_conference(env.options, 3)));
    });
    BOOST_TEST(thrown_as_system_error);
}

BOOST_AUTO_TEST_CASE(a_member_or_a_recording_not_found_says_which) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        const std::string nobody = "c-nobody-here";
        try {
            co_await client.async_get_member(s.conference, nobody);
            BOOST_ERROR("an unknown member must throw");
        } catch (const error_with_diagnostics& e) {
            check_explains(e, errc::not_found, 404);
            BOOST_TEST(contains(e.diagnostics().api_error_description, "Member [" + nobody + "]"), e.what());
        }
        const std::string nothing = "r-no-such-recording";
        try {
            co_await client.async_get_recording(s.conference, nothing);
            BOOST_ERROR("an unknown recording must throw");
        } catch (const error_with_diagnostics& e) {
            check_explains(e, errc::not_found, 404);
            BOOST_TEST(contains(e.diagnostics().api_error_description, "Recording [" + nothing + "]"), e.what());
        }
        // The same through with_diagnostics(use_awaitable).
        try {
            co_await client.async_get_member(s.conference, nobody, with_diagnostics(net::use_awaitable));
            BOOST_ERROR("an unknown member must throw");
        } catch (const error_with_diagnostics& e) {
            check_explains(e, errc::not_found, 404);
        }
    });
}

// Every operation, with and without a Diagnostics&, through the default
// token, with_diagnostics(use_awaitable) and with_diagnostics(use_future):
// the value on success, error_with_diagnostics with the status on failure.
BOOST_AUTO_TEST_CASE(every_operation_works_with_the_adaptor) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    constexpr auto awaitable = with_diagnostics(net::use_awaitable);

    for_each_op([&]<Op op>() {
        BOOST_TEST_CONTEXT(name_of(op)) {
            run_again(ioc, [&]() -> net::awaitable<void> {
                for (int round = 0; round < 3; ++round) {
                    CheckingSink sink(s.recording);
                    ConferencePager pager = client.list_conferences(five_per_page());
                    Args a{client, s, &sink, &pager};
                    Diagnostics diag;
                    // Success: round 0 the default token, 1 the adaptor, 2 the adaptor with a Diagnostics&.
                    if constexpr (is_change(op)) {
                        if (round == 0) co_await start_bare<op>(a);
                        if (round == 1) co_await start_bare<op>(a, awaitable);
                        if (round == 2) co_await start_op<op>(a, diag, awaitable);
                    } else {
                        // Each result in a named variable: g++ 12 mishandles temporaries around a co_await.
                        std::string got;
                        if (round == 0) {
                            auto value = co_await start_bare<op>(a);
                            got = summary(value);
                        }
                        if (round == 1) {
                            auto value = co_await start_bare<op>(a, awaitable);
                            got = summary(value);
                        }
                        if (round == 2) {
                            auto value = co_await start_op<op>(a, diag, awaitable);
                            got = summary(value);
                        }
                        BOOST_TEST(!got.empty(), "round " << round);
                        BOOST_TEST(got != "0 recordings");
                    }
                    if (round == 2) BOOST_TEST(diag.http_status == std::optional<unsigned>(is_change(op) ? 204 : 200));

                    // Failure: an API error on this operation's route.
                    env.server->script_route(route_of(op, s), {Action::respond(404)});
                    CheckingSink failing_sink(s.recording);
                    ConferencePager failing_pager = client.list_conferences(five_per_page());
                    Args f{client, s, &failing_sink, &failing_pager};
                    Diagnostics failing_diag;
                    std::exception_ptr failure;
                    try {
                        if (round == 0) co_await start_bare<op>(f);
                        if (round == 1) co_await start_bare<op>(f, awaitable);
                        if (round == 2) co_await start_op<op>(f, failing_diag, awaitable);
                    } catch (...) {
                        failure = std::current_exception();
                    }
                    BOOST_TEST_CONTEXT("round " << round) check_explains(thrown(failure), errc::not_found, 404);
                    if (round == 2) BOOST_TEST(failing_diag.http_status == std::optional<unsigned>(404));
                }
            });
        }
    });

    // use_future, with the io_context running on another thread.
    ioc.restart();
    auto work = net::make_work_guard(ioc);
    std::thread runner([&] { ioc.run(); });
    for_each_op([&]<Op op>() {
        BOOST_TEST_CONTEXT("use_future, " << name_of(op)) {
            CheckingSink sink(s.recording);
            ConferencePager pager = client.list_conferences(five_per_page());
            Args a{client, s, &sink, &pager};
            auto future = start_bare<op>(a, with_diagnostics(net::use_future));
            BOOST_TEST_REQUIRE((future.wait_for(10s) == std::future_status::ready));
            BOOST_CHECK_NO_THROW(future.get());

            env.server->script_route(route_of(op, s), {Action::respond(404)});
            CheckingSink failing_sink(s.recording);
            ConferencePager failing_pager = client.list_conferences(five_per_page());
            Args f{client, s, &failing_sink, &failing_pager};
            auto failing = start_bare<op>(f, with_diagnostics(net::use_future));
            BOOST_TEST_REQUIRE((failing.wait_for(10s) == std::future_status::ready));
            std::exception_ptr failure;
            try {
                failing.get();
            } catch (...) {
                failure = std::current_exception();
            }
            check_explains(thrown(failure), errc::not_found, 404);
        }
    });
    work.reset();
    runner.join();
}

BOOST_AUTO_TEST_CASE(a_callback_receives_an_exception_ptr_once_and_never_inside_the_initiating_function) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    struct Probe {
        bool returned = false, ran_inline = false;
        int runs = 0;
        std::exception_ptr failure;
        std::string id;
    };
    // Found, unknown (404), refused before anything is sent (an ID of "."), closed client.
    Probe found, unknown, refused, closed;
    auto start = [&](ConferenceClient& c, std::string id, Probe& p) {
        net::post(ioc, [&c, id = std::move(id), &p] {
            c.async_get_conference(id, with_diagnostics([&p](std::exception_ptr e, Conference conf) {
                                       ++p.runs;
                                       p.ran_inline = !p.returned;
                                       p.failure = e;
                                       p.id = conf.id;
                                   }));
            p.returned = true;
        });
    };
    ConferenceClient closed_client(ioc, env.client_config());
    closed_client.close();
    start(client, "conf-1", found);
    start(client, "conf-missing", unknown);
    start(client, ".", refused);
    start(closed_client, "conf-1", closed);
    run_to_completion(ioc);
    for (Probe* p : {&found, &unknown, &refused, &closed}) {
        BOOST_TEST(p->runs == 1);
        BOOST_TEST(!p->ran_inline, "the handler ran inside the initiating function");
    }
    BOOST_TEST(!found.failure);
    BOOST_TEST(found.id == "conf-1");
    check_explains(thrown(unknown.failure), errc::not_found, 404);
    const error_with_diagnostics refusal = thrown(refused.failure);
    BOOST_TEST((refusal.code() == errc::bad_request));
    BOOST_TEST(!refusal.diagnostics().http_status, "nothing was sent");
    BOOST_TEST(contains(refusal.what(), refusal.diagnostics().message), refusal.what());
    BOOST_TEST((thrown(closed.failure).code() == errc::cancelled));

    // The adaptor given as an lvalue, and as a const one.
    int token_runs = 0;
    auto token = with_diagnostics([&](std::exception_ptr e, Conference) {
        ++token_runs;
        BOOST_TEST(!e);
    });
    const auto const_token = token;
    client.async_get_conference("conf-2", token);
    client.async_get_conference("conf-2", const_token);
    ioc.restart();
    run_to_completion(ioc);
    BOOST_TEST(token_runs == 2);

    // The default token's deferred operation, given a callback.
    int runs = 0;
    ioc.restart();
    client.async_get_conference("conf-missing")([&](std::exception_ptr e, Conference) {
        ++runs;
        check_explains(thrown(e), errc::not_found, 404);
    });
    run_to_completion(ioc);
    BOOST_TEST(runs == 1);
}

BOOST_AUTO_TEST_CASE(a_callers_diagnostics_is_filled_and_copied_into_the_exception) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        Diagnostics diag;
        diag.message = "left from before";
        try {
            co_await client.async_get_conference("conf-missing", diag, with_diagnostics(net::use_awaitable));
            BOOST_ERROR("a 404 must throw");
        } catch (const error_with_diagnostics& e) {
            check_explains(e, errc::not_found, 404);
            const Diagnostics& d = e.diagnostics();
            BOOST_TEST(diag.http_status == d.http_status);
            BOOST_TEST(diag.api_error_type == d.api_error_type);
            BOOST_TEST(diag.api_error_description == d.api_error_description);
            BOOST_TEST(diag.message == d.message);
            BOOST_TEST(diag.attempts == d.attempts);
            BOOST_TEST(diag.attempts == 1u);
        }
        // Filled on success too, with the default token.
        const Conference c = co_await client.async_get_conference("conf-2", diag);
        BOOST_TEST(c.id == "conf-2");
        BOOST_TEST(diag.http_status == std::optional<unsigned>(200));
        BOOST_TEST(diag.message == "");
    });
}

// The API's error description is the server's text: one that echoes the
// credentials reaches neither the exception's what() nor its Diagnostics.
BOOST_AUTO_TEST_CASE(an_echoed_password_never_reaches_the_exception) {
    mock::ServerOptions options;
    options.password = "pw-secret-4711";
    MockEnv env(options);
    Action echo = Action::respond(404);
    echo.body = R"({"type":"validation","description":"no conference for api-user:)" + options.password + R"("})";
    env.server->script("conf-x", {echo});
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        try {
            co_await client.async_get_conference("conf-x");
            BOOST_ERROR("a 404 must throw");
        } catch (const error_with_diagnostics& e) {
            const std::string what = e.what();
            BOOST_TEST((e.code() == errc::not_found));
            BOOST_TEST(contains(what, "no conference for"), what);
            BOOST_TEST(!contains(what, options.password), what);
            BOOST_TEST(!contains(e.diagnostics().api_error_description, options.password));
            BOOST_TEST(!contains(e.diagnostics().message, options.password));
        }
    });
}

BOOST_AUTO_TEST_CASE(pages_through_the_default_token_and_a_failed_page_explains_itself) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        ConferenceQuery query;
        query.page_size = 400;
        ConferencePager pager = client.list_conferences(query);
        std::size_t seen = 0;
        const std::vector<Conference> first = co_await pager.async_next();
        seen += first.size();
        // The second page is refused once; the pager keeps its position.
        env.server->script_route("conferences", {Action::respond(503), Action::respond(400)});
        try {
            co_await pager.async_next();
            BOOST_ERROR("a 400 must throw");
        } catch (const error_with_diagnostics& e) {
            check_explains(e, errc::bad_request, 400);
            BOOST_TEST(e.diagnostics().retries == 1u, "the 503 was retried");
        }
        while (!pager.done()) {
            const std::vector<Conference> page = co_await pager.async_next(with_diagnostics(net::use_awaitable));
            seen += page.size();
        }
        BOOST_TEST(seen == env.options.conferences);
    });
}

// The wrapped handler's cancellation slot reaches the operation, whether the
// binder is inside the adaptor or around it.
BOOST_AUTO_TEST_CASE(a_cancellation_slot_bound_inside_or_outside_the_adaptor_cancels) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    for (const bool inside : {true, false}) {
        BOOST_TEST_CONTEXT((inside ? "with_diagnostics(bind_cancellation_slot(...))"
                                   : "bind_cancellation_slot(with_diagnostics(...))")) {
            env.server->clear_requests();
            env.server->script("conf-1", {Action::of(Action::Kind::silent)});
            net::cancellation_signal signal;
            int runs = 0;
            std::exception_ptr failure;
            auto handler = [&](std::exception_ptr e, Conference) {
                ++runs;
                failure = e;
            };
            if (inside)
                client.async_get_conference("conf-1",
                                            with_diagnostics(net::bind_cancellation_slot(signal.slot(), handler)));
            else
                client.async_get_conference("conf-1",
                                            net::bind_cancellation_slot(signal.slot(), with_diagnostics(handler)));
            ioc.restart();
            run_coroutine(ioc, [&]() -> net::awaitable<void> {
                co_await wait_until([&] { return env.server->request_count("conferences/conf-1", "GET") == 1; }, 10s,
                                    "the request to reach the server");
                signal.emit(net::cancellation_type::terminal);
            });
            BOOST_TEST(runs == 1);
            const error_with_diagnostics e = thrown(failure);
            BOOST_TEST((e.code() == net::error::operation_aborted), e.what());
            BOOST_TEST((e.code() == condition::cancelled));
            // Only that: the read the cancellation aborted is not a failure
            // to report.
            BOOST_TEST(e.diagnostics().message == "cancelled by the caller", e.what());
        }
    }
}

// The deadline's message says the deadline, not the read it aborted. (The
// connection is made by a first lookup, so the deadline cannot fall in the
// handshake.)
BOOST_AUTO_TEST_CASE(a_deadline_reads_as_the_deadline_alone) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    config.request_timeout = 300ms;
    ConferenceClient client(ioc, config);
    std::exception_ptr failure;
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        co_await client.async_get_conference("conf-1");
        env.server->script("conf-1", {Action::of(Action::Kind::silent)});
        try {
            co_await client.async_get_conference("conf-1");
        } catch (...) {
            failure = std::current_exception();
        }
    });
    BOOST_TEST_REQUIRE(client.stats().connections_opened == 1u);
    const error_with_diagnostics e = thrown(failure);
    BOOST_TEST((e.code() == errc::timeout), e.what());
    BOOST_TEST(e.diagnostics().message == "no result within the deadline of 300 ms", e.what());
}

// Asio's awaitable operators cancel the loser through the coroutine's slot,
// which reaches the operation through the adaptor: `||` returns at once
// instead of waiting for the lookup's own deadline.
BOOST_AUTO_TEST_CASE(an_awaitable_operator_timeout_cancels_through_the_adaptor) {
    using namespace net::experimental::awaitable_operators;
    MockEnv env;
    env.server->script("conf-1", {Action::of(Action::Kind::silent)});
    net::io_context ioc;
    auto config = env.client_config();
    config.request_timeout = 30s;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        net::steady_timer timer(co_await net::this_coro::executor, 100ms);
        const auto started = std::chrono::steady_clock::now();
        auto winner = co_await (client.async_get_conference("conf-1", with_diagnostics(net::use_awaitable)) ||
                                timer.async_wait(net::use_awaitable));
        BOOST_TEST(winner.index() == 1u);
        // Far below the 30 s deadline, which a lookup not cancelled would wait for.
        BOOST_TEST((std::chrono::steady_clock::now() - started < 15s));
        BOOST_TEST(client.stats().in_flight == 0u);
    });
}

// The wrapped handler's associated executor (a strand) and allocator (a
// counting one), on each way an operation can end: success, refused before
// any I/O, an HTTP error, a closed client. The Diagnostics the adaptor
// supplies is allocated with that allocator too, and freed before the upcall.
BOOST_AUTO_TEST_CASE(the_wrapped_handlers_executor_and_allocator_are_used_on_every_path) {
    MockEnv env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    ConferenceClient closed(ioc, env.client_config());
    closed.close();
    struct Path {
        const char* what;
        ConferenceClient* client;
        std::string id;
        errc expected;  // errc{} for success
    };
    const std::vector<Path> paths = {
        {"success", &client, "conf-1", errc{}},
        {"refused before any I/O", &client, "..", errc::bad_request},
        {"HTTP 404", &client, "conf-missing", errc::not_found},
        {"closed client", &closed, "conf-1", errc::cancelled},
    };
    auto strand = net::make_strand(ioc);
    for (const Path& path : paths) {
        // The same operation with a plain handler and through the adaptor:
        // the adaptor allocates exactly one thing more (its Diagnostics).
        std::size_t plain_allocations = 0;
        for (const bool adapted : {false, true}) {
            BOOST_TEST_CONTEXT(path.what << (adapted ? ", adapted" : ", plain")) {
                AllocationCounts counts;
                bool returned = false, ran_inline = false, on_strand = false;
                std::size_t live_when_run = 0;
                int runs = 0;
                error_code result = make_error_code(errc::timeout);
                auto seen = [&] {
                    ++runs;
                    ran_inline = !returned;
                    on_strand = strand.running_in_this_thread();
                    live_when_run = counts.bytes_live;
                };
                net::post(strand, [&] {
                    if (adapted)
                        path.client->async_get_conference(
                            path.id, with_diagnostics(net::bind_executor(
                                         strand, net::bind_allocator(CountingAllocator<char>(counts),
                                                                     [&](std::exception_ptr e, Conference) {
                                                                         seen();
                                                                         if (e)
                                                                             result = thrown(e).code();
                                                                         else
                                                                             result = {};
                                                                     }))));
                    else
                        path.client->async_get_conference(
                            path.id, net::bind_executor(strand, net::bind_allocator(CountingAllocator<char>(counts),
                                                                                    [&](error_code ec, Conference) {
                                                                                        seen();
                                                                                        result = ec;
                                                                                    })));
                    returned = true;
                });
                ioc.restart();
                run_to_completion(ioc);
                BOOST_TEST_REQUIRE(runs == 1);
                if (path.expected == errc{})
                    BOOST_TEST(!result, result.message());
                else
                    BOOST_TEST((result == path.expected), result.message());
                BOOST_TEST(!ran_inline, "the handler ran inside the initiating function");
                BOOST_TEST(on_strand, "the handler did not run on its associated executor");
                BOOST_TEST(counts.allocations == counts.deallocations);
                BOOST_TEST(live_when_run == 0u, "state still allocated when the handler ran");
                if (!adapted)
                    plain_allocations = counts.allocations;
                else
                    BOOST_TEST(counts.allocations == plain_allocations + 1);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
