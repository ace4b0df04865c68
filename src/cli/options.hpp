// bwconf: the command line and the environment, shared by every subcommand.
//
// Every subcommand's command line is the connection options (the same for
// all, connection_options()), the subcommand's own options and its
// positional arguments. parse_args() parses the three together and turns the
// connection options into a ClientConfig; the subcommand then reads its own
// from ParsedArgs::own. A new kind of credentials (OAuth) is added in one
// place: connection_options(), kEnvVars, secret_flags() and
// apply_connection_options() in options.cpp.
#ifndef BWVOICE_CLI_OPTIONS_HPP
#define BWVOICE_CLI_OPTIONS_HPP

#include <bwvoice/config.hpp>

#include <boost/program_options/cmdline.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bwconf {

/// A mistake of the user's (an unknown option, a malformed number, a missing
/// credential, an unreadable file): exit status 2, the message on stderr and
/// nothing on stdout. Its text never contains a secret.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Whether to draw progress on stderr.
enum class ProgressMode { automatic, on, off };

/// The options every subcommand takes: where and how to connect, progress.
struct CommonOptions {
    bwvoice::ClientConfig client;  ///< Ready for ConferenceClient (not yet validated by it).
    ProgressMode progress = ProgressMode::automatic;
    bool stats = false;  ///< --stats: the metrics as one JSON line on stderr at the end.
};

/// One subcommand's command line, parsed.
struct ParsedArgs {
    bool help = false;  ///< --help: print the help, exit 0 (nothing else is checked).
    CommonOptions common;
    boost::program_options::variables_map own;  ///< Every option, the subcommand's own included.
    std::vector<std::string> positional;        ///< The arguments, in order.
};

/// The connection options, in the order the help lists them (--base-url,
/// --account, --user, --password, --client-id, --client-secret, --token-url,
/// --ca-file, --pool-size, --timeout-ms, --retries, --allow-http, --progress,
/// --no-progress, --stats, --help). One kind of credentials is required: --user and
/// --password (Basic) or --client-id and --client-secret (OAuth 2.0 client
/// credentials); both kinds or neither is a usage error.
boost::program_options::options_description connection_options();

/// Exact option names only, for every parser: guessing from prefixes would
/// let "--pass" mean --password today and fail tomorrow when another option
/// starts the same way (and "--s" would be --stats).
inline constexpr int kOptionStyle = boost::program_options::command_line_style::default_style &
                                    ~boost::program_options::command_line_style::allow_guessing;

/// Parses the arguments that follow the subcommand word: the connection
/// options, `own` (the subcommand's options; every value a string or a
/// bool_switch) and the positional arguments. Reads $BW_VOICE_BASE_URL,
/// $BW_ACCOUNT_ID, $BW_USERNAME, $BW_PASSWORD, $BW_CLIENT_ID,
/// $BW_CLIENT_SECRET and $BW_TOKEN_URL for options not given as flags (a
/// flag always wins), refuses the OAuth ones, checks the numbers, that
/// --ca-file can be read, that the credentials are there and the base URL's
/// scheme.
/// With --help nothing is checked. Throws UsageError.
ParsedArgs parse_args(const std::vector<std::string>& args, const boost::program_options::options_description& own);

/// The values of the options that are secrets (--password, --client-secret,
/// the redirect passwords) and of $BW_PASSWORD and $BW_CLIENT_SECRET, taken
/// from the raw arguments before any
/// parsing, so that even an error about the command line cannot print them.
std::vector<std::string> early_secrets(const std::vector<std::string>& args);

/// Parses a decimal count in [min, max]: digits only (no sign, no space, no
/// fraction), so "-1", "1e3", "0x10" and values beyond max are all refused.
/// Throws UsageError naming `option`.
unsigned long long parse_count(const std::string& option, const std::string& text, unsigned long long min,
                               unsigned long long max);

/// The value of a string option of ParsedArgs::own, if given.
std::optional<std::string> string_option(const ParsedArgs& p, const char* name);
/// A count option of ParsedArgs::own (see parse_count), if given.
std::optional<unsigned long long> count_option(const ParsedArgs& p, const char* name, unsigned long long min,
                                               unsigned long long max);
/// A bool_switch of ParsedArgs::own.
bool switch_option(const ParsedArgs& p, const char* name);

/// Opens and closes `path` to learn now, not halfway through a run, that it
/// can be read; a directory is refused too. Throws UsageError.
void check_readable(const std::string& option, const std::string& path);

/// The help of one subcommand: "Usage: " + `usage` lines, `description`,
/// the subcommand's own options (if any), the connection options, the exit
/// statuses and `example`.
std::string command_help(const std::string& usage, const std::string& description,
                         const boost::program_options::options_description* own, const std::string& example);

/// Width of the help's option columns.
constexpr unsigned kHelpWidth = 80;

}  // namespace bwconf

#endif
