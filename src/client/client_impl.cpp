#include "client/client_impl.hpp"

#include "api/operation_types.hpp"
#include "common/base64.hpp"
#include "core/exchange.hpp"

#include <boost/assert.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <sstream>

#include <utility>
#include <vector>

namespace bwvoice::detail {
namespace {

/// `authorization` empty: each request adds its own (the OAuth token).
std::string serialize_request_headers(const Endpoint& ep, const std::string& authorization,
                                      const std::string& user_agent) {
    namespace http = boost::beast::http;
    http::request<http::empty_body> req{http::verb::get, "/", 11};
    req.set(http::field::host, ep.host_header);
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    req.set(http::field::user_agent, user_agent);
    std::ostringstream out;
    out << req.base();
    const std::string all = out.str();
    // The lines between the request line and the blank line that ends the header.
    const std::size_t begin = all.find("\r\n") + 2;
    return all.substr(begin, all.size() - 2 - begin);
}

std::shared_ptr<boost::asio::ssl::context> tls_context_for(const Endpoints& eps, const TlsConfig& tls) {
    return eps.api.tls || (eps.token && eps.token->tls) ? make_tls_context(tls) : nullptr;
}

bool oauth(const ClientConfig& c) {
    return !c.client_id.empty();
}

}  // namespace

ClientImpl::ClientImpl(boost::asio::any_io_executor ex, ClientConfig cfg)
    : executor(std::move(ex)),
      config(std::move(cfg)),
      endpoints(check_config(config)),
      authorization(oauth(config) ? basic_authorization(config.client_id, config.client_secret)
                                  : basic_authorization(config.username, config.password)),
      ssl_context(tls_context_for(endpoints, config.tls)),
      api(executor, endpoints.api,
          serialize_request_headers(endpoints.api, oauth(config) ? std::string() : authorization, config.user_agent),
          config.pool_size, config.idle_timeout, config.dns_cache_ttl),
      // One connection is enough: one token fetch at a time.
      token_origin(endpoints.token ? std::make_unique<Origin>(
                                         executor, *endpoints.token,
                                         serialize_request_headers(*endpoints.token, authorization, config.user_agent),
                                         1, config.idle_timeout, config.dns_cache_ttl)
                                   : nullptr),
      tokens(endpoints.token ? std::make_unique<TokenBroker>(TokenCache::Settings{
                                   .refresh_margin = config.token_refresh_margin,
                                   .backoff_base = std::max(config.retry.backoff_base, std::chrono::milliseconds(1)),
                                   .backoff_cap = std::max(config.retry.backoff_cap, std::chrono::milliseconds(1))})
                             : nullptr),
      recycler(executor.target<boost::asio::io_context::executor_type>()
                   ? Recycler::of(*executor.target<boost::asio::io_context::executor_type>())
                   : nullptr),
      events(config.observer, config.log, config.log_level) {}

ClientImpl::~ClientImpl() {
    close();
}

bool ClientImpl::enroll(LiveExchange& lookup, bool counted) {
    // close() reaches lookups through lock_self(): one enrolled before its
    // shared_ptr exists (from its constructor) would be skipped by a close()
    // racing its start, and could then succeed after close() returned.
    BOOST_ASSERT(lookup.lock_self() != nullptr);
    std::lock_guard lock(registry_mutex_);
    lookup.registry_next = registry_head_;
    if (registry_head_) registry_head_->registry_prev = &lookup;
    registry_head_ = &lookup;
    lookup.enrolled = true;
    lookup.counted = counted;
    if (counted) ++in_flight_;
    return !closed_.load(std::memory_order_relaxed);
}

void ClientImpl::withdraw(LiveExchange& lookup) noexcept {
    std::lock_guard lock(registry_mutex_);
    if (!lookup.enrolled) return;
    lookup.enrolled = false;
    if (lookup.registry_prev)
        lookup.registry_prev->registry_next = lookup.registry_next;
    else
        registry_head_ = lookup.registry_next;
    if (lookup.registry_next) lookup.registry_next->registry_prev = lookup.registry_prev;
    lookup.registry_prev = lookup.registry_next = nullptr;
    if (std::exchange(lookup.counted, false)) --in_flight_;
}

void ClientImpl::stop_counting(LiveExchange& lookup) noexcept {
    std::lock_guard lock(registry_mutex_);
    if (lookup.enrolled && std::exchange(lookup.counted, false)) --in_flight_;
}

void ClientImpl::close() {
    std::vector<std::shared_ptr<LiveExchange>> live;
    {
        std::lock_guard lock(registry_mutex_);
        if (closed_.exchange(true)) return;
        for (LiveExchange* l = registry_head_; l; l = l->registry_next) {
            // A lookup whose last reference is going away is finishing on its own.
            if (auto strong = l->lock_self()) live.push_back(std::move(strong));
        }
    }
    for (auto& c : api.pool.close()) close_connection(*c, CloseReason::client_closed);
    if (token_origin)
        for (auto& c : token_origin->pool.close()) close_connection(*c, CloseReason::client_closed);
    if (tokens) tokens->close();
    for (auto& l : live) l->close_from_client();
}

void ClientImpl::connection_closed(std::uint64_t id, std::uint64_t exchanges, CloseReason why) noexcept {
    if (id == 0) return;  // never opened: its failure is the request's
    recorder.closed(why);
    if (events) events(ConnectionClosed{.connection = id, .reason = why, .exchanges = exchanges});
}

void ClientImpl::operation_ended(OperationKind kind, error_code ec, std::optional<unsigned> status, unsigned attempts,
                                 std::chrono::nanoseconds took) noexcept {
    recorder.operation_ended(kind, ec, took);
    if (events)
        events(OperationEnded{.operation = kind, .ec = ec, .status = status, .attempts = attempts, .duration = took});
}

void count_refusal(ClientImpl& impl, OperationKind kind) noexcept {
    impl.counters.lookups_completed.fetch_add(1, std::memory_order_relaxed);
    impl.operation_ended(kind, make_error_code(errc::bad_request), std::nullopt, 0, std::chrono::nanoseconds{0});
}

PoolStats ClientImpl::stats() const {
    PoolStats s;
    const auto counts = api.pool.counts();
    s.open = counts.open;
    s.idle = counts.idle;
    s.waiting = counts.waiting;
    {
        std::lock_guard lock(registry_mutex_);
        s.in_flight = in_flight_;
    }
    s.connections_opened = counters.connections_opened.load(std::memory_order_relaxed);
    s.handshakes = counters.handshakes.load(std::memory_order_relaxed);
    s.sessions_resumed = counters.sessions_resumed.load(std::memory_order_relaxed);
    s.reuses = counters.reuses.load(std::memory_order_relaxed);
    s.retries = counters.retries.load(std::memory_order_relaxed);
    s.stale_resends = counters.stale_resends.load(std::memory_order_relaxed);
    s.lookups_completed = counters.lookups_completed.load(std::memory_order_relaxed);
    s.token_fetches = counters.token_fetches.load(std::memory_order_relaxed);
    return s;
}

}  // namespace bwvoice::detail
