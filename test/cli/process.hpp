// Runs a program as a user would: its own process, pipes for stdin, stdout
// and stderr, an exit status or a signal at the end.
#ifndef BWVOICE_TEST_CLI_PROCESS_HPP
#define BWVOICE_TEST_CLI_PROCESS_HPP

#include <sys/types.h>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bwconf_test {

struct ProcessResult {
    int exit_code = -1;      ///< -1 when killed by a signal.
    int term_signal = 0;     ///< The signal that killed it, else 0.
    bool timed_out = false;  ///< Killed by wait() after its time limit.
    /// The child's peak resident set size in KiB (wait4's ru_maxrss), once reaped.
    long max_rss_kib = 0;
    std::string out, err;

    std::vector<std::string> lines() const;
};

/// A child process. The environment is the test's own minus every BW_*
/// variable, plus `env` (so a developer's real credentials never leak into a
/// test). stdin is a pipe that stays open until close_stdin() or wait().
class Process {
public:
    Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    /// Queues bytes for stdin; they are written while the process is pumped.
    void write_stdin(const std::string& data);
    void close_stdin();

    /// Moves data both ways until `done()` holds or `limit` passes; returns done().
    bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds limit);
    /// Pumps for `d` (or until the process has closed its outputs).
    void pump_for(std::chrono::milliseconds d);

    /// What has been read so far.
    const std::string& out() const { return result_.out; }
    const std::string& err() const { return result_.err; }
    /// Bytes of stdin the process has taken so far.
    std::size_t stdin_written() const { return stdin_written_; }
    /// Whether queued stdin bytes are still waiting for the process to read them.
    bool stdin_backlogged() const { return !stdin_pending_.empty(); }

    void send_signal(int signo);
    pid_t pid() const { return pid_; }

    /// Closes stdin, pumps until the process exits, kills it after `limit`.
    ProcessResult wait(std::chrono::milliseconds limit = std::chrono::seconds(30));

private:
    bool pump_once(std::chrono::milliseconds max_wait);
    bool reap(bool block);

    pid_t pid_ = -1;
    int in_ = -1, out_ = -1, err_ = -1;
    std::string stdin_pending_;
    std::size_t stdin_written_ = 0;
    bool close_stdin_when_drained_ = false;
    bool exited_ = false;
    ProcessResult result_;
};

/// Runs to the end with `input` on stdin.
ProcessResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                  const std::string& input = {}, std::chrono::milliseconds limit = std::chrono::seconds(30));

}  // namespace bwconf_test

#endif
