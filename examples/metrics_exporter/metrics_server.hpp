// A tiny plain-HTTP server for Prometheus to scrape: GET /metrics answers
// with whatever the render function returns (HEAD alike, without the body),
// anything else with 404 or 405. At most kMaxSessions connections at a time.
// An accept loop and one coroutine per connection, all on one strand of the
// executor given, so it shares the application's io_context (however many
// threads run it) and needs no locks of its own.
#ifndef BWVOICE_EXAMPLES_METRICS_SERVER_HPP
#define BWVOICE_EXAMPLES_METRICS_SERVER_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>

namespace example {

class MetricsServer {
public:
    /// Returns the body of a /metrics answer; called on the server's strand.
    using Render = std::function<std::string()>;
    /// Told after each answer to GET /metrics has been written; on the
    /// server's strand.
    using Served = std::function<void()>;

    /// Connections served at once; one accepted above this is closed at once
    /// (so that idle or slow clients cannot take the process' descriptors).
    static constexpr std::size_t kMaxSessions = 16;

    /// Binds and listens at once, so that local_endpoint() tells the port
    /// picked for port 0; throws boost::system::system_error when it cannot
    /// (say, the port is taken).
    MetricsServer(boost::asio::any_io_executor ex, const boost::asio::ip::tcp::endpoint& listen, Render render,
                  Served served = {});

    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    /// Starts accepting. The server must outlive the io_context's run();
    /// it may be destroyed before the io_context with connections still open
    /// (the coroutines the io_context then destroys touch only what they
    /// share with it).
    void start();

    /// Stops accepting and ends every connection (a response being written
    /// is cut short); from any thread, more than once is harmless. run()
    /// returns once nothing else keeps it busy.
    void stop();

private:
    boost::asio::awaitable<void> accept_loop();
    // The connections open now, so that stop() can end the ones a scraper
    // keeps alive between scrapes (they would keep run() from returning).
    // Shared with each connection's coroutine, which may outlive the server.
    using Sessions = std::list<boost::beast::tcp_stream>;
    class Listed;

    boost::asio::awaitable<void> session(Listed listed);

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    boost::asio::ip::tcp::acceptor acceptor_;
    Render render_;
    Served served_;
    bool stopped_ = false;
    std::shared_ptr<Sessions> sessions_ = std::make_shared<Sessions>();
};

}  // namespace example

#endif
