// The state one ConferenceClient shares with all its lookups.
#ifndef BWVOICE_SRC_CLIENT_CLIENT_IMPL_HPP
#define BWVOICE_SRC_CLIENT_CLIENT_IMPL_HPP

#include "client/config_check.hpp"
#include "core/name_resolver.hpp"
#include "core/pool.hpp"
#include "core/tls.hpp"

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
    const Endpoint endpoint;
    /// "Basic base64(user:password)", built once. Never logged or formatted into errors.
    const std::string authorization;
    /// The header lines every request shares (Host, Authorization,
    /// User-Agent), serialized once by Beast; a request adds its request line
    /// before them and its own headers (Accept, Content-Type, ...) after.
    const std::string request_headers;
    /// Null for plain HTTP.
    const std::shared_ptr<boost::asio::ssl::context> ssl_context;
    SessionCache sessions;
    Pool pool;

    /// The API host's addresses; shared (by pointer) with a resolution that
    /// may outlive the client.
    const std::shared_ptr<NameResolver> names;

    /// Registers a lookup, once it is owned by a shared_ptr (so that close()
    /// can reach it); returns false when the client is already closed.
    bool enroll(LiveExchange& lookup);
    /// Unregisters it (no longer counted in flight); idempotent.
    void withdraw(LiveExchange& lookup) noexcept;
    /// No longer counted in flight, but still reached by close(): its caller
    /// has the answer while its connect, handed over, goes on.
    void stop_counting(LiveExchange& lookup) noexcept;

    void close();
    PoolStats stats() const;

    struct Counters {
        std::atomic<std::uint64_t> connections_opened{0}, handshakes{0}, sessions_resumed{0}, reuses{0},
            retries{0}, stale_resends{0}, lookups_completed{0};
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
