// A plain Beast HTTPS client for the mock's OAuth tests (not the bwvoice
// library, whose OAuth is what those tests are for): one TLS connection,
// requests with a deadline, and a token request as client libraries send it.
#ifndef BWVOICE_TEST_INTEGRATION_OAUTH_TEST_CLIENT_HPP
#define BWVOICE_TEST_INTEGRATION_OAUTH_TEST_CLIENT_HPP

#include "mock/token_authority.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace oauth_test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

inline constexpr const char* kClientId = "oauth-client-7";
// Distinctive, so that a test can look for it in whatever the server sends.
inline constexpr const char* kSecret = "s3cret-never-echoed-4b1d";
inline constexpr const char* kForm = "application/x-www-form-urlencoded";
inline const std::string kConference = "/api/v2/accounts/9900000/conferences/conf-1";

inline std::string basic(const std::string& user, const std::string& password) {
    const std::string plain = user + ":" + password;
    std::string encoded(beast::detail::base64::encoded_size(plain.size()), '\0');
    encoded.resize(beast::detail::base64::encode(encoded.data(), plain.data(), plain.size()));
    return "Basic " + encoded;
}

inline const std::string kClientAuth = basic(kClientId, kSecret);

struct Reply {
    beast::error_code ec;
    http::response<http::string_body> response;

    unsigned status() const { return response.result_int(); }
    json::value json() const { return json::parse(response.body()); }
};

/// One TLS connection verifying the mock's CA. Requests have a deadline, so a
/// test of a silent or stalled server ends with an error instead of hanging.
class Client {
public:
    Client(std::uint16_t port, const std::string& ca_pem) : host_("localhost:" + std::to_string(port)) {
        ctx_.add_certificate_authority(asio::buffer(ca_pem));
        ctx_.set_verify_mode(ssl::verify_peer);
        stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, ctx_);
        stream_->set_verify_callback(ssl::host_name_verification("localhost"));
        SSL_set_tlsext_host_name(stream_->native_handle(), "localhost");
        beast::get_lowest_layer(*stream_).connect({asio::ip::make_address("127.0.0.1"), port});
        stream_->handshake(ssl::stream_base::client);
    }

    Reply send(http::verb method, const std::string& target, const std::string& auth,
               const std::string& content_type = {}, const std::string& body = {},
               std::chrono::milliseconds deadline = 10s) {
        http::request<http::string_body> request{method, target, 11};
        request.set(http::field::host, host_);
        if (!auth.empty()) request.set(http::field::authorization, auth);
        if (!content_type.empty()) request.set(http::field::content_type, content_type);
        request.body() = body;
        request.prepare_payload();
        Reply reply;
        beast::get_lowest_layer(*stream_).expires_after(deadline);
        http::async_write(*stream_, request, [&](beast::error_code ec, std::size_t) {
            if (ec) {
                reply.ec = ec;
                return;
            }
            http::async_read(*stream_, buffer_, reply.response,
                             [&](beast::error_code read_ec, std::size_t) { reply.ec = read_ec; });
        });
        ioc_.restart();
        ioc_.run();
        return reply;
    }

    /// What a client library sends for a token.
    Reply post_token(const std::string& auth = kClientAuth, const std::string& content_type = kForm,
                     const std::string& body = "grant_type=client_credentials",
                     std::chrono::milliseconds deadline = 10s) {
        return send(http::verb::post, bwvoice::mock::kTokenPath, auth, content_type, body, deadline);
    }

    Reply get(const std::string& target, const std::string& auth) { return send(http::verb::get, target, auth); }

private:
    asio::io_context ioc_;
    ssl::context ctx_{ssl::context::tls_client};
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream_;
    beast::flat_buffer buffer_;
    std::string host_;
};

inline std::string bearer(const std::string& token) {
    return "Bearer " + token;
}

}  // namespace oauth_test

#endif
