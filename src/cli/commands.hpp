// bwconf: the subcommands, one family per file (cmd_*.cpp).
#ifndef BWVOICE_CLI_COMMANDS_HPP
#define BWVOICE_CLI_COMMANDS_HPP

#include "cli/app.hpp"

#include <vector>

namespace bwconf {

/// One subcommand as main() lists and dispatches it.
struct CommandEntry {
    CommandSpec spec;
    const char* summary;  ///< One line of `bwconf --help`.
};

void add_get_commands(std::vector<CommandEntry>& out);       // get (cmd_get.cpp)
void add_list_commands(std::vector<CommandEntry>& out);      // list (cmd_list.cpp)
void add_read_commands(std::vector<CommandEntry>& out);      // member, recordings, recording (cmd_read.cpp)
void add_download_commands(std::vector<CommandEntry>& out);  // download (cmd_download.cpp)
void add_update_commands(std::vector<CommandEntry>& out);    // update, end, bxml (cmd_update.cpp)
void add_member_commands(std::vector<CommandEntry>& out);    // mute, unmute, hold, unhold, coach (cmd_member.cpp)

/// Every subcommand, in the order `bwconf --help` lists them.
const std::vector<CommandEntry>& all_commands();

/// Positional arguments: throws UsageError unless there are at least `min`
/// (and, unless max is 0, at most `max`); `names` says what they are.
void expect_positional(const ParsedArgs& p, std::size_t min, std::size_t max, const char* names);

}  // namespace bwconf

#endif
