// One accepted connection: TLS handshake, then read a request, act on it
// (normally or as scripted), and repeat while the connection stays alive.
#include "mock/session.hpp"

#include "mock/http.hpp"
#include "mock/router.hpp"
#include "mock/routes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <random>

namespace bwvoice::mock::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

using TlsStream = asio::ssl::stream<beast::tcp_stream>;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// Long enough for any test client, short enough that a stuck peer cannot
// hold a connection (and the server's shutdown) forever.
constexpr auto kHandshakeTimeout = 10s;
constexpr auto kWriteTimeout = 30s;
constexpr auto kBodyReadTimeout = 30s;
/// Bodies are written in pieces of at most this: a recording's media is
/// generated one piece at a time into one buffer.
constexpr std::size_t kPiece = 64 * 1024;
constexpr std::size_t kRequestBodyLimit = 1024 * 1024;
constexpr auto kShutdownTimeout = 500ms;

beast::tcp_stream& tcp_of(beast::tcp_stream& stream) {
    return stream;
}
beast::tcp_stream& tcp_of(TlsStream& stream) {
    return stream.next_layer();
}

/// Closes the TCP connection without TLS close_notify: what a crashed or
/// misbehaving server looks like to the client.
void close_abruptly(beast::tcp_stream& stream) {
    stream.close();
}

void close_abruptly(TlsStream& stream) {
    // OpenSSL evicts the session of a connection freed without a TLS shutdown
    // from the server's cache; marking it shut down keeps it resumable, as
    // nginx does, since many clients just drop idle connections.
    SSL_set_shutdown(stream.native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    stream.next_layer().close();
}

/// Ends the connection the polite way (TLS close_notify, then FIN), so the
/// client can tell a complete close-delimited body from a truncated one.
asio::awaitable<void> close_gracefully(TlsStream& stream) {
    stream.next_layer().expires_after(kShutdownTimeout);
    co_await stream.async_shutdown(nothrow);
    stream.next_layer().close();
}

asio::awaitable<void> close_gracefully(beast::tcp_stream& stream) {
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream.close();
    co_return;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
    if (delay <= 0ms) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(nothrow);
}

template <class Stream>
asio::awaitable<bool> write_all(Stream& stream, std::string_view bytes) {
    tcp_of(stream).expires_after(kWriteTimeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), nothrow);
    co_return !ec;
}

/// The "flood" fault: the prefix, then the filler repeated until the peer
/// closes (the write fails) or flood_limit bytes of it have been sent.
template <class Stream>
asio::awaitable<void> flood(Stream& stream, const Action& action) {
    const std::string_view prefix = action.body ? std::string_view(*action.body) : std::string_view();
    if (!co_await write_all(stream, prefix)) co_return;
    const std::string_view filler = action.filler.empty() ? std::string_view("x") : std::string_view(action.filler);
    // One block of whole fillers, written again and again: nothing is
    // allocated per write, so the server's memory stays flat however long it floods.
    std::string block;
    while (block.size() + filler.size() <= 64 * 1024) block += filler;
    if (block.empty()) block = filler;
    for (std::size_t sent = 0; sent < action.flood_limit;) {
        const std::size_t n = std::min(block.size(), action.flood_limit - sent);
        if (!co_await write_all(stream, std::string_view(block).substr(0, n))) co_return;
        sent += n;
    }
}

/// Reads and discards until the peer closes: the "silent" fault.
template <class Stream>
asio::awaitable<void> wait_for_peer_close(Stream& stream) {
    tcp_of(stream).expires_never();
    std::array<char, 1024> sink{};
    for (;;) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), nothrow);
        if (ec) break;
    }
    close_abruptly(stream);
}

/// The response an action sends when it sends one built by the server: the
/// route's normal answer for status 200 without a body, else the status with
/// the action's body or an API error body. A change (POST, PUT) is made only
/// when the normal answer is computed, or when the action asks for it.
Response scripted_response(const Context& ctx, const Action& action) {
    Response response;
    if (!action.body && action.status == 200) {
        response = handle(ctx);
    } else {
        if (action.apply) static_cast<void>(handle(ctx));
        if (action.body) {
            response = Response{action.status, *action.body, {}, std::nullopt};
            if (action.echo_authorization) {
                constexpr std::string_view placeholder = "{authorization}";
                const std::string_view value = ctx.request[http::field::authorization];
                std::string& body = response.body;
                for (auto at = body.find(placeholder); at != std::string::npos;
                     at = body.find(placeholder, at + value.size()))
                    body.replace(at, placeholder.size(), value);
            }
        } else if (ctx.route.kind == RouteKind::token)
            response = token_error_response(action.status);
        else
            response = error_response(action.status, ctx.route.conference_id);
    }
    response.headers.insert(response.headers.end(), action.headers.begin(), action.headers.end());
    return response;
}

RecordedRequest record_of(const Request& request, const Route& route, std::uint64_t connection_id, bool tls,
                          std::size_t body_limit) {
    RecordedRequest r{std::string(request.method_string()),
                      std::string(request.target()),
                      std::string(request[http::field::authorization]),
                      std::string(request[http::field::user_agent]),
                      connection_id,
                      tls};
    r.route = route.key;
    r.content_type = std::string(request[http::field::content_type]);
    r.body = request.body().substr(0, body_limit);
    r.body_size = request.body().size();
    return r;
}

/// Writes body bytes [from, to) in pieces; false if a write failed.
template <class Stream>
asio::awaitable<bool> write_body(Stream& stream, const Response& response, std::uint64_t from, std::uint64_t to) {
    std::string scratch;
    while (from < to) {
        const std::string_view piece =
            body_piece(response, from, static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, to - from)), scratch);
        if (!co_await write_all(stream, piece)) co_return false;
        from += piece.size();
    }
    co_return true;
}

/// Each piece a chunk: at most 64 KiB, and at least three chunks for a body
/// of three bytes or more, so that a client has to join several.
template <class Stream>
asio::awaitable<bool> write_chunked_body(Stream& stream, const Response& response, std::uint64_t size) {
    const auto chunk = static_cast<std::size_t>(std::clamp<std::uint64_t>((size + 2) / 3, 1, kPiece));
    std::string scratch;
    for (std::uint64_t offset = 0; offset < size;) {
        const std::string_view piece = body_piece(response, offset, chunk, scratch);
        const std::string line = chunk_size_line(piece.size());
        const std::array<asio::const_buffer, 3> buffers{asio::buffer(line), asio::buffer(piece.data(), piece.size()),
                                                        asio::buffer("\r\n", 2)};
        tcp_of(stream).expires_after(kWriteTimeout);
        auto [ec, n] = co_await asio::async_write(stream, buffers, nothrow);
        if (ec) co_return false;
        offset += piece.size();
    }
    co_return co_await write_all(stream, "0\r\n\r\n");
}

/// `step` bytes every `delay`: the head first, then the body.
template <class Stream>
asio::awaitable<bool> trickle(Stream& stream, const std::string& head, const Response& response, std::uint64_t size,
                              const Action& action) {
    const std::size_t step = std::max<std::size_t>(1, action.trickle_bytes);
    for (std::size_t offset = 0; offset < head.size(); offset += step) {
        co_await sleep_for(action.delay);
        if (!co_await write_all(stream, std::string_view(head).substr(offset, step))) co_return false;
    }
    std::string scratch;
    for (std::uint64_t offset = 0; offset < size;) {
        co_await sleep_for(action.delay);
        const std::string_view piece = body_piece(response, offset, step, scratch);
        if (!co_await write_all(stream, piece)) co_return false;
        offset += piece.size();
    }
    co_return true;
}

/// What to do with the connection once a request has been dealt with.
enum class After { keep_alive, close_gracefully, close_abruptly, done };

template <class Stream>
asio::awaitable<After> act(const Context& ctx, Stream& stream, const Action& action) {
    using Kind = Action::Kind;
    if (action.kind != Kind::trickle) co_await sleep_for(action.delay);

    // The kinds that send nothing the route would have made: the change is
    // made only if the action says so (a server that did the work and then
    // lost its answer).
    switch (action.kind) {
    case Kind::drop:
    case Kind::silent:
    case Kind::raw:
    case Kind::flood:
        if (action.apply) static_cast<void>(handle(ctx));
        break;
    default: break;
    }
    switch (action.kind) {
    case Kind::drop: co_return After::close_abruptly;
    case Kind::silent: co_await wait_for_peer_close(stream); co_return After::done;
    case Kind::raw: co_await write_all(stream, action.body.value_or(std::string{})); co_return After::close_gracefully;
    case Kind::flood: co_await flood(stream, action); co_return After::close_abruptly;
    default: break;
    }

    const Request& request = ctx.request;
    const Response response = scripted_response(ctx, action);
    const bool announce_close = action.close_after || !request.keep_alive();
    const Framing framing = action.kind == Kind::chunked           ? Framing::chunked
                            : action.kind == Kind::close_delimited ? Framing::close_delimited
                                                                   : Framing::content_length;
    const std::string head = render_head(response, framing, announce_close);
    const bool send_body = request.method() != http::verb::head && !bodiless_status(response.status);
    const std::uint64_t size = send_body ? response.body_size() : 0;
    const std::uint64_t cut = std::min(size, action.partial_bytes.value_or(size / 2));

    switch (action.kind) {
    case Kind::partial_headers:
        co_await write_all(stream, std::string_view(head).substr(0, head.size() / 2));
        co_return After::close_abruptly;
    case Kind::partial_body:
        if (co_await write_all(stream, head)) co_await write_body(stream, response, 0, cut);
        co_return After::close_abruptly;
    case Kind::stall:
        if (!co_await write_all(stream, head) || !co_await write_body(stream, response, 0, cut))
            co_return After::close_abruptly;
        co_await wait_for_peer_close(stream);
        co_return After::done;
    case Kind::trickle:
        if (!co_await trickle(stream, head, response, size, action)) co_return After::close_abruptly;
        break;
    case Kind::chunked:
        if (!co_await write_all(stream, head)) co_return After::close_abruptly;
        if (!co_await write_chunked_body(stream, response, size)) co_return After::close_abruptly;
        break;
    default:
        if (response.media) {
            if (!co_await write_all(stream, head) || !co_await write_body(stream, response, 0, size))
                co_return After::close_abruptly;
        } else {
            // One write for head and body: the common, benchmarked path.
            const std::string_view body = std::string_view(response.body).substr(0, static_cast<std::size_t>(size));
            tcp_of(stream).expires_after(kWriteTimeout);
            const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body.data(), body.size())};
            auto [ec, n] = co_await asio::async_write(stream, buffers, nothrow);
            if (ec) co_return After::close_abruptly;
        }
        break;
    }
    if (announce_close || action.kind == Kind::close_delimited) co_return After::close_gracefully;
    if (action.unsolicited) {
        co_await sleep_for(action.unsolicited_after);
        if (!co_await write_all(stream, *action.unsolicited)) co_return After::close_abruptly;
    }
    co_return After::keep_alive;
}

/// Reads one request: the head, a 100 Continue if the client waits for one,
/// then the body. The header read carries idle_drop; the body its own timeout.
template <class Stream>
asio::awaitable<beast::error_code> read_request(ServerState& state, Stream& stream, beast::flat_buffer& buffer,
                                                http::request_parser<http::string_body>& parser) {
    const ServerOptions& options = state.options();
    parser.body_limit(kRequestBodyLimit);
    // idle_drop rides on the read timeout: a silent keep-alive connection
    // times out here and is closed without a word to the client.
    if (options.idle_drop > 0ms)
        tcp_of(stream).expires_after(options.idle_drop);
    else
        tcp_of(stream).expires_never();
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, nothrow);
    if (ec) co_return ec;
    if (parser.is_done()) co_return ec;
    if (iequals(parser.get()[http::field::expect], "100-continue") &&
        !co_await write_all(stream, std::string_view("HTTP/1.1 100 Continue\r\n\r\n")))
        co_return beast::error_code(asio::error::connection_reset);
    tcp_of(stream).expires_after(kBodyReadTimeout);
    auto [body_ec, body_n] = co_await http::async_read(stream, buffer, parser, nothrow);
    co_return body_ec;
}

template <class Stream>
asio::awaitable<void> serve_requests(ServerState& state, Stream& stream, std::uint64_t connection_id, bool tls) {
    const ServerOptions& options = state.options();
    std::mt19937_64 drop_rng(options.seed ^ (connection_id * 0x9E3779B97F4A7C15ULL));
    std::uniform_real_distribution<double> drop_dice(0.0, 1.0);
    beast::flat_buffer buffer;
    std::size_t responses = 0;

    for (;;) {
        http::request_parser<http::string_body> parser;
        const beast::error_code ec = co_await read_request(state, stream, buffer, parser);
        if (ec == http::error::end_of_stream) {
            // The client closed between requests; answer its close_notify.
            co_await close_gracefully(stream);
            co_return;
        }
        if (ec) {
            close_abruptly(stream);
            co_return;
        }
        const Request& request = parser.get();
        const Route route = parse_route(request.target());
        if (route.kind == RouteKind::token) state.token_request_received();
        if (options.record_requests)
            state.request_received(record_of(request, route, connection_id, tls, options.recorded_body_limit));
        else
            state.request_received(RecordedRequest{});

        if (options.random_drop_rate > 0.0 && drop_dice(drop_rng) < options.random_drop_rate) {
            close_abruptly(stream);
            co_return;
        }

        std::optional<Action> scripted;
        // script_all is for API faults; a client's token fetch on the same
        // server is scripted on its own route only.
        if (!route.key.empty()) scripted = state.next_action(route.key, route.kind != RouteKind::token);
        // A named local, not a temporary inside the co_await expression: with
        // one there, g++ 12 freed an invalid pointer in ~Action once Action
        // gained a std::string member with a default value.
        const Action action = scripted.value_or(Action{});
        const Context ctx{state, request, route, tls};
        const After after = co_await act(ctx, stream, action);

        ++responses;
        switch (after) {
        case After::done: co_return;
        case After::close_abruptly: close_abruptly(stream); co_return;
        case After::close_gracefully: co_await close_gracefully(stream); co_return;
        case After::keep_alive: break;
        }
        if (options.max_requests_per_connection != 0 && responses >= options.max_requests_per_connection) {
            co_await close_gracefully(stream);
            co_return;
        }
    }
}

/// Keeps the open-connections gauge right however the coroutine ends,
/// including being destroyed unfinished when the server shuts down.
class OpenConnection {
public:
    explicit OpenConnection(ServerState& state) : state_(state) { state_.connection_opened(); }
    ~OpenConnection() { state_.connection_closed(); }
    OpenConnection(const OpenConnection&) = delete;
    OpenConnection& operator=(const OpenConnection&) = delete;

private:
    ServerState& state_;
};

}  // namespace

asio::awaitable<void> serve_connection(ServerState& state, asio::ssl::context* tls, asio::ip::tcp::socket socket,
                                       std::uint64_t connection_id) {
    const OpenConnection open(state);
    boost::system::error_code ignored;
    // Responses go out in one write; Nagle would only add latency to the benchmark.
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    beast::tcp_stream tcp(std::move(socket));
    if (tls == nullptr) {
        co_await serve_requests(state, tcp, connection_id, false);
        co_return;
    }
    TlsStream stream(std::move(tcp), *tls);
    if (state.options().handshake_delay > std::chrono::milliseconds{0})
        co_await sleep_for(state.options().handshake_delay);
    stream.next_layer().expires_after(kHandshakeTimeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, nothrow);
    if (ec) {
        close_abruptly(stream);
        co_return;
    }
    state.handshake_done(SSL_session_reused(stream.native_handle()) == 1);
    co_await serve_requests(state, stream, connection_id, true);
}

}  // namespace bwvoice::mock::detail
