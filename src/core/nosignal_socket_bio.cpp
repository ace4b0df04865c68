#include "core/nosignal_socket_bio.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace bwvoice::detail {
namespace {

int send_without_signal(BIO* bio, const char* data, int size) {
    const int fd = static_cast<int>(BIO_get_fd(bio, nullptr));
    errno = 0;
    const auto sent = ::send(fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
    // As the socket BIO's own write: EAGAIN and friends ask OpenSSL to retry.
    BIO_clear_retry_flags(bio);
    if (sent <= 0 && BIO_sock_should_retry(static_cast<int>(sent)) != 0) BIO_set_retry_write(bio);
    return static_cast<int>(sent);
}

/// Built once and kept for the life of the process, as OpenSSL's own
/// methods are.
BIO_METHOD* make_method() noexcept {
    const BIO_METHOD* socket = ::BIO_s_socket();
    BIO_METHOD* m = ::BIO_meth_new(::BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                   "bwvoice socket (MSG_NOSIGNAL)");
    if (m == nullptr) return nullptr;
    const bool ok = ::BIO_meth_set_write(m, send_without_signal) == 1 &&
                    ::BIO_meth_set_read(m, ::BIO_meth_get_read(socket)) == 1 &&
                    ::BIO_meth_set_ctrl(m, ::BIO_meth_get_ctrl(socket)) == 1 &&
                    ::BIO_meth_set_create(m, ::BIO_meth_get_create(socket)) == 1 &&
                    ::BIO_meth_set_destroy(m, ::BIO_meth_get_destroy(socket)) == 1;
    if (!ok) {
        ::BIO_meth_free(m);
        return nullptr;
    }
    return m;
}

}  // namespace

BIO* new_nosignal_socket_bio(int fd) noexcept {
    static BIO_METHOD* const method = make_method();
    if (method == nullptr) return nullptr;
    BIO* bio = ::BIO_new(method);
    if (bio == nullptr) return nullptr;
    BIO_set_fd(bio, fd, BIO_NOCLOSE);
    return bio;
}

}  // namespace bwvoice::detail
