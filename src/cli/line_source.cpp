// bwconf: incremental reading of IDs; see line_source.hpp for the two modes.
#include "cli/line_source.hpp"

#include "cli/options.hpp"

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <array>
#include <cerrno>
#include <cstring>

namespace bwconf {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

}  // namespace

LineSource::LineSource(boost::asio::any_io_executor ex, const std::string& path) {
    if (path == "-") {
        fd_ = STDIN_FILENO;
    } else {
        // A FIFO blocks here until a writer opens it, as with cat(1).
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw UsageError("cannot read --ids-from " + path + ": " + std::strerror(errno));
        owns_fd_ = true;
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        const int err = errno;
        if (owns_fd_) ::close(fd_);
        throw UsageError("cannot read --ids-from " + path + ": " + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        if (owns_fd_) ::close(fd_);
        throw UsageError("cannot read --ids-from " + path + ": it is a directory");
    }
    pollable_ = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || ::isatty(fd_) != 0;
    if (pollable_) {
        // Asio switches the descriptor to O_NONBLOCK, which is shared with
        // every process holding the same open file (a terminal's shell); the
        // destructor puts the flags back.
        saved_flags_ = ::fcntl(fd_, F_GETFL);
        try {
            descriptor_.emplace(ex, fd_);
        } catch (const boost::system::system_error&) {
            // The reactor refuses it: blocking reads are then the only way left.
            pollable_ = false;
            saved_flags_ = -1;
        }
    }
}

LineSource::~LineSource() {
    if (descriptor_) {
        boost::system::error_code ignored;
        descriptor_->cancel(ignored);
        descriptor_->release();  // closing stays ours: stdin must not be closed by Asio
    }
    if (saved_flags_ != -1) ::fcntl(fd_, F_SETFL, saved_flags_);
    if (owns_fd_) ::close(fd_);
}

bool LineSource::take_line(std::string& id) {
    while (true) {
        const auto nl = buffer_.find('\n', pos_);
        std::string_view line;
        if (nl != std::string::npos) {
            line = std::string_view(buffer_).substr(pos_, nl - pos_);
            pos_ = nl + 1;
        } else if (eof_ && pos_ < buffer_.size()) {
            line = std::string_view(buffer_).substr(pos_);  // a last line without '\n'
            pos_ = buffer_.size();
        } else {
            // Keep only the unfinished line, so the buffer stays one chunk plus one line.
            buffer_.erase(0, pos_);
            pos_ = 0;
            return false;
        }
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (is_blank(line)) continue;
        id.assign(line);
        return true;
    }
}

bool LineSource::fill() {
    std::array<char, kChunk> chunk;
    while (true) {
        const ssize_t n = ::read(fd_, chunk.data(), chunk.size());
        if (n > 0) {
            buffer_.append(chunk.data(), static_cast<std::size_t>(n));
            return true;
        }
        if (n == 0) {
            eof_ = true;
            return true;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        error_ = std::string("reading IDs: ") + std::strerror(errno);
        eof_ = true;
        return true;
    }
}

LineSource::Next LineSource::next(std::string& id) {
    while (!cancelled_) {
        if (take_line(id)) return Next::line;
        if (eof_) return Next::end;
        // A pollable descriptor is only read after the reactor said it is
        // readable; that read happens in async_wait's handler.
        if (pollable_) return Next::wait;
        fill();
    }
    return Next::end;
}

void LineSource::async_wait(std::function<void()> ready) {
    descriptor_->async_wait(boost::asio::posix::descriptor_base::wait_read,
                            [this, ready = std::move(ready)](const boost::system::error_code& ec) {
                                if (cancelled_ || ec == boost::asio::error::operation_aborted) return;
                                if (ec) {
                                    error_ = "reading IDs: " + ec.message();
                                    eof_ = true;
                                } else {
                                    fill();  // readable: returns at once (EAGAIN just means wait again)
                                }
                                ready();
                            });
}

void LineSource::cancel() {
    cancelled_ = true;
    if (descriptor_) {
        boost::system::error_code ignored;
        descriptor_->cancel(ignored);
    }
}

std::optional<std::uint64_t> LineSource::count_remaining() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    const off_t start = ::lseek(fd_, 0, SEEK_CUR);
    if (start < 0) return std::nullopt;
    // Only whether a line holds a non-blank character matters (CR is blank too).
    std::uint64_t count = 0;
    bool nonblank = false;
    auto scan = [&](std::string_view text) {
        for (char c : text) {
            if (c == '\n') {
                if (nonblank) ++count;
                nonblank = false;
            } else if (!nonblank && !is_blank(std::string_view(&c, 1))) {
                nonblank = true;
            }
        }
    };
    scan(std::string_view(buffer_).substr(pos_));  // read but not yet taken
    std::array<char, kChunk> chunk;
    off_t offset = start;
    while (true) {
        const ssize_t n = ::pread(fd_, chunk.data(), chunk.size(), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        offset += n;
        scan(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
    }
    if (nonblank) ++count;
    return count;
}

}  // namespace bwconf
