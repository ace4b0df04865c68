// One piece of a streamed body on its way through the caller's MediaSink:
// all that the exchange and the sink's `done` share.
#ifndef BWVOICE_SRC_CORE_SINK_PIECE_HPP
#define BWVOICE_SRC_CORE_SINK_PIECE_HPP

#include "core/context_liveness.hpp"
#include "core/pool.hpp"

#include <bwvoice/error.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace bwvoice::detail {

/// The sink may hold `done` for as long as it likes, call it from any
/// thread, late, twice, or never, and destroy it after the client and the
/// io_context are gone. So `done` owns nothing of the exchange: only this
/// piece (its bytes, the sink's answer, a weak reference to the exchange and
/// the liveness of its execution context). The exchange's coroutine waits on
/// a timer of its own, owned by Asio like every other wait, and `done` wakes
/// it through PoolWaiter::wake() (a post to its strand) while the context is
/// alive, never after.
class SinkPiece {
public:
    SinkPiece(std::weak_ptr<PoolWaiter> exchange, std::shared_ptr<Liveness> context) noexcept
        : exchange_(std::move(exchange)), context_(std::move(context)) {}

    SinkPiece(const SinkPiece&) = delete;
    SinkPiece& operator=(const SinkPiece&) = delete;

    /// The `done` to hand to MediaSink::write with this piece's bytes.
    static std::function<void(error_code)> done_of(const std::shared_ptr<SinkPiece>& piece);

    /// The bytes given to the sink. Set before write(); they stay here, valid,
    /// as long as `done` or the exchange holds the piece. The exchange takes
    /// them back (to reuse the buffer) only once the sink has answered.
    std::string data;

    /// On the exchange's strand: the sink's answer, if `done` has been
    /// called; else nullopt, and the next `done` wakes the exchange.
    std::optional<error_code> answer_or_wait();

    /// On the exchange's strand: it stops waiting for this piece (the
    /// request was stopped); a later `done` does nothing.
    void abandon() noexcept;

    /// What `done` does, from any thread. Only the first call counts.
    void complete(error_code ec) noexcept;

private:
    std::mutex mutex_;
    bool answered_ = false;
    bool waiting_ = false;    // the exchange waits to be woken
    bool abandoned_ = false;  // the exchange no longer waits
    error_code ec_;
    const std::weak_ptr<PoolWaiter> exchange_;
    const std::shared_ptr<Liveness> context_;
};

}  // namespace bwvoice::detail

#endif
