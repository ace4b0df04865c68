// bwconf: the ordered streaming engine; the design is described in runner.hpp.
#include "cli/runner.hpp"

#include "cli/output.hpp"
#include "cli/redact.hpp"

#include <boost/asio/post.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace bwconf {
namespace {

constexpr std::chrono::milliseconds kProgressInterval{200};
constexpr std::chrono::milliseconds kShutdownGrace{500};

std::optional<std::uint64_t> known_total(const std::vector<std::string>& ids, const LineSource* source) {
    std::uint64_t total = ids.size();
    if (source == nullptr) return total;
    if (auto rest = source->count_remaining()) return total + *rest;
    return std::nullopt;
}

const char* signal_name(int signo) { return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "a signal"; }

}  // namespace

Runner::Runner(boost::asio::io_context& ioc, boost::asio::signal_set& signals, bwvoice::ConferenceClient& client,
               std::vector<std::string> ids, std::unique_ptr<LineSource> source, std::size_t window,
               bool progress, std::vector<std::string> secrets)
    : ioc_(ioc),
      signals_(signals),
      client_(client),
      ids_(std::move(ids)),
      source_(std::move(source)),
      ring_(window),
      // Counting a regular file's lines costs a pass over it: only worth it for an ETA.
      progress_(progress, progress ? known_total(ids_, source_.get()) : std::nullopt),
      progress_timer_(ioc),
      secrets_(std::move(secrets)) {}

int Runner::run() {
    signals_.async_wait([self = shared_from_this()](const boost::system::error_code& ec, int signo) {
        if (!ec) self->on_signal(signo);
    });
    if (progress_.enabled()) {
        progress_.draw();
        tick();
    }
    boost::asio::post(ioc_, [self = shared_from_this()] { self->pump(); });
    while (!finished_ && ioc_.run_one() != 0) {
    }
    if (!finished_) {
        // Cannot happen while a lookup or a read is pending; never exit 0 on a lost line.
        std::fprintf(stderr, "bwconf: internal error: the event loop ran out of work\n");
        finish(1);
    }
    // Let the closed client's cancellations and connection shutdowns run, but
    // never let a stuck one keep the process from exiting.
    ioc_.run_for(kShutdownGrace);
    return status_;
}

bool Runner::input_exhausted() const {
    return next_positional_ == ids_.size() && (!source_ || source_ended_);
}

// Fills free slots from the input; ends the run when nothing is left.
void Runner::pump() {
    while (!finished_ && next_ - head_ < ring_.size()) {
        std::string id;
        if (next_positional_ < ids_.size()) {
            id = std::move(ids_[next_positional_++]);
        } else if (source_ && !source_ended_) {
            const auto got = source_->next(id);
            if (got == LineSource::Next::wait) {
                if (!waiting_for_input_) {
                    waiting_for_input_ = true;
                    source_->async_wait([self = shared_from_this()] {
                        self->waiting_for_input_ = false;
                        self->pump();
                    });
                }
                break;
            }
            if (got == LineSource::Next::end) {
                source_ended_ = true;
                if (!source_->error().empty()) {
                    // The lines already read are still looked up and printed.
                    std::fprintf(stderr, "bwconf: %s\n", source_->error().c_str());
                    any_failed_ = true;
                }
                break;
            }
        } else {
            break;
        }
        start(std::move(id));
    }
    if (!finished_ && input_exhausted() && head_ == next_) finish(any_failed_ ? 1 : 0);
}

void Runner::start(std::string id) {
    const std::uint64_t seq = next_++;
    Slot& slot = ring_[seq % ring_.size()];
    slot.id = std::move(id);
    slot.line.clear();
    slot.done = false;
    // The diagnostics outlive this object's slot if the run ends first (a
    // signal), so they travel with the handler instead of living in the ring.
    auto diag = std::make_shared<bwvoice::Diagnostics>();
    client_.async_get_conference(
        slot.id, *diag,
        [self = shared_from_this(), seq, diag](bwvoice::error_code ec, bwvoice::Conference conference) {
            self->complete(seq, ec, conference, *diag);
        });
}

void Runner::complete(std::uint64_t seq, const bwvoice::error_code& ec, const bwvoice::Conference& conference,
                      const bwvoice::Diagnostics& diag) {
    if (finished_) return;  // a signal already printed this ID as cancelled
    Slot& slot = ring_[seq % ring_.size()];
    slot.line = ec ? failure_line(slot.id, ec, diag, secrets_) : success_line(conference);
    slot.done = true;
    if (ec) any_failed_ = true;
    progress_.finished(static_cast<bool>(ec));
    if (seq == head_) print_head();
    pump();
}

// Writes every finished line at the head of the window, freeing the slots.
void Runner::print_head() {
    bool printed = false;
    while (head_ < next_) {
        Slot& slot = ring_[head_ % ring_.size()];
        if (!slot.done) break;
        out_ += slot.line;
        // Give the memory back: a window of 100k slots must not keep 100k old lines.
        std::string().swap(slot.line);
        std::string().swap(slot.id);
        slot.done = false;
        ++head_;
        printed = true;
    }
    if (printed) flush_soon();
}

// One flush per batch: handlers already queued on the io_context (other
// completions of the same poll) run before this posted one.
void Runner::flush_soon() {
    if (flush_pending_) return;
    flush_pending_ = true;
    boost::asio::post(ioc_, [self = shared_from_this()] {
        self->flush_pending_ = false;
        if (!self->finished_ && !self->flush()) self->finish(1);
    });
}

// Plain write(2) rather than stdio: Asio's signal handlers are installed
// without SA_RESTART, so a write blocked on a full pipe may fail with EINTR
// when Ctrl-C arrives, and must then simply be resumed. A consumer slower
// than the lookups blocks the loop here; that is the back-pressure.
bool Runner::flush() {
    std::size_t written = 0;
    while (written < out_.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, out_.data() + written, out_.size() - written);
        if (n >= 0) {
            written += static_cast<std::size_t>(n);
        } else if (errno != EINTR) {
            std::fprintf(stderr, "bwconf: writing to stdout: %s\n", std::strerror(errno));
            out_.clear();
            return false;
        }
    }
    out_.clear();
    return true;
}

void Runner::on_signal(int signo) {
    if (finished_) return;
    for (std::uint64_t seq = head_; seq < next_; ++seq) {
        Slot& slot = ring_[seq % ring_.size()];
        if (slot.done) continue;
        slot.line = failure_line(slot.id, bwvoice::errc::cancelled,
                                 std::string("interrupted by ") + signal_name(signo) + " before the lookup finished");
        slot.done = true;
        progress_.finished(true);
    }
    print_head();
    // Every ID on the command line was requested, started or not.
    for (; next_positional_ < ids_.size(); ++next_positional_) {
        out_ += failure_line(ids_[next_positional_], bwvoice::errc::cancelled,
                             std::string("interrupted by ") + signal_name(signo) + " before the lookup started");
        progress_.finished(true);
    }
    finish(128 + signo);
}

void Runner::tick() {
    progress_timer_.expires_after(kProgressInterval);
    progress_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->finished_) return;
        self->progress_.draw();
        self->tick();
    });
}

// Ends the run: no further reading, lookups or redraws; the io_context then
// runs out of work and run() returns.
void Runner::finish(int status) {
    finished_ = true;
    if (!flush() && status == 0) status = 1;
    status_ = status;
    if (source_) source_->cancel();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    progress_timer_.cancel();
    client_.close();
    std::string ending;
    if (status > 128) ending = std::string("; interrupted by ") + signal_name(status - 128);
    progress_.summary(client_.stats(), ending);
}

}  // namespace bwconf
