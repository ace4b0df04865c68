// bwconf: FdSink and TempFile; see file_sink.hpp.
#include "cli/file_sink.hpp"

#include "cli/options.hpp"

#include <boost/asio/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace bwconf {

void FdSink::start(std::string_view, std::optional<std::uint64_t>) {}

void FdSink::write(boost::asio::const_buffer data, std::function<void(bwvoice::error_code)> done) {
    if (abandoned_) return done(boost::asio::error::operation_aborted);
    const char* p = static_cast<const char*>(data.data());
    std::size_t left = data.size();
    while (left != 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n > 0) {
            p += n;
            left -= static_cast<std::size_t>(n);
            continue;
        }
        const int err = n < 0 ? errno : EIO;
        if (err == EINTR) {
            interrupted_ = true;
            return done(boost::asio::error::operation_aborted);
        }
        error_ = std::strerror(err);
        return done(bwvoice::error_code(err, boost::system::system_category()));
    }
    done({});
}

void FdSink::finish(bool whole) {
    finished_ = true;
    whole_ = whole;
}

TempFile::TempFile(std::string target) : target_(std::move(target)) {
    const auto slash = target_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : target_.substr(0, slash);
    const std::string base = slash == std::string::npos ? target_ : target_.substr(slash + 1);
    std::string pattern =
        (slash == std::string::npos ? std::string() : target_.substr(0, slash + 1)) + "." + base + ".bwconf-XXXXXX";
    fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ < 0)
        throw UsageError("cannot create a temporary file in " + dir + " for --output " + target_ + ": " +
                         std::strerror(errno));
    path_ = std::move(pattern);
    struct stat st {};
    if (::stat(target_.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        mode_ = st.st_mode & 07777;
    } else {
        const mode_t mask = ::umask(0);
        ::umask(mask);
        mode_ = 0666 & ~mask;
    }
}

TempFile::~TempFile() {
    discard();
}

bool TempFile::commit(std::string& why) {
    if (done_) {
        why = "the temporary file is gone";
        return false;
    }
    const auto fail = [&](const char* what) {
        why = std::string(what) + " " + path_ + ": " + std::strerror(errno);
        discard();
        return false;
    };
    if (::fsync(fd_) != 0) return fail("flushing");
    if (::fchmod(fd_, mode_) != 0) return fail("setting the mode of");
    if (::close(fd_) != 0) {
        fd_ = -1;
        return fail("closing");
    }
    fd_ = -1;
    if (::rename(path_.c_str(), target_.c_str()) != 0) {
        why = "renaming " + path_ + " to " + target_ + ": " + std::strerror(errno);
        discard();
        return false;
    }
    done_ = true;
    return true;
}

void TempFile::discard() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    if (!done_) {
        ::unlink(path_.c_str());
        done_ = true;
    }
}

}  // namespace bwconf
