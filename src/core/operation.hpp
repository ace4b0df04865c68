// An operation's side of an exchange: it receives the answer; the engine
// decides everything else (connections, retries, deadlines, cancellation).
#ifndef BWVOICE_SRC_CORE_OPERATION_HPP
#define BWVOICE_SRC_CORE_OPERATION_HPP

#include <bwvoice/detail/operation_memory.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>
#include <bwvoice/media.hpp>

#include <boost/asio/cancellation_signal.hpp>

#include <string>
#include <string_view>

namespace bwvoice::detail {

/// What an operation made of a success response's body.
struct Accepted {
    error_code ec;        ///< bad_response when it does not decode or names another ID.
    std::string why;      ///< For Diagnostics::message when ec is set.
    bool retire = false;  ///< The connection's answers are out of step: do not reuse it.
};

class Operation {
public:
    virtual ~Operation() = default;

    // One is made for every request: its memory is recycled.
    static void* operator new(std::size_t size) { return take_operation_block(size); }
    static void operator delete(void* block, std::size_t size) noexcept { give_operation_block(block, size); }
    // An over-aligned kind (none today) would otherwise get a block aligned
    // only for max_align_t: the aligned forms are found first.
    static void* operator new(std::size_t size, std::align_val_t align) { return ::operator new(size, align); }
    static void operator delete(void* block, std::align_val_t align) noexcept { ::operator delete(block, align); }

    /// The caller's cancellation slot (unconnected when it has none).
    virtual boost::asio::cancellation_slot slot() const noexcept = 0;

    /// Where a success response's body goes: null to have it collected (up
    /// to ClientConfig::max_body_bytes) and given to accept(); else streamed
    /// into this sink, with no size limit.
    virtual MediaSink* sink() noexcept { return nullptr; }

    /// A success response arrived whole with this body (and these Link
    /// field values, for pages): decode and keep it.
    virtual Accepted accept(std::string_view body, std::string_view link) = 0;

    /// A final response that is not a success arrived with this body (not
    /// called when the body was over max_body_bytes and left unread).
    virtual void refused(std::string_view /*body*/) {}

    /// For a streamed body: the sink got `bytes` in all, of `content_type`.
    virtual void streamed(std::uint64_t /*bytes*/, std::string_view /*content_type*/) {}

    /// The operation is over: hand (ec, what was kept) to the caller's
    /// handler. `inside_initiation`: post, never dispatch.
    virtual void complete(error_code ec, Diagnostics diag, bool inside_initiation) = 0;
};

}  // namespace bwvoice::detail

#endif
