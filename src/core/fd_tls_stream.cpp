#include "core/fd_tls_stream.hpp"

#include "core/nosignal_socket_bio.hpp"

#include <cerrno>
#include <new>

namespace bwvoice::detail {
namespace net = boost::asio;

FdTlsStream::FdTlsStream(const executor_type& ex, net::ssl::context& ctx)
    : socket_(ex), ssl_(::SSL_new(ctx.native_handle())) {
    if (!ssl_) throw std::bad_alloc();
    // write_some semantics: a partial write is a success, and the buffer
    // may move between tries (Beast's serializer hands the same bytes again,
    // not necessarily at the same address).
    ::SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // OpenSSL 3 takes a TCP close without close_notify for a fatal error,
    // sends an alert and marks the session (shared by the client's session
    // cache) not resumable; with this option it reads as ZERO_RETURN, told
    // apart below by the socket BIO's EOF flag.
    ::SSL_set_options(ssl_, SSL_OP_IGNORE_UNEXPECTED_EOF);
    // A TLS 1.2 server must not renegotiate under a live exchange (and the
    // stricter checks of verify_peer would not run again).
    ::SSL_set_options(ssl_, SSL_OP_NO_RENEGOTIATION);
    // Kernel TLS (a caller's context, or Options = KTLS in openssl.cnf) makes
    // the socket BIO send alerts and handshake messages as control messages,
    // which our send(MSG_NOSIGNAL) BIO does not: they would go out as data.
    ::SSL_clear_options(ssl_, SSL_OP_ENABLE_KTLS);
    // Record buffers are kept from one record to the next, whatever a
    // caller's context says: freeing them whenever they drain would allocate
    // them again for the next record, several large allocations per lookup.
    ::SSL_clear_mode(ssl_, SSL_MODE_RELEASE_BUFFERS);
    // Whole records in one read(2), not a 5-byte header read then the body;
    // SSL_has_pending() still sees what was read ahead (peer_silent).
    ::SSL_set_read_ahead(ssl_, 1);
}

FdTlsStream::~FdTlsStream() {
    ::SSL_free(ssl_);  // the BIO does not own the descriptor: socket_ closes it
}

boost::system::error_code FdTlsStream::attach() {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) return ec;
    BIO* bio = new_nosignal_socket_bio(socket_.native_handle());
    if (bio == nullptr) return make_error_code(boost::system::errc::not_enough_memory);
    ::SSL_set_bio(ssl_, bio, bio);  // one BIO both ways: the SSL object takes its one reference
    ::SSL_set_connect_state(ssl_);
    return {};
}

FdTlsStream::Step FdTlsStream::attempt(Op op, net::mutable_buffer buffer) noexcept {
    if (op != Op::read) return attempt_once(op, buffer);
    if (deferred_failure_) return *std::exchange(deferred_failure_, std::nullopt);
    Step s = attempt_once(Op::read, buffer);
    // SSL_read hands over one record (16 KiB at most) per call. Records
    // OpenSSL has already read ahead, or begun to, go out in this same
    // operation while the buffer has room: with a 64 KiB buffer, a large
    // body takes a quarter of the operations (and of their strand hops).
    while (s.kind == Step::Kind::done && s.bytes < buffer.size() && ::SSL_has_pending(ssl_) == 1) {
        const Step more = attempt_once(Op::read, buffer + s.bytes);
        if (more.kind == Step::Kind::done) {
            s.bytes += more.bytes;
            continue;
        }
        // The bytes already read go first; a failure is the next read's.
        if (more.kind == Step::Kind::failed) deferred_failure_ = more;
        break;
    }
    return s;
}

FdTlsStream::Step FdTlsStream::attempt_once(Op op, net::mutable_buffer buffer) noexcept {
    // SSL_get_error reads the thread's error queue, which must hold nothing
    // older than this call. Clearing it walks all its slots; peeking is a
    // fraction of that, and the queue is nearly always empty already.
    if (::ERR_peek_error() != 0) ::ERR_clear_error();
    errno = 0;
    std::size_t n = 0;
    int r = 0;
    switch (op) {
    case Op::handshake: r = ::SSL_do_handshake(ssl_); break;
    case Op::read: r = ::SSL_read_ex(ssl_, buffer.data(), buffer.size(), &n); break;
    case Op::write: r = ::SSL_write_ex(ssl_, buffer.data(), buffer.size(), &n); break;
    }
    if (r == 1) return {Step::Kind::done, n};
    const int saved_errno = errno;
    switch (::SSL_get_error(ssl_, r)) {
    case SSL_ERROR_WANT_READ: return {Step::Kind::want_read};
    case SSL_ERROR_WANT_WRITE: return {Step::Kind::want_write};
    case SSL_ERROR_ZERO_RETURN:
        // A write after the peer's close fails in send(2) but reads as
        // ZERO_RETURN: the send's error says more.
        if (op == Op::write && saved_errno != 0)
            return {Step::Kind::failed, 0, {saved_errno, boost::system::system_category()}};
        // close_notify is a clean end (eof, as asio's engine says); a TCP
        // close in the middle of the stream is stream_truncated.
        return {Step::Kind::failed, 0,
                BIO_eof(::SSL_get_rbio(ssl_)) != 0 ? make_error_code(net::ssl::error::stream_truncated)
                                                   : make_error_code(net::error::eof)};
    case SSL_ERROR_SYSCALL: {
        const unsigned long e = ::ERR_get_error();
        ::ERR_clear_error();  // nothing of this failure left for the thread's next caller
        if (e != 0 && ERR_SYSTEM_ERROR(e))
            return {Step::Kind::failed, 0, {ERR_GET_REASON(e), boost::system::system_category()}};
        if (e != 0) return {Step::Kind::failed, 0, {static_cast<int>(e), net::error::get_ssl_category()}};
        if (saved_errno != 0) return {Step::Kind::failed, 0, {saved_errno, boost::system::system_category()}};
        // The peer closed without close_notify (OpenSSL 1.1's report of it).
        return {Step::Kind::failed, 0, net::ssl::error::stream_truncated};
    }
    default: {
        const unsigned long e = ::ERR_get_error();
        ::ERR_clear_error();
        // SSL_ERROR_WANT_X509_LOOKUP, _RETRY_VERIFY, _ASYNC...: a context's
        // callback asked for something this stream cannot do; never success.
        if (e == 0) return {Step::Kind::failed, 0, net::ssl::error::unexpected_result};
        if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
            return {Step::Kind::failed, 0, net::ssl::error::stream_truncated};
        return {Step::Kind::failed, 0, {static_cast<int>(e), net::error::get_ssl_category()}};
    }
    }
}

}  // namespace bwvoice::detail
