// Export the client's metrics for Prometheus to scrape, from a service that
// uses the client (here, a loop of lookups).
//
//   metrics_exporter [--listen ADDRESS] [--port N] [--interval-ms N] [--rounds N]
//                    [--requests N] [CONFERENCE_ID ...]
//
// Looks up the conferences given (default: conf-0 conf-1 conf-2, which
// bwvoice-mock seeds, and conf-does-not-exist, to show not_found counted) one
// after another, every --interval-ms (default 1000), and serves
// ConferenceClient::metrics() at http://ADDRESS:PORT/metrics in Prometheus'
// text format (default 127.0.0.1:9464; --port 0 picks a free port). Prints
// "listening on URL" once it listens. Runs until SIGINT or SIGTERM; for tests,
// --rounds N stops the lookups after N rounds (printing "lookups done: ...")
// and --requests N exits after N answers to /metrics.
//
// The server and the rendering are the two other files of this folder:
// metrics_server.cpp (Beast) and prometheus_text.cpp (the format and the
// metric names), for a service to copy as they are.
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 stopped as asked, 1 a failure while running (an exception
// out of the lookups or out of run(), whatever its type), 2 usage or
// configuration error (or the port could not be bound). A second SIGINT or
// SIGTERM during a slow shutdown ends the process at once.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <chrono>
#include <csignal>
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "../common/settings.hpp"
#include "metrics_server.hpp"
#include "prometheus_text.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

unsigned short parse_port(const std::string& text) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size() || port > 65535)
        throw example::UsageError("--port needs a port number from 0 to 65535, not '" + text + "'");
    return static_cast<unsigned short>(port);
}

asio::ip::address parse_address(const std::string& text) {
    boost::system::error_code ec;
    asio::ip::address address = asio::ip::make_address(text, ec);
    if (ec) throw example::UsageError("--listen needs an IP address, not '" + text + "'");
    return address;
}

std::string url_of(const tcp::endpoint& endpoint) {
    const asio::ip::address a = endpoint.address();
    const std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    return "http://" + host + ":" + std::to_string(endpoint.port()) + "/metrics";
}

// The service's own work, whose traces /metrics shows: the client counts
// every outcome and latency itself, so this loop keeps no statistics beyond
// the line it prints at the end.
asio::awaitable<void> look_up(bwvoice::ConferenceClient& client, std::vector<std::string> ids, unsigned long rounds,
                              std::chrono::milliseconds interval, asio::steady_timer& pause, const bool& stopping) {
    unsigned long round = 0, found = 0, failed = 0;
    while (!stopping && (rounds == 0 || round < rounds)) {
        if (round++ > 0) {
            pause.expires_after(interval);
            boost::system::error_code ignored;  // cancelled by the shutdown
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
        for (const std::string& id : ids) {
            if (stopping) co_return;
            // redirect_error: a failure (not_found, ...) is a value to count
            // here, not an exception.
            bwvoice::error_code ec;
            co_await client.async_get_conference(id, asio::redirect_error(asio::use_awaitable, ec));
            ++(ec ? failed : found);
        }
    }
    if (!stopping)
        std::cout << "lookups done: " << round << " rounds, " << found << " found, " << failed << " failed"
                  << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {"listen", "port", "interval-ms", "rounds", "requests"});
        std::vector<std::string> ids = args.positionals();
        if (ids.empty()) ids = {"conf-0", "conf-1", "conf-2", "conf-does-not-exist"};
        const tcp::endpoint listen(parse_address(args.option("listen", "127.0.0.1")),
                                   parse_port(args.option("port", "9464")));
        const auto interval = std::chrono::milliseconds(args.count("interval-ms", 1000));
        const unsigned long rounds = args.count("rounds", 0);      // 0: forever
        const unsigned long requests = args.count("requests", 0);  // 0: until a signal

        // One thread runs everything below, so the callbacks share these
        // variables without locks. With more threads, the server stays safe
        // (its own strand) but shutdown() would need one too.
        asio::io_context ioc;
        bwvoice::ConferenceClient client(ioc, example::config_from_env());
        asio::steady_timer pause(ioc);
        asio::signal_set signals(ioc, SIGINT, SIGTERM);
        bool stopping = false;
        int status = 0;
        unsigned long served = 0;
        std::function<void()> shutdown;

        // metrics() is a snapshot, cheap and safe from any thread: taking one
        // per scrape is all an exporter needs.
        example::MetricsServer server(
            ioc.get_executor(), listen, [&client] { return example::render_prometheus(client.metrics()); },
            [&] {
                if (requests != 0 && ++served == requests) shutdown();
            });
        shutdown = [&] {
            if (stopping) return;
            stopping = true;
            server.stop();
            pause.cancel();
            // clear(): a second Ctrl-C gets the default action back, and ends
            // a shutdown that takes too long; cancel() ends the wait when the
            // shutdown came from elsewhere.
            boost::system::error_code ignored;
            signals.clear(ignored);
            signals.cancel(ignored);
            client.close();  // fails a lookup in flight with errc::cancelled; run() returns once all is done
        };

        server.start();
        std::cout << "listening on " << url_of(server.local_endpoint()) << std::endl;

        signals.async_wait([&](const boost::system::error_code& ec, int signo) {
            if (ec) return;  // cancelled by the shutdown
            std::cout << "signal " << signo << ": stopping" << std::endl;
            shutdown();
        });
        asio::co_spawn(ioc, look_up(client, std::move(ids), rounds, interval, pause, stopping),
                       [&](const std::exception_ptr& failure) {
                           if (!failure) return;
                           try {
                               std::rethrow_exception(failure);
                           } catch (const std::exception& e) {
                               std::cerr << "metrics_exporter: lookups: " << e.what() << "\n";
                           } catch (...) {
                               std::cerr << "metrics_exporter: lookups: an exception not derived from std::exception\n";
                           }
                           status = example::kExitFailed;
                           shutdown();
                       });
        // An exception out of a handler ends run() with other handlers left
        // pending, which ~io_context destroys after the objects above are
        // gone: the server's coroutines own what they touch then, and the
        // lookups' frame touches nothing.
        try {
            ioc.run();
        } catch (const std::exception& e) {
            std::cerr << "metrics_exporter: " << e.what() << "\n";
            return example::kExitFailed;
        } catch (...) {
            std::cerr << "metrics_exporter: an exception not derived from std::exception\n";
            return example::kExitFailed;
        }
        return status;
    } catch (const example::UsageError& e) {
        std::cerr << "metrics_exporter: " << e.what()
                  << "\nusage: metrics_exporter [--listen ADDRESS] [--port N] [--interval-ms N] [--rounds N] "
                     "[--requests N] [CONFERENCE_ID ...]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE, the port taken
        std::cerr << "metrics_exporter: " << e.what() << "\n";
        return example::kExitUsage;
    } catch (...) {
        std::cerr << "metrics_exporter: an exception not derived from std::exception\n";
        return example::kExitFailed;
    }
}
