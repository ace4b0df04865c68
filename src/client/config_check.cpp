#include "client/config_check.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <charconv>
#include <stdexcept>
#include <system_error>

namespace bwvoice::detail {
namespace {

[[noreturn]] void reject(std::string_view field, std::string_view why) {
    throw std::invalid_argument("ClientConfig::" + std::string(field) + " " + std::string(why));
}

bool has_line_break(std::string_view s) {
    return s.find_first_of("\r\n") != std::string_view::npos;
}

/// Control characters (other than tab) cannot appear in an HTTP field value.
bool has_control_character(std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
    }
    return false;
}

/// The port as plain decimal; 1 to 65535 or the URL is refused (Boost.URL
/// would wrap a larger number modulo 65536 in port_number()).
std::string decimal_port(std::string_view field, std::string_view text) {
    unsigned long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > 65535)
        reject(field, "has an invalid port (1 to 65535)");
    return std::to_string(value);
}

void check_duration(std::string_view field, std::chrono::milliseconds value) {
    if (value > longest_duration) reject(field, "must not exceed 30 days");
}

/// The origin of `text` (field `field`), under base_url's rules.
Endpoint parse_origin(std::string_view field, std::string_view text, bool allow_http) {
    // parse_uri, not parse_absolute_uri: the latter refuses a fragment as
    // "not a URL", hiding the reason below.
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed) reject(field, "is not an absolute URL");
    const auto& url = *parsed;

    Endpoint ep;
    if (url.scheme_id() == boost::urls::scheme::https) {
        ep.tls = true;
    } else if (url.scheme_id() == boost::urls::scheme::http) {
        if (!allow_http)
            reject(field,
                   "is http://, which would send the credentials in clear; use https:// "
                   "(or set insecure_allow_plain_http for a local test server)");
        ep.tls = false;
    } else {
        reject(field, "must use the https scheme");
    }
    if (url.has_userinfo()) reject(field, "must not contain credentials");
    if (url.has_fragment()) reject(field, "must not have a fragment");
    if (url.host_address().empty()) reject(field, "has no host");

    ep.host = url.host_address();
    // host_address() is percent-decoded: "exa%00mple.com" would resolve as
    // "exa" while the Host header and the certificate check named the rest.
    if (has_control_character(ep.host)) reject(field, "has a control character in its host");
    ep.port = url.has_port() ? decimal_port(field, url.port()) : (ep.tls ? "443" : "80");
    ep.host_header = std::string(url.encoded_host_and_port());
    ep.target = std::string(url.encoded_target());
    if (ep.target.empty()) ep.target = "/";
    return ep;
}

Endpoint parse_base_url(const ClientConfig& config) {
    if (auto parsed = boost::urls::parse_absolute_uri(config.base_url); parsed && parsed->has_query())
        reject("base_url", "must not have a query or fragment");
    Endpoint ep = parse_origin("base_url", config.base_url, config.insecure_allow_plain_http);
    std::string path(boost::urls::parse_uri(config.base_url)->encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    ep.account_path = path + "/accounts/" + boost::urls::encode(config.account_id, boost::urls::unreserved_chars);
    ep.target.clear();
    return ep;
}

/// Exactly one kind of credentials, each complete.
bool check_credentials(const ClientConfig& config) {
    const bool basic = !config.username.empty() || !config.password.empty();
    const bool oauth = !config.client_id.empty() || !config.client_secret.empty();
    if (basic && oauth) {
        std::string given;
        for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"username", &config.username},
                                          {"password", &config.password},
                                          {"client_id", &config.client_id},
                                          {"client_secret", &config.client_secret}})
            if (!value->empty()) given += (given.empty() ? "" : ", ") + std::string(name);
        throw std::invalid_argument(
            "ClientConfig: both Basic (username/password) and OAuth 2.0 "
            "(client_id/client_secret) credentials are set (" +
            given + "); give one kind of credentials");
    }
    if (!basic && !oauth)
        throw std::invalid_argument(
            "ClientConfig: credentials are required: username and password (Basic), "
            "or client_id and client_secret (OAuth 2.0)");
    if (basic) {
        if (config.username.empty()) reject("username", "is required");
        if (config.password.empty()) reject("password", "is required");
        // A colon in the user name would make Basic credentials ambiguous (RFC 7617).
        if (config.username.find(':') != std::string::npos) reject("username", "must not contain ':'");
        if (has_line_break(config.username)) reject("username", "must not contain CR or LF");
    } else {
        if (config.client_id.empty()) reject("client_id", "is required");
        if (config.client_secret.empty()) reject("client_secret", "is required");
        // The client ID goes into HTTP Basic credentials too (RFC 6749, 2.3.1).
        if (config.client_id.find(':') != std::string::npos) reject("client_id", "must not contain ':'");
        if (has_control_character(config.client_id)) reject("client_id", "must not contain control characters");
        if (config.token_refresh_margin.count() < 0) reject("token_refresh_margin", "must not be negative");
        check_duration("token_refresh_margin", config.token_refresh_margin);
    }
    return oauth;
}

}  // namespace

Endpoints check_config(const ClientConfig& config) {
    if (config.account_id.empty()) reject("account_id", "is required");
    const bool oauth = check_credentials(config);
    if (config.pool_size < 1) reject("pool_size", "must be at least 1");
    if (config.request_timeout.count() <= 0) reject("request_timeout", "must be positive");
    if (config.connect_timeout.count() <= 0) reject("connect_timeout", "must be positive");
    if (config.handshake_timeout.count() <= 0) reject("handshake_timeout", "must be positive");
    if (config.idle_timeout.count() < 0) reject("idle_timeout", "must not be negative");
    if (config.dns_cache_ttl.count() < 0) reject("dns_cache_ttl", "must not be negative");
    if (config.retry.backoff_base.count() < 0) reject("retry.backoff_base", "must not be negative");
    check_duration("request_timeout", config.request_timeout);
    check_duration("connect_timeout", config.connect_timeout);
    check_duration("handshake_timeout", config.handshake_timeout);
    check_duration("idle_timeout", config.idle_timeout);
    check_duration("dns_cache_ttl", config.dns_cache_ttl);
    check_duration("retry.backoff_base", config.retry.backoff_base);
    check_duration("retry.backoff_cap", config.retry.backoff_cap);
    if (config.retry.backoff_cap < config.retry.backoff_base)
        reject("retry.backoff_cap", "must not be less than retry.backoff_base");
    if (config.max_body_bytes < 1) reject("max_body_bytes", "must be at least 1");
    if (config.max_header_bytes < 64) reject("max_header_bytes", "must be at least 64");
    if (has_line_break(config.user_agent)) reject("user_agent", "must not contain CR or LF");
    if (has_control_character(config.user_agent)) reject("user_agent", "must not contain control characters");
    // "." and ".." are dot-segments: servers and proxies resolve them, so the
    // request would reach another resource with the caller's credentials.
    if (config.account_id == "." || config.account_id == "..") reject("account_id", "must not be '.' or '..'");
    Endpoints eps{.api = parse_base_url(config), .token = std::nullopt};
    if (oauth) eps.token = parse_origin("token_url", config.token_url, config.insecure_allow_plain_http);
    return eps;
}

}  // namespace bwvoice::detail
