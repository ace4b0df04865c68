// bwconf: the path every subcommand takes from its arguments to its exit
// status: parsing (options.hpp), usage errors, the event loop, the signal
// set, the client, and the run (run_base.hpp).
#ifndef BWVOICE_CLI_APP_HPP
#define BWVOICE_CLI_APP_HPP

#include "cli/options.hpp"
#include "cli/run_base.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bwconf {

constexpr int kExitUsage = 2;

/// Builds the run once the session is set up. May throw UsageError (a file
/// that cannot be opened or created): exit 2, nothing on stdout.
using RunBuilder = std::function<std::shared_ptr<RunBase>(Session&)>;

/// Thrown by CommandSpec::prepare when SIGINT or SIGTERM came while it read
/// its input (before any request): run_command prints `lines` on stdout and
/// returns 128 + signo.
struct Interrupted {
    int signo;
    std::string lines;
};

/// One subcommand.
struct CommandSpec {
    std::string name;  ///< "member"
    /// The subcommand's own options (besides connection_options()).
    std::function<boost::program_options::options_description()> own;
    std::function<std::string()> help;
    /// Checks the parsed command line and returns the builder of the run.
    /// Throws UsageError (or Interrupted). May add to `secrets` (values it
    /// knows are secret).
    std::function<RunBuilder(ParsedArgs&, std::vector<std::string>& secrets)> prepare;
};

/// Runs `spec` with the arguments that follow its word: parses them, prints
/// the help or a usage error, or sets up the io_context, the signal set
/// (then releases the held SIGINT and SIGTERM), the client, builds the run
/// and runs it. Returns the exit status. With --stats (among `args`, or
/// `stats`: given before the subcommand word), the client's metrics follow
/// as one JSON line on stderr once the run is over, whatever its status but
/// a usage error's.
int run_command(const CommandSpec& spec, const std::vector<std::string>& args, bool stats = false);

/// Prints "`context`: `message`" (secrets redacted) and the help hint on
/// stderr; returns kExitUsage.
int usage_error(const std::string& context, const std::string& message, const std::vector<std::string>& secrets,
                const std::string& help_hint);

/// SIGINT and SIGTERM are held from the first instruction until the
/// signal_set is installed (run_command), so even a signal sent the moment
/// bwconf starts ends the run the documented way (cancelled lines, 130/143).
/// Outside a run (help, usage errors, which end within milliseconds) and once
/// the run is over, a signal is held until the exit, which discards it: the
/// exit status is settled.
void hold_stop_signals();
void release_stop_signals();

}  // namespace bwconf

#endif
