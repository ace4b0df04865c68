#include "contract/judge_tap.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cctype>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace bwvoice::contract {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::uint64_t body_limit = 64u << 20;
// Prism's sl-violations header alone may take 8 KiB.
constexpr std::uint32_t header_limit = 64u << 10;

std::string basic_authorization() {
    const std::string plain = std::string(api_user) + ":" + api_password;
    std::string out(beast::detail::base64::encoded_size(plain.size()), '\0');
    out.resize(beast::detail::base64::encode(out.data(), plain.data(), plain.size()));
    return "Basic " + out;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

}  // namespace

std::string describe(const Exchange& x) {
    std::string s = x.method + " " + x.target;
    if (!x.request_content_type.empty()) s += " (" + x.request_content_type + ")";
    if (!x.request_authorized) s += " without Authorization";
    s += " -> " + std::to_string(x.status);
    if (!x.response_content_type.empty()) s += " " + x.response_content_type;
    return s;
}

boost::test_tools::assertion_result conforms(const Exchange& x) {
    boost::test_tools::assertion_result verdict(false);
    if (!x.relay_error.empty()) {
        verdict.message() << "no answer from Prism to " << describe(x) << ": " << x.relay_error;
    } else if (!x.violations.empty()) {
        verdict.message() << "Prism reports a violation of the OpenAPI document: " << describe(x)
                          << "; sl-violations: " << x.violations;
    } else if (starts_with_ci(x.response_content_type, "application/problem+json")) {
        verdict.message() << "Prism refused the request: " << describe(x) << "; " << x.response_body;
    } else {
        return true;
    }
    return verdict;
}

/// One client connection (kept alive as long as the client wants): each
/// request goes to Prism on a fresh connection of its own, so an upstream
/// connection Prism closed while idle (its keep-alive timeout is 5 s) can
/// never turn into a relay failure.
struct TapSession {
    static net::awaitable<void> run(JudgeTap& tap, tcp::socket client_socket) {
        beast::tcp_stream client(std::move(client_socket));
        beast::flat_buffer client_buffer;
        for (;;) {
            http::request_parser<http::string_body> request_parser;
            request_parser.body_limit(body_limit);
            request_parser.header_limit(header_limit);
            auto [read_ec, read_n] = co_await http::async_read(client, client_buffer, request_parser, use_tuple);
            (void)read_n;
            if (read_ec) break;  // the client closed, or sent something that is not HTTP
            http::request<http::string_body> req = request_parser.release();

            Exchange x;
            x.method = std::string(req.method_string());
            x.target = std::string(req.target());
            x.request_content_type = std::string(req[http::field::content_type]);
            x.request_authorized = req.count(http::field::authorization) > 0;
            x.request_body = req.body();

            http::response<http::string_body> res;
            beast::error_code ec;
            {
                beast::tcp_stream upstream(co_await net::this_coro::executor);
                beast::flat_buffer upstream_buffer;
                upstream.expires_after(std::chrono::seconds(30));
                std::tie(ec) = co_await upstream.async_connect(
                    tcp::endpoint(net::ip::make_address("127.0.0.1"), tap.upstream_port_), use_tuple);
                if (!ec) std::tie(ec, std::ignore) = co_await http::async_write(upstream, req, use_tuple);
                if (!ec) {
                    http::response_parser<http::string_body> response_parser;
                    response_parser.body_limit(body_limit);
                    response_parser.header_limit(header_limit);
                    std::tie(ec, std::ignore) =
                        co_await http::async_read(upstream, upstream_buffer, response_parser, use_tuple);
                    if (!ec) res = response_parser.release();
                }
                beast::error_code ignored;
                upstream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            }
            if (ec) {
                x.relay_error = ec.message();
                res = {http::status::bad_gateway, req.version()};
                res.set(http::field::content_type, "text/plain");
                res.body() = "judge tap: no answer from Prism: " + ec.message();
                res.keep_alive(false);
                res.prepare_payload();
            }
            x.status = res.result_int();
            x.response_content_type = std::string(res[http::field::content_type]);
            x.violations = std::string(res["sl-violations"]);
            x.response_body = res.body();
            const bool keep_alive = req.keep_alive() && res.keep_alive();
            tap.record(std::move(x));

            client.expires_after(std::chrono::seconds(30));
            auto [write_ec, write_n] = co_await http::async_write(client, res, use_tuple);
            (void)write_n;
            if (write_ec || !keep_alive) break;
            client.expires_never();
        }
        beast::error_code ignored;
        client.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
};

JudgeTap::JudgeTap(unsigned short upstream_port)
    : acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)), upstream_port_(upstream_port) {
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(
        ioc_,
        [this]() -> net::awaitable<void> {
            for (;;) {
                auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
                if (ec) co_return;  // closed by the destructor
                net::co_spawn(ioc_, TapSession::run(*this, std::move(socket)), net::detached);
            }
        },
        net::detached);
    thread_ = std::thread([this] { ioc_.run(); });
}

JudgeTap::~JudgeTap() {
    ioc_.stop();
    thread_.join();
}

void JudgeTap::record(Exchange x) {
    std::lock_guard lock(mutex_);
    exchanges_.push_back(std::move(x));
}

std::vector<Exchange> JudgeTap::take() {
    std::lock_guard lock(mutex_);
    return std::exchange(exchanges_, {});
}

Exchange JudgeTap::send_raw(http::verb method, const std::string& target, const std::string& content_type,
                            const std::string& body, bool authorized) {
    take();  // only this request's exchange is wanted
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
    req.set(http::field::accept, "application/json");
    if (authorized) req.set(http::field::authorization, basic_authorization());
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(false);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    beast::error_code failure = net::error::timed_out;
    stream.expires_after(std::chrono::seconds(30));
    stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), [&](beast::error_code ec) {
        if ((failure = ec)) return;
        http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
            if ((failure = wec)) return;
            http::async_read(stream, buffer, res, [&](beast::error_code rec, std::size_t) { failure = rec; });
        });
    });
    ioc.run();
    if (failure) throw std::runtime_error("raw request through the judge tap failed: " + failure.message());
    auto recorded = take();
    if (recorded.size() != 1)
        throw std::runtime_error("the judge tap recorded " + std::to_string(recorded.size()) +
                                 " exchanges for one raw request");
    return std::move(recorded.front());
}

}  // namespace bwvoice::contract
