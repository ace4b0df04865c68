// What every one of the nine operations shares, checked on each of them over
// real TLS against the mock: every kind of completion token delivers the
// result; each documented error status maps to its code with the API's
// diagnostics; and on every path, failing before any I/O included, the
// handler runs on its associated executor (never inside the initiating
// function) and the operation allocates with its associated allocator.
#include "common/operation_helpers.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <thread>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using namespace std::chrono_literals;

namespace {

/// What a successful operation on `s` delivers, summarized.
std::string expected_summary(Op op, const mock::MockServer& server, const Subject& s, std::uint64_t media_size) {
    switch (op) {
    case Op::get_conference: return s.conference;
    case Op::list_page: return "5 conferences";
    case Op::get_member: return s.member;
    case Op::list_recordings: {
        std::vector<RecordingMetadata> list;
        BOOST_REQUIRE(!parse_recording_list(*server.recordings_json(s.conference), list));
        return std::to_string(list.size()) + " recordings";
    }
    case Op::get_recording: return s.recording;
    case Op::download: return std::to_string(media_size) + " bytes";
    default: return "";
    }
}

ConferenceQuery five_per_page() {
    ConferenceQuery q;
    q.page_size = 5;
    return q;
}

/// IDs every operation refuses before sending anything.
Subject refused_subject() {
    return {"..", "..", "..", ".."};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(operations)

// Callback, use_awaitable and use_future, each on all nine operations.
BOOST_AUTO_TEST_CASE(every_operation_completes_with_a_callback_use_awaitable_and_use_future) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    const std::uint64_t media_size = env.options.media_size;
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());

    // A plain callback.
    for_each_op([&]<Op op>() {
        BOOST_TEST_CONTEXT("callback, " << name_of(op)) {
            CheckingSink sink(s.recording);
            ConferencePager pager = client.list_conferences(five_per_page());
            Args a{client, s, &sink, &pager};
            Diagnostics diag;
            int runs = 0;
            error_code result = make_error_code(errc::timeout);
            std::string got = "(nothing)";
            start_op<op>(a, diag, [&](error_code ec, auto&&... value) {
                ++runs;
                result = ec;
                got = summary(value...);
            });
            ioc.restart();
            run_to_completion(ioc);
            BOOST_TEST(runs == 1);
            BOOST_TEST(!result, result.message() << ": " << diag.message);
            BOOST_TEST(got == expected_summary(op, *env.server, s, media_size));
            BOOST_TEST(diag.http_status == std::optional<unsigned>(is_change(op) ? 204 : 200));
        }
    });

    // use_awaitable: the value is what co_await gives; failures throw.
    for_each_op([&]<Op op>() {
        BOOST_TEST_CONTEXT("use_awaitable, " << name_of(op)) {
            CheckingSink sink(s.recording);
            ConferencePager pager = client.list_conferences(five_per_page());
            Args a{client, s, &sink, &pager};
            Diagnostics diag;
            std::string got = "(nothing)";
            run_again(ioc, [&]() -> net::awaitable<void> {
                if constexpr (is_change(op)) {
                    co_await start_op<op>(a, diag, net::use_awaitable);
                    got = summary();
                } else {
                    auto value = co_await start_op<op>(a, diag, net::use_awaitable);
                    got = summary(value);
                }
            });
            BOOST_TEST(got == expected_summary(op, *env.server, s, media_size));
            BOOST_TEST(diag.message == "");
        }
    });
    // A failure is thrown as system_error with the code.
    run_again(ioc, [&]() -> net::awaitable<void> {
        Args a{client, refused_subject()};
        Diagnostics diag;
        try {
            co_await start_op<Op::update_member>(a, diag, net::use_awaitable);
            BOOST_ERROR("no exception");
        } catch (const boost::system::system_error& e) {
            BOOST_TEST((e.code() == errc::bad_request), e.code().message());
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
            Diagnostics diag;
            auto future = start_op<op>(a, diag, net::use_future);
            BOOST_TEST_REQUIRE((future.wait_for(10s) == std::future_status::ready));
            std::string got;
            if constexpr (is_change(op)) {
                future.get();
                got = summary();
            } else {
                got = summary(future.get());
            }
            BOOST_TEST(got == expected_summary(op, *env.server, s, media_size));
            BOOST_TEST(diag.http_status == std::optional<unsigned>(is_change(op) ? 204 : 200));
        }
    });
    // A failure: the future throws system_error with the code.
    {
        Args a{client, {s.conference, "c-nobody", "", "r-nope"}};
        Diagnostics diag;
        auto future = start_op<Op::get_member>(a, diag, net::use_future);
        BOOST_TEST_REQUIRE((future.wait_for(10s) == std::future_status::ready));
        try {
            future.get();
            BOOST_ERROR("no exception");
        } catch (const boost::system::system_error& e) {
            BOOST_TEST((e.code() == errc::not_found), e.code().message());
        }
    }
    work.reset();
    runner.join();
    for (const Op op : all_ops())
        BOOST_TEST(env.server->request_count(route_of(op, s), method_of(op)) == 3u, name_of(op));
}

// Every status the API documents for these operations (400, 401, 403, 404,
// 405, 415, 429, 500; and 503, which its error page adds), on every one of
// them: the code, the status and the API's error body in the Diagnostics,
// and retried only where the rules say.
BOOST_AUTO_TEST_CASE(each_documented_error_status_maps_to_its_code_on_every_operation) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    auto config = env.client_config();
    config.retry.max_retries = 2;
    ConferenceClient client(ioc, config);
    struct Case {
        unsigned status;
        errc code;
        bool retried_read, retried_change;
        const char* api_type;  // the error body's "type", as Bandwidth documents it
    };
    const Case cases[] = {
        {400, errc::bad_request, false, false, "validation"},
        {401, errc::unauthorized, false, false, "authentication-error"},
        {403, errc::forbidden, false, false, "authorization-error"},
        {404, errc::not_found, false, false, "validation"},
        {405, errc::http_error, false, false, "validation"},
        {415, errc::http_error, false, false, "validation"},
        {429, errc::rate_limited, true, true, "error"},
        {500, errc::server_error, false, false, "internal-error"},
        {503, errc::server_error, true, false, "system-overloaded"},
    };
    for (const Case& c : cases) {
        for (const Op op : all_ops()) {
            BOOST_TEST_CONTEXT(name_of(op) << " answered " << c.status) {
                const bool retried = is_change(op) ? c.retried_change : c.retried_read;
                const unsigned sends = retried ? 1 + config.retry.max_retries : 1;
                env.server->clear_requests();
                env.server->clear_scripts();  // so an action a failing case left unused cannot reach the next
                env.server->script_route(route_of(op, s), std::vector<Action>(sends, Action::respond(c.status)));
                CheckingSink sink(s.recording);
                OpResult r;
                run_again(ioc, [&]() -> net::awaitable<void> { r = co_await call(op, client, s, &sink); });
                BOOST_TEST((r.ec == c.code), r.ec.message());
                BOOST_TEST(r.diag.http_status == std::optional<unsigned>(c.status));
                BOOST_TEST(r.diag.api_error_type == c.api_type);
                BOOST_TEST(!r.diag.api_error_description.empty());
                BOOST_TEST(r.diag.message == "HTTP " + std::to_string(c.status) + ": " + r.diag.api_error_description +
                                                 (is_change(op) && c.status == 503
                                                      ? "; the change may have been applied: it was not resent"
                                                      : ""));
                BOOST_TEST(r.diag.attempts == sends);
                BOOST_TEST(r.diag.retries == sends - 1);
                BOOST_TEST(env.server->request_count(route_of(op, s), method_of(op)) == sends);
                if (op == Op::download) {
                    BOOST_TEST(sink.starts() == 0u, "an error body is not media");
                    BOOST_TEST(sink.whole() == std::optional<bool>(false));
                }
            }
        }
    }
    env.server->clear_scripts();
}

// The handler's associated executor (a strand) and allocator (a counting
// one), on every operation and on each way it can end: success, refused
// before any I/O, an HTTP error, a closed client. Each operation is started
// from inside the strand, so a handler run inside the initiating function
// (an inline dispatch) would show too.
BOOST_AUTO_TEST_CASE(handlers_run_on_their_executor_and_operations_allocate_with_their_allocator_on_every_path) {
    MockEnv env;
    const Subject s = find_subject(*env.server, env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    auto wrong_password = env.client_config();
    wrong_password.password = "not-the-password";
    ConferenceClient refused_by_server(ioc, wrong_password);
    ConferenceClient closed(ioc, env.client_config());
    closed.close();

    struct Path {
        const char* what;
        ConferenceClient* client;
        Subject subject;
        ConferenceQuery query;
        errc expected;  // errc{} for success
    };
    ConferenceQuery out_of_range;
    out_of_range.page_size = 0;
    const std::vector<Path> paths = {
        {"success", &client, s, five_per_page(), errc{}},
        {"refused before any I/O", &client, refused_subject(), out_of_range, errc::bad_request},
        {"HTTP 401", &refused_by_server, s, five_per_page(), errc::unauthorized},
        {"closed client", &closed, s, five_per_page(), errc::cancelled},
    };
    auto strand = net::make_strand(ioc);
    for (const Path& path : paths) {
        for_each_op([&]<Op op>() {
            BOOST_TEST_CONTEXT(name_of(op) << ", " << path.what) {
                CheckingSink sink(s.recording);
                ConferencePager pager = path.client->list_conferences(path.query);
                Args a{*path.client, path.subject, &sink, &pager};
                Diagnostics diag;
                AllocationCounts counts;
                bool returned = false, ran_inline = false, on_strand = false;
                std::size_t live_when_run = 0;
                int runs = 0;
                error_code result = make_error_code(errc::timeout);
                net::post(strand, [&] {
                    start_op<op>(
                        a, diag,
                        net::bind_executor(
                            strand, net::bind_allocator(CountingAllocator<char>(counts), [&](error_code ec, auto&&...) {
                                ++runs;
                                result = ec;
                                ran_inline = !returned;
                                on_strand = strand.running_in_this_thread();
                                live_when_run = counts.bytes_live;
                            })));
                    returned = true;
                });
                ioc.restart();
                run_to_completion(ioc);
                BOOST_TEST_REQUIRE(runs == 1);
                if (path.expected == errc{})
                    BOOST_TEST(!result, result.message() << ": " << diag.message);
                else
                    BOOST_TEST((result == path.expected), result.message() << ": " << diag.message);
                BOOST_TEST(!ran_inline, "the handler ran inside the initiating function");
                BOOST_TEST(on_strand, "the handler did not run on its associated executor");
                BOOST_TEST(counts.allocations > 0u, "the associated allocator was not used");
                BOOST_TEST(counts.allocations == counts.deallocations);
                BOOST_TEST(counts.bytes_live == 0u);
                // The operation's state is freed before the upcall (the handler may start the next one).
                BOOST_TEST(live_when_run == 0u);
            }
        });
    }
    BOOST_TEST(env.server->stats().requests == 18u, "9 successes and 9 answered 401; the rest sent nothing");
}

BOOST_AUTO_TEST_SUITE_END()
