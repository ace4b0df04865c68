// bwconf: from a subcommand's arguments to its exit status; see app.hpp.
#include "cli/app.hpp"

#include "cli/redact.hpp"
#include "cli/stats_json.hpp"

#include <pthread.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <iostream>
#include <optional>
#include <stdexcept>

namespace bwconf {
namespace {

sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

// The --stats line, in one write(2) where the pipe allows, so that it is not
// interleaved with another writer's on a shared stderr. A failure to write
// it is ignored: --stats must never change the exit status, so SIGPIPE (a
// stderr whose reader has gone) is held for the write and any it raised
// taken back.
void write_stats(const bwvoice::ClientMetrics& m) {
    const std::string line = stats_line(m);
    sigset_t pipe_signal, previous;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    const bool already_pending = sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
    std::size_t written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
        if (n >= 0)
            written += static_cast<std::size_t>(n);
        else if (errno != EINTR)
            break;
    }
    if (!already_pending) {
        const timespec now{0, 0};
        while (::sigtimedwait(&pipe_signal, nullptr, &now) == -1 && errno == EINTR) {}
    }
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace

void hold_stop_signals() {
    const auto set = stop_signals();
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void release_stop_signals() {
    const auto set = stop_signals();
    ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

int usage_error(const std::string& context, const std::string& message, const std::vector<std::string>& secrets,
                const std::string& help_hint) {
    std::cerr << context << ": " << redact(message, secrets) << "\n"
              << "Try '" << help_hint << "' for more information.\n";
    return kExitUsage;
}

int run_command(const CommandSpec& spec, const std::vector<std::string>& args, bool stats) {
    const std::string context = "bwconf " + spec.name;
    const std::string hint = context + " --help";
    auto secrets = early_secrets(args);

    ParsedArgs parsed;
    RunBuilder build;
    try {
        parsed = parse_args(args, spec.own());
        if (parsed.help) {
            std::cout << spec.help() << std::flush;
            return 0;
        }
        build = spec.prepare(parsed, secrets);
    } catch (const UsageError& e) {
        return usage_error(context, e.what(), secrets, hint);
    } catch (const Interrupted& i) {
        std::cout << i.lines << std::flush;
        // No client was made, nothing was sent: the counters are all zero,
        // and the line is still there for the script that expects it.
        if (stats || parsed.common.stats) write_stats(bwvoice::ClientMetrics{});
        return 128 + i.signo;
    }
    const auto& config = parsed.common.client;
    for (auto& s : secrets_of(config.username, config.password)) secrets.push_back(std::move(s));
    for (auto& s : secrets_of(config.client_id, config.client_secret)) secrets.push_back(std::move(s));
    // Longer secrets first, so one containing another is not left half visible.
    std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });

    // One thread runs everything (hint 1: Asio may skip its locking).
    boost::asio::io_context ioc(1);
    // Installed before anything slow (opening a FIFO, loading trust stores),
    // so an early Ctrl-C still ends with 130 rather than the default death.
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    release_stop_signals();

    // The client validates the whole configuration (the URL above all) and
    // loads the trust store; both failures are the user's to fix: exit 2.
    std::optional<bwvoice::ConferenceClient> client;
    try {
        client.emplace(ioc, config);
    } catch (const std::invalid_argument& e) {
        return usage_error(context, std::string("invalid configuration: ") + e.what(), secrets, hint);
    } catch (const std::exception& e) {
        // std::system_error or boost::system::system_error: an unreadable or invalid trust store.
        return usage_error(context, std::string("cannot set up TLS: ") + e.what(), secrets, hint);
    }

    const bool progress = parsed.common.progress == ProgressMode::on ||
                          (parsed.common.progress == ProgressMode::automatic && ::isatty(STDERR_FILENO) != 0);
    Session session{ioc, signals, *client, progress, secrets};
    std::shared_ptr<RunBase> run;
    try {
        run = build(session);
    } catch (const UsageError& e) {
        return usage_error(context, e.what(), secrets, hint);
    }
    int status = 1;
    try {
        status = run->run();
    } catch (...) {
        // Not expected (main reports it and exits 1), but the client made
        // requests: their counts are still told.
        hold_stop_signals();
        if (stats || parsed.common.stats) write_stats(client->metrics());
        throw;
    }
    hold_stop_signals();  // the signal_set's destructor restores the default action
    // After run(): the client is closed and its cancellations and connection
    // shutdowns have run, so the counts are final (cancelled operations and
    // closed connections included), and the line comes after every other
    // line of the run, the progress summary's too.
    if (stats || parsed.common.stats) write_stats(client->metrics());
    return status;
}

}  // namespace bwconf
