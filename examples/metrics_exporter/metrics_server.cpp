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
// A scraper that does not take its answer within this is given up on.
constexpr auto kWriteTimeout = 30s;

void report_failure(const std::exception_ptr& failure) {
    if (!failure) return;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {  // render() threw, or out of memory
        std::cerr << "metrics server: " << e.what() << "\n";
    }
}

http::response<http::string_body> answer(const http::request<http::empty_body>& request,
                                         const MetricsServer::Render& render) {
    http::response<http::string_body> response(http::status::ok, request.version());
    const std::string_view target(request.target().data(), request.target().size());
    // Prometheus may add query parameters of its own; they change nothing here.
    if (target.substr(0, target.find('?')) != "/metrics") {
        response.result(http::status::not_found);
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        response.body() = "not found: the metrics are at /metrics\n";
    } else if (request.method() != http::verb::get) {
        response.result(http::status::method_not_allowed);
        response.set(http::field::allow, "GET");
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        response.body() = "only GET\n";
    } else {
        // Only the 0.0.4 text format, whatever Accept prefers: Prometheus
        // takes it from any exporter.
        response.set(http::field::content_type, prometheus_content_type);
        response.body() = render();
    }
    response.prepare_payload();
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
        for (beast::tcp_stream* stream : sessions_) stream->socket().close(ignored);
    });
}

asio::awaitable<void> MetricsServer::accept_loop() {
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (stopped_) co_return;
        if (ec) {
            // Out of file descriptors, say: pause instead of spinning on the
            // same error, and keep serving.
            std::cerr << "metrics server: accept: " << ec.message() << "\n";
            asio::steady_timer pause(strand_, 100ms);
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        asio::co_spawn(strand_, session(std::move(socket)), report_failure);
    }
}

asio::awaitable<void> MetricsServer::session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    // Listed while the coroutine runs, so that stop() can close it; unlisted
    // on every way out, exceptions included.
    struct Listed {
        std::list<beast::tcp_stream*>& list;
        std::list<beast::tcp_stream*>::iterator it;
        ~Listed() { list.erase(it); }
    } listed{sessions_, sessions_.insert(sessions_.end(), &stream)};

    beast::flat_buffer buffer;
    boost::system::error_code ec;
    while (!stopped_) {
        // A scrape has no body: empty_body makes the parser refuse one.
        http::request_parser<http::empty_body> parser;
        parser.header_limit(8 * 1024);
        stream.expires_after(kIdleTimeout);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;  // the scraper closed (end_of_stream), went quiet, sent garbage, or stop()

        const http::request<http::empty_body>& request = parser.get();
        http::response<http::string_body> response = answer(request, render_);
        response.keep_alive(request.keep_alive() && !stopped_);
        stream.expires_after(kWriteTimeout);
        co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        if (response.result() == http::status::ok && served_) served_();
        if (!response.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace example
