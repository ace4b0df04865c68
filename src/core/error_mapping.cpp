#include "core/error_mapping.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace bwvoice::detail {
namespace net = boost::asio;
namespace http = boost::beast::http;

errc errc_for_status(unsigned status) noexcept {
    switch (status) {
    case 400: return errc::bad_request;
    case 401: return errc::unauthorized;
    case 403: return errc::forbidden;
    case 404: return errc::not_found;
    case 429: return errc::rate_limited;
    default: break;
    }
    // Interim responses are skipped, so a 1xx seen as final is 101 Switching
    // Protocols, which no request of ours asks for: a malformed answer.
    if (status < 200) return errc::bad_response;
    // Called for statuses that are not the operation's success: another 2xx
    // (a 204 where a body was due, a 200 for a change) is an unusable answer.
    if (status < 300) return errc::bad_response;
    if (status >= 500 && status <= 599) return errc::server_error;
    return errc::http_error;
}

errc errc_for_transport(const error_code& ec) noexcept {
    if (ec == boost::beast::error::timeout) return errc::timeout;
    if (ec.category() == make_error_code(http::error::partial_message).category()) {
        // The server hung up before or during the response: the exchange
        // failed, but no byte seen was wrong.
        if (ec == http::error::partial_message || ec == http::error::end_of_stream) return errc::connection_failed;
        // Everything else from the parser (bad status line, body or header
        // over its limit, bad chunk) means the response itself was unusable.
        return errc::bad_response;
    }
    if (ec == net::ssl::error::stream_truncated) return errc::connection_failed;
    if (ec.category() == net::error::get_ssl_category()) return errc::tls_error;
    return errc::connection_failed;
}

bool is_retryable_transport(errc code) noexcept {
    return code == errc::connection_failed;
}

bool is_stale_connection_failure(const error_code& ec, bool connection_reused, bool response_started) noexcept {
    if (!connection_reused || response_started) return false;
    return ec == net::error::eof || ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::connection_aborted || ec == net::ssl::error::stream_truncated ||
           ec == http::error::end_of_stream;
}

}  // namespace bwvoice::detail
