// bwconf: what every subcommand's run shares: the event loop, the signal
// set, the client, the output of lines, progress, and the end of the run.
#ifndef BWVOICE_CLI_RUN_BASE_HPP
#define BWVOICE_CLI_RUN_BASE_HPP

#include "cli/progress.hpp"

#include <bwvoice/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bwconf {

/// Everything a run needs once its command line is understood (see
/// execute() in app.hpp, which sets these up in that order).
struct Session {
    boost::asio::io_context& ioc;
    boost::asio::signal_set& signals;  ///< SIGINT and SIGTERM.
    bwvoice::ConferenceClient& client;
    bool progress;                     ///< Draw progress on stderr.
    std::vector<std::string> secrets;  ///< Never printed: redacted from every message.
};

/// The skeleton of a run: one thread runs the io_context; a derived class
/// starts its operations in begin() and hands lines to emit(); a signal calls
/// interrupted(), which adds the lines of the operations not finished, and
/// the run then ends with 128 + the signal number. finish() ends the run:
/// lines are flushed, the client is closed, the summary drawn.
///
/// Lines are written with plain write(2) rather than stdio: Asio's signal
/// handlers are installed without SA_RESTART, so a write blocked on a full
/// pipe may fail with EINTR when Ctrl-C arrives, and must then simply be
/// resumed. A consumer slower than the operations blocks the loop; that is
/// the back-pressure. stdout is flushed once per batch of completions (a
/// posted flush runs after the handlers already queued), not once per line.
class RunBase : public std::enable_shared_from_this<RunBase> {
public:
    virtual ~RunBase() = default;
    RunBase(const RunBase&) = delete;
    RunBase& operator=(const RunBase&) = delete;

    /// Runs the io_context until finish() or a signal. Returns the exit
    /// status: 0, 1 (an operation failed, or input or output failed), 130 or 143.
    int run();

protected:
    /// `line_fd`: where the lines go (stdout; stderr for `download --output -`).
    RunBase(Session& session, int line_fd, Progress progress);

    /// Starts the work (posted by run()).
    virtual void begin() = 0;
    /// A signal came: add (emit_now) the lines of every operation not
    /// finished, with code `cancelled` and `why` as message. finish() follows.
    virtual void interrupted(const std::string& why) = 0;
    /// Called by finish() before the client is closed (stop reading input, ...).
    virtual void on_finish() {}

    /// Queues `lines` and flushes them soon.
    void emit(std::string_view lines);
    /// Queues `lines`; the next flush (at the latest finish()) writes them.
    void emit_now(std::string_view lines) { out_ += lines; }
    /// Ends the run with `status` (once; later calls do nothing).
    void finish(int status);
    bool finished() const noexcept { return finished_; }

    template <class Derived>
    std::shared_ptr<Derived> self() {
        return std::static_pointer_cast<Derived>(shared_from_this());
    }

    boost::asio::io_context& ioc_;
    bwvoice::ConferenceClient& client_;
    std::vector<std::string> secrets_;
    Progress progress_;

private:
    void on_signal(int signo);
    void flush_soon();
    bool flush();
    void tick();

    boost::asio::signal_set& signals_;
    int line_fd_;
    std::string out_;  ///< Lines emitted, not yet written.
    bool flush_pending_ = false;
    bool finished_ = false;
    int status_ = 0;
    boost::asio::steady_timer progress_timer_;
};

/// "SIGINT", "SIGTERM".
const char* signal_name(int signo);

}  // namespace bwconf

#endif
