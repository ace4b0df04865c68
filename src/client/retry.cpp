#include "client/retry.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>

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
    if (status >= 500 && status <= 599) return errc::server_error;
    return errc::http_error;
}

bool is_retryable_status(unsigned status) noexcept {
    return status == 429 || status == 502 || status == 503 || status == 504;
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

namespace {

std::optional<int> month_number(std::string_view m) {
    static constexpr const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i)
        if (m == names[i]) return i + 1;
    return std::nullopt;
}

template <class Int>
bool read_int(std::string_view s, Int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (the only form senders may use, RFC 9110 5.6.7).
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view v) {
    if (v.size() != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' ||
        v[19] != ':' || v[22] != ':' || v.substr(25) != " GMT")
        return std::nullopt;
    unsigned day = 0, hour = 0, minute = 0, second = 0;
    int year = 0;
    auto month = month_number(v.substr(8, 3));
    if (!month || !read_int(v.substr(5, 2), day) || !read_int(v.substr(12, 4), year) ||
        !read_int(v.substr(17, 2), hour) || !read_int(v.substr(20, 2), minute) ||
        !read_int(v.substr(23, 2), second))
        return std::nullopt;
    using namespace std::chrono;
    year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(*month)},
                       std::chrono::day{day}};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    return sys_seconds{sys_days{ymd}} + hours{hour} + minutes{minute} + seconds{second};
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) noexcept {
    using namespace std::chrono;
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (value.front() >= '0' && value.front() <= '9') {
        std::uint64_t secs = 0;
        if (!read_int(value, secs)) return std::nullopt;
        // Clamp absurd values; the lookup deadline bounds the wait anyway.
        secs = std::min<std::uint64_t>(secs, 86'400 * 365);
        return milliseconds{static_cast<std::int64_t>(secs) * 1000};
    }
    auto when = parse_http_date(value);
    if (!when) return std::nullopt;
    // In seconds: system_clock's nanoseconds cannot hold years far from now
    // (a server may send any year), and converting would overflow.
    const auto now_s = floor<seconds>(now);
    if (*when <= now_s) return milliseconds{0};
    const auto ahead = std::min(*when - now_s, seconds{86'400LL * 365});
    return duration_cast<milliseconds>(ahead);
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, unsigned retry_index, double unit_random) noexcept {
    using rep = std::chrono::milliseconds::rep;
    const rep base = policy.backoff_base.count();
    const rep cap = policy.backoff_cap.count();
    rep ceiling = base;
    for (unsigned i = 0; i < retry_index && ceiling < cap; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, cap);
    if (!policy.jitter) return std::chrono::milliseconds{ceiling};
    unit_random = std::clamp(unit_random, 0.0, 1.0);
    return std::chrono::milliseconds{static_cast<rep>(static_cast<double>(ceiling) * unit_random)};
}

}  // namespace bwvoice::detail
