// A TLS stream in which OpenSSL reads and writes the non-blocking socket
// itself (through a socket BIO that sends with MSG_NOSIGNAL) and Asio only waits for readiness (socket.async_wait),
// as nginx and wrk do. Against asio::ssl::stream it has no BIO pair, no
// staging buffers and no copy of each byte through them: about 68 KB less per
// connection, and none of the cold-buffer misses that made the cost per
// lookup grow with the number of connections (docs/performance.md, issue 13).
//
// An AsyncReadStream and AsyncWriteStream for Beast, one operation at a time
// (not a read and a write at once: a write left half sent keeps a partial
// record in OpenSSL, and a read that must answer a key update would then
// fail). A write sends the first non-empty buffer of its sequence only, as
// write_some may: the client serialises each request into one buffer. After a
// failed or stopped write every operation fails (broken_pipe). Operations
// honour terminal cancellation (their cancellation slot, or abort() closing
// the socket); partial and total cancellation are ignored, as a TLS record
// cannot be given up halfway. The TLS layer may need the socket readable to
// write or writable to read: each operation waits for whichever OpenSSL asks for.
#ifndef BWVOICE_SRC_CORE_FD_TLS_STREAM_HPP
#define BWVOICE_SRC_CORE_FD_TLS_STREAM_HPP

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/system/error_code.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cassert>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

namespace bwvoice::detail {

class FdTlsStream {
public:
    using executor_type = boost::asio::any_io_executor;
    using socket_type = boost::asio::ip::tcp::socket;

    /// A stream with a socket not yet open and a fresh SSL object of `ctx`.
    /// Throws std::bad_alloc if OpenSSL cannot make one.
    FdTlsStream(const executor_type& ex, boost::asio::ssl::context& ctx);
    FdTlsStream(const FdTlsStream&) = delete;
    FdTlsStream& operator=(const FdTlsStream&) = delete;
    ~FdTlsStream();

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    /// A read met the peer's close or an error after handing over bytes; the
    /// next read reports it. Such a stream must not be reused.
    bool failure_pending() const noexcept { return deferred_failure_.has_value(); }
    socket_type& socket() noexcept { return socket_; }
    SSL* native_handle() noexcept { return ssl_; }

    /// Attaches the connected socket to the SSL object. Call once, after the
    /// connect and before the handshake.
    boost::system::error_code attach();

    template <class Token>
    auto async_handshake(Token&& token) {
        return run(Op::handshake, boost::asio::mutable_buffer{}, std::forward<Token>(token));
    }
    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return run(Op::read, first_non_empty<boost::asio::mutable_buffer>(buffers), std::forward<Token>(token));
    }
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        const auto b = first_non_empty<boost::asio::const_buffer>(buffers);
        return run(Op::write, boost::asio::mutable_buffer(const_cast<void*>(b.data()), b.size()),
                   std::forward<Token>(token));
    }

private:
    enum class Op { handshake, read, write };

    /// One step of OpenSSL: done (bytes moved or handshake over), or the
    /// socket state it waits for, or an error.
    struct Step {
        enum class Kind { done, want_read, want_write, failed } kind;
        std::size_t bytes = 0;
        boost::system::error_code ec{};
    };
    /// A read takes as many whole records as OpenSSL already holds and the
    /// buffer has room for.
    Step attempt(Op op, boost::asio::mutable_buffer buffer) noexcept;
    Step attempt_once(Op op, boost::asio::mutable_buffer buffer) noexcept;

    /// The first non-empty buffer of a sequence (Beast hands a flat_buffer's
    /// one buffer at a time): what one read_some may fill or write_some send.
    template <class Buffer, class Buffers>
    static Buffer first_non_empty(const Buffers& buffers) {
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
             ++it)
            if (Buffer b(*it); b.size() != 0) return b;
        return {};
    }

    template <class Token>
    auto run(Op op, boost::asio::mutable_buffer buffer, Token&& token) {
        return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
            Operation{this, op, buffer}, token, socket_);
    }

    /// The composed operation: try OpenSSL; if it wants the socket, wait for
    /// that and try again. Its first completion is posted when nothing was
    /// waited for, so a handler never runs inside the initiating function.
    struct Operation {
        FdTlsStream* stream;
        Op op;
        boost::asio::mutable_buffer buffer;
        bool waited = false;

        template <class Self>
        void operator()(Self& self, boost::system::error_code wait_ec = {}) {
            if (!waited) {
                // One operation at a time: see the class comment.
                assert(!stream->busy_);
                stream->busy_ = true;
                // A write that failed or was stopped may have left part of a
                // record in OpenSSL: another write would send it as the start
                // of its own bytes, a read could not answer the peer.
                if (stream->broken_) return finish(self, boost::asio::error::broken_pipe, 0);
            }
            if (wait_ec) return finish(self, wait_ec, 0);
            // abort() closed the socket while this completion was queued: its
            // number may already be another connection's, so OpenSSL must not
            // touch it; and a cancellation between two waits ends it too.
            if (!stream->socket_.is_open() || self.cancelled() != boost::asio::cancellation_type::none)
                return finish(self, boost::asio::error::operation_aborted, 0);
            if (op != Op::handshake && buffer.size() == 0) return finish(self, {}, 0);
            const Step s = stream->attempt(op, buffer);
            switch (s.kind) {
            case Step::Kind::done: return finish(self, {}, s.bytes);
            case Step::Kind::failed: return finish(self, s.ec, 0);
            case Step::Kind::want_read:
                waited = true;
                return stream->socket_.async_wait(socket_type::wait_read, std::move(self));
            case Step::Kind::want_write:
                waited = true;
                return stream->socket_.async_wait(socket_type::wait_write, std::move(self));
            }
        }

        template <class Self>
        void finish(Self& self, boost::system::error_code ec, std::size_t n) {
            stream->busy_ = false;
            if (ec && op == Op::write) stream->broken_ = true;
            if (waited) return self.complete(ec, n);
            // Nothing was waited for: complete through the handler's own
            // executor (a strand, say), never inside the initiating function.
            waited = true;
            auto ex = self.get_executor();
            boost::asio::post(ex, [self = std::move(self), ec, n]() mutable { self.complete(ec, n); });
        }
    };

    socket_type socket_;
    SSL* ssl_;
    bool busy_ = false;                     // an operation is under way (checked by assert only)
    bool broken_ = false;                   // a write failed or was stopped: no operation may follow
    std::optional<Step> deferred_failure_;  // met after a read's first record, told by the next read
};

}  // namespace bwvoice::detail

#endif
