#include "auth/token_fetch.hpp"

#include "client/client_impl.hpp"
#include "common/redact.hpp"
#include "core/exchange.hpp"
#include "core/operation.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
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

/// The characters of RFC 6750's b64token and of form encoding, but '=':
/// what a token, or a piece of one, may be made of.
bool is_token_character(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) != 0 || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '+' || ch == '/' ||
           ch == '%';
}

class TokenFetch final : public Operation {
public:
    explicit TokenFetch(std::shared_ptr<ClientImpl> impl)
        : impl_(std::move(impl)), started_(std::chrono::steady_clock::now()) {}

    boost::asio::cancellation_slot slot() const noexcept override { return {}; }

    Accepted accept(std::string_view body, std::string_view) override {
        Accepted a;
        std::string why;
        if ((a.ec = parse_token_response(body, token_, why)))
            a.why = "the token endpoint's answer is not a token (" + why + "): " + token_body_excerpt(body);
        return a;
    }

    void refused(std::string_view body) override { refusal_body_ = token_body_excerpt(body); }

    void complete(error_code ec, Diagnostics diag, bool) override {
        // The broker is told on every path, or its waiters would wait until
        // their deadlines.
        auto& tokens = *impl_->tokens;
        if (!ec) {
            try {
                const auto lifetime = token_.expires_in;
                tokens.fetched(std::move(token_.access_token), lifetime);
                impl_->recorder.token_fetched();
                if (impl_->events)
                    impl_->events(
                        TokenFetched{.duration = std::chrono::steady_clock::now() - started_, .lifetime = lifetime});
                return;
            } catch (...) {
                ec = make_error_code(errc::connection_failed);
            }
        }
        const auto status = diag.http_status.value_or(0);
        // A body with neither an error nor a description (not JSON: an
        // HTML page of a proxy) is quoted instead, redacted.
        const bool explained = !diag.api_error_type.empty() || !diag.api_error_description.empty();
        const std::string details = (diag.api_error_type.empty() ? "" : ", " + diag.api_error_type) +
                                    (diag.api_error_description.empty() ? "" : ": " + diag.api_error_description) +
                                    (explained || refusal_body_.empty() ? "" : ": " + refusal_body_);
        if (refuses_credentials(status, diag.api_error_type)) {
            ec = make_error_code(errc::unauthorized);
            diag.message =
                "the token endpoint refused the client credentials (HTTP " + std::to_string(status) + details + ")";
        } else if (status == 400) {
            // unsupported_grant_type, invalid_request, invalid_scope: the
            // request's fault, not the credentials'.
            ec = make_error_code(errc::bad_request);
            diag.message = "the token endpoint refused the token request (HTTP 400" + details + ")";
        } else {
            diag.message = "no OAuth token: " + diag.message +
                           (status == 0 || explained || refusal_body_.empty() ? "" : " (body: " + refusal_body_ + ")");
        }
        // Stopped by close(): nothing was refused.
        if (to_errc(ec) != errc::cancelled) {
            impl_->recorder.token_refused();
            if (impl_->events) impl_->events(TokenRefused{.ec = ec, .status = diag.http_status});
        }
        tokens.fetch_failed(ec, diag, std::chrono::steady_clock::now());
    }

private:
    /// RFC 6749, 5.2: a refusal of the client is 401 (or 400) invalid_client;
    /// invalid_grant and unauthorized_client refuse what these credentials
    /// may do. A 400 that says nothing is taken as a refusal too.
    static bool refuses_credentials(unsigned status, std::string_view error) {
        if (status == 401 || status == 403) return true;
        return status == 400 && (error.empty() || error == "invalid_client" || error == "invalid_grant" ||
                                 error == "unauthorized_client");
    }

    std::shared_ptr<ClientImpl> impl_;
    const std::chrono::steady_clock::time_point started_;
    TokenResponse token_;
    std::string refusal_body_;
};

bool status_is_200_only(unsigned s) noexcept {
    return s == 200;
}

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
            return bad("token_type '" + std::string(std::string_view(type->get_string()).substr(0, 40)) +
                       "' is not Bearer");
    }
    out.expires_in.reset();
    if (const auto* expires = o.if_contains("expires_in"); expires && !expires->is_null()) {
        // RFC 6749 says a positive integer; servers send 3600.0 and "3600"
        // too. Past a century is a century (no clock overflow); zero or less
        // is a token already expired: it serves this fetch's waiters only.
        constexpr double century = 100.0 * 365 * 86400;
        double seconds = 0;
        if (expires->is_number())
            seconds = expires->to_number<double>();
        else if (expires->is_string() && !expires->get_string().empty() &&
                 std::all_of(expires->get_string().begin(), expires->get_string().end(),
                             [](char c) { return c >= '0' && c <= '9'; }))
            seconds = std::min(century, std::strtod(expires->get_string().c_str(), nullptr));
        else
            return bad("expires_in is not a number");
        out.expires_in = std::chrono::seconds(static_cast<std::int64_t>(std::clamp(seconds, 0.0, century)));
    }
    out.access_token = std::string(token->get_string());
    return {};
}

std::string token_body_excerpt(std::string_view body) {
    constexpr std::size_t shown = 512;
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    if (!ec && v.is_object()) {
        std::string names;
        std::size_t n = 0;
        for (const auto& field : v.get_object()) {
            if (n++ == 8) {
                names += ", ...";
                break;
            }
            names += (names.empty() ? "" : ", ") + std::string(field.key().substr(0, 40));
        }
        return names.empty() ? "an empty JSON object" : "a JSON object with the fields " + names;
    }
    if (!ec) return "JSON that is not an object";
    // Twice what is shown, so that a run that starts in the shown part is
    // seen long enough to be recognised before it is cut.
    const std::string_view window = body.substr(0, 2 * shown);
    std::string out;
    bool after_token_name = false;
    for (std::size_t i = 0; i < window.size();) {
        if (!is_token_character(window[i])) {
            const char c = window[i++];
            if (c != '"' && c != '\'' && c != '=' && c != ':' && c != ' ') after_token_name = false;
            out += std::isprint(static_cast<unsigned char>(c)) != 0 ? c : '?';
            continue;
        }
        std::size_t end = i;
        while (end < window.size() && is_token_character(window[end])) ++end;
        const std::string_view run = window.substr(i, end - i);
        if (run.size() >= 20 || after_token_name)
            out += "[redacted]";
        else
            out += run;
        after_token_name = run.size() >= 12 && run.substr(run.size() - 12) == "access_token";
        i = end;
    }
    const bool cut = body.size() > window.size() || out.size() > shown;
    if (out.size() > shown) out.resize(shown);
    if (cut) out += "...";
    return out;
}

void start_token_fetch(std::shared_ptr<ClientImpl> impl) {
    const Endpoint& ep = *impl->endpoints.token;
    Request request{.method = boost::beast::http::verb::post,
                    .target = OperationString(ep.target),
                    .content = std::make_unique<RequestContent>(RequestContent{
                        .type = "application/x-www-form-urlencoded", .body = "grant_type=client_credentials"}),
                    // Two tokens issued is harmless, so the fetch is retried
                    // like a read, within its own deadline.
                    .change = false,
                    .success = status_is_200_only,
                    .audience = Audience::token_endpoint};
    request.kind = OperationKind::token_fetch;
    auto op = std::make_unique<TokenFetch>(impl);
    start_exchange(std::move(impl), std::move(request), std::move(op));
}

}  // namespace bwvoice::detail
