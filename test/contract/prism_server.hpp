// Stoplight Prism as a child process, serving Bandwidth's OpenAPI document on
// 127.0.0.1 over plain HTTP: started with port 0 (the kernel picks a free
// port, which Prism then prints), waited for until it answers a request, and
// stopped with its whole process group. It never outlives the test process:
// the child asks the kernel for SIGTERM when its parent dies, so even a test
// killed by CTest's timeout leaves no Prism behind.
#ifndef BWVOICE_TEST_CONTRACT_PRISM_SERVER_HPP
#define BWVOICE_TEST_CONTRACT_PRISM_SERVER_HPP

#include <sys/types.h>
#include <chrono>
#include <string>

namespace bwvoice::contract {

enum class PrismMode {
    examples,  ///< `prism mock`: the document's examples (static mode).
    dynamic,   ///< `prism mock --dynamic`: random data valid for each schema.
};

struct PrismOptions {
    std::string prism;  ///< The prism executable (node_modules/.bin/prism).
    std::string spec;   ///< The OpenAPI document.
    PrismMode mode = PrismMode::examples;
};

class PrismServer {
public:
    /// Starts Prism and returns at once; wait_until_ready() waits for it, so
    /// that two servers can start side by side. Throws std::runtime_error
    /// when the executable or the document is missing.
    explicit PrismServer(PrismOptions options);
    /// stop().
    ~PrismServer();
    PrismServer(const PrismServer&) = delete;
    PrismServer& operator=(const PrismServer&) = delete;

    /// Waits until Prism has printed its port and answers an HTTP request
    /// (any status), at most `limit`. Throws std::runtime_error with the end
    /// of Prism's log if it exits, or says nothing in time.
    void wait_until_ready(std::chrono::seconds limit);

    /// The port Prism listens on (after wait_until_ready()).
    unsigned short port() const noexcept { return port_; }

    /// The last `lines` lines of what Prism printed (stdout and stderr).
    std::string log_tail(std::size_t lines = 30) const;

    /// SIGTERM to Prism's process group, SIGKILL after 10 s; reaps it.
    /// Idempotent.
    void stop() noexcept;

private:
    std::string describe() const;

    std::string read_log() const;

    PrismOptions options_;
    /// Prism's stdout and stderr: a temporary file unlinked at once, so
    /// nothing is left behind even when the test process is killed.
    int log_fd_ = -1;
    pid_t pid_ = -1;
    unsigned short port_ = 0;
};

}  // namespace bwvoice::contract

#endif
