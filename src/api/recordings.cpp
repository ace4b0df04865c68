// List Conference Recordings, Get Conference Recording Information and
// Download Conference Recording.
#include "api/operation_types.hpp"
#include "api/paths.hpp"
#include "core/exchange.hpp"

#include <bwvoice/detail/operations.hpp>

namespace bwvoice::detail {
namespace {

/// The media streamed into the caller's sink; nothing to decode.
class Download final : public Operation {
public:
    Download(Completion<DownloadResult> done, MediaSink& sink) : done_(std::move(done)), sink_(sink) {}
    boost::asio::cancellation_slot slot() const noexcept override { return done_.slot(); }
    MediaSink* sink() noexcept override { return &sink_; }
    Accepted accept(std::string_view, std::string_view) override { return {}; }
    void streamed(std::uint64_t bytes, std::string_view content_type) override {
        result_.bytes = bytes;
        result_.content_type = content_type;
    }
    void complete(error_code ec, Diagnostics diag, bool inside_initiation) override {
        done_.complete(ec, ec ? DownloadResult{} : std::move(result_), std::move(diag), inside_initiation);
    }

private:
    Completion<DownloadResult> done_;
    MediaSink& sink_;
    DownloadResult result_;
};

}  // namespace

void start_list_recordings(std::shared_ptr<ClientImpl> impl, OperationString conference_id,
                           Completion<std::vector<RecordingMetadata>> done) {
    if (auto why = refusal_of_segment(conference_id, "conference"); !why.empty())
        return refuse(*impl, OperationKind::list_recordings, done, std::move(why));
    Request request{.target = recordings_target(impl->api.endpoint, conference_id), .success = status_is_200};
    request.kind = OperationKind::list_recordings;
    // Every recording listed that names its conference names the one asked for.
    auto op = std::make_unique<DecodedRead<std::vector<RecordingMetadata>>>(
        std::move(done), parse_recording_list, "recording list", Asked(std::move(conference_id)),
        [](const std::vector<RecordingMetadata>& list, const Asked& asked) -> std::string {
            for (const RecordingMetadata& r : list) {
                if (auto why =
                        other_conference(r.conference_id, asked, "the list holds recording '" + r.recording_id + "'");
                    !why.empty())
                    return why;
            }
            return {};
        });
    start_exchange(std::move(impl), std::move(request), std::move(op));
}

void start_get_recording(std::shared_ptr<ClientImpl> impl, OperationString conference_id, OperationString recording_id,
                         Completion<RecordingMetadata> done) {
    if (auto why = refusal_of_segment(conference_id, "conference"); !why.empty())
        return refuse(*impl, OperationKind::get_recording, done, std::move(why));
    if (auto why = refusal_of_segment(recording_id, "recording"); !why.empty())
        return refuse(*impl, OperationKind::get_recording, done, std::move(why));
    Request request{.target = recording_target(impl->api.endpoint, conference_id, recording_id),
                    .success = status_is_200};
    request.kind = OperationKind::get_recording;
    auto op = std::make_unique<DecodedRead<RecordingMetadata>>(
        std::move(done), parse_recording_metadata, "recording", Asked(std::move(conference_id), recording_id),
        [](const RecordingMetadata& r, const Asked& asked) -> std::string {
            if (r.recording_id != asked.item_id())
                return "the response is for recording '" + r.recording_id + "', not the one requested";
            return other_conference(r.conference_id, asked, "the response is for recording '" + r.recording_id + "'");
        });
    start_exchange(std::move(impl), std::move(request), std::move(op));
}

void start_download_recording(std::shared_ptr<ClientImpl> impl, OperationString conference_id,
                              OperationString recording_id, MediaSink* sink, Completion<DownloadResult> done) {
    std::string why = refusal_of_segment(conference_id, "conference");
    if (why.empty()) why = refusal_of_segment(recording_id, "recording");
    if (!why.empty()) {
        sink->finish(false);  // the sink hears the end whatever happened
        return refuse(*impl, OperationKind::download_recording, done, std::move(why));
    }
    // The formats the API serves, and JSON for its errors.
    Request request{.target = media_target(impl->api.endpoint, conference_id, recording_id),
                    .accept = "audio/vnd.wave, audio/mpeg, application/json",
                    .success = status_is_200};
    request.kind = OperationKind::download_recording;
    start_exchange(std::move(impl), std::move(request), std::make_unique<Download>(std::move(done), *sink));
}

}  // namespace bwvoice::detail
