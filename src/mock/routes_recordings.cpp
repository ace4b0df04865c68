// listConferenceRecordings, getConferenceRecording, downloadConferenceRecording.
#include "mock/routes.hpp"

namespace bwvoice::mock::detail {
namespace {

Response not_found(const Context& ctx, Found found) {
    if (found == Found::no_conference) return error_response(404, ctx.route.conference_id);
    return error_described(404, "Recording [" + ctx.route.recording_id + "] not found");
}

}  // namespace

Response list_recordings(const Context& ctx) {
    if (auto body = ctx.state.store().recordings(ctx.route.conference_id)) return json_ok(std::move(*body));
    return error_response(404, ctx.route.conference_id);
}

Response get_recording(const Context& ctx) {
    std::string body;
    const Found found = ctx.state.store().recording(ctx.route.conference_id, ctx.route.recording_id, &body);
    if (found != Found::yes) return not_found(ctx, found);
    return json_ok(std::move(body));
}

/// The body is only described here; the connection generates it while
/// writing (see body_piece), so any size streams from a small buffer.
Response download_media(const Context& ctx) {
    MediaInfo info;
    const Found found = ctx.state.store().media(ctx.route.conference_id, ctx.route.recording_id, &info);
    if (found != Found::yes) return not_found(ctx, found);
    if (!info.available) return error_described(404, "Recording [" + ctx.route.recording_id + "] has no media yet");
    Response response{200, {}, {{"Content-Type", info.content_type}}, MediaBody{ctx.route.recording_id, info.size}};
    return response;
}

}  // namespace bwvoice::mock::detail
