// OAuth 2.0: the token endpoint (client credentials grant, RFC 6749 §4.4) and
// the Bearer check of the API paths (RFC 6750 §2.1). Neither ever echoes a
// client secret or a token in what it sends back.
#include "mock/routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

namespace bwvoice::mock::detail {
namespace {

namespace http = boost::beast::http;

/// RFC 6749 §5.2's error response. No-store like a success: neither may be cached.
Response token_error(unsigned status, std::string_view error, std::string_view description) {
    boost::json::object body;
    body["error"] = error;
    if (!description.empty()) body["error_description"] = description;
    Response response{status, boost::json::serialize(body), {}, std::nullopt};
    response.headers.emplace_back("Cache-Control", "no-store");
    response.headers.emplace_back("Pragma", "no-cache");
    // §5.2: a client that authenticated with the Authorization header gets a
    // challenge with its 401.
    if (status == 401) response.headers.emplace_back("WWW-Authenticate", R"(Basic realm="bwvoice-mock")");
    return response;
}

/// The grant_type of a form body, decoded ('+' is a space, %XX escapes);
/// nullopt unless the body is a valid form with exactly one grant_type.
std::optional<std::string> grant_type_of(std::string_view form) {
    // Validated first: the constructor below throws on what parse_query rejects.
    // (Boost 1.81 declares params_view(params_view, encoding_opts) but does not define it.)
    if (!boost::urls::parse_query(form)) return std::nullopt;
    const boost::urls::params_view params(form, boost::urls::encoding_opts(/*space_as_plus=*/true));
    std::optional<std::string> grant;
    for (const auto& param : params) {
        if (param.key != "grant_type") continue;
        // RFC 6749 §3.2: a parameter sent more than once is an invalid request.
        if (grant) return std::nullopt;
        grant = param.value;
    }
    return grant;
}

/// The token of "Bearer <token>" (scheme in any case; "" for a bare "Bearer",
/// whose trailing space the parser trims); nullopt for any other scheme.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
    const auto space = authorization.find(' ');
    if (!iequals(authorization.substr(0, space), "Bearer")) return std::nullopt;
    std::string_view token = space == std::string_view::npos ? std::string_view() : authorization.substr(space + 1);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    return token;
}

}  // namespace

Response token_error_response(unsigned status) {
    switch (status) {
    case 400: return token_error(status, "invalid_request", {});
    case 401: return token_error(status, "invalid_client", "Client authentication failed");
    case 429: return token_error(status, "slow_down", {});
    case 503: return token_error(status, "temporarily_unavailable", {});
    default: return token_error(status, status >= 500 ? "server_error" : "invalid_request", {});
    }
}

Response token_endpoint(const Context& ctx) {
    const ServerOptions& options = ctx.state.options();
    TokenAuthority* authority = ctx.state.authority().get();
    if (authority == nullptr || !options.token_endpoint) return error_response(404);
    const Request& request = ctx.request;
    if (request.method() != http::verb::post) {
        Response response = token_error(405, "invalid_request", "The token endpoint takes POST");
        response.headers.emplace_back("Allow", std::string(allowed_methods(RouteKind::token)));
        return response;
    }
    // The client first (§5.2 puts invalid_client before the request's own faults).
    if (!authority->accepts_client(request[http::field::authorization]))
        return token_error(401, "invalid_client", "Client authentication failed");
    if (!content_type_is(request[http::field::content_type], "application/x-www-form-urlencoded"))
        return token_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    const std::optional<std::string> grant = grant_type_of(request.body());
    if (!grant) return token_error(400, "invalid_request", "The body must be a form with one grant_type");
    if (*grant != "client_credentials")
        return token_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported");

    const TokenAuthority::Issued issued = authority->issue();
    boost::json::object body;
    body["access_token"] = issued.access_token;
    body["token_type"] = "Bearer";
    if (issued.expires_in) body["expires_in"] = issued.expires_in->count();
    Response response = json_ok(boost::json::serialize(body));
    response.headers.emplace_back("Cache-Control", "no-store");
    response.headers.emplace_back("Pragma", "no-cache");
    return response;
}

bool api_credentials_ok(const Context& ctx) {
    const ServerOptions& options = ctx.state.options();
    const std::string_view authorization = ctx.request[http::field::authorization];
    if (options.accept_basic && basic_credentials_match(authorization, options.username, options.password)) return true;
    const auto token = bearer_token(authorization);
    if (!token) return false;
    const TokenAuthority* authority = ctx.state.authority().get();
    if (authority != nullptr && !token->empty() && authority->valid(*token)) return true;
    ctx.state.bearer_rejected();
    return false;
}

}  // namespace bwvoice::mock::detail
