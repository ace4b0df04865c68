#include "auth/token_fetch.hpp"

#include "client/client_impl.hpp"
#include "core/exchange.hpp"
#include "core/operation.hpp"
#include "core/redact.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <limits>

namespace bwvoice::detail {
namespace {

bool is_header_safe(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c > 0x20 && c < 0x7f;  // visible ASCII: RFC 6750's b64token and more, no spaces
    });
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

/// What the caller may see of a body that is not a token response: its
/// start, with any access_token it holds taken out.
std::string body_excerpt(std::string_view body) {
    std::string text(body.substr(0, 512));
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    if (!ec && v.is_object())
        if (const auto* t = v.get_object().if_contains("access_token"); t && t->is_string())
            redact(text, {std::string_view(t->get_string())});
    if (body.size() > 512) text += "...";
    return text;
}

class TokenFetch final : public Operation {
public:
    explicit TokenFetch(std::shared_ptr<ClientImpl> impl) : impl_(std::move(impl)) {}

    boost::asio::cancellation_slot slot() const noexcept override { return {}; }

    Accepted accept(std::string_view body, std::string_view) override {
        Accepted a;
        std::string why;
        if ((a.ec = parse_token_response(body, token_, why)))
            a.why = "the token endpoint's answer is not a token (" + why + "): " + body_excerpt(body);
        return a;
    }

    void complete(error_code ec, Diagnostics diag, bool) override {
        // The broker is told on every path, or its waiters would wait until
        // their deadlines.
        auto& tokens = *impl_->tokens;
        if (!ec) {
            try {
                tokens.fetched(std::move(token_.access_token), token_.expires_in);
                return;
            } catch (...) {
                ec = make_error_code(errc::connection_failed);
            }
        }
        const auto status = diag.http_status.value_or(0);
        if (status == 400 || status == 401 || status == 403) {
            // invalid_client, unauthorized_client, ...: the credentials are
            // refused (RFC 6749, 5.2 answers 400 or 401).
            ec = make_error_code(errc::unauthorized);
            diag.message = "the token endpoint refused the client credentials (HTTP " + std::to_string(status) +
                           (diag.api_error_type.empty() ? "" : ", " + diag.api_error_type) +
                           (diag.api_error_description.empty() ? "" : ": " + diag.api_error_description) + ")";
        } else {
            diag.message = "no OAuth token: " + diag.message;
        }
        try {
            tokens.fetch_failed(ec, diag, std::chrono::steady_clock::now());
        } catch (...) {
            // Out of memory copying the diagnostics: the waiters still learn
            // the error.
            tokens.fetch_failed(ec, Diagnostics{}, std::chrono::steady_clock::now());
        }
    }

private:
    std::shared_ptr<ClientImpl> impl_;
    TokenResponse token_;
};

bool status_is_200_only(unsigned s) noexcept { return s == 200; }

}  // namespace

error_code parse_token_response(std::string_view body, TokenResponse& out, std::string& why) {
    const auto bad = [&](std::string text) {
        why = std::move(text);
        return make_error_code(errc::bad_response);
    };
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    if (ec) return bad("not JSON");
    if (!v.is_object()) return bad("not a JSON object");
    const auto& o = v.get_object();
    const auto* token = o.if_contains("access_token");
    if (!token) return bad("no access_token");
    if (!token->is_string() || token->get_string().empty()) return bad("access_token is not a non-empty string");
    if (!is_header_safe(token->get_string())) return bad("access_token has characters a header cannot carry");
    if (const auto* type = o.if_contains("token_type")) {
        if (!type->is_string()) return bad("token_type is not a string");
        if (!equals_ignoring_case(type->get_string(), "bearer"))
            return bad("token_type '" + std::string(std::string_view(type->get_string()).substr(0, 40)) + "' is not Bearer");
    }
    out.expires_in.reset();
    if (const auto* expires = o.if_contains("expires_in"); expires && !expires->is_null()) {
        if (expires->is_int64() && expires->get_int64() >= 0)
            out.expires_in = std::chrono::seconds(std::min<std::int64_t>(expires->get_int64(), 100LL * 365 * 86400));
        else if (expires->is_uint64())
            out.expires_in = std::chrono::seconds(100LL * 365 * 86400);
        else
            return bad("expires_in is not a non-negative integer");
    }
    out.access_token = std::string(token->get_string());
    return {};
}

void start_token_fetch(std::shared_ptr<ClientImpl> impl) {
    const Endpoint& ep = *impl->endpoints.token;
    Request request{.method = boost::beast::http::verb::post,
                    .target = ep.target,
                    .content_type = "application/x-www-form-urlencoded",
                    .body = "grant_type=client_credentials",
                    // Two tokens issued is harmless, so the fetch is retried
                    // like a read, within its own deadline.
                    .change = false,
                    .success = status_is_200_only,
                    .audience = Audience::token_endpoint};
    auto op = std::make_unique<TokenFetch>(impl);
    start_exchange(std::move(impl), std::move(request), std::move(op));
}

}  // namespace bwvoice::detail
