#include "child_server.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bwvoice::bench {

namespace {

bool write_all(int fd, const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

/// One '\n'-terminated line, without the '\n'; false on EOF or error.
bool read_line(int fd, std::string& line) {
    line.clear();
    char c = 0;
    for (;;) {
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        if (c == '\n') return true;
        line += c;
    }
}

[[noreturn]] void child_main(mock::ServerOptions options, int in, int out) {
    // Die with the parent even if it is killed before it can close the pipe.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    try {
        mock::MockServer server(std::move(options));
        if (!write_all(out, std::to_string(server.port()) + "\n")) std::_Exit(1);
        std::string line;
        while (read_line(in, line)) {
            if (line.rfind("delay ", 0) == 0) {
                const long ms = std::strtol(line.c_str() + 6, nullptr, 10);
                if (ms > 0) {
                    mock::Action a;
                    a.delay = std::chrono::milliseconds(ms);
                    server.script_all({a});
                } else {
                    server.script_all({});
                }
            }
            if (!write_all(out, "ok\n")) break;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bwvoice-bench: child server: %s\n", e.what());
        std::_Exit(1);
    }
    // _Exit: the parent's atexit handlers and static destructors are not ours to run.
    std::_Exit(0);
}

}  // namespace

ChildServer::ChildServer(mock::ServerOptions options) {
    int down[2], up[2];
    if (::pipe(down) != 0) throw std::runtime_error("pipe failed");
    if (::pipe(up) != 0) {
        ::close(down[0]);
        ::close(down[1]);
        throw std::runtime_error("pipe failed");
    }
    std::fflush(nullptr);  // or buffered output would be written twice
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::close(down[1]);
        ::close(up[0]);
        child_main(std::move(options), down[0], up[1]);
    }
    ::close(down[0]);
    ::close(up[1]);
    to_child_ = down[1];
    from_child_ = up[0];
    std::string line;
    if (!read_line(from_child_, line)) throw std::runtime_error("the child server did not start");
    port_ = static_cast<std::uint16_t>(std::stoul(line));
}

ChildServer::~ChildServer() {
    if (pid_ <= 0) return;
    ::close(to_child_);  // EOF: the child stops its server and exits
    ::close(from_child_);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
}

void ChildServer::command(const char* line) {
    std::string reply;
    if (!write_all(to_child_, std::string(line) + "\n") || !read_line(from_child_, reply) || reply != "ok")
        throw std::runtime_error("the child server did not answer");
}

void ChildServer::set_delay(std::chrono::milliseconds delay) {
    command(("delay " + std::to_string(delay.count())).c_str());
}

}  // namespace bwvoice::bench
