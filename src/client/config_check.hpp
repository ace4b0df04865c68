// Validation of ClientConfig and what the client derives from it once.
#ifndef BWVOICE_SRC_CLIENT_CONFIG_CHECK_HPP
#define BWVOICE_SRC_CLIENT_CONFIG_CHECK_HPP

#include <bwvoice/config.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace bwvoice::detail {

/// The origin and request shape every lookup of one client shares.
struct Endpoint {
    bool tls = true;
    std::string host;          ///< For resolution and certificate checks (no brackets).
    std::string port;          ///< Decimal, defaulted from the scheme.
    std::string host_header;   ///< Host header value, as written in the base URL.
    std::string account_path;  ///< "/api/v2/accounts/<account>": the base path and the percent-encoded account.
    std::string target;        ///< The token endpoint's path and query (empty for the API).
};

/// The servers a configuration names.
struct Endpoints {
    Endpoint api;
    std::optional<Endpoint> token;  ///< With OAuth 2.0 client credentials only.
};

/// The longest duration any ClientConfig field may hold: deadlines are
/// computed as now() + duration, which must not overflow.
inline constexpr std::chrono::milliseconds longest_duration = std::chrono::hours(24 * 30);

/// Throws std::invalid_argument naming the field ("ClientConfig::pool_size must be at least 1").
Endpoints check_config(const ClientConfig& config);

}  // namespace bwvoice::detail

#endif
