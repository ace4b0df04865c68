// The bwvoice-mock executable's OAuth options, run as a script runs it: its
// own process, a token fetched over TLS, and nothing of the secret or the
// token in anything it prints.
#include "mock/mock_server.hpp"

#include "cli/process.hpp"
#include "oauth_test_client.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace oauth_test;
using bwconf_test::Process;
using bwconf_test::ProcessResult;

/// A throw-away certificate and key on disk for --cert and --key.
struct CertFiles {
    CertFiles() : pki(bwvoice::mock::generate_pki()) {
        char tmpl[] = "/tmp/bwvoice-mock-cli-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir = tmpl;
        std::ofstream(dir / "server.crt") << pki.server_cert_pem;
        std::ofstream(dir / "server.key") << pki.server_key_pem;
    }
    ~CertFiles() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    CertFiles(const CertFiles&) = delete;
    CertFiles& operator=(const CertFiles&) = delete;

    std::vector<std::string> args() const {
        return {"--cert", (dir / "server.crt").string(), "--key", (dir / "server.key").string()};
    }

    bwvoice::mock::Pki pki;
    std::filesystem::path dir;
};

std::vector<std::string> mock_argv(std::vector<std::string> extra) {
    std::vector<std::string> argv{BWVOICE_MOCK_PATH, "--port", "0", "--conferences", "5"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

/// The port of "listening on https://127.0.0.1:PORT/api/v2".
std::uint16_t wait_for_port(Process& process) {
    const bool up =
        process.pump_until([&] { return process.out().find('\n') != std::string::npos; }, std::chrono::seconds(10));
    BOOST_TEST_REQUIRE(up, process.err());
    const std::string& line = process.out();
    const auto colon = line.find(':', line.find("://") + 3);
    const auto slash = line.find('/', colon);
    BOOST_TEST_REQUIRE((line.starts_with("listening on https://") && colon != std::string::npos), line);
    return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1, slash - colon - 1)));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mock_cli_oauth)

// Broken on purpose: --token-lifetime ignored (3600 kept) failed the
// expires_in check; Basic left on with the built-in user:pass made it a 200.
BOOST_AUTO_TEST_CASE(serves_tokens_and_never_prints_the_secret_or_a_token) {
    const CertFiles certs;
    std::vector<std::string> extra{"--client-id", kClientId, "--client-secret", kSecret, "--token-lifetime", "none"};
    const auto tls = certs.args();
    extra.insert(extra.end(), tls.begin(), tls.end());
    Process mock(mock_argv(extra));
    const std::uint16_t port = wait_for_port(mock);

    Client client(port, certs.pki.ca_cert_pem);
    const Reply issued = client.post_token();
    BOOST_TEST_REQUIRE(issued.status() == 200U, issued.response.body());
    BOOST_TEST(!issued.json().as_object().contains("expires_in"));
    const std::string token(issued.json().at("access_token").as_string());
    BOOST_TEST(client.get(kConference, bearer(token)).status() == 200U);
    // No --user/--password: no Basic credentials open the API, not even the library's defaults.
    BOOST_TEST(client.get(kConference, basic("user", "pass")).status() == 401U);
    BOOST_TEST(client.post_token(basic(kClientId, "wrong")).status() == 401U);

    mock.send_signal(SIGTERM);
    const ProcessResult result = mock.wait(std::chrono::seconds(10));
    BOOST_TEST(result.exit_code == 0);
    const std::string printed = result.out + result.err;
    BOOST_TEST(printed.find(kSecret) == std::string::npos);
    BOOST_TEST(printed.find(token) == std::string::npos);
}

// Broken on purpose: without the --client-id/--client-secret pairing check a
// lone one reached the server's own check and exited 1, not 2 (usage).
BOOST_AUTO_TEST_CASE(oauth_options_are_checked_and_the_secret_stays_out_of_errors) {
    const std::vector<std::vector<std::string>> usage_errors{
        {"--client-id", kClientId},
        {"--client-secret", kSecret, "--user", "u", "--password", "p"},
        {"--user", "u"},
        {},
        {"--user", "u", "--password", "p", "--token-lifetime", "60"},
        {"--client-id", kClientId, "--client-secret", kSecret, "--token-lifetime", "soon"},
        {"--client-id", kClientId, "--client-secret", kSecret, "--token-lifetime", "-5"},
        {"--client-id", kClientId, "--client-secret", kSecret, "--client-secret", kSecret},
    };
    for (auto args : usage_errors) {
        args.emplace_back("--plain");
        const ProcessResult result = bwconf_test::run(mock_argv(args), {}, {}, std::chrono::seconds(5));
        BOOST_TEST(result.exit_code == 2, result.err);
        BOOST_TEST(result.out.empty());
        BOOST_TEST(result.err.find(kSecret) == std::string::npos, result.err);
    }

    const ProcessResult help = bwconf_test::run({BWVOICE_MOCK_PATH, "--help"});
    BOOST_TEST(help.exit_code == 0);
    for (const char* option : {"--client-id", "--client-secret", "--token-lifetime", "none"})
        BOOST_TEST(help.out.find(option) != std::string::npos, option);
}

BOOST_AUTO_TEST_SUITE_END()
