// Coroutine helpers for client tests.
#ifndef BWVOICE_TEST_COMMON_LOOKUP_HELPERS_HPP
#define BWVOICE_TEST_COMMON_LOOKUP_HELPERS_HPP

#include "common/test_env.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <string>

namespace bwvoice::test {

struct LookupResult {
    error_code ec;
    Conference conference;
    Diagnostics diag;
};

inline boost::asio::awaitable<LookupResult> lookup(ConferenceClient& client, std::string id) {
    LookupResult r;
    auto [ec, c] = co_await client.async_get_conference(id, r.diag, boost::asio::as_tuple(boost::asio::use_awaitable));
    r.ec = ec;
    r.conference = std::move(c);
    co_return r;
}

/// Runs the coroutine made by `make` on `ioc` to completion; an exception
/// escaping it fails the test.
template <class MakeAwaitable>
void run_coroutine(boost::asio::io_context& ioc, MakeAwaitable make) {
    std::exception_ptr failure;
    boost::asio::co_spawn(ioc, make(), [&](std::exception_ptr e) { failure = e; });
    run_to_completion(ioc);
    if (failure) std::rethrow_exception(failure);
}

/// The seeded conference `conf-<index>` as the mock serves it, decoded.
inline Conference seeded_conference(const mock::ServerOptions& options, std::size_t index) {
    Conference c;
    auto ec = parse_conference(mock::seeded_conference_json(options.seed, index), c);
    BOOST_REQUIRE(!ec);
    return c;
}

}  // namespace bwvoice::test

#endif
