// A bwvoice::mock::MockServer in a forked child process, for the memory
// measurements: mallinfo2() and VmRSS are per process, so a server in our own
// process would count its per-connection and per-request memory as the
// client's. Must be started before the process has any other thread (fork()
// copies only the calling thread).
#ifndef BWVOICE_BENCH_CHILD_SERVER_HPP
#define BWVOICE_BENCH_CHILD_SERVER_HPP

#include "mock/mock_server.hpp"

#include <sys/types.h>
#include <chrono>
#include <cstdint>

namespace bwvoice::bench {

class ChildServer {
public:
    /// Forks; the child serves `options` until the parent destroys this object
    /// (or dies: the child sees its control pipe close). Throws std::runtime_error.
    explicit ChildServer(mock::ServerOptions options);
    ~ChildServer();
    ChildServer(const ChildServer&) = delete;
    ChildServer& operator=(const ChildServer&) = delete;

    std::uint16_t port() const { return port_; }

    /// Every later request is answered after `delay` (0: at once again).
    /// Returns once the child has applied it.
    void set_delay(std::chrono::milliseconds delay);

private:
    void command(const char* line);

    pid_t pid_ = -1;
    int to_child_ = -1, from_child_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace bwvoice::bench

#endif
