// bwconf: the ordered streaming engine: one operation per key (a conference,
// member or recording ID), one result per key, printed in input order.
#ifndef BWVOICE_CLI_RUNNER_HPP
#define BWVOICE_CLI_RUNNER_HPP

#include "cli/line_source.hpp"
#include "cli/run_base.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bwconf {

/// What a Runner does for each key: the subcommand's operation and lines.
class Task {
public:
    /// Takes the result: the text to print (one or more lines, each ending in
    /// '\n', possibly none) and whether the operation failed.
    using Done = std::function<void(std::string lines, bool failed)>;

    virtual ~Task() = default;
    /// Starts the operation for `key`; calls `done` once, on the io_context's
    /// thread, never inside start() itself.
    virtual void start(const std::string& key, Done done) = 0;
    /// The line of `key` when a signal ends the run before its result:
    /// code `cancelled`, status null, `message`.
    virtual std::string cancelled_line(const std::string& key, const std::string& message) const = 0;
    /// A signal ended the run: undo what must not outlive it (a temporary file).
    virtual void abandon() {}
};

/// Runs a Task over a stream of keys with at most `window` operations in
/// flight and prints one result per key, in input order, as soon as every
/// earlier result is out.
///
/// Design: a ring of `window` slots. Key number n (0-based over the
/// positional keys, then --ids-from) occupies slot n % window from the
/// moment it is read until its result is printed. Reading stops while all
/// slots are taken, so the window bounds at once the operations in flight,
/// the results held back for an earlier slow one, and how far input is read
/// ahead: memory does not grow with the input. When an operation completes
/// its result is stored in its slot; the head then prints every consecutive
/// finished slot and frees it, and freed slots are filled from the input.
///
/// Everything runs on the one thread running the io_context, so there is no
/// locking; input that may stall (a pipe) is waited for on the io_context too
/// (see LineSource).
///
/// On SIGINT or SIGTERM the input is no longer read, the client is closed,
/// every requested key whose result is not out yet is printed as
/// `cancelled` at once (not waiting for the client's own cancellations), and
/// the exit status is 128 + the signal number. Requested means: every
/// positional key (all were asked for on the command line, even those not yet
/// started) and every line already read from --ids-from. Lines not yet read
/// were never requested and get no line: with an endless --ids-from there
/// would otherwise be no end to print.
class Runner : public RunBase {
public:
    /// `source` may be null. `line_fd`: where results go.
    Runner(Session& session, std::shared_ptr<Task> task, std::vector<std::string> keys,
           std::unique_ptr<LineSource> source, std::size_t window, int line_fd = 1, std::string noun = "lookups",
           std::string done_word = "looked up");

private:
    struct Slot {
        std::string key;
        std::string lines;
        bool done = false;
    };

    void begin() override;
    void interrupted(const std::string& why) override;
    void on_finish() override;

    void pump();
    void start(std::string key);
    void complete(std::uint64_t seq, std::string lines, bool failed);
    void print_head();
    bool input_exhausted() const;

    std::shared_ptr<Task> task_;
    std::vector<std::string> keys_;
    std::size_t next_positional_ = 0;
    std::unique_ptr<LineSource> source_;
    bool source_ended_ = false;
    bool waiting_for_input_ = false;

    std::vector<Slot> ring_;
    std::uint64_t head_ = 0;  ///< Number of results printed: the next slot to print.
    std::uint64_t next_ = 0;  ///< Number of keys read: the next slot to fill.
    bool any_failed_ = false;
};

}  // namespace bwconf

#endif
