// Validation of ClientConfig and what the client derives from it once.
#ifndef BWVOICE_SRC_CLIENT_CONFIG_CHECK_HPP
#define BWVOICE_SRC_CLIENT_CONFIG_CHECK_HPP

#include <bwvoice/config.hpp>

#include <chrono>
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
};

/// The longest duration any ClientConfig field may hold: deadlines are
/// computed as now() + duration, which must not overflow.
inline constexpr std::chrono::milliseconds longest_duration = std::chrono::hours(24 * 30);

/// Throws std::invalid_argument naming the field ("ClientConfig::pool_size must be at least 1").
Endpoint check_config(const ClientConfig& config);

}  // namespace bwvoice::detail

#endif
