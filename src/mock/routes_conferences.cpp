// listConferences, getConference, updateConference, updateConferenceBxml.
#include "mock/routes.hpp"

#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

namespace bwvoice::mock::detail {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

Response no_content() {
    return Response{204, {}, {}, std::nullopt};
}

/// scheme://host[:port] for the Link URL: the one the client used (its Host
/// header), so that a client which checks that the next page is on the same
/// origin as its base URL accepts it whichever name it used for us.
std::string link_origin(const Context& ctx) {
    const ServerOptions& options = ctx.state.options();
    if (!options.link_origin.empty()) return options.link_origin;
    const std::string_view host = ctx.request[http::field::host];
    if (host.empty()) return ctx.state.origin();
    return std::string(ctx.tls ? "https://" : "http://") + std::string(host);
}

/// Characters, not bytes, as JSON Schema's maxLength counts them.
std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

bool present(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && !v->is_null();
}

/// Why an updateConference body breaks the schema or the rules between its
/// fields, or "" if it does not. Values are never quoted: some are passwords.
std::string update_problem(const json::object& body) {
    for (const char* key : {"status", "redirectUrl", "redirectMethod", "redirectFallbackUrl", "redirectFallbackMethod",
                            "username", "password", "fallbackUsername", "fallbackPassword"}) {
        const auto* v = body.if_contains(key);
        if (v != nullptr && !v->is_null() && !v->is_string()) return std::string(key) + " must be a string";
    }
    const auto text = [&](std::string_view key) {
        return present(body, key) ? std::string_view(body.at(key).get_string()) : std::string_view();
    };
    if (present(body, "status") && text("status") != "active" && text("status") != "completed")
        return "status must be active or completed";
    for (const char* key : {"redirectMethod", "redirectFallbackMethod"})
        if (present(body, key) && text(key) != "GET" && text(key) != "POST")
            return std::string(key) + " must be GET or POST";
    for (const char* key : {"redirectUrl", "redirectFallbackUrl"})
        if (present(body, key) && !boost::urls::parse_absolute_uri(text(key)))
            return std::string(key) + " must be an absolute URI";
    for (const char* key : {"username", "password", "fallbackUsername", "fallbackPassword"})
        if (present(body, key) && utf8_length(text(key)) > 1024)
            return std::string(key) + " must be at most 1024 characters";

    if (text("status") == "completed") {
        for (const char* key : {"redirectUrl", "redirectMethod", "redirectFallbackUrl"})
            if (present(body, key)) return std::string(key) + " is not allowed when status is completed";
    } else if (!present(body, "redirectUrl")) {
        return "redirectUrl is required when status is active";
    }
    return "";
}

}  // namespace

Response list_conferences(const Context& ctx) {
    const auto query = parse_list_query(ctx.request.target(), ctx.state.options().default_page_size);
    if (const auto* problem = std::get_if<std::string>(&query)) return error_described(400, *problem);
    const ConferenceStore::Page page = ctx.state.store().list(std::get<ListQuery>(query));
    Response response = json_ok(page.body);
    if (page.next) {
        const std::string url = next_page_url(link_origin(ctx), ctx.request.target(), encode_page_token(*page.next));
        response.headers.emplace_back("Link", "<" + url + ">; rel=\"next\"");
    }
    return response;
}

Response get_conference(const Context& ctx) {
    if (auto body = ctx.state.store().find(ctx.route.conference_id)) return json_ok(*body);
    return error_response(404, ctx.route.conference_id);
}

Response update_conference(const Context& ctx) {
    auto body = json_object_body(ctx.request);
    if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
    const json::object& update = std::get<json::object>(body);
    if (const std::string problem = update_problem(update); !problem.empty()) return error_described(400, problem);
    const auto* status = update.if_contains("status");
    const bool complete = status != nullptr && status->is_string() && status->get_string() == "completed";
    if (!ctx.state.store().update(ctx.route.conference_id, complete, ctx.request.body()))
        return error_response(404, ctx.route.conference_id);
    return no_content();
}

Response update_conference_bxml(const Context& ctx) {
    if (!content_type_is(ctx.request[http::field::content_type], "application/xml"))
        return error_described(415, "Content-Type must be application/xml");
    if (ctx.request.body().empty()) return error_described(400, "The BXML document is empty");
    if (!ctx.state.store().put_bxml(ctx.route.conference_id, ctx.request.body()))
        return error_response(404, ctx.route.conference_id);
    return no_content();
}

}  // namespace bwvoice::mock::detail
