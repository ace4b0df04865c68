// Get and Update Conference Member.
#include "api/operation_types.hpp"
#include "api/paths.hpp"
#include "core/exchange.hpp"

#include <bwvoice/detail/operations.hpp>

namespace bwvoice::detail {
namespace http = boost::beast::http;

void start_get_member(std::shared_ptr<ClientImpl> impl, OperationString conference_id, OperationString member_id,
                      Completion<ConferenceMember> done) {
    if (auto why = refusal_of_segment(conference_id, "conference"); !why.empty())
        return refuse(*impl, OperationKind::get_member, done, std::move(why));
    if (auto why = refusal_of_segment(member_id, "member"); !why.empty())
        return refuse(*impl, OperationKind::get_member, done, std::move(why));
    Request request{.target = member_target(impl->api.endpoint, conference_id, member_id), .success = status_is_200};
    request.kind = OperationKind::get_member;
    // The member ID is its call ID: the answer must be that call's, in the
    // conference asked for when it names one.
    auto op = std::make_unique<DecodedRead<ConferenceMember>>(
        std::move(done), parse_member, "member", Asked(std::move(conference_id), member_id),
        [](const ConferenceMember& m, const Asked& asked) -> std::string {
            if (m.call_id != asked.item_id())
                return "the response is for member '" + m.call_id + "', not the one requested";
            return other_conference(m.conference_id, asked, "the response is for member '" + m.call_id + "'");
        });
    start_exchange(std::move(impl), std::move(request), std::move(op));
}

void start_update_member(std::shared_ptr<ClientImpl> impl, OperationString conference_id, OperationString member_id,
                         MemberUpdate update, Completion<> done) {
    if (auto why = refusal_of_segment(conference_id, "conference"); !why.empty())
        return refuse(*impl, OperationKind::update_member, done, std::move(why));
    if (auto why = refusal_of_segment(member_id, "member"); !why.empty())
        return refuse(*impl, OperationKind::update_member, done, std::move(why));
    if (auto why = check_update(update); !why.empty())
        return refuse(*impl, OperationKind::update_member, done, why + "; nothing was sent");
    Request request{.method = http::verb::put,
                    .target = member_target(impl->api.endpoint, conference_id, member_id),
                    .content = std::make_unique<RequestContent>(
                        RequestContent{.type = "application/json", .body = to_json(update)}),
                    .change = true,
                    .success = status_is_204};
    request.kind = OperationKind::update_member;
    start_exchange(std::move(impl), std::move(request), std::make_unique<Change>(std::move(done)));
}

}  // namespace bwvoice::detail
