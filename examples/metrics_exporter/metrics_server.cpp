#include "metrics_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <iostream>
#include <string_view>
#include <utility>

#include "prometheus_text.hpp"

namespace example {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Prometheus scrapes every 15 s to 1 min by default and keeps the connection
// open in between; one idle longer than this is dropped (it reconnects).
constexpr auto kIdleTimeout = 5min;
// A request header, from its first byte (from the connect for the first
// request), must arrive within this: a scraper sends it at once.
constexpr auto kRequestTimeout = 10s;
// A scraper that does not take its answer within this is given up on.
constexpr auto kWriteTimeout = 30s;

void report_failure(const std::exception_ptr& failure) {
    if (!failure) return;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {  // render() threw, or out of memory
        std::cerr << "metrics server: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "metrics server: an exception not derived from std::exception\n";
    }
}

http::response<http::string_body> answer(const http::request<http::empty_body>& request,
                                         const MetricsServer::Render& render) {
    http::response<http::string_body> response(http::status::ok, request.version());
    const std::string_view target(request.target().data(), request.target().size());
    const bool head = request.method() == http::verb::head;
    // Prometheus may add query parameters of its own; they change nothing here.
    if (target.substr(0, target.find('?')) != "/metrics") {
        response.result(http::status::not_found);
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        response.body() = "not found: the metrics are at /metrics\n";
    } else if (request.method() != http::verb::get && !head) {
        response.result(http::status::method_not_allowed);
        response.set(http::field::allow, "GET, HEAD");
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        response.body() = "only GET and HEAD\n";
    } else {
        // Only the 0.0.4 text format, whatever Accept prefers: Prometheus
        // takes it from any exporter.
        response.set(http::field::content_type, prometheus_content_type);
        response.body() = render();
    }
    response.prepare_payload();
    // HEAD: the headers GET would have had, Content-Length included, and no
    // body whatever the status (the client would read it as the start of
    // the next response).
    if (head) response.body().clear();
    return response;
}

}  // namespace

MetricsServer::MetricsServer(asio::any_io_executor ex, const tcp::endpoint& listen, Render render, Served served)
    : strand_(asio::make_strand(std::move(ex))),
      acceptor_(strand_),
      render_(std::move(render)),
      served_(std::move(served)) {
    acceptor_.open(listen.protocol());
    // A restarted exporter binds its port again at once, even with the last
    // run's connections still in TIME_WAIT.
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(listen);
    acceptor_.listen();
}

void MetricsServer::start() {
    asio::co_spawn(strand_, accept_loop(), report_failure);
}

void MetricsServer::stop() {
    // Onto the strand, where the acceptor and the sessions live; inline when
    // already on it (from the Served callback).
    asio::dispatch(strand_, [this] {
        if (stopped_) return;
        stopped_ = true;
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        for (beast::tcp_stream& stream : *sessions_) stream.socket().close(ignored);
    });
}

// A connection's place in sessions_, held by its coroutine as a parameter:
// so it is unlisted (and its socket closed) whenever the coroutine frame is
// destroyed, having run or not, and the list lives as long as any frame.
class MetricsServer::Listed {
public:
    Listed(std::shared_ptr<Sessions> sessions, tcp::socket socket)
        : sessions_(std::move(sessions)), it_(sessions_->emplace(sessions_->end(), std::move(socket))) {}
    Listed(Listed&& other) noexcept : sessions_(std::move(other.sessions_)), it_(other.it_) {}
    Listed& operator=(Listed&&) = delete;
    ~Listed() {
        if (sessions_) sessions_->erase(it_);
    }
    beast::tcp_stream& stream() const { return *it_; }

private:
    std::shared_ptr<Sessions> sessions_;
    Sessions::iterator it_;
};

asio::awaitable<void> MetricsServer::accept_loop() {
    boost::system::error_code reported;  // the accept error last logged, until an accept succeeds
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (stopped_) co_return;
        if (ec) {
            // Out of file descriptors, say: pause instead of spinning on the
            // same error, and keep serving; tell it once, not every pause.
            if (ec != reported) std::cerr << "metrics server: accept: " << ec.message() << " (retrying)\n";
            reported = ec;
            asio::steady_timer pause(strand_, 100ms);
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        reported = {};
        if (sessions_->size() >= kMaxSessions) {
            socket.close(ec);  // the client sees the connection closed, and may retry
            continue;
        }
        asio::co_spawn(strand_, session(Listed(sessions_, std::move(socket))), report_failure);
    }
}

asio::awaitable<void> MetricsServer::session(Listed listed) {
    beast::tcp_stream& stream = listed.stream();
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    bool idle = false;  // a response was written: the wait for the next request is a keep-alive one
    while (!stopped_) {
        if (idle && buffer.size() == 0) {
            // Between scrapes: wait as long as kIdleTimeout for a first byte.
            stream.expires_after(kIdleTimeout);
            const std::size_t n =
                co_await stream.async_read_some(buffer.prepare(1024), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;  // the scraper closed, went quiet, or stop()
            buffer.commit(n);
        }
        // A scrape has no body: empty_body makes the parser refuse one.
        http::request_parser<http::empty_body> parser;
        parser.header_limit(8 * 1024);
        stream.expires_after(kRequestTimeout);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;  // the scraper closed (end_of_stream), went quiet, sent garbage, or stop()

        const http::request<http::empty_body>& request = parser.get();
        http::response<http::string_body> response = answer(request, render_);
        response.keep_alive(request.keep_alive() && !stopped_);
        stream.expires_after(kWriteTimeout);
        co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        if (response.result() == http::status::ok && request.method() == http::verb::get && served_) served_();
        if (!response.keep_alive()) break;
        idle = true;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace example
