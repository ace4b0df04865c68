// bwconf: the command-line client of the Voice API conferences resource.
// This file only dispatches: global options and the subcommand word. Each
// family of subcommands lives in its own cmd_*.cpp; what they share is in
// app (arguments to exit status), options, run_base and runner, output,
// progress and redact.
#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/redact.hpp"

#include <bwvoice/version.hpp>

#include <boost/program_options.hpp>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace bwconf {

const std::vector<CommandEntry>& all_commands() {
    static const std::vector<CommandEntry> commands = [] {
        std::vector<CommandEntry> v;
        add_get_commands(v);
        add_list_commands(v);
        add_read_commands(v);
        add_download_commands(v);
        add_update_commands(v);
        add_member_commands(v);
        return v;
    }();
    return commands;
}

void expect_positional(const ParsedArgs& p, std::size_t min, std::size_t max, const char* names) {
    const std::size_t n = p.positional.size();
    if (n < min) throw UsageError(std::string("missing ") + names);
    if (max != 0 && n > max)
        throw UsageError("unexpected argument '" + p.positional[max] + "' (expected " + names + ")");
}

}  // namespace bwconf

namespace {

namespace po = boost::program_options;

constexpr const char* kVersion = BWVOICE_VERSION_STRING;

const bwconf::CommandEntry* find_command(const std::string& name) {
    for (const auto& c : bwconf::all_commands())
        if (c.spec.name == name) return &c;
    return nullptr;
}

std::string main_help() {
    std::ostringstream s;
    s << "Usage: bwconf COMMAND [OPTIONS] [ARGS]\n"
         "       bwconf --help | --version\n"
         "\n"
         "Command-line client of the Bandwidth Voice API conferences resource.\n"
         "\n"
         "Commands:\n";
    for (const auto& c : bwconf::all_commands()) {
        std::string name = c.spec.name;
        name.resize(12, ' ');
        s << "  " << name << c.summary << "\n";
    }
    s << "  help        show this help, or 'bwconf help COMMAND' the help of COMMAND\n"
         "\n"
         "Every command takes the connection options (--base-url, --account, --user,\n"
         "--password, ...); 'bwconf COMMAND --help' lists them and the command's own.\n"
         "\n"
         "Options:\n"
         "  -h, --help   show this help and exit\n"
         "  --version    show the version and exit\n"
         "  --stats      with a command: print the client's counters as one JSON line on\n"
         "               stderr at the end (the same as the command's own --stats)\n"
         "\n"
         "Exit status: 0 success, 1 some operation failed, 2 usage error, 130/143 interrupted.\n";
    return s.str();
}

int dispatch(const std::vector<std::string>& args) {
    const auto secrets = bwconf::early_secrets(args);

    // The subcommand is the first word that is not an option; only --help,
    // --version and --stats may come before it (they take no values).
    std::size_t command_at = 0;
    while (command_at < args.size() && !args[command_at].empty() && args[command_at][0] == '-') ++command_at;
    const std::vector<std::string> global(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(command_at));

    po::options_description described;
    described.add_options()("help,h", "")("version", "")("stats", "");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(global).options(described).style(bwconf::kOptionStyle).run(), vm);
    } catch (const po::error& e) {
        return bwconf::usage_error("bwconf", e.what(), secrets, "bwconf --help");
    }

    try {
        if (vm.count("help") != 0) {
            std::cout << main_help() << std::flush;
            return 0;
        }
        if (vm.count("version") != 0) {
            std::cout << "bwconf " << kVersion << "\n" << std::flush;
            return 0;
        }
        if (command_at == args.size())
            return bwconf::usage_error("bwconf", "missing command", secrets, "bwconf --help");

        const std::string& command = args[command_at];
        const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(command_at) + 1, args.end());
        if (const auto* c = find_command(command)) return bwconf::run_command(c->spec, rest, vm.count("stats") != 0);
        if (command == "help") {
            if (rest.empty()) {
                std::cout << main_help() << std::flush;
                return 0;
            }
            if (const auto* c = find_command(rest[0]); c != nullptr && rest.size() == 1) {
                std::cout << c->spec.help() << std::flush;
                return 0;
            }
            return bwconf::usage_error("bwconf help", "no help for '" + rest[0] + "'", secrets, "bwconf --help");
        }
        return bwconf::usage_error("bwconf", "unknown command '" + command + "'", secrets, "bwconf --help");
    } catch (const std::exception& e) {
        // Nothing expected lands here; an error is still better than abort().
        std::cerr << "bwconf: " << bwconf::redact(e.what(), secrets) << "\n";
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    bwconf::hold_stop_signals();
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
}
