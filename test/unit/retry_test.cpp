// The retry policy's decisions, with no I/O.
#include "core/error_mapping.hpp"
#include "core/retry_policy.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/test/unit_test.hpp>

using namespace bwvoice;
using namespace bwvoice::detail;
using namespace std::chrono;
namespace net = boost::asio;
namespace http = boost::beast::http;

BOOST_AUTO_TEST_SUITE(retry)

BOOST_AUTO_TEST_CASE(statuses_map_to_the_contract_codes) {
    BOOST_TEST((errc_for_status(400) == errc::bad_request));
    BOOST_TEST((errc_for_status(401) == errc::unauthorized));
    BOOST_TEST((errc_for_status(403) == errc::forbidden));
    BOOST_TEST((errc_for_status(404) == errc::not_found));
    BOOST_TEST((errc_for_status(429) == errc::rate_limited));
    for (unsigned s : {500u, 502u, 503u, 504u, 599u}) BOOST_TEST((errc_for_status(s) == errc::server_error));
    for (unsigned s : {301u, 302u, 304u, 405u, 409u, 415u, 418u, 600u})
        BOOST_TEST((errc_for_status(s) == errc::http_error));
    for (unsigned s : {100u, 101u, 103u, 199u, 200u, 201u, 204u, 299u})
        BOOST_TEST((errc_for_status(s) == errc::bad_response));
}

BOOST_AUTO_TEST_CASE(only_429_and_502_to_504_are_retryable) {
    for (unsigned s = 100; s < 600; ++s)
        BOOST_TEST(is_retryable_status(s) == (s == 429 || s == 502 || s == 503 || s == 504), s);
}

BOOST_AUTO_TEST_CASE(transport_errors_are_classified) {
    BOOST_TEST((errc_for_transport(net::error::connection_refused) == errc::connection_failed));
    BOOST_TEST((errc_for_transport(net::error::connection_reset) == errc::connection_failed));
    BOOST_TEST((errc_for_transport(http::error::end_of_stream) == errc::connection_failed));
    BOOST_TEST((errc_for_transport(http::error::partial_message) == errc::connection_failed));
    BOOST_TEST((errc_for_transport(net::ssl::error::stream_truncated) == errc::connection_failed));
    BOOST_TEST((errc_for_transport(http::error::body_limit) == errc::bad_response));
    BOOST_TEST((errc_for_transport(http::error::header_limit) == errc::bad_response));
    BOOST_TEST((errc_for_transport(http::error::bad_version) == errc::bad_response));
    BOOST_TEST((errc_for_transport(error_code(0x14000086, net::error::get_ssl_category())) == errc::tls_error));
    BOOST_TEST(is_retryable_transport(errc::connection_failed));
    BOOST_TEST(!is_retryable_transport(errc::tls_error));
    BOOST_TEST(!is_retryable_transport(errc::bad_response));
}

BOOST_AUTO_TEST_CASE(stale_resend_only_on_reused_connections_before_any_response_byte) {
    BOOST_TEST(is_stale_connection_failure(http::error::end_of_stream, true, false));
    BOOST_TEST(is_stale_connection_failure(net::error::connection_reset, true, false));
    BOOST_TEST(is_stale_connection_failure(net::error::broken_pipe, true, false));
    BOOST_TEST(!is_stale_connection_failure(http::error::end_of_stream, false, false));  // fresh: could loop
    BOOST_TEST(!is_stale_connection_failure(http::error::partial_message, true, true));  // server answered
    BOOST_TEST(!is_stale_connection_failure(net::error::connection_reset, true, true));
    BOOST_TEST(!is_stale_connection_failure(http::error::bad_version, true, false));
}

BOOST_AUTO_TEST_CASE(retry_after_seconds_and_dates) {
    const auto now = sys_days{2026y / November / 29} + 12h;
    BOOST_TEST(parse_retry_after("0", now).value() == milliseconds(0));
    BOOST_TEST(parse_retry_after("2", now).value() == milliseconds(2000));
    BOOST_TEST(parse_retry_after(" 17 ", now).value() == milliseconds(17000));
    BOOST_TEST(parse_retry_after("Sun, 29 Nov 2026 12:00:05 GMT", now).value() == milliseconds(5000));
    BOOST_TEST(parse_retry_after("Sun, 29 Nov 2026 11:00:00 GMT", now).value() == milliseconds(0));
    // Years far outside system_clock's nanosecond range (found by fuzzing).
    BOOST_TEST(parse_retry_after("Sun, 06 Nov 0997 08:49:37 GMT", now).value() == milliseconds(0));
    BOOST_TEST(parse_retry_after("Sun, 06 Nov 3988 08:49:37 GMT", now).value() == milliseconds(86'400'000LL * 365));
    for (const char* bad : {"", "-1", "1.5", "soon", "Sun, 29 Nov 2026 12:00:05 UTC", "Sun, 31 Nov 2026 12:00:05 GMT",
                            "Sunday, 29-Nov-26 12:00:05 GMT", "99999999999999999999999"})
        BOOST_TEST(!parse_retry_after(bad, now).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(backoff_is_full_jitter_under_an_exponential_cap) {
    RetryPolicy p;
    p.backoff_base = milliseconds(100);
    p.backoff_cap = milliseconds(1000);
    BOOST_TEST(backoff_delay(p, 0, 0.999).count() <= 100);
    BOOST_TEST(backoff_delay(p, 3, 0.999).count() <= 800);
    BOOST_TEST(backoff_delay(p, 3, 0.999).count() >= 790);
    BOOST_TEST(backoff_delay(p, 10, 0.999).count() <= 1000);
    BOOST_TEST(backoff_delay(p, 40, 0.5).count() == 500);
    BOOST_TEST(backoff_delay(p, 2, 0.0).count() == 0);
    p.jitter = false;
    BOOST_TEST(backoff_delay(p, 1, 0.0).count() == 200);
}

BOOST_AUTO_TEST_SUITE_END()
