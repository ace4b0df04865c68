// "A result is never attributed to the wrong ID": what the checks of a
// member, a recording or a recording list answered for another ID or
// another conference share. A client of one connection sends the read
// twice; the mock answers the first with the wrong object, the second as it
// would. The first is bad_response; the second succeeds on a new connection,
// the one that carried the wrong answer being retired (its answers are out
// of step: with one connection, had it been kept, it would carry the second).
#ifndef BWVOICE_TEST_INTEGRATION_WRONG_ANSWER_HPP
#define BWVOICE_TEST_INTEGRATION_WRONG_ANSWER_HPP

#include "common/operation_helpers.hpp"

#include <string>
#include <vector>

namespace bwvoice::test {

/// `env`'s client config with one connection at most.
inline ClientConfig one_connection(const MockEnv& env) {
    ClientConfig config = env.client_config();
    config.pool_size = 1;
    return config;
}

/// A request for refused_then_recovered: `s`'s first member, its first
/// recording, its recording list.
inline auto member_read(const Subject& s) {
    return [&s](ConferenceClient& client, Diagnostics& diag) {
        return client.async_get_member(s.conference, s.member, diag, boost::asio::as_tuple(boost::asio::use_awaitable));
    };
}
inline auto recording_read(const Subject& s) {
    return [&s](ConferenceClient& client, Diagnostics& diag) {
        return client.async_get_recording(s.conference, s.recording, diag,
                                          boost::asio::as_tuple(boost::asio::use_awaitable));
    };
}
inline auto recording_list_read(const Subject& s) {
    return [&s](ConferenceClient& client, Diagnostics& diag) {
        return client.async_list_recordings(s.conference, diag, boost::asio::as_tuple(boost::asio::use_awaitable));
    };
}

/// Sends `read(client, diag)` (an ID-keyed read with
/// as_tuple(use_awaitable)) twice from a new client of one connection to
/// `env`, whose `route` answers the first with `wrong` (a 200) and the second
/// as the mock would. Checks that the first ends bad_response, delivering
/// nothing, not retried; that the second delivers `expected`; and that it
/// went out on a new connection. Returns the first's Diagnostics, for the
/// caller's checks of what its message names.
template <class Read, class T>
Diagnostics refused_then_recovered(const MockEnv& env, const std::string& route, const std::string& wrong, Read read,
                                   const T& expected) {
    namespace net = boost::asio;
    mock::Action answer;
    answer.body = wrong;
    env.server->script_route(route, {answer});
    const std::uint64_t requests_before = env.server->request_count(route, "GET");
    const std::uint64_t accepted_before = env.server->stats().connections_accepted;
    net::io_context ioc;
    ConferenceClient client(ioc, one_connection(env));
    Diagnostics bad;
    run_again(ioc, [&]() -> net::awaitable<void> {
        auto [ec, value] = co_await read(client, bad);
        BOOST_TEST((ec == errc::bad_response), ec.message() << ": " << bad.message);
        BOOST_TEST((value == T{}), "nothing is delivered on failure");
        BOOST_TEST(bad.http_status == std::optional<unsigned>(200));
        BOOST_TEST(bad.attempts == 1u);
        BOOST_TEST(bad.retries == 0u, "a wrong answer is not retried");
        Diagnostics good;
        auto [ec2, value2] = co_await read(client, good);
        BOOST_TEST(!ec2, ec2.message() << ": " << good.message);
        BOOST_TEST((value2 == expected), "the second answer is the mock's own");
    });
    BOOST_TEST(env.server->request_count(route, "GET") == requests_before + 2);
    std::vector<std::uint64_t> connections;
    for (const auto& r : env.server->requests())
        if (r.route == route) connections.push_back(r.connection_id);
    BOOST_TEST_REQUIRE(connections.size() >= 2u);
    BOOST_TEST(connections[connections.size() - 2] != connections.back(),
               "the connection that carried the wrong answer was reused");
    BOOST_TEST(env.server->stats().connections_accepted == accepted_before + 2);
    BOOST_TEST(client.stats().connections_opened == 2u);
    BOOST_TEST(client.stats().reuses == 0u);
    return bad;
}

}  // namespace bwvoice::test

#endif
