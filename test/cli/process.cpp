// Child processes for the CLI tests: posix_spawn with three pipes, and a
// poll(2) loop that feeds stdin and drains stdout and stderr together, so a
// child writing a lot never blocks on a full pipe while we write to it.
#include "cli/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace bwconf_test {
namespace {

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

}  // namespace

std::vector<std::string> ProcessResult::lines() const {
    std::vector<std::string> v;
    std::size_t start = 0;
    while (start < out.size()) {
        auto nl = out.find('\n', start);
        if (nl == std::string::npos) nl = out.size();
        v.push_back(out.substr(start, nl - start));
        start = nl + 1;
    }
    return v;
}

Process::Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
    // A child that exits with stdin unread must fail our write with EPIPE,
    // not kill the test process.
    static const bool sigpipe_ignored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    (void)sigpipe_ignored;
    int in[2], out[2], err[2];
    check(::pipe2(in, O_CLOEXEC) == 0, "pipe2");
    check(::pipe2(out, O_CLOEXEC) == 0, "pipe2");
    check(::pipe2(err, O_CLOEXEC) == 0, "pipe2");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);

    // Default dispositions and an empty mask whatever the test runner set,
    // so SIGINT and SIGTERM reach the child's own handling.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults, empty;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    sigemptyset(&empty);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e)
        if (std::strncmp(*e, "BW_", 3) != 0) env_strings.emplace_back(*e);
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, args;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);

    const int rc = ::posix_spawn(&pid_, args[0], &actions, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
    if (rc != 0) {
        errno = rc;
        check(false, "posix_spawn");
    }
    ::fcntl(in_, F_SETFL, ::fcntl(in_, F_GETFL) | O_NONBLOCK);
}

Process::~Process() {
    if (!exited_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {in_, out_, err_})
        if (fd >= 0) ::close(fd);
}

void Process::write_stdin(const std::string& data) {
    stdin_pending_ += data;
}

void Process::close_stdin() {
    close_stdin_when_drained_ = true;
    if (stdin_pending_.empty() && in_ >= 0) {
        ::close(in_);
        in_ = -1;
    }
}

bool Process::pump_once(std::chrono::milliseconds max_wait) {
    pollfd fds[3];
    nfds_t n = 0;
    int* owners[3];
    if (out_ >= 0) {
        fds[n] = {out_, POLLIN, 0};
        owners[n++] = &out_;
    }
    if (err_ >= 0) {
        fds[n] = {err_, POLLIN, 0};
        owners[n++] = &err_;
    }
    if (in_ >= 0 && !stdin_pending_.empty()) {
        fds[n] = {in_, POLLOUT, 0};
        owners[n++] = &in_;
    }
    if (n == 0) return false;
    const int ready = ::poll(fds, n, static_cast<int>(max_wait.count()));
    if (ready <= 0) return true;
    for (nfds_t i = 0; i < n; ++i) {
        if (fds[i].revents == 0) continue;
        int& fd = *owners[i];
        if (&fd == &in_) {
            const ssize_t w = ::write(in_, stdin_pending_.data(), stdin_pending_.size());
            if (w > 0) {
                stdin_pending_.erase(0, static_cast<std::size_t>(w));
                stdin_written_ += static_cast<std::size_t>(w);
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                stdin_pending_.clear();  // the child closed its stdin
            }
            if (stdin_pending_.empty() && close_stdin_when_drained_) {
                ::close(in_);
                in_ = -1;
            }
            continue;
        }
        char buf[65536];
        const ssize_t r = ::read(fd, buf, sizeof buf);
        if (r > 0) {
            (&fd == &out_ ? result_.out : result_.err).append(buf, static_cast<std::size_t>(r));
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            ::close(fd);
            fd = -1;
        }
    }
    return true;
}

bool Process::pump_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= end) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - now);
        if (!pump_once(std::min(left, std::chrono::milliseconds(50))))
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

void Process::pump_for(std::chrono::milliseconds d) {
    pump_until([] { return false; }, d);
}

void Process::send_signal(int signo) {
    ::kill(pid_, signo);
}

bool Process::reap(bool block) {
    if (exited_) return true;
    int status = 0;
    struct rusage usage {};
    const pid_t r = ::wait4(pid_, &status, block ? 0 : WNOHANG, &usage);
    if (r != pid_) return false;
    exited_ = true;
    result_.max_rss_kib = usage.ru_maxrss;
    if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result_.term_signal = WTERMSIG(status);
    return true;
}

ProcessResult Process::wait(std::chrono::milliseconds limit) {
    close_stdin();
    const bool ended = pump_until([&] { return out_ < 0 && err_ < 0 && reap(false); }, limit);
    if (!ended) {
        result_.timed_out = true;
        ::kill(pid_, SIGKILL);
        reap(true);
        pump_for(std::chrono::milliseconds(100));
    }
    return result_;
}

ProcessResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                  const std::string& input, std::chrono::milliseconds limit) {
    Process p(argv, env);
    p.write_stdin(input);
    return p.wait(limit);
}

}  // namespace bwconf_test
