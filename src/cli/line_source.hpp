// bwconf: conference IDs read one line at a time from a file or stdin.
#ifndef BWVOICE_CLI_LINE_SOURCE_HPP
#define BWVOICE_CLI_LINE_SOURCE_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace bwconf {

/// Reads IDs incrementally, never more than one read(2) chunk ahead of what
/// the caller has taken, so an input of any length is read in bounded memory.
///
/// Why two modes: a regular file (or /dev/null and the like) can always be
/// read at once, and epoll refuses such descriptors, so those are read with
/// plain blocking read(2) calls, which return promptly. A pipe, socket or
/// terminal may deliver its next line much later (a producer trickling IDs, a
/// person typing); reading it with a blocking call would freeze the event
/// loop, so finished results would not be printed and the deadlines of
/// lookups in flight would run out while their responses sat unread. Those
/// are waited for on the io_context (readiness), then read with one read(2).
class LineSource {
public:
    enum class Next { line, wait, end };

    /// `path` "-" is stdin. Throws UsageError when the file cannot be opened.
    LineSource(boost::asio::any_io_executor ex, const std::string& path);
    ~LineSource();
    LineSource(const LineSource&) = delete;
    LineSource& operator=(const LineSource&) = delete;

    /// Takes the next non-blank line (a trailing CR removed) into `id`.
    /// `wait`: nothing can be read now without blocking; call async_wait.
    /// `end`: end of input, or a read error (then error() says which).
    Next next(std::string& id);

    /// Calls `ready` (on the executor) once more input or the end has arrived,
    /// not after cancel().
    void async_wait(std::function<void()> ready);

    /// Stops reading: a pending wait ends without calling its handler.
    void cancel();

    /// The reason reading stopped early, or empty.
    const std::string& error() const { return error_; }

    /// For a regular file: how many non-blank lines are still to come, counted
    /// by a separate pass with pread(2) that leaves the read position alone.
    std::optional<std::uint64_t> count_remaining() const;

private:
    bool take_line(std::string& id);
    // One read(2) into the buffer; false when it would block.
    bool fill();

    int fd_ = -1;
    bool owns_fd_ = false;
    bool pollable_ = false;
    bool eof_ = false;
    bool cancelled_ = false;
    int saved_flags_ = -1;
    std::string buffer_;
    std::size_t pos_ = 0;
    std::string error_;
    std::optional<boost::asio::posix::stream_descriptor> descriptor_;
};

}  // namespace bwconf

#endif
