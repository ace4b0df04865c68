// A timeout of your own on a lookup, with Asio's awaitable operators:
// co_await (lookup || timer), whichever finishes first wins and the other is
// cancelled.
//
//   timeout_awaitable_operators [CONFERENCE_ID] [--timeout-ms N]   (default: conf-0, 5000 ms)
//
// Two lookups: CONFERENCE_ID from the server within N ms; then the same ID
// with a 250 ms timeout from a "server" that accepts connections and never
// answers (a socket this program listens on and never reads), so that the
// timer wins.
//
// The client has deadlines of its own (ClientConfig::request_timeout, 30 s by
// default, covering retries and waiting for a connection); this is for a
// caller whose own deadline is shorter, or differs per call.
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 the first lookup arrived in time and the second timed out;
// 1 otherwise; 2 usage or configuration error.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <string>
#include <variant>

#include "common/settings.hpp"

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using std::chrono::milliseconds;

namespace {

/// True if the conference arrived within `timeout`.
asio::awaitable<bool> get_with_timeout(bwvoice::ConferenceClient& client, std::string id, milliseconds timeout) {
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);

    // `||` combines awaitables, so each operand is given asio::use_awaitable
    // (with the default asio::deferred token it does not compile). `||` waits
    // for the first operand to *succeed*: the lookup gets as_tuple, so that a
    // failure (not_found, say) is a result that ends the wait at once instead
    // of an exception that would leave the timer running to the end.
    // Once one operand is done, `||` cancels the other (terminal cancellation)
    // and waits for it to complete before going on.
    std::variant<std::tuple<bwvoice::error_code, bwvoice::Conference>, std::monostate> first = co_await (
        client.async_get_conference(id, asio::as_tuple(asio::use_awaitable)) || timer.async_wait(asio::use_awaitable));

    if (first.index() == 1) {
        std::cout << id << ": timed out after " << timeout.count() << " ms, so the lookup was cancelled ("
                  << client.stats().in_flight << " operations still in flight)\n";
        co_return false;
    }
    auto& [ec, conference] = std::get<0>(first);
    if (ec) {
        std::cout << id << ": failed within " << timeout.count() << " ms: " << bwvoice::to_string(bwvoice::to_errc(ec))
                  << "\n";
        co_return false;
    }
    std::cout << id << ": \"" << conference.name << "\" arrived within " << timeout.count() << " ms\n";
    co_return true;
}

asio::awaitable<bool> run(bwvoice::ConferenceClient& client, bwvoice::ConferenceClient& silent_client, std::string id,
                          milliseconds timeout) {
    const bool in_time = co_await get_with_timeout(client, id, timeout);
    const bool from_silence = co_await get_with_timeout(silent_client, id, milliseconds(250));
    // The cancelled lookup is over, but the connection it was opening goes on
    // (until ClientConfig::handshake_timeout, 5 s) so that it can serve the
    // next lookup; with none to come, close() stops it now, and run() returns.
    silent_client.close();
    co_return in_time && !from_silence;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {"timeout-ms"});
        const std::string id = args.positional(0, "conf-0");
        const milliseconds timeout(args.count("timeout-ms", 5000));

        asio::io_context ioc;
        const bwvoice::ClientConfig config = example::config_from_env();
        bwvoice::ConferenceClient client(ioc, config);

        // A server that never answers: the kernel completes TCP connections to
        // a listening socket by itself, and nobody ever reads what the client
        // sends (its TLS handshake), so the lookup waits until cancelled.
        asio::ip::tcp::acceptor silent_server(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        bwvoice::ClientConfig silent_config = config;
        silent_config.base_url =
            "https://127.0.0.1:" + std::to_string(silent_server.local_endpoint().port()) + "/api/v2";
        bwvoice::ConferenceClient silent_client(ioc, silent_config);

        bool ok = false;
        asio::co_spawn(ioc, run(client, silent_client, id, timeout), [&](std::exception_ptr e, bool result) {
            if (e) std::rethrow_exception(e);
            ok = result;
        });
        ioc.run();
        return ok ? 0 : example::kExitFailed;
    } catch (const example::UsageError& e) {
        std::cerr << "timeout_awaitable_operators: " << e.what()
                  << "\nusage: timeout_awaitable_operators [CONFERENCE_ID] [--timeout-ms N]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE
        std::cerr << "timeout_awaitable_operators: " << e.what() << "\n";
        return example::kExitUsage;
    }
}
