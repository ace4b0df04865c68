#include "core/sink_piece.hpp"

namespace bwvoice::detail {

std::function<void(error_code)> SinkPiece::done_of(const std::shared_ptr<SinkPiece>& piece) {
    return [piece](error_code ec) { piece->complete(ec); };
}

std::optional<error_code> SinkPiece::answer_or_wait() {
    std::lock_guard lock(mutex_);
    if (answered_) return ec_;
    waiting_ = true;
    return std::nullopt;
}

void SinkPiece::abandon() noexcept {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
}

void SinkPiece::complete(error_code ec) noexcept {
    {
        std::lock_guard lock(mutex_);
        if (answered_ || abandoned_) return;
        answered_ = true;
        ec_ = ec;
        // Called inside write() (or before the exchange looked): it sees the
        // answer without being woken.
        if (!waiting_) return;
    }
    // The exchange's wait is a timer in its context: wake it only while the
    // context exists. Its shutdown waits for this lock, so the post below
    // never reaches a context being torn down. wake() holds the exchange in
    // the posted handler, so the reference taken here is the last one only if
    // that post could not be allocated (then the exchange ends here, with its
    // context still alive).
    std::lock_guard alive(context_->mutex);
    if (!context_->alive) return;
    if (auto exchange = exchange_.lock()) exchange->wake();
}

}  // namespace bwvoice::detail
