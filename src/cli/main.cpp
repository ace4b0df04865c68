// bwconf: the command-line client of the Voice API conferences resource.
// This file only dispatches: global options, the subcommand word, and the
// set-up of `get` (its parts live in options, line_source, runner, output
// and progress).
#include "cli/line_source.hpp"
#include "cli/options.hpp"
#include "cli/redact.hpp"
#include "cli/runner.hpp"

#include <bwvoice/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>

#include <csignal>
#include <pthread.h>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace po = boost::program_options;

constexpr int kExitUsage = 2;
constexpr const char* kVersion = "0.1.0";

// The password as given, before parsing succeeds, so that even an error about
// the command line itself cannot print it.
std::vector<std::string> early_secrets(const std::vector<std::string>& args) {
    std::vector<std::string> secrets;
    if (const char* env = std::getenv("BW_PASSWORD"); env != nullptr && *env != '\0') secrets.emplace_back(env);
    const std::string flag = "--password";
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == flag && i + 1 < args.size()) secrets.push_back(args[i + 1]);
        if (args[i].rfind(flag + "=", 0) == 0) secrets.push_back(args[i].substr(flag.size() + 1));
    }
    return secrets;
}

// SIGINT and SIGTERM are held from the first instruction until the signal_set
// is installed, so even a signal sent the moment bwconf starts ends the run
// the documented way (cancelled lines, 130/143). Outside `get` (help, usage
// errors, which end within milliseconds) and once the run is over, a signal
// is held until the exit, which discards it: the exit status is settled.
sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

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
    std::cerr << context << ": " << bwconf::redact(message, secrets) << "\n"
              << "Try '" << help_hint << "' for more information.\n";
    return kExitUsage;
}

int run_get(const std::vector<std::string>& args) {
    const auto secrets_before = early_secrets(args);
    bwconf::GetOptions options;
    try {
        options = bwconf::parse_get(args);
    } catch (const bwconf::UsageError& e) {
        return usage_error("bwconf get", e.what(), secrets_before, "bwconf get --help");
    }
    if (options.help) {
        std::cout << bwconf::get_help() << std::flush;
        return 0;
    }
    auto secrets = bwconf::secrets_of(options.client.username, options.client.password);
    secrets.insert(secrets.end(), secrets_before.begin(), secrets_before.end());

    // One thread runs everything (hint 1: Asio may skip its locking).
    boost::asio::io_context ioc(1);
    // Installed before anything slow (opening a FIFO, loading trust stores),
    // so an early Ctrl-C still ends with 130 rather than the default death.
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    release_stop_signals();

    std::unique_ptr<bwconf::LineSource> source;
    if (options.ids_from) {
        try {
            source = std::make_unique<bwconf::LineSource>(ioc.get_executor(), *options.ids_from);
        } catch (const bwconf::UsageError& e) {
            return usage_error("bwconf get", e.what(), secrets, "bwconf get --help");
        }
    }

    // The client validates the whole configuration (the URL above all) and
    // loads the trust store; both failures are the user's to fix: exit 2.
    std::optional<bwvoice::ConferenceClient> client;
    try {
        client.emplace(ioc, options.client);
    } catch (const std::invalid_argument& e) {
        return usage_error("bwconf get", std::string("invalid configuration: ") + e.what(), secrets,
                           "bwconf get --help");
    } catch (const std::exception& e) {
        // std::system_error or boost::system::system_error: an unreadable or invalid trust store.
        return usage_error("bwconf get", std::string("cannot set up TLS: ") + e.what(), secrets, "bwconf get --help");
    }

    const bool progress = options.progress == bwconf::ProgressMode::on ||
                          (options.progress == bwconf::ProgressMode::automatic && ::isatty(STDERR_FILENO) != 0);
    auto runner = std::make_shared<bwconf::Runner>(ioc, signals, *client, std::move(options.ids), std::move(source),
                                                   options.concurrency, progress, std::move(secrets));
    const int status = runner->run();
    hold_stop_signals();  // the signal_set's destructor restores the default action
    return status;
}

int dispatch(const std::vector<std::string>& args) {
    const auto secrets = early_secrets(args);

    // The subcommand is the first word that is not an option; only --help
    // and --version may come before it (they take no values).
    std::size_t command_at = 0;
    while (command_at < args.size() && !args[command_at].empty() && args[command_at][0] == '-') ++command_at;
    const std::vector<std::string> global(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(command_at));

    po::options_description described;
    described.add_options()("help,h", "")("version", "");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(global).options(described).run(), vm);
    } catch (const po::error& e) {
        return usage_error("bwconf", e.what(), secrets, "bwconf --help");
    }

    try {
        if (vm.count("help") != 0) {
            std::cout << bwconf::main_help() << std::flush;
            return 0;
        }
        if (vm.count("version") != 0) {
            std::cout << "bwconf " << kVersion << "\n" << std::flush;
            return 0;
        }
        if (command_at == args.size()) return usage_error("bwconf", "missing command", secrets, "bwconf --help");

        const std::string& command = args[command_at];
        const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(command_at) + 1, args.end());
        if (command == "get") return run_get(rest);
        if (command == "help") {
            if (rest.empty()) {
                std::cout << bwconf::main_help() << std::flush;
                return 0;
            }
            if (rest.size() == 1 && rest[0] == "get") {
                std::cout << bwconf::get_help() << std::flush;
                return 0;
            }
            return usage_error("bwconf help", "no help for '" + rest[0] + "'", secrets, "bwconf --help");
        }
        return usage_error("bwconf", "unknown command '" + command + "'", secrets, "bwconf --help");
    } catch (const std::exception& e) {
        // Nothing expected lands here; an error is still better than abort().
        std::cerr << "bwconf: " << bwconf::redact(e.what(), secrets) << "\n";
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    hold_stop_signals();
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
}
