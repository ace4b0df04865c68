// List Conferences through ConferencePager over real TLS: every page, in
// order, following the mock's Link header; the query as sent; done(); a
// failed page asked for again; a Link to another origin, out of the
// account's listing or back to the same page refused, with no request (and
// so no credentials) sent there; a moved-from pager done and cancelled.
#include "common/operation_helpers.hpp"
#include "common/refused_port.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using namespace std::chrono_literals;

namespace {

constexpr auto tuple = net::as_tuple(net::use_awaitable);
const std::string kListTarget = "/api/v2/accounts/9900000/conferences";

mock::ServerOptions small_store(std::size_t conferences, std::size_t page_size) {
    mock::ServerOptions o;
    o.conferences = conferences;
    o.default_page_size = page_size;
    return o;
}

/// What listing the seeded store returns, in the API's order (oldest first,
/// then by ID), each without activeMembers, as list items are.
std::vector<Conference> seeded_listing(const mock::ServerOptions& options) {
    std::vector<Conference> all;
    for (std::size_t i = 0; i < options.conferences; ++i) {
        Conference c = seeded_conference(options, i);
        c.active_members.clear();
        all.push_back(std::move(c));
    }
    std::sort(all.begin(), all.end(), [](const Conference& a, const Conference& b) {
        return std::tie(a.created_time, a.id) < std::tie(b.created_time, b.id);
    });
    return all;
}

std::vector<Conference> slice(const std::vector<Conference>& all, std::size_t from, std::size_t count) {
    return {all.begin() + static_cast<std::ptrdiff_t>(from),
            all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), from + count))};
}

std::vector<std::string> list_targets(const mock::MockServer& server) {
    std::vector<std::string> out;
    for (const auto& r : server.requests())
        if (r.route == "conferences") out.push_back(r.target);
    return out;
}

struct Page {
    error_code ec;
    std::vector<Conference> conferences;
    Diagnostics diag;
};

net::awaitable<Page> next_page(ConferencePager& pager) {
    Page p;
    std::tie(p.ec, p.conferences) = co_await pager.async_next(p.diag, tuple);
    co_return p;
}

/// The decoded query parameters of a request-target, in order.
std::vector<std::pair<std::string, std::string>> params_of(const std::string& target) {
    auto url = boost::urls::parse_origin_form(target);
    BOOST_REQUIRE(url.has_value());
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& p : url->params()) out.emplace_back(p.key, p.value);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(listing)

BOOST_AUTO_TEST_CASE(pages_follow_the_link_until_the_last_one) {
    MockEnv env(small_store(25, 10));
    const auto expected = seeded_listing(env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    ConferencePager pager = client.list_conferences();
    BOOST_TEST(!pager.done());

    // Page 1 with use_awaitable (throws on error).
    std::vector<Conference> first;
    Diagnostics diag;
    run_again(ioc, [&]() -> net::awaitable<void> { first = co_await pager.async_next(diag, net::use_awaitable); });
    BOOST_TEST((first == slice(expected, 0, 10)));
    BOOST_TEST(!pager.done());
    BOOST_TEST(diag.http_status == std::optional<unsigned>(200));
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(diag.message == "");

    // Page 2 with a callback, through a copy of the pager (copies share the position).
    ConferencePager copy = pager;
    std::vector<Conference> second;
    error_code second_ec;
    copy.async_next([&](error_code ec, std::vector<Conference> page) {
        second_ec = ec;
        second = std::move(page);
    });
    ioc.restart();
    run_to_completion(ioc);
    BOOST_TEST(!second_ec);
    BOOST_TEST((second == slice(expected, 10, 10)));
    BOOST_TEST(!pager.done());

    // Page 3, the last (no Link), with as_tuple.
    run_again(ioc, [&]() -> net::awaitable<void> {
        auto p = co_await next_page(pager);
        BOOST_TEST(!p.ec, p.diag.message);
        BOOST_TEST((p.conferences == slice(expected, 20, 10)));
        BOOST_TEST(p.conferences.size() == 5u);
    });
    BOOST_TEST(pager.done());
    BOOST_TEST(copy.done());

    // Past the end: an empty page at once, nothing sent.
    run_again(ioc, [&]() -> net::awaitable<void> {
        auto p = co_await next_page(pager);
        BOOST_TEST(!p.ec);
        BOOST_TEST(p.conferences.empty());
    });
    BOOST_TEST(pager.done());
    const auto targets = list_targets(*env.server);
    BOOST_TEST_REQUIRE(targets.size() == 3u);
    BOOST_TEST(targets[0] == kListTarget, "the first page sends no query when none is set");
    for (std::size_t i = 1; i < 3; ++i) {
        const auto params = params_of(targets[i]);
        BOOST_TEST_REQUIRE(params.size() == 1u, targets[i]);
        BOOST_TEST(params[0].first == "pageToken");
        BOOST_TEST(targets[i].starts_with(kListTarget + "?"));
    }
    BOOST_TEST(targets[1] != targets[2]);
}

BOOST_AUTO_TEST_CASE(a_listing_of_whole_pages_ends_without_an_empty_page) {
    MockEnv env(small_store(20, 10));
    const auto expected = seeded_listing(env.options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    ConferencePager pager = client.list_conferences();
    std::vector<Conference> all;
    run_again(ioc, [&]() -> net::awaitable<void> {
        while (!pager.done()) {
            auto p = co_await next_page(pager);
            BOOST_TEST_REQUIRE(!p.ec, p.diag.message);
            BOOST_TEST(p.conferences.size() == 10u);
            all.insert(all.end(), p.conferences.begin(), p.conferences.end());
        }
    });
    BOOST_TEST((all == expected));
    BOOST_TEST(env.server->request_count("conferences", "GET") == 2u);
}

BOOST_AUTO_TEST_CASE(an_empty_listing_is_one_empty_page) {
    for (const std::size_t conferences : {std::size_t{0}, std::size_t{30}}) {
        MockEnv env(small_store(conferences, 10));
        net::io_context ioc;
        ConferenceClient client(ioc, env.client_config());
        ConferenceQuery query;
        if (conferences > 0) query.name = "nobody-is-called-this";
        ConferencePager pager = client.list_conferences(query);
        run_again(ioc, [&]() -> net::awaitable<void> {
            auto p = co_await next_page(pager);
            BOOST_TEST(!p.ec, p.diag.message);
            BOOST_TEST(p.conferences.empty());
            BOOST_TEST(p.diag.http_status == std::optional<unsigned>(200));
        });
        BOOST_TEST(pager.done(), "an empty first page is the last");
        BOOST_TEST(env.server->request_count("conferences") == 1u);
    }
}

namespace {

/// Five conferences named `name` (three inside 2025-06-02 10:00-12:00 UTC),
/// and one with another name inside that window.
void put_named(mock::MockServer& server, const std::string& name) {
    const std::vector<std::pair<std::string, std::string>> made = {
        {"f-early", "2025-06-01T08:00:00Z"},  // before the window
        {"f-1", "2025-06-02T10:00:00Z"},     {"f-2", "2025-06-02T11:00:00Z"},
        {"f-3", "2025-06-02T12:00:00Z"},     {"f-late", "2025-06-03T10:00:00Z"},  // after it
    };
    for (const auto& [id, created] : made) {
        boost::json::object o{{"id", id}, {"name", name}, {"createdTime", created}};
        server.put_conference(id, boost::json::serialize(o));
    }
    server.put_conference("other", R"({"id":"other","name":"Q","createdTime":"2025-06-02T10:30:00Z"})");
}

struct Listed {
    error_code ec;
    std::string message;
    std::vector<std::string> ids;
    std::vector<std::size_t> sizes;
};

Listed list_all(net::io_context& ioc, ConferencePager& pager) {
    Listed out;
    run_again(ioc, [&]() -> net::awaitable<void> {
        while (!pager.done()) {
            auto p = co_await next_page(pager);
            if (p.ec) {
                out.ec = p.ec;
                out.message = p.diag.message;
                co_return;
            }
            out.sizes.push_back(p.conferences.size());
            for (const auto& c : p.conferences) out.ids.push_back(c.id);
        }
    });
    return out;
}

}  // namespace

// The filters reach the server as it reads them: characters that mean
// something in a query ('&', '=', '#', '/', space) are percent-encoded, and
// the server's filtering proves it decoded the same values. Later pages
// carry the same filters.
BOOST_AUTO_TEST_CASE(page_size_and_filters_are_sent_as_query_parameters) {
    MockEnv env(small_store(10, 1000));
    const std::string name = "Q&A = 1 #7 / \xC3\xBC";
    put_named(*env.server, name);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    ConferenceQuery query;
    query.name = name;
    query.min_created_time = "2025-06-02T09:00:00.000Z";
    query.max_created_time = "2025-06-02T12:00:00Z";
    query.page_size = 2;
    ConferencePager pager = client.list_conferences(query);
    const Listed listed = list_all(ioc, pager);
    BOOST_TEST_REQUIRE(!listed.ec, listed.ec.message() << ": " << listed.message);
    BOOST_TEST(listed.ids == (std::vector<std::string>{"f-1", "f-2", "f-3"}), boost::test_tools::per_element());
    BOOST_TEST(listed.sizes == (std::vector<std::size_t>{2, 1}), boost::test_tools::per_element());

    const auto targets = list_targets(*env.server);
    BOOST_TEST_REQUIRE(targets.size() == 2u);
    const std::vector<std::pair<std::string, std::string>> sent = {{"name", name},
                                                                   {"minCreatedTime", "2025-06-02T09:00:00.000Z"},
                                                                   {"maxCreatedTime", "2025-06-02T12:00:00Z"},
                                                                   {"pageSize", "2"}};
    BOOST_TEST((params_of(targets[0]) == sent), targets[0]);
    BOOST_TEST(targets[0].starts_with(kListTarget + "?name="));
    const std::string query_text = targets[0].substr(targets[0].find('?') + 1);
    BOOST_TEST(query_text.find_first_of(" #") == std::string::npos, "unencoded space or '#': " << query_text);
    BOOST_TEST(std::count(query_text.begin(), query_text.end(), '&') == 3, query_text);
    // Page 2 follows the server's link, which keeps the filters.
    auto second = params_of(targets[1]);
    BOOST_TEST_REQUIRE(second.size() == 5u, targets[1]);
    BOOST_TEST(second.back().first == "pageToken");
    second.pop_back();
    BOOST_TEST((second == sent), targets[1]);
}

// src/api/paths.cpp conferences_target percent-encodes '+' in query values
// (Boost.URL 1.81's params().append leaves it raw, and servers, the mock
// too, like any application/x-www-form-urlencoded reader, decode a raw '+'
// as a space). A minCreatedTime with a positive UTC offset
// ("...T10:00:00+01:00", valid ISO 8601, "sent as given") must reach the
// server with its '+', else it is refused with 400; a name with '+' must
// not match another name.
BOOST_AUTO_TEST_CASE(a_plus_in_a_filter_reaches_the_server_as_a_plus) {
    MockEnv env(small_store(10, 1000));
    const std::string name = "1+1";
    put_named(*env.server, name);
    env.server->put_conference("spaced", R"({"id":"spaced","name":"1 1","createdTime":"2025-06-02T10:30:00Z"})");
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    ConferenceQuery query;
    query.name = name;
    query.min_created_time = "2025-06-02T10:00:00+01:00";  // 09:00Z
    query.max_created_time = "2025-06-02T12:00:00Z";
    ConferencePager pager = client.list_conferences(query);
    const Listed listed = list_all(ioc, pager);
    const auto targets = list_targets(*env.server);
    BOOST_TEST_REQUIRE(targets.size() == 1u);
    BOOST_TEST(targets[0].find('+') == std::string::npos, "'+' sent unencoded: " << targets[0]);
    BOOST_TEST(!listed.ec, listed.ec.message() << ": " << listed.message);
    if (!listed.ec) BOOST_CHECK(listed.ids == (std::vector<std::string>{"f-1", "f-2", "f-3"}));
}

BOOST_AUTO_TEST_CASE(a_page_size_out_of_range_is_refused_before_sending) {
    MockEnv env(small_store(5, 10));
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    for (const unsigned size : {0u, 1001u}) {
        ConferenceQuery query;
        query.page_size = size;
        ConferencePager pager = client.list_conferences(query);
        run_again(ioc, [&]() -> net::awaitable<void> {
            auto p = co_await next_page(pager);
            BOOST_TEST((p.ec == errc::bad_request), size);
            BOOST_TEST(contains(p.diag.message, "pageSize"), p.diag.message);
            BOOST_TEST(!p.diag.http_status.has_value());
        });
        BOOST_TEST(!pager.done());
    }
    for (const unsigned size : {1u, 1000u}) {
        ConferenceQuery query;
        query.page_size = size;
        ConferencePager pager = client.list_conferences(query);
        run_again(ioc, [&]() -> net::awaitable<void> {
            auto p = co_await next_page(pager);
            BOOST_TEST(!p.ec, size << ": " << p.diag.message);
            BOOST_TEST(p.conferences.size() == std::min<std::size_t>(size, 5));
        });
    }
    BOOST_TEST(env.server->request_count("conferences") == 2u);
}

// The credentials go only to the base URL's origin: a next link to another
// port, host name or scheme ends the listing with bad_response, and the
// other server never hears from the client.
BOOST_AUTO_TEST_CASE(a_link_to_another_origin_is_refused_and_not_followed) {
    MockEnv elsewhere;  // a real server the link could lead to
    const std::string elsewhere_origin = "https://127.0.0.1:" + std::to_string(elsewhere.server->port());
    const ReservedPort reserved;  // each server below starts on it: the links must name its port
    const std::uint16_t port = reserved.port();
    const std::string own = "127.0.0.1:" + std::to_string(port);
    for (const std::string& origin : {elsewhere_origin,                             // another port
                                      "https://localhost:" + std::to_string(port),  // another host name
                                      "http://" + own,                              // another scheme
                                      std::string("https://voice.example.net"),     // another host
                                      "https://user:pass@" + own}) {                // credentials in the URL
        BOOST_TEST_CONTEXT("link origin " << origin) {
            auto options = small_store(25, 10);
            options.port = port;
            options.link_origin = origin;
            MockEnv env(options);
            net::io_context ioc;
            ConferenceClient client(ioc, env.client_config());
            ConferencePager pager = client.list_conferences();
            for (int attempt = 0; attempt < 2; ++attempt) {  // asked again, it is refused again
                run_again(ioc, [&]() -> net::awaitable<void> {
                    auto p = co_await next_page(pager);
                    BOOST_TEST((p.ec == errc::bad_response), p.ec.message());
                    BOOST_TEST(p.conferences.empty());
                    BOOST_TEST(contains(p.diag.message, "points elsewhere"), p.diag.message);
                    BOOST_TEST(!contains(p.diag.message, "pass"), p.diag.message);
                });
                BOOST_TEST(!pager.done());
            }
            BOOST_TEST(env.server->request_count("conferences") == 2u);
        }
    }
    BOOST_TEST(elsewhere.server->stats().connections_accepted == 0u, "the client connected to the link's server");
    BOOST_TEST(elsewhere.server->stats().requests == 0u);

    // The same origin, spelled out, is followed.
    auto options = small_store(25, 10);
    options.port = port;
    options.link_origin = "https://127.0.0.1:" + std::to_string(options.port);
    MockEnv env(options);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    ConferencePager pager = client.list_conferences();
    std::size_t listed = 0;
    run_again(ioc, [&]() -> net::awaitable<void> {
        while (!pager.done()) {
            auto p = co_await next_page(pager);
            BOOST_TEST_REQUIRE(!p.ec, p.diag.message);
            listed += p.conferences.size();
        }
    });
    BOOST_TEST(listed == 25u);
}

BOOST_AUTO_TEST_CASE(a_failed_page_can_be_asked_for_again) {
    MockEnv env(small_store(25, 10));
    const auto expected = seeded_listing(env.options);
    // Page 1 normally, page 2 a 500 (final, not retried), then normally again.
    env.server->script_route("conferences", {Action{}, Action::respond(500)});
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    ConferencePager pager = client.list_conferences();
    std::vector<Conference> all;
    run_again(ioc, [&]() -> net::awaitable<void> {
        auto p1 = co_await next_page(pager);
        BOOST_TEST_REQUIRE(!p1.ec);
        all = p1.conferences;
        auto failed = co_await next_page(pager);
        BOOST_TEST((failed.ec == errc::server_error), failed.ec.message());
        BOOST_TEST(failed.conferences.empty());
        BOOST_TEST(failed.diag.http_status == std::optional<unsigned>(500));
        BOOST_TEST(!pager.done());
        while (!pager.done()) {
            auto p = co_await next_page(pager);
            BOOST_TEST_REQUIRE(!p.ec, p.diag.message);
            all.insert(all.end(), p.conferences.begin(), p.conferences.end());
        }
    });
    BOOST_TEST((all == expected), "every conference once, in order");
    const auto targets = list_targets(*env.server);
    BOOST_TEST_REQUIRE(targets.size() == 4u);
    BOOST_TEST(targets[1] == targets[2], "the failed page was asked for again, not skipped");
    BOOST_TEST(targets[2] != targets[3]);
}

BOOST_AUTO_TEST_CASE(one_page_at_a_time) {
    MockEnv env(small_store(25, 10));
    Action slow;
    slow.delay = 100ms;
    env.server->script_route("conferences", {slow});
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    ConferencePager pager = client.list_conferences();
    error_code first_ec, second_ec;
    std::size_t first_size = 99;
    Diagnostics second_diag;
    pager.async_next([&](error_code ec, std::vector<Conference> page) {
        first_ec = ec;
        first_size = page.size();
    });
    pager.async_next(second_diag, [&](error_code ec, std::vector<Conference>) { second_ec = ec; });
    run_to_completion(ioc);
    BOOST_TEST(!first_ec);
    BOOST_TEST(first_size == 10u);
    BOOST_TEST((second_ec == errc::bad_request));
    BOOST_TEST(contains(second_diag.message, "in progress"), second_diag.message);
    BOOST_TEST(env.server->request_count("conferences") == 1u);
}

BOOST_AUTO_TEST_CASE(a_pager_of_a_closed_client_fails_with_cancelled) {
    MockEnv env(small_store(25, 10));
    net::io_context ioc;
    std::optional<ConferencePager> pager;
    {
        ConferenceClient client(ioc, env.client_config());
        pager.emplace(client.list_conferences());
        run_again(ioc, [&]() -> net::awaitable<void> {
            auto p = co_await next_page(*pager);
            BOOST_TEST(!p.ec);
        });
    }  // the client is destroyed, and so closed
    run_again(ioc, [&]() -> net::awaitable<void> {
        auto p = co_await next_page(*pager);
        BOOST_TEST((p.ec == errc::cancelled), p.ec.message());
    });
    BOOST_TEST(env.server->request_count("conferences") == 1u);
}

// Review item 9: a next link on the client's own origin that leaves the
// account's listing once its dot segments are resolved (another account,
// another API version) is refused with bad_response, and nothing is sent
// there; so is a link back to the page just fetched, which would loop.
BOOST_AUTO_TEST_CASE(a_link_out_of_the_listing_or_to_the_same_page_is_refused) {
    const std::vector<std::pair<std::string, std::string>> links = {
        {"../1234567/conferences?pageToken=p2", "leaves the listing"},
        {"/api/v2/accounts/9900000/../../../v1/accounts/9900000/conferences?pageToken=p2", "leaves the listing"},
        {"/api/v2/accounts/9900000/%2E%2E/1234567/conferences?pageToken=p2", "leaves the listing"},
        {"/api/v2/accounts/1234567/conferences?pageToken=p2", "leaves the listing"},
        {kListTarget, "page just fetched"},
        {"", "page just fetched"},
    };
    for (const auto& one_link : links) {
        // Named references: clang 14 cannot capture structured bindings.
        const auto& link = std::get<0>(one_link);
        const auto& why = std::get<1>(one_link);
        BOOST_TEST_CONTEXT("Link <" << link << ">") {
            MockEnv env(small_store(5, 10));  // one page: the server's own answer has no Link
            Action linked = Action::respond(200, {{"Link", "<" + link + ">; rel=\"next\""}});
            env.server->script_route("conferences", {linked});
            net::io_context ioc;
            ConferenceClient client(ioc, env.client_config());
            ConferencePager pager = client.list_conferences();
            run_again(ioc, [&]() -> net::awaitable<void> {
                auto p = co_await next_page(pager);
                BOOST_TEST((p.ec == errc::bad_response), p.ec.message());
                BOOST_TEST(p.conferences.empty());
                BOOST_TEST(contains(p.diag.message, why), p.diag.message);
                BOOST_TEST(contains(p.diag.message, "not followed"), p.diag.message);
                BOOST_TEST(!pager.done());
                // Asked again, the page comes without the link: the listing ends.
                auto again = co_await next_page(pager);
                BOOST_TEST(!again.ec, again.diag.message);
                BOOST_TEST(again.conferences.size() == 5u);
                BOOST_TEST(pager.done());
            });
            const auto targets = list_targets(*env.server);
            BOOST_TEST(targets == (std::vector<std::string>{kListTarget, kListTarget}),
                       boost::test_tools::per_element());
            BOOST_TEST(env.server->requests().size() == 2u, "a request went elsewhere");
        }
    }
}

// A moved-from pager is done, and its async_next() fails with cancelled,
// posted on the pager's executor, as a moved-from client's operations do.
// The pager it was moved to goes on from the same position.
BOOST_AUTO_TEST_CASE(a_moved_from_pager_is_done_and_fails_with_cancelled) {
    MockEnv env(small_store(15, 10));
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    ConferencePager pager = client.list_conferences();
    run_again(ioc, [&]() -> net::awaitable<void> {
        auto p = co_await next_page(pager);
        BOOST_TEST_REQUIRE(!p.ec, p.diag.message);
    });
    ConferencePager moved = std::move(pager);
    ConferencePager assigned = client.list_conferences();
    assigned = std::move(moved);
    for (ConferencePager* from : {&pager, &moved}) {
        BOOST_TEST(from->done());
        BOOST_TEST((from->get_executor() == ConferencePager::executor_type(ioc.get_executor())));
        bool initiated = false, ran = false;
        error_code ec;
        Diagnostics diag;
        from->async_next(diag, [&](error_code e, std::vector<Conference> page) {
            BOOST_TEST(initiated, "the handler ran inside async_next()");
            BOOST_TEST(page.empty());
            ec = e;
            ran = true;
        });
        initiated = true;
        BOOST_TEST(!ran);
        ioc.restart();
        run_to_completion(ioc);
        BOOST_TEST(ran);
        BOOST_TEST((ec == errc::cancelled), ec.message());
        BOOST_TEST(contains(diag.message, "moved from"), diag.message);
    }
    BOOST_TEST(!assigned.done());
    run_again(ioc, [&]() -> net::awaitable<void> {
        auto p = co_await next_page(assigned);
        BOOST_TEST(!p.ec, p.diag.message);
        BOOST_TEST(p.conferences.size() == 5u);
    });
    BOOST_TEST(assigned.done());
    BOOST_TEST(env.server->request_count("conferences") == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
