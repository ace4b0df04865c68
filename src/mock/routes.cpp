// The checks every route shares, in the order the API is assumed to make
// them, and the dispatch to the route families.
#include "mock/routes.hpp"

#include <boost/json/parse.hpp>

namespace bwvoice::mock::detail {
namespace {

namespace http = boost::beast::http;

/// Checked against the same list Allow carries, so the two cannot disagree.
bool method_allowed(RouteKind kind, std::string_view method) {
    std::string_view allowed = allowed_methods(kind);
    while (!allowed.empty()) {
        const auto comma = allowed.find(", ");
        if (allowed.substr(0, comma) == method) return true;
        allowed = comma == std::string_view::npos ? std::string_view() : allowed.substr(comma + 2);
    }
    return false;
}

}  // namespace

Response json_ok(std::string body) {
    return Response{200, std::move(body), {}, std::nullopt};
}

std::variant<boost::json::object, Response> json_object_body(const Request& request) {
    if (!content_type_is(request[http::field::content_type], "application/json"))
        return error_described(415, "Content-Type must be application/json");
    boost::system::error_code ec;
    boost::json::value body = boost::json::parse(request.body(), ec);
    if (ec) return error_described(400, "The request body is not valid JSON");
    if (!body.is_object()) return error_described(400, "The request body must be a JSON object");
    return std::move(body.as_object());
}

Response handle(const Context& ctx) {
    const ServerOptions& options = ctx.state.options();
    const Route& route = ctx.route;
    if (route.kind == RouteKind::token) return token_endpoint(ctx);
    if (!api_credentials_ok(ctx)) return error_response(401, route.conference_id);
    if (route.kind == RouteKind::malformed) return error_response(400);
    if (route.kind == RouteKind::unknown) return error_response(404);
    if (!method_allowed(route.kind, ctx.request.method_string())) {
        Response response = error_response(405);
        response.headers.emplace_back("Allow", std::string(allowed_methods(route.kind)));
        return response;
    }
    if (route.account_id != options.account_id) return error_response(403);

    const bool get = ctx.request.method() == http::verb::get;
    switch (route.kind) {
    case RouteKind::list: return list_conferences(ctx);
    case RouteKind::conference: return get ? get_conference(ctx) : update_conference(ctx);
    case RouteKind::bxml: return update_conference_bxml(ctx);
    case RouteKind::member: return get ? get_member(ctx) : update_member(ctx);
    case RouteKind::recordings: return list_recordings(ctx);
    case RouteKind::recording: return get_recording(ctx);
    case RouteKind::media: return download_media(ctx);
    case RouteKind::unknown:
    case RouteKind::malformed:
    case RouteKind::token: break;
    }
    return error_response(404);
}

}  // namespace bwvoice::mock::detail
