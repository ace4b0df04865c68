// bwconf: where `bwconf download` puts a recording's media: a MediaSink that
// writes to a file descriptor, and the temporary file that becomes FILE
// only once the whole body is in it.
#ifndef BWVOICE_CLI_FILE_SINK_HPP
#define BWVOICE_CLI_FILE_SINK_HPP

#include <bwvoice/media.hpp>

#include <sys/types.h>
#include <string>

namespace bwconf {

/// Writes each piece of the body with write(2) before giving it back, so
/// memory holds one piece (the client's, 64 KiB) whatever the body's size;
/// a slow disk or reader slows the download instead (back-pressure).
///
/// A write that fails stops the download with that error (error() says
/// which). A write interrupted by a signal (EINTR: only SIGINT and SIGTERM
/// have handlers, Asio's, installed without SA_RESTART) stops it too,
/// rather than block again on a reader that does not read: interrupted()
/// then tells the caller that the signal's own handling is on its way.
class FdSink final : public bwvoice::MediaSink {
public:
    explicit FdSink(int fd) : fd_(fd) {}

    void start(std::string_view content_type, std::optional<std::uint64_t> content_length) override;
    void write(boost::asio::const_buffer data, std::function<void(bwvoice::error_code)> done) override;
    void finish(bool whole) override;

    /// finish(true) came: every byte of the body arrived and was written.
    bool whole() const noexcept { return finished_ && whole_; }
    /// A write failed: strerror's text ("No space left on device"), else "".
    const std::string& error() const noexcept { return error_; }
    bool interrupted() const noexcept { return interrupted_; }
    /// No more writes: each later one fails with operation_aborted.
    void abandon() noexcept { abandoned_ = true; }

private:
    int fd_;
    bool finished_ = false;
    bool whole_ = false;
    bool abandoned_ = false;
    bool interrupted_ = false;
    std::string error_;
};

/// A temporary file next to `target` (same folder, so the final rename is
/// atomic and never crosses file systems), created with mkstemp. Removed by
/// discard() and by the destructor unless commit() made it the target.
class TempFile {
public:
    /// Throws UsageError when the folder does not exist or is not writable.
    explicit TempFile(std::string target);
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    int fd() const noexcept { return fd_; }
    const std::string& path() const noexcept { return path_; }

    /// Flushes the data to disk, gives the file the target's mode (that of
    /// the file it replaces, else 0666 less the umask) and renames it onto
    /// the target. False with `why` set on failure (the file is then removed).
    bool commit(std::string& why);
    /// Closes and removes the temporary file (idempotent).
    void discard() noexcept;

private:
    std::string target_;
    std::string path_;
    int fd_ = -1;
    bool done_ = false;
    mode_t mode_ = 0666;
};

}  // namespace bwconf

#endif
