// The error codes are part of the command-line contract: their spellings,
// their grouping into conditions and the mapping of foreign errors.
#include <bwvoice/error.hpp>
#include <bwvoice/error_with_diagnostics.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json/error.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <set>
#include <string>
#include <system_error>
#include <utility>

namespace {

using bwvoice::condition;
using bwvoice::errc;
using bwvoice::error_code;

const std::array<std::pair<errc, std::string_view>, 12> all_codes{{
    {errc::bad_request, "bad_request"},
    {errc::unauthorized, "unauthorized"},
    {errc::forbidden, "forbidden"},
    {errc::not_found, "not_found"},
    {errc::rate_limited, "rate_limited"},
    {errc::server_error, "server_error"},
    {errc::http_error, "http_error"},
    {errc::timeout, "timeout"},
    {errc::connection_failed, "connection_failed"},
    {errc::tls_error, "tls_error"},
    {errc::bad_response, "bad_response"},
    {errc::cancelled, "cancelled"},
}};

bool is_retryable_code(errc e) {
    return e == errc::rate_limited || e == errc::server_error || e == errc::connection_failed || e == errc::timeout;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(category_names) {
    BOOST_TEST(std::string(bwvoice::client_category().name()) == "bwvoice");
    BOOST_TEST(std::string(bwvoice::condition_category().name()) == "bwvoice.condition");
    BOOST_TEST(!(bwvoice::client_category() == bwvoice::condition_category()));
}

BOOST_AUTO_TEST_CASE(codes_use_the_client_category) {
    for (const auto& [e, name] : all_codes) {
        const error_code ec = e;
        BOOST_TEST((ec.category() == bwvoice::client_category()));
        BOOST_TEST(ec.value() == static_cast<int>(e));
        BOOST_TEST(static_cast<bool>(ec));
    }
}

BOOST_AUTO_TEST_CASE(every_code_has_its_own_short_message) {
    std::set<std::string> seen;
    for (const auto& [e, name] : all_codes) {
        const std::string text = error_code(e).message();
        BOOST_TEST_INFO("code " << name);
        BOOST_TEST(!text.empty());
        BOOST_TEST(text.size() < 80u);
        BOOST_TEST(text.find("unknown") == std::string::npos);
        BOOST_TEST(seen.insert(text).second);
    }
    BOOST_TEST(!bwvoice::client_category().message(0).empty());
    BOOST_TEST(!bwvoice::client_category().message(999).empty());
}

// The codes cover conferences, members and recordings, reads and changes:
// the messages say so instead of naming conferences or lookups only.
BOOST_AUTO_TEST_CASE(messages_cover_every_resource_and_every_kind_of_operation) {
    const std::string not_found = error_code(errc::not_found).message();
    for (const char* what : {"conference", "member", "recording"})
        BOOST_TEST(not_found.find(what) != std::string::npos, not_found << " (" << what << ")");
    BOOST_TEST(error_code(errc::unauthorized).message().find("OAuth") != std::string::npos);
    for (const auto& [e, name] : all_codes) {
        const std::string text = error_code(e).message();
        BOOST_TEST(text.find("lookup") == std::string::npos, name << ": " << text);
    }
}

BOOST_AUTO_TEST_CASE(to_string_gives_the_contract_spelling) {
    for (const auto& [e, name] : all_codes) BOOST_TEST(bwvoice::to_string(e) == name);
    BOOST_TEST(bwvoice::to_string(static_cast<errc>(0)) == "unknown");
    BOOST_TEST(bwvoice::to_string(static_cast<errc>(13)) == "unknown");
    BOOST_TEST(bwvoice::to_string(static_cast<errc>(-1)) == "unknown");
}

BOOST_AUTO_TEST_CASE(condition_messages) {
    for (auto c : {condition::cancelled, condition::timeout, condition::retryable}) {
        const auto cond = bwvoice::make_error_condition(c);
        BOOST_TEST((cond.category() == bwvoice::condition_category()));
        BOOST_TEST(!cond.message().empty());
    }
}

BOOST_AUTO_TEST_CASE(cancelled_condition) {
    BOOST_TEST((error_code(errc::cancelled) == condition::cancelled));
    const error_code aborted = boost::asio::error::operation_aborted;
    BOOST_TEST((aborted == condition::cancelled));
    BOOST_TEST((error_code(make_error_code(boost::system::errc::operation_canceled)) == condition::cancelled));
    const error_code from_std = std::make_error_code(std::errc::operation_canceled);
    BOOST_TEST((from_std == condition::cancelled));

    for (const auto& [e, name] : all_codes)
        if (e != errc::cancelled) BOOST_TEST((error_code(e) != condition::cancelled), name);
    BOOST_TEST((error_code(boost::asio::error::connection_reset) != condition::cancelled));
    BOOST_TEST((error_code() != condition::cancelled));
}

BOOST_AUTO_TEST_CASE(timeout_condition) {
    for (const auto& [e, name] : all_codes)
        BOOST_TEST((error_code(e) == condition::timeout) == (e == errc::timeout), name);
    BOOST_TEST((error_code(boost::asio::error::operation_aborted) != condition::timeout));
}

BOOST_AUTO_TEST_CASE(retryable_condition) {
    for (const auto& [e, name] : all_codes)
        BOOST_TEST((error_code(e) == condition::retryable) == is_retryable_code(e), name);
    BOOST_TEST((error_code(boost::asio::error::operation_aborted) != condition::retryable));
    BOOST_TEST((error_code() != condition::retryable));
}

BOOST_AUTO_TEST_CASE(to_errc_maps_own_codes_to_themselves) {
    for (const auto& [e, name] : all_codes) BOOST_TEST((bwvoice::to_errc(e) == e), name);
}

BOOST_AUTO_TEST_CASE(to_errc_maps_cancellation) {
    BOOST_TEST((bwvoice::to_errc(boost::asio::error::operation_aborted) == errc::cancelled));
    BOOST_TEST((bwvoice::to_errc(make_error_code(boost::system::errc::operation_canceled)) == errc::cancelled));
    BOOST_TEST((bwvoice::to_errc(std::make_error_code(std::errc::operation_canceled)) == errc::cancelled));
}

BOOST_AUTO_TEST_CASE(to_errc_maps_timeouts) {
    BOOST_TEST((bwvoice::to_errc(boost::beast::error::timeout) == errc::timeout));
    BOOST_TEST((bwvoice::to_errc(boost::asio::error::timed_out) == errc::timeout));
}

BOOST_AUTO_TEST_CASE(to_errc_maps_tls_failures) {
    // An OpenSSL error number in Asio's ssl category (here: certificate verify failed).
    const error_code verify_failed(0x0A000086, boost::asio::error::get_ssl_category());
    BOOST_TEST((bwvoice::to_errc(verify_failed) == errc::tls_error));
    BOOST_TEST((bwvoice::to_errc(boost::asio::ssl::error::unexpected_result) == errc::tls_error));
    // A TLS stream cut short is the peer hanging up, not a handshake failure.
    BOOST_TEST((bwvoice::to_errc(boost::asio::ssl::error::stream_truncated) == errc::connection_failed));
}

BOOST_AUTO_TEST_CASE(to_errc_maps_socket_failures) {
    for (const error_code ec :
         {error_code(boost::asio::error::connection_refused), error_code(boost::asio::error::connection_reset),
          error_code(boost::asio::error::host_not_found), error_code(boost::asio::error::eof),
          error_code(boost::asio::error::broken_pipe)})
        BOOST_TEST((bwvoice::to_errc(ec) == errc::connection_failed), ec.message());
}

BOOST_AUTO_TEST_CASE(to_errc_maps_http_parser_errors) {
    namespace http = boost::beast::http;
    BOOST_TEST((bwvoice::to_errc(http::error::end_of_stream) == errc::connection_failed));
    BOOST_TEST((bwvoice::to_errc(http::error::partial_message) == errc::connection_failed));
    BOOST_TEST((bwvoice::to_errc(http::error::bad_version) == errc::bad_response));
    BOOST_TEST((bwvoice::to_errc(http::error::body_limit) == errc::bad_response));
    BOOST_TEST((bwvoice::to_errc(http::error::bad_chunk) == errc::bad_response));
    BOOST_TEST((bwvoice::to_errc(boost::json::error::syntax) == errc::bad_response));
}

BOOST_AUTO_TEST_CASE(error_with_diagnostics_says_it_all_on_one_line) {
    bwvoice::Diagnostics d;
    d.http_status = 404;
    d.api_error_type = "validation\r\nX-Injected: 1";
    d.api_error_description = "Conference [c]\nnot found\x1b[31m";
    const bwvoice::error_with_diagnostics e(errc::not_found, d);
    const std::string what = e.what();
    BOOST_TEST(what.find("HTTP 404") != std::string::npos, what);
    BOOST_TEST(what.find("not found") != std::string::npos, what);
    BOOST_TEST(what.find_first_of("\r\n\x1b") == std::string::npos, what);
    BOOST_TEST(e.diagnostics().api_error_description == d.api_error_description);  // kept as received
    BOOST_TEST((e.code() == errc::not_found));
}

BOOST_AUTO_TEST_SUITE_END()
