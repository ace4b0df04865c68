// Get Conference, Update Conference and its BXML.
#include "api/operation_types.hpp"
#include "api/paths.hpp"
#include "core/exchange.hpp"

#include <bwvoice/detail/operations.hpp>

namespace bwvoice::detail {
namespace http = boost::beast::http;

void start_get_conference(std::shared_ptr<ClientImpl> impl, OperationString id, Completion<Conference> done) {
    if (auto why = refusal_of_segment(id, "conference"); !why.empty())
        return refuse(*impl, OperationKind::get_conference, done, std::move(why));
    Request request{.target = conference_target(impl->api.endpoint, id), .success = status_is_200};
    request.kind = OperationKind::get_conference;
    auto op = std::make_unique<DecodedRead<Conference>>(
        std::move(done), parse_conference, "conference", Asked(std::move(id)),
        [](const Conference& c, const Asked& asked) -> std::string {
            if (c.id == asked.conference_id()) return {};
            return "the response is for conference '" + c.id + "', not the one requested";
        });
    start_exchange(std::move(impl), std::move(request), std::move(op));
}

void start_update_conference(std::shared_ptr<ClientImpl> impl, OperationString id, ConferenceUpdate update,
                             Completion<> done) {
    if (auto why = refusal_of_segment(id, "conference"); !why.empty())
        return refuse(*impl, OperationKind::update_conference, done, std::move(why));
    if (auto why = check_update(update); !why.empty())
        return refuse(*impl, OperationKind::update_conference, done, why + "; nothing was sent");
    Request request{.method = http::verb::post,
                    .target = conference_target(impl->api.endpoint, id),
                    .content = std::make_unique<RequestContent>(
                        RequestContent{.type = "application/json", .body = to_json(update)}),
                    .change = true,
                    .success = status_is_204};
    request.kind = OperationKind::update_conference;
    for (const auto* secret : {&update.password, &update.fallback_password})
        if (*secret && !(*secret)->empty()) request.content->secrets.push_back(**secret);
    start_exchange(std::move(impl), std::move(request), std::make_unique<Change>(std::move(done)));
}

void start_update_conference_bxml(std::shared_ptr<ClientImpl> impl, OperationString id, std::string bxml,
                                  Completion<> done) {
    if (auto why = refusal_of_segment(id, "conference"); !why.empty())
        return refuse(*impl, OperationKind::update_conference_bxml, done, std::move(why));
    if (bxml.empty())
        return refuse(*impl, OperationKind::update_conference_bxml, done,
                      "the BXML document is empty; nothing was sent");
    Request request{
        .method = http::verb::put,
        .target = bxml_target(impl->api.endpoint, id),
        .content = std::make_unique<RequestContent>(RequestContent{.type = "application/xml", .body = std::move(bxml)}),
        .change = true,
        .success = status_is_204};
    request.kind = OperationKind::update_conference_bxml;
    start_exchange(std::move(impl), std::move(request), std::make_unique<Change>(std::move(done)));
}

}  // namespace bwvoice::detail
