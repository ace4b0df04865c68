// One server the client talks to (scheme, host, port) and what it keeps for
// it: its connection pool, its addresses, its TLS sessions, and the header
// lines every request to it shares. The API is one origin; the OAuth token
// endpoint, when used, is another, so the client's credentials for one never
// travel on a connection to the other.
#ifndef BWVOICE_SRC_CORE_ORIGIN_HPP
#define BWVOICE_SRC_CORE_ORIGIN_HPP

#include "client/config_check.hpp"
#include "core/name_resolver.hpp"
#include "core/pool.hpp"
#include "core/tls.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace bwvoice::detail {

struct Origin {
    Origin(const boost::asio::any_io_executor& ex, Endpoint ep, std::string headers, std::size_t pool_size,
           std::chrono::milliseconds idle_timeout, std::chrono::milliseconds dns_cache_ttl)
        : endpoint(std::move(ep)),
          shared_headers(std::move(headers)),
          pool(pool_size, idle_timeout),
          names(std::make_shared<NameResolver>(ex, endpoint.host, endpoint.port, dns_cache_ttl)) {}

    const Endpoint endpoint;
    /// The header lines every request to this origin shares (Host,
    /// User-Agent, and Authorization when it is fixed), serialized once by
    /// Beast; a request adds its request line before them and its own
    /// headers after. Never logged or formatted into errors.
    const std::string shared_headers;
    SessionCache sessions;
    Pool pool;
    /// Shared (by pointer) with a resolution that may outlive the client.
    const std::shared_ptr<NameResolver> names;
};

}  // namespace bwvoice::detail

#endif
