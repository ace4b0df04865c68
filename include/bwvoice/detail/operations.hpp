// bwvoice: the compiled entry points of ConferenceClient's operations (internal).
// Each takes the client's state, the operation's arguments, and the
// type-erased completion; all of them are compiled once in the library.
#ifndef BWVOICE_DETAIL_OPERATIONS_HPP
#define BWVOICE_DETAIL_OPERATIONS_HPP

#include <bwvoice/export.hpp>

#include <bwvoice/changes.hpp>
#include <bwvoice/conference.hpp>
#include <bwvoice/detail/completion.hpp>
#include <bwvoice/detail/operation_memory.hpp>
#include <bwvoice/media.hpp>
#include <bwvoice/recording.hpp>

#include <memory>
#include <string>
#include <vector>

namespace bwvoice::detail {

class ClientImpl;
struct PagerState;

BWVOICE_API void start_get_conference(std::shared_ptr<ClientImpl> impl, OperationString id,
                                      Completion<Conference> done);
BWVOICE_API void start_update_conference(std::shared_ptr<ClientImpl> impl, OperationString id, ConferenceUpdate update,
                                         Completion<> done);
BWVOICE_API void start_update_conference_bxml(std::shared_ptr<ClientImpl> impl, OperationString id, std::string bxml,
                                              Completion<> done);
BWVOICE_API void start_get_member(std::shared_ptr<ClientImpl> impl, OperationString conference_id,
                                  OperationString member_id, Completion<ConferenceMember> done);
BWVOICE_API void start_update_member(std::shared_ptr<ClientImpl> impl, OperationString conference_id,
                                     OperationString member_id, MemberUpdate update, Completion<> done);
BWVOICE_API void start_list_recordings(std::shared_ptr<ClientImpl> impl, OperationString conference_id,
                                       Completion<std::vector<RecordingMetadata>> done);
BWVOICE_API void start_get_recording(std::shared_ptr<ClientImpl> impl, OperationString conference_id,
                                     OperationString recording_id, Completion<RecordingMetadata> done);
BWVOICE_API void start_download_recording(std::shared_ptr<ClientImpl> impl, OperationString conference_id,
                                          OperationString recording_id, MediaSink* sink,
                                          Completion<DownloadResult> done);
BWVOICE_API void start_next_page(std::shared_ptr<PagerState> pager, Completion<std::vector<Conference>> done);

/// A download's sink hears the end of a download that never started, as
/// MediaSink promises (finish() exactly once, whatever happened); other
/// operation arguments need nothing.
template <class Arg>
void finish_unstarted(const Arg&) noexcept {}
inline void finish_unstarted(MediaSink* const& sink) noexcept {
    try {
        sink->finish(false);
    } catch (...) {
        // As in the engine: a sink that throws does not stop the handler.
    }
}

/// A moved-from client fails what it is given, like a closed one: with
/// errc::cancelled, posted (this runs inside the initiating function); a
/// download's sink among `operation_args` gets finish(false) first.
template <class... Values, class... Args>
void fail_moved_from(Completion<Values...>& done, const Args&... operation_args) {
    (finish_unstarted(operation_args), ...);
    Diagnostics diag;
    diag.message = "the client was moved from";
    done.complete(make_error_code(errc::cancelled), Values{}..., std::move(diag), true);
}

}  // namespace bwvoice::detail

#endif
