// Every subcommand of bwconf in one table, as the contract tests drive them:
// its arguments, the keys naming its output lines, its route and method on
// the mock, so that a clause stated once for every subcommand is checked on
// every subcommand from one loop.
#ifndef BWVOICE_TEST_CLI_SUBCOMMAND_TABLE_HPP
#define BWVOICE_TEST_CLI_SUBCOMMAND_TABLE_HPP

#include "cli/cli_fixture.hpp"

#include <boost/json/object.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bwconf_test {

/// Searched for in every output, as kPassword is.
inline const std::string kClientSecret = "0auth-Cl1ent-S3cret";

bwvoice::mock::Action status(unsigned s, std::optional<std::string> body = std::nullopt,
                             std::vector<std::pair<std::string, std::string>> headers = {});
bwvoice::mock::Action of_kind(bwvoice::mock::Action::Kind kind, bool apply = false);

/// A store of 16 seeded conferences, over TLS unless !tls.
bwvoice::mock::ServerOptions small_store(bool tls = true);

/// A seeded conference with two active members and a recording, and another conference.
struct Seeded {
    std::string conference, other;
    std::string member0, member1;
    std::string recording;
    std::size_t recordings = 0;
};
const Seeded& seeded();

/// A folder for the tests' files (next.xml for bxml), under the certificates' folder.
std::filesystem::path work_dir();
/// Where `download` writes; emptied before each run.
std::filesystem::path download_dir();

/// One subcommand as the tests drive it.
struct Sub {
    std::string name;
    bool change = false;
    std::vector<std::string> args;          ///< After the connection options.
    std::vector<boost::json::object> keys;  ///< The fields naming each requested line, in order.
    std::size_t success_lines = 0;          ///< Lines of a run in which everything succeeds.
    std::string route;                      ///< The first key's route (MockServer::script_route).
    std::string method;                     ///< Its method.
};

std::vector<Sub> subcommands(const Seeded& s = seeded());
std::vector<Sub> reads();
std::vector<Sub> changes();

/// Empties the download folder (every test starts with no FILE there).
void prepare(const Sub&);
std::vector<std::string> download_entries();
/// download: after a failed run neither FILE nor a temporary file is there.
void check_nothing_downloaded(const Sub& s);

/// Asserts one line for each key of `s`, in order, each the key's error line
/// with `code` and `status` (nullopt: null). Returns the lines.
std::vector<std::string> check_every_key_failed(const Sub& s, const ProcessResult& r, const std::string& code,
                                                std::optional<unsigned> status);

/// Runs `args` (bwconf `s` against a server that does not answer), sends
/// `signo` once `in_flight()` holds, and asserts the end the contract gives a
/// signal: exit `exit_status` within 10 s, one "cancelled" line for each
/// key, no FILE left by download, no password shown. Returns the run.
ProcessResult check_signal_cancels_every_key(const Sub& s, const std::vector<std::string>& args,
                                             const std::function<bool()>& in_flight, int signo, int exit_status);

/// bwconf SUB with the connection options as flags, the subcommand's
/// arguments, then `extra`.
std::vector<std::string> args_of(const Sub& s, const std::string& url, const std::vector<std::string>& extra = {});
/// bwconf SUB, `connection` as given, the subcommand's arguments.
std::vector<std::string> with_connection(const Sub& s, const std::vector<std::string>& connection);

bool has_error(const std::string& line);
/// The error code of an error line; "" for a result line.
std::string error_code(const std::string& line);

void check_no_client_secret(const ProcessResult& r);

}  // namespace bwconf_test

#endif
