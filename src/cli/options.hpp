// bwconf: the options of `bwconf get`, from the command line and the environment.
#ifndef BWVOICE_CLI_OPTIONS_HPP
#define BWVOICE_CLI_OPTIONS_HPP

#include <bwvoice/config.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bwconf {

/// A mistake of the user's (an unknown option, a malformed number, a missing
/// credential, an unreadable file): exit status 2, the message on stderr and
/// nothing on stdout. Its text never contains the password.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Whether to draw progress on stderr.
enum class ProgressMode { automatic, on, off };

/// Everything `bwconf get` was asked to do.
struct GetOptions {
    bwvoice::ClientConfig client;        ///< Ready for ConferenceClient (not yet validated by it).
    std::vector<std::string> ids;        ///< Positional IDs, in the order given.
    std::optional<std::string> ids_from; ///< --ids-from: a path, or "-" for stdin.
    std::size_t concurrency = 64;        ///< Lookups in flight at once (and the reorder window).
    ProgressMode progress = ProgressMode::automatic;
    bool help = false;                   ///< --help was given: print get_help() and exit 0.
};

/// Parses the arguments that follow the word `get` (argv[0] is not among
/// them). Reads $BW_VOICE_BASE_URL, $BW_ACCOUNT_ID, $BW_USERNAME and
/// $BW_PASSWORD for options not given as flags (a flag always wins), checks
/// every number and that --ca-file and --ids-from can be read. Throws
/// UsageError.
GetOptions parse_get(const std::vector<std::string>& args);

/// `bwconf get --help`.
std::string get_help();

/// `bwconf --help`.
std::string main_help();

/// Parses a decimal count in [min, max]: digits only (no sign, no space, no
/// fraction), so "-1", "1e3", "0x10" and values beyond max are all refused.
/// Throws UsageError naming `option`.
unsigned long long parse_count(const std::string& option, const std::string& text, unsigned long long min,
                               unsigned long long max);

}  // namespace bwconf

#endif
