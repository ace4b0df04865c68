// getConferenceMember, updateConferenceMember.
#include "mock/routes.hpp"

#include <boost/json/value.hpp>

namespace bwvoice::mock::detail {
namespace {

namespace json = boost::json;

Response not_found(const Context& ctx, Found found) {
    if (found == Found::no_conference) return error_response(404, ctx.route.conference_id);
    return error_described(
        404, "Member [" + ctx.route.member_id + "] not found in conference [" + ctx.route.conference_id + "]");
}

/// Why an updateConferenceMember body breaks the schema, or "" if it does not.
/// Booleans must be JSON booleans: "true" as a string is refused.
std::string member_update_problem(const json::object& body) {
    for (const char* key : {"mute", "hold"}) {
        const auto* v = body.if_contains(key);
        if (v != nullptr && !v->is_bool()) return std::string(key) + " must be a boolean";
    }
    if (const auto* v = body.if_contains("callIdsToCoach"); v != nullptr && !v->is_null()) {
        if (!v->is_array()) return "callIdsToCoach must be an array of strings or null";
        for (const json::value& id : v->get_array())
            if (!id.is_string()) return "callIdsToCoach must be an array of strings or null";
    }
    return "";
}

}  // namespace

Response get_member(const Context& ctx) {
    std::string body;
    const Found found = ctx.state.store().member(ctx.route.conference_id, ctx.route.member_id, &body);
    if (found != Found::yes) return not_found(ctx, found);
    return json_ok(std::move(body));
}

Response update_member(const Context& ctx) {
    auto body = json_object_body(ctx.request);
    if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
    const json::object& update = std::get<json::object>(body);
    if (const std::string problem = member_update_problem(update); !problem.empty())
        return error_described(400, problem);
    const Found found = ctx.state.store().update_member(ctx.route.conference_id, ctx.route.member_id, update);
    if (found != Found::yes) return not_found(ctx, found);
    return Response{204, {}, {}, std::nullopt};
}

}  // namespace bwvoice::mock::detail
