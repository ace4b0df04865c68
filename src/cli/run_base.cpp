// bwconf: the skeleton every run shares; see run_base.hpp.
#include "cli/run_base.hpp"

#include <boost/asio/post.hpp>

#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace bwconf {
namespace {

constexpr std::chrono::milliseconds kProgressInterval{200};
constexpr std::chrono::milliseconds kShutdownGrace{500};

}  // namespace

const char* signal_name(int signo) {
    return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "a signal";
}

RunBase::RunBase(Session& session, int line_fd, Progress progress)
    : ioc_(session.ioc),
      client_(session.client),
      secrets_(session.secrets),
      progress_(std::move(progress)),
      signals_(session.signals),
      line_fd_(line_fd),
      progress_timer_(session.ioc) {}

int RunBase::run() {
    signals_.async_wait([self = shared_from_this()](const boost::system::error_code& ec, int signo) {
        if (!ec) self->on_signal(signo);
    });
    if (progress_.enabled()) {
        progress_.draw();
        tick();
    }
    boost::asio::post(ioc_, [self = shared_from_this()] { self->begin(); });
    while (!finished_ && ioc_.run_one() != 0) {}
    if (!finished_) {
        // Cannot happen while an operation or a read is pending; never exit 0 on a lost line.
        std::fprintf(stderr, "bwconf: internal error: the event loop ran out of work\n");
        finish(1);
    }
    // Let the closed client's cancellations and connection shutdowns run, but
    // never let a stuck one keep the process from exiting.
    ioc_.run_for(kShutdownGrace);
    return status_;
}

void RunBase::emit(std::string_view lines) {
    out_ += lines;
    flush_soon();
}

// One flush per batch: handlers already queued on the io_context (other
// completions of the same poll) run before this posted one.
void RunBase::flush_soon() {
    if (flush_pending_) return;
    flush_pending_ = true;
    boost::asio::post(ioc_, [self = shared_from_this()] {
        self->flush_pending_ = false;
        if (!self->finished_ && !self->flush()) self->finish(1);
    });
}

bool RunBase::flush() {
    std::size_t written = 0;
    while (written < out_.size()) {
        const ssize_t n = ::write(line_fd_, out_.data() + written, out_.size() - written);
        if (n >= 0) {
            written += static_cast<std::size_t>(n);
        } else if (errno != EINTR) {
            std::fprintf(stderr, "bwconf: writing to %s: %s\n", line_fd_ == STDOUT_FILENO ? "stdout" : "stderr",
                         std::strerror(errno));
            out_.clear();
            return false;
        }
    }
    out_.clear();
    return true;
}

void RunBase::on_signal(int signo) {
    if (finished_) return;
    interrupted(std::string("interrupted by ") + signal_name(signo));
    finish(128 + signo);
}

void RunBase::tick() {
    progress_timer_.expires_after(kProgressInterval);
    progress_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->finished_) return;
        self->progress_.draw();
        self->tick();
    });
}

// Ends the run: no further reading, operations or redraws; the io_context
// then runs out of work and run() returns.
void RunBase::finish(int status) {
    if (finished_) return;
    finished_ = true;
    if (!flush() && status == 0) status = 1;
    status_ = status;
    on_finish();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    progress_timer_.cancel();
    client_.close();
    std::string ending;
    if (status > 128) ending = std::string("; interrupted by ") + signal_name(status - 128);
    progress_.summary(client_.stats(), ending);
}

}  // namespace bwconf
