// MockServer: owns the io_context, its threads, the listening socket and the
// TLS context; hands each accepted connection to its own coroutine.
#include "mock/session.hpp"
#include "mock/state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/ssl.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace bwvoice::mock {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::unique_ptr<ssl::context> make_tls_context(const ServerOptions& options) {
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    SSL_CTX* native = context->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    context->use_certificate_chain(asio::buffer(options.cert_pem));
    context->use_private_key(asio::buffer(options.key_pem), ssl::context::pem);
    // Resumption: a server-side session cache for TLS 1.2 session IDs; TLS 1.3
    // (and 1.2) tickets are on by default in OpenSSL 3. The ID context is
    // what OpenSSL requires before it will resume a cached session.
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
    static constexpr unsigned char session_id_context[] = "bwvoice-mock";
    SSL_CTX_set_session_id_context(native, session_id_context, sizeof session_id_context - 1);
    return context;
}

std::string url_host(const std::string& address) {
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(address, ec);
    if (ec) return address;
    // A wildcard address is not something a client can connect to.
    if (ip.is_unspecified()) return ip.is_v6() ? "[::1]" : "127.0.0.1";
    return ip.is_v6() ? "[" + address + "]" : address;
}

}  // namespace

struct MockServer::Impl {
    // Declaration order is destruction order in reverse: the io_context (and
    // with it every unfinished connection coroutine) must go before the state
    // and TLS context those coroutines refer to.
    detail::ServerState state;
    std::unique_ptr<ssl::context> tls;
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::uint16_t port = 0;
    std::string host;
    std::vector<std::thread> threads;

    explicit Impl(ServerOptions options) : state(std::move(options)) {
        const ServerOptions& o = state.options();
        if (o.tls) tls = make_tls_context(o);
        const tcp::endpoint endpoint(asio::ip::make_address(o.address), o.port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
        port = acceptor.local_endpoint().port();
        host = url_host(o.address);
        // Seeded only now: recordings' mediaUrl names this server's port.
        state.set_origin(std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port));
        state.store().seed(o.seed, o.conferences, state.origin() + "/api/v2");

        asio::co_spawn(ioc, accept_loop(), asio::detached);
        const unsigned count = std::max(1U, o.threads);
        threads.reserve(count);
        for (unsigned i = 0; i < count; ++i) threads.emplace_back([this] { ioc.run(); });
    }

    ~Impl() {
        ioc.stop();
        for (auto& thread : threads) thread.join();
        // Closing here, before the io_context goes, lets its destructor free
        // the suspended coroutines (sockets included) in a defined order.
        boost::system::error_code ignored;
        acceptor.close(ignored);
    }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    asio::awaitable<void> accept_loop() {
        constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
        std::uint64_t next_id = 0;
        for (;;) {
            // A strand per connection: with several threads, its coroutine and
            // its timers then never run concurrently.
            auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), nothrow);
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
                // Out of descriptors and the like: back off instead of spinning.
                asio::steady_timer pause(ioc, std::chrono::milliseconds(20));
                co_await pause.async_wait(nothrow);
                continue;
            }
            const auto executor = socket.get_executor();
            asio::co_spawn(executor,
                           detail::serve_connection(state, tls.get(), tcp::socket(std::move(socket)), ++next_id),
                           asio::detached);
        }
    }
};

MockServer::MockServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

MockServer::~MockServer() = default;

std::uint16_t MockServer::port() const {
    return impl_->port;
}

std::string MockServer::base_url() const {
    return std::string(impl_->tls ? "https://" : "http://") + impl_->host + ":" + std::to_string(impl_->port) +
           "/api/v2";
}

std::string MockServer::base_url_localhost() const {
    return std::string(impl_->tls ? "https://" : "http://") + "localhost:" + std::to_string(impl_->port) + "/api/v2";
}

std::string MockServer::token_url() const {
    return std::string(impl_->tls ? "https://" : "http://") + impl_->host + ":" + std::to_string(impl_->port) +
           kTokenPath;
}

std::string MockServer::token_url_localhost() const {
    return std::string(impl_->tls ? "https://" : "http://") + "localhost:" + std::to_string(impl_->port) + kTokenPath;
}

void MockServer::put_conference(const std::string& id, std::string json) {
    impl_->state.store().put(id, std::move(json));
}

std::optional<std::string> MockServer::conference_json(const std::string& id) const {
    if (auto body = impl_->state.store().find(id)) return *body;
    return std::nullopt;
}

std::optional<std::string> MockServer::member_json(const std::string& conference_id,
                                                   const std::string& member_id) const {
    std::string body;
    if (impl_->state.store().member(conference_id, member_id, &body) != detail::Found::yes) return std::nullopt;
    return body;
}

std::optional<std::string> MockServer::last_conference_update(const std::string& conference_id) const {
    return impl_->state.store().last_update(conference_id);
}

std::optional<std::string> MockServer::last_bxml(const std::string& conference_id) const {
    return impl_->state.store().last_bxml(conference_id);
}

std::optional<std::string> MockServer::recordings_json(const std::string& conference_id) const {
    return impl_->state.store().recordings(conference_id);
}

std::optional<std::string> MockServer::recording_json(const std::string& conference_id,
                                                      const std::string& recording_id) const {
    std::string body;
    if (impl_->state.store().recording(conference_id, recording_id, &body) != detail::Found::yes) return std::nullopt;
    return body;
}

bool MockServer::put_recording(const std::string& conference_id, const std::string& json,
                               std::optional<std::uint64_t> media_size) {
    boost::system::error_code ec;
    boost::json::value metadata = boost::json::parse(json, ec);
    if (ec || !metadata.is_object()) throw std::invalid_argument("put_recording: not a JSON object");
    const auto* id = metadata.as_object().if_contains("recordingId");
    if (id == nullptr || !id->is_string()) throw std::invalid_argument("put_recording: no string recordingId");
    return impl_->state.store().put_recording(conference_id, std::move(metadata.as_object()), media_size);
}

bool MockServer::set_media_size(const std::string& conference_id, const std::string& recording_id,
                                std::uint64_t bytes) {
    return impl_->state.store().set_media_size(conference_id, recording_id, bytes);
}

void MockServer::script_route(const std::string& route, std::vector<Action> actions) {
    impl_->state.script(route, std::move(actions));
}

void MockServer::script(const std::string& conference_id, std::vector<Action> actions) {
    impl_->state.script("conferences/" + conference_id, std::move(actions));
}

void MockServer::script_all(std::vector<Action> actions) {
    impl_->state.script_all(std::move(actions));
}

void MockServer::clear_scripts() {
    impl_->state.clear_scripts();
}

std::uint64_t MockServer::request_count(const std::string& route, const std::string& method) const {
    return impl_->state.request_count(route, method);
}

ServerStats MockServer::stats() const {
    return impl_->state.stats();
}

std::vector<RecordedRequest> MockServer::requests() const {
    return impl_->state.requests();
}

void MockServer::clear_requests() {
    impl_->state.clear_requests();
}

std::shared_ptr<TokenAuthority> MockServer::token_authority() const {
    return impl_->state.authority();
}

TokenAuthority& MockServer::authority() const {
    const auto& authority = impl_->state.authority();
    if (!authority) throw std::logic_error("MockServer: OAuth is off (no client_id/client_secret or token_authority)");
    return *authority;
}

void MockServer::revoke_tokens() {
    authority().revoke_tokens();
}

void MockServer::set_token_lifetime(std::optional<std::chrono::seconds> lifetime) {
    authority().set_token_lifetime(lifetime);
}

void MockServer::refuse_client_credentials(bool refuse) {
    authority().refuse_client_credentials(refuse);
}

std::uint64_t MockServer::token_requests() const {
    return impl_->state.stats().token_requests;
}

std::uint64_t MockServer::bearer_rejections() const {
    return impl_->state.stats().bearer_rejections;
}

}  // namespace bwvoice::mock
