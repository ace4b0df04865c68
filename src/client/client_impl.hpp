// The state one ConferenceClient shares with all its lookups.
#ifndef BWVOICE_SRC_CLIENT_CLIENT_IMPL_HPP
#define BWVOICE_SRC_CLIENT_CLIENT_IMPL_HPP

#include "auth/token_broker.hpp"
#include "client/config_check.hpp"
#include "core/origin.hpp"
#include "core/recycler.hpp"
#include "core/request.hpp"
#include "metrics/events.hpp"
#include "metrics/metrics_recorder.hpp"

#include <bwvoice/client.hpp>
#include <bwvoice/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace bwvoice::detail {

class LiveExchange;

/// Lookups hold it by shared_ptr, so it outlives the ConferenceClient handle
/// for as long as any lookup still runs; nothing refers back to the handle.
class ClientImpl {
public:
    ClientImpl(boost::asio::any_io_executor ex, ClientConfig config);
    ~ClientImpl();

    const boost::asio::any_io_executor executor;
    const ClientConfig config;
    const Endpoints endpoints;
    /// "Basic base64(id:secret)": the API user's credentials, or with OAuth
    /// the client credentials, sent to the token endpoint only. Never logged
    /// or formatted into errors.
    const std::string authorization;
    /// Null for plain HTTP.
    const std::shared_ptr<boost::asio::ssl::context> ssl_context;
    /// The API. With Basic credentials its shared headers carry them; with
    /// OAuth each request adds the token it carries.
    Origin api;
    /// With OAuth only: the token endpoint, and the token every request shares.
    const std::unique_ptr<Origin> token_origin;
    const std::unique_ptr<TokenBroker> tokens;
    /// Exchange memory and strands kept for the next request: null unless
    /// the executor is an io_context's own (the others are type-erased, and
    /// their context may be anything).
    const std::shared_ptr<Recycler> recycler;

    Origin& origin_for(Audience audience) noexcept {
        return audience == Audience::token_endpoint ? *token_origin : api;
    }
    /// Whether requests to the API carry an OAuth token.
    bool uses_tokens() const noexcept { return tokens != nullptr; }

    /// Registers a lookup, once it is owned by a shared_ptr (so that close()
    /// can reach it), counted in flight unless `!counted` (the client's own
    /// token fetch); returns false when the client is already closed.
    bool enroll(LiveExchange& lookup, bool counted = true);
    /// Unregisters it (no longer counted in flight); idempotent.
    void withdraw(LiveExchange& lookup) noexcept;
    /// No longer counted in flight, but still reached by close(): its caller
    /// has the answer while its connect, handed over, goes on.
    void stop_counting(LiveExchange& lookup) noexcept;

    void close();
    PoolStats stats() const;
    ClientMetrics metrics() const { return recorder.snapshot(stats()); }

    /// The caller's observer and log hook; tested before any event is built.
    const Events events;
    /// What metrics() reads; every request records into it.
    MetricsRecorder recorder;
    /// A connection that was opened is closed, for `why`: counted and told.
    void connection_closed(const Connection& conn, CloseReason why) noexcept {
        connection_closed(conn.id, conn.exchanges, why);
    }
    void connection_closed(std::uint64_t id, std::uint64_t exchanges, CloseReason why) noexcept;
    /// Closes a connection the pool gave back for closing, and tells it.
    void close_connection(Connection& conn, CloseReason why) noexcept {
        conn.abort();
        connection_closed(conn, why);
    }
    /// An operation is over (its handler about to be scheduled): counted and told.
    void operation_ended(OperationKind kind, error_code ec, std::optional<unsigned> status, unsigned attempts,
                         std::chrono::nanoseconds took) noexcept;

    /// Numbers each request as it is issued: the pool serves its queue in
    /// this order, whenever each request reaches it.
    std::atomic<std::uint64_t> requests_issued{0};

    struct Counters {
        std::atomic<std::uint64_t> connections_opened{0}, handshakes{0}, sessions_resumed{0}, reuses{0}, retries{0},
            stale_resends{0}, lookups_completed{0}, token_fetches{0};
    };
    Counters counters;

private:
    mutable std::mutex registry_mutex_;
    LiveExchange* registry_head_ = nullptr;  // intrusive list: no allocation per lookup
    std::size_t in_flight_ = 0;
    std::atomic<bool> closed_{false};
};

}  // namespace bwvoice::detail

#endif
