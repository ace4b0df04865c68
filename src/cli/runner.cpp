// bwconf: the ordered streaming engine; the design is described in runner.hpp.
#include "cli/runner.hpp"

#include <boost/asio/post.hpp>

#include <cstdio>

namespace bwconf {
namespace {

std::optional<std::uint64_t> known_total(const std::vector<std::string>& keys, const LineSource* source) {
    std::uint64_t total = keys.size();
    if (source == nullptr) return total;
    if (auto rest = source->count_remaining()) return total + *rest;
    return std::nullopt;
}

}  // namespace

Runner::Runner(Session& session, std::shared_ptr<Task> task, std::vector<std::string> keys,
               std::unique_ptr<LineSource> source, std::size_t window, int line_fd, std::string noun,
               std::string done_word)
    // Counting a regular file's lines costs a pass over it: only worth it for an ETA.
    : RunBase(session, line_fd,
              Progress(session.progress, session.progress ? known_total(keys, source.get()) : std::nullopt,
                       std::move(noun), std::move(done_word))),
      task_(std::move(task)),
      keys_(std::move(keys)),
      source_(std::move(source)),
      ring_(window) {}

void Runner::begin() {
    pump();
}

bool Runner::input_exhausted() const {
    return next_positional_ == keys_.size() && (!source_ || source_ended_);
}

// Fills free slots from the input; ends the run when nothing is left.
void Runner::pump() {
    while (!finished() && next_ - head_ < ring_.size()) {
        std::string key;
        if (next_positional_ < keys_.size()) {
            key = std::move(keys_[next_positional_++]);
        } else if (source_ && !source_ended_) {
            const auto got = source_->next(key);
            if (got == LineSource::Next::wait) {
                if (!waiting_for_input_) {
                    waiting_for_input_ = true;
                    source_->async_wait([self = self<Runner>()] {
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
        start(std::move(key));
    }
    if (!finished() && input_exhausted() && head_ == next_) finish(any_failed_ ? 1 : 0);
}

void Runner::start(std::string key) {
    const std::uint64_t seq = next_++;
    Slot& slot = ring_[seq % ring_.size()];
    slot.key = std::move(key);
    slot.lines.clear();
    slot.done = false;
    task_->start(slot.key, [self = self<Runner>(), seq](std::string lines, bool failed) {
        self->complete(seq, std::move(lines), failed);
    });
}

void Runner::complete(std::uint64_t seq, std::string lines, bool failed) {
    if (finished()) return;  // a signal already printed this key as cancelled
    Slot& slot = ring_[seq % ring_.size()];
    slot.lines = std::move(lines);
    slot.done = true;
    if (failed) any_failed_ = true;
    progress_.finished(failed);
    if (seq == head_) print_head();
    pump();
}

// Writes every finished result at the head of the window, freeing the slots.
void Runner::print_head() {
    std::string out;
    while (head_ < next_) {
        Slot& slot = ring_[head_ % ring_.size()];
        if (!slot.done) break;
        out += slot.lines;
        // Give the memory back: a window of 100k slots must not keep 100k old lines.
        std::string().swap(slot.lines);
        std::string().swap(slot.key);
        slot.done = false;
        ++head_;
    }
    if (!out.empty()) emit(out);
}

void Runner::interrupted(const std::string& why) {
    task_->abandon();
    for (std::uint64_t seq = head_; seq < next_; ++seq) {
        Slot& slot = ring_[seq % ring_.size()];
        if (slot.done) continue;
        slot.lines = task_->cancelled_line(slot.key, why + " before the operation finished");
        slot.done = true;
        progress_.finished(true);
    }
    print_head();
    // Every key on the command line was requested, started or not.
    for (; next_positional_ < keys_.size(); ++next_positional_) {
        emit_now(task_->cancelled_line(keys_[next_positional_], why + " before the operation started"));
        progress_.finished(true);
    }
}

void Runner::on_finish() {
    if (source_) source_->cancel();
}

}  // namespace bwconf
