// OpenSSL's socket BIO with one change: it sends with send(MSG_NOSIGNAL)
// rather than write(2). A library must not let a peer's reset kill its host
// process with SIGPIPE, nor change the process's signal disposition; Asio's
// own sends use MSG_NOSIGNAL for the same reason.
#ifndef BWVOICE_SRC_CORE_NOSIGNAL_SOCKET_BIO_HPP
#define BWVOICE_SRC_CORE_NOSIGNAL_SOCKET_BIO_HPP

#include <openssl/bio.h>

namespace bwvoice::detail {

/// A new BIO on `fd` that does not close it, or nullptr when OpenSSL cannot
/// allocate one. Reads, EOF and control are the socket BIO's own.
BIO* new_nosignal_socket_bio(int fd) noexcept;

}  // namespace bwvoice::detail

#endif
