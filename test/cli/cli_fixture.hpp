// Shared set-up of the CLI tests: certificates from scripts/gen-certs.sh, the
// bwvoice-mock executable, in-process mock servers for fault scripts, and
// checks on bwconf's output.
#ifndef BWVOICE_TEST_CLI_FIXTURE_HPP
#define BWVOICE_TEST_CLI_FIXTURE_HPP

#include "cli/process.hpp"
#include "mock/mock_server.hpp"

#include <boost/json/object.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bwconf_test {

inline const std::string kAccount = "9900123";
inline const std::string kUser = "cli-user";
/// Searched for in every output: it must never show.
inline const std::string kPassword = "Sup3r-S3cret!pw";

/// The CA and server certificate gen-certs.sh wrote into a temporary
/// directory, created once per test process and removed at its end.
struct Certs {
    std::filesystem::path dir;
    std::string ca_file;
    std::string cert_pem, key_pem;
};
const Certs& certs();

/// The real bwvoice-mock executable, started once per test process.
struct MockProcess {
    explicit MockProcess(bool plain);
    ~MockProcess();
    std::unique_ptr<Process> process;
    std::string url;  ///< "https://127.0.0.1:PORT/api/v2"
};
const MockProcess& tls_mock();
const MockProcess& plain_mock();

/// The seed bwvoice-mock uses by default (ServerOptions::seed).
constexpr std::uint64_t kMockSeed = 1;

/// An in-process server with the test credentials and certificates.
std::unique_ptr<bwvoice::mock::MockServer> make_server(bwvoice::mock::ServerOptions options = {});

/// bwconf get with base URL, CA file and credentials as flags, then `extra`.
std::vector<std::string> get_args(const std::string& url, const std::vector<std::string>& extra = {});
/// bwconf COMMAND with base URL, CA file and credentials as flags, then `extra`.
std::vector<std::string> command_args(const std::string& command, const std::string& url,
                                      const std::vector<std::string>& extra = {});
/// Just "bwconf get" followed by `extra`.
std::vector<std::string> bare_args(const std::vector<std::string>& extra = {});

/// Standard base64 with padding (Basic credentials).
std::string base64(const std::string& in);

/// Asserts that neither stdout nor stderr contains the password or the
/// Basic credentials built from it.
void check_no_secret(const ProcessResult& r);

/// Asserts a usage error: exit 2, nothing on stdout, a message on stderr.
void check_usage_error(const ProcessResult& r);

boost::json::object parse_line(const std::string& line);

/// The line bwconf prints for the seeded conference conf-<index>.
std::string expected_line(std::size_t index, std::uint64_t seed = kMockSeed);

/// Asserts `line` is the error line of `id` with `code` and `status` (nullopt: null).
void check_error(const std::string& line, const std::string& id, const std::string& code,
                 std::optional<unsigned> status);

/// Asserts `line` is an error line whose fields before "error" are exactly
/// `fields` (in that order), with `code` and `status` (nullopt: null).
void check_error_fields(const std::string& line, const boost::json::object& fields, const std::string& code,
                        std::optional<unsigned> status);

std::string bwconf_path();

}  // namespace bwconf_test

#endif
