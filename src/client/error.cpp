// bwvoice: the error and condition categories, and the mapping of foreign
// errors (Asio, Beast, OpenSSL) onto the command-line contract's codes.
#include <bwvoice/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json/error.hpp>
#include <boost/system/errc.hpp>

#include <string>

namespace bwvoice {
namespace {

constexpr int first_errc = static_cast<int>(errc::bad_request);
constexpr int last_errc = static_cast<int>(errc::cancelled);

bool is_errc_value(int v) noexcept {
    return v >= first_errc && v <= last_errc;
}

const char* describe(errc e) noexcept {
    switch (e) {
    // Also the code of an ID the client refuses without sending anything.
    case errc::bad_request: return "bad request (HTTP 400, or refused before sending)";
    case errc::unauthorized: return "credentials or OAuth token refused (HTTP 401, or by the token endpoint)";
    case errc::forbidden: return "not allowed to use the Voice API of this account (HTTP 403)";
    case errc::not_found: return "no such conference, member or recording (HTTP 404)";
    case errc::rate_limited: return "rate limited by the API (HTTP 429)";
    case errc::server_error: return "server error (HTTP 5xx)";
    case errc::http_error: return "unexpected HTTP status";
    case errc::timeout: return "the request's deadline passed";
    case errc::connection_failed: return "connection failed or closed before a complete response";
    case errc::tls_error: return "TLS handshake failed";
    case errc::bad_response: return "malformed or unexpected response";
    case errc::cancelled: return "cancelled";
    }
    return "unknown bwvoice error";
}

class client_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "bwvoice"; }
    std::string message(int ev) const override { return describe(static_cast<errc>(ev)); }
    // Boost.System's char-buffer overload lets message() be used without allocating.
    const char* message(int ev, char*, std::size_t) const noexcept override { return describe(static_cast<errc>(ev)); }
};

bool is_cancellation(const error_code& ec) noexcept {
    // On POSIX operation_aborted is ECANCELED in the system category; the
    // generic comparison also catches a wrapped std::errc::operation_canceled.
    return ec == boost::asio::error::operation_aborted || ec == boost::system::errc::operation_canceled;
}

bool is_own(const error_code& ec, errc e) noexcept {
    return ec.category() == client_category() && ec.value() == static_cast<int>(e);
}

bool is_retryable(const error_code& ec) noexcept {
    return is_own(ec, errc::rate_limited) || is_own(ec, errc::server_error) || is_own(ec, errc::connection_failed) ||
           is_own(ec, errc::timeout);
}

class condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "bwvoice.condition"; }

    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::cancelled: return "cancelled";
        case condition::timeout: return "timed out";
        case condition::retryable: return "worth retrying later";
        }
        return "unknown bwvoice condition";
    }

    bool equivalent(const error_code& ec, int cond) const noexcept override {
        switch (static_cast<condition>(cond)) {
        case condition::cancelled: return is_own(ec, errc::cancelled) || is_cancellation(ec);
        case condition::timeout: return is_own(ec, errc::timeout);
        case condition::retryable: return is_retryable(ec);
        }
        return false;
    }
};

bool is_tls_category(const boost::system::error_category& cat) noexcept {
    return cat == boost::asio::error::get_ssl_category() || cat == boost::asio::ssl::error::get_stream_category();
}

// Beast's HTTP parser errors: a peer that hangs up mid-message is a failed
// connection, everything else means the bytes were not acceptable HTTP.
errc from_http_parser(const error_code& ec) noexcept {
    namespace http = boost::beast::http;
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return errc::connection_failed;
    return errc::bad_response;
}

}  // namespace

const boost::system::error_category& client_category() noexcept {
    static const client_category_impl instance;
    return instance;
}

const boost::system::error_category& condition_category() noexcept {
    static const condition_category_impl instance;
    return instance;
}

std::string_view to_string(errc e) noexcept {
    switch (e) {
    case errc::bad_request: return "bad_request";
    case errc::unauthorized: return "unauthorized";
    case errc::forbidden: return "forbidden";
    case errc::not_found: return "not_found";
    case errc::rate_limited: return "rate_limited";
    case errc::server_error: return "server_error";
    case errc::http_error: return "http_error";
    case errc::timeout: return "timeout";
    case errc::connection_failed: return "connection_failed";
    case errc::tls_error: return "tls_error";
    case errc::bad_response: return "bad_response";
    case errc::cancelled: return "cancelled";
    }
    return "unknown";
}

errc to_errc(const error_code& ec) noexcept {
    const auto& cat = ec.category();
    if (cat == client_category() && is_errc_value(ec.value())) return static_cast<errc>(ec.value());
    if (is_cancellation(ec)) return errc::cancelled;
    if (ec == boost::beast::error::timeout || ec == boost::asio::error::timed_out) return errc::timeout;
    // A TLS stream cut short is a peer hanging up mid-response, not a failed handshake.
    if (ec == boost::asio::ssl::error::stream_truncated) return errc::connection_failed;
    if (is_tls_category(cat)) return errc::tls_error;
    if (cat == make_error_code(boost::beast::http::error::bad_target).category()) return from_http_parser(ec);
    if (cat == make_error_code(boost::json::error::syntax).category()) return errc::bad_response;
    return errc::connection_failed;
}

}  // namespace bwvoice
