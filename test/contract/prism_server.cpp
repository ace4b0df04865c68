#include "contract/prism_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bwvoice::contract {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

/// One GET to 127.0.0.1:port within `limit`: true if any HTTP response came back.
bool answers(unsigned short port, std::chrono::milliseconds limit) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    bool answered = false;
    http::request<http::empty_body> req{http::verb::get, "/accounts/9900000/conferences", 11};
    req.set(http::field::host, "127.0.0.1");
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    stream.expires_after(limit);
    stream.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) return;
        http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
            if (wec) return;
            http::async_read(stream, buffer, res, [&](beast::error_code rec, std::size_t) { answered = !rec; });
        });
    });
    ioc.run();
    return answered;
}

}  // namespace

PrismServer::PrismServer(PrismOptions options) : options_(std::move(options)) {
    if (::access(options_.prism.c_str(), X_OK) != 0)
        throw std::runtime_error("Prism not found at " + options_.prism +
                                 ": run scripts/install-deps.sh, or point BWVOICE_PRISM (CMake or environment) at one");
    if (::access(options_.spec.c_str(), R_OK) != 0)
        throw std::runtime_error("the OpenAPI document " + options_.spec +
                                 " cannot be read: point BWVOICE_OPENAPI_SPEC (CMake or environment) at bandwidth.yml");

    std::string log_name = (std::filesystem::temp_directory_path() / "bwvoice-prism-log.XXXXXX").string();
    log_fd_ = ::mkostemp(log_name.data(), O_CLOEXEC | O_APPEND);
    if (log_fd_ < 0) throw std::runtime_error(errno_text("mkostemp for Prism's log"));
    ::unlink(log_name.c_str());

    std::vector<std::string> args = {options_.prism, "mock"};
    if (options_.mode == PrismMode::dynamic) args.push_back("--dynamic");
    // Port 0: the kernel picks a free port, and Prism prints the one it got.
    for (const char* a : {"--host", "127.0.0.1", "--port", "0"}) args.emplace_back(a);
    args.push_back(options_.spec);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    // Everything the child needs is prepared before fork(): between fork and
    // exec it only makes async-signal-safe calls.
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) {
        ::close(log_fd_);
        throw std::runtime_error(errno_text("open /dev/null"));
    }
    const int log_fd = log_fd_;
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
        // Its own process group (stop() signals the group, so nothing node
        // starts is left behind), and SIGTERM if the test process dies.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(null_fd, 0);
        ::dup2(log_fd, 1);
        ::dup2(log_fd, 2);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(null_fd);
    if (pid_ < 0) {
        ::close(log_fd_);
        errno = fork_errno;
        throw std::runtime_error(errno_text("fork"));
    }
    ::setpgid(pid_, pid_);  // also from here, so stop() never races the child's own call
}

PrismServer::~PrismServer() {
    stop();
    ::close(log_fd_);
}

std::string PrismServer::describe() const {
    return std::string("Prism (") + (options_.mode == PrismMode::dynamic ? "--dynamic" : "examples") + ")";
}

void PrismServer::wait_until_ready(std::chrono::seconds limit) {
    static const std::regex listening(R"(Prism is listening on http://127\.0\.0\.1:([0-9]+))");
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            const std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                                      : "was killed by signal " + std::to_string(WTERMSIG(status));
            throw std::runtime_error(describe() + " " + how + " before it answered; its log ends:\n" + log_tail());
        }
        if (port_ == 0) {
            std::smatch m;
            const std::string log = read_log();
            if (std::regex_search(log, m, listening)) port_ = static_cast<unsigned short>(std::stoul(m[1].str()));
        }
        if (port_ != 0 && answers(port_, 2s)) return;
        std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error(describe() + " did not answer within " + std::to_string(limit.count()) +
                             " s; its log ends:\n" + log_tail());
}

std::string PrismServer::log_tail(std::size_t lines) const {
    std::istringstream in(read_log());
    std::deque<std::string> last;
    for (std::string line; std::getline(in, line);) {
        last.push_back(std::move(line));
        if (last.size() > lines) last.pop_front();
    }
    std::string out;
    for (const auto& l : last) out.append(l).push_back('\n');
    return out;
}

void PrismServer::stop() noexcept {
    if (pid_ > 0) {
        // The group while its leader is unreaped, so the ID cannot be anyone else's.
        ::kill(-pid_, SIGTERM);
        bool reaped = false;
        for (int i = 0; i < 100 && !reaped; ++i) {
            reaped = ::waitpid(pid_, nullptr, WNOHANG) == pid_;
            if (!reaped) std::this_thread::sleep_for(100ms);
        }
        if (!reaped) {
            ::kill(-pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        pid_ = -1;
    }
}

std::string PrismServer::read_log() const {
    std::string out;
    char buffer[16384];
    for (off_t at = 0;;) {
        const ssize_t n = ::pread(log_fd_, buffer, sizeof buffer, at);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
        at += n;
    }
    return out;
}

}  // namespace bwvoice::contract
