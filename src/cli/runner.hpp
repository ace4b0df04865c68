// bwconf: the ordered streaming engine of `bwconf get`.
#ifndef BWVOICE_CLI_RUNNER_HPP
#define BWVOICE_CLI_RUNNER_HPP

#include "cli/line_source.hpp"
#include "cli/progress.hpp"

#include <bwvoice/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bwconf {

/// Looks up a stream of IDs with at most `window` lookups in flight and
/// prints one line per ID, in input order, as soon as every earlier line is
/// out.
///
/// Design: a ring of `window` slots. ID number n (0-based over the positional
/// IDs, then --ids-from) occupies slot n % window from the moment it is read
/// until its line is printed. Reading stops while all slots are taken, so
/// the window bounds at once the lookups in flight, the results held back
/// for an earlier slow lookup, and how far input is read ahead: memory does
/// not grow with the input. When a lookup completes its line is stored in
/// its slot; the head then prints every consecutive finished slot and frees
/// it, and freed slots are filled from the input. stdout is flushed once per
/// batch of completions (a posted flush runs after the handlers already
/// queued), not once per line.
///
/// Everything runs on the one thread running the io_context, so there is no
/// locking; input that may stall (a pipe) is waited for on the io_context too
/// (see LineSource).
///
/// On SIGINT or SIGTERM the input is no longer read, the client is closed,
/// every requested ID whose line is not out yet is printed as `cancelled` at
/// once (not waiting for the client's own cancellations), and the exit
/// status is 128 + the signal number. Requested means: every positional ID
/// (all were asked for on the command line, even those not yet started) and
/// every line already read from --ids-from. Lines not yet read were never
/// requested and get no line: with an endless --ids-from there would
/// otherwise be no end to print.
class Runner : public std::enable_shared_from_this<Runner> {
public:
    Runner(boost::asio::io_context& ioc, boost::asio::signal_set& signals, bwvoice::ConferenceClient& client,
           std::vector<std::string> ids, std::unique_ptr<LineSource> source, std::size_t window,
           bool progress, std::vector<std::string> secrets);

    /// Runs the io_context until every line is printed or a signal came.
    /// Returns the exit status: 0, 1 (a lookup failed, or input or output
    /// failed), 130 or 143.
    int run();

private:
    struct Slot {
        std::string id;
        std::string line;
        bool done = false;
    };

    void pump();
    void start(std::string id);
    void complete(std::uint64_t seq, const bwvoice::error_code& ec, const bwvoice::Conference& conference,
                  const bwvoice::Diagnostics& diag);
    void print_head();
    void flush_soon();
    bool flush();
    void on_signal(int signo);
    void tick();
    void finish(int status);
    bool input_exhausted() const;

    boost::asio::io_context& ioc_;
    boost::asio::signal_set& signals_;
    bwvoice::ConferenceClient& client_;
    std::vector<std::string> ids_;
    std::size_t next_positional_ = 0;
    std::unique_ptr<LineSource> source_;
    bool source_ended_ = false;
    bool waiting_for_input_ = false;

    std::vector<Slot> ring_;
    std::uint64_t head_ = 0;  ///< Number of lines printed: the next slot to print.
    std::uint64_t next_ = 0;  ///< Number of IDs read: the next slot to fill.

    std::string out_;  ///< Lines printed from the window, not yet written to stdout.
    bool flush_pending_ = false;
    bool finished_ = false;
    bool any_failed_ = false;
    int status_ = 0;

    Progress progress_;
    boost::asio::steady_timer progress_timer_;
    std::vector<std::string> secrets_;
};

}  // namespace bwconf

#endif
