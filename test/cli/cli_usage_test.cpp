// bwconf's command line: help, version, and every usage or configuration
// error (exit 2, a message on stderr, nothing on stdout, never the password).
#include "cli/cli_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace bwconf_test;

namespace {

std::map<std::string, std::string> creds_env() {
    return {{"BW_ACCOUNT_ID", kAccount}, {"BW_USERNAME", kUser}, {"BW_PASSWORD", kPassword}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_usage)

BOOST_AUTO_TEST_CASE(help_goes_to_stdout_with_status_0) {
    auto top = run({bwconf_path(), "--help"});
    BOOST_TEST(top.exit_code == 0);
    BOOST_TEST(top.err.empty());
    BOOST_TEST(top.out.find("Usage: bwconf") != std::string::npos);
    BOOST_TEST(top.out.find("get") != std::string::npos);
    BOOST_TEST(top.out.find("--stats") != std::string::npos);

    auto get = run(bare_args({"--help"}));
    BOOST_TEST(get.exit_code == 0);
    BOOST_TEST(get.err.empty());
    for (const char* word : {"Usage: bwconf get",
                             "--base-url",
                             "BW_VOICE_BASE_URL",
                             "--account",
                             "BW_ACCOUNT_ID",
                             "--user",
                             "BW_USERNAME",
                             "--password",
                             "BW_PASSWORD",
                             "--ca-file",
                             "--ids-from",
                             "--concurrency",
                             "Default: 64",
                             "--pool-size",
                             "Default: 16",
                             "--timeout-ms",
                             "Default: 30000",
                             "--retries",
                             "Default: 3",
                             "--allow-http",
                             "--progress",
                             "--no-progress",
                             "--stats",
                             "https://voice.bandwidth.com/api/v2",
                             "Exit status",
                             "130",
                             "143",
                             "Example"})
        BOOST_TEST(get.out.find(word) != std::string::npos, "get --help lacks " << word);

    // --help wins over everything else and needs no credentials.
    auto mixed = run(bare_args({"conf-1", "--help"}));
    BOOST_TEST(mixed.exit_code == 0);
    BOOST_TEST(mixed.out == get.out);

    auto help_word = run({bwconf_path(), "help", "get"});
    BOOST_TEST(help_word.exit_code == 0);
    BOOST_TEST(help_word.out == get.out);

    auto version = run({bwconf_path(), "--version"});
    BOOST_TEST(version.exit_code == 0);
    BOOST_TEST(version.out.find("bwconf ") == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_commands_and_options_are_usage_errors) {
    check_usage_error(run({bwconf_path()}));
    check_usage_error(run({bwconf_path(), "frobnicate", "conf-1"}));
    check_usage_error(run({bwconf_path(), "--bogus", "get", "conf-1"}));
    check_usage_error(run({bwconf_path(), "help", "frobnicate"}));
    check_usage_error(run(get_args(tls_mock().url, {"--bogus", "conf-1"})));
    check_usage_error(run(get_args(tls_mock().url, {"-x", "conf-1"})));
    // No prefix guessing: --pass is not --password.
    check_usage_error(run(bare_args({"--account", kAccount, "--user", kUser, "--pass", kPassword, "conf-1"})));
    // An option given twice, an option lacking its value.
    check_usage_error(run(get_args(tls_mock().url, {"--concurrency", "2", "--concurrency", "3", "conf-1"})));
    check_usage_error(run(get_args(tls_mock().url, {"conf-1", "--retries"})));
    check_usage_error(run(get_args(tls_mock().url, {"--progress", "--no-progress", "conf-1"})));
}

BOOST_AUTO_TEST_CASE(malformed_numbers_are_usage_errors) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> bad = {
        {"--concurrency",
         {"-1", "0", "abc", "", "1.5", "1e3", "0x10", " 4", "4 ", "+4", "99999999999999999999999",
          "18446744073709551616", "100001"}},
        {"--pool-size", {"-1", "0", "x", "4294967296", "99999999999999999999"}},
        {"--timeout-ms", {"-5", "0", "fast", "2147483648", "99999999999999999999"}},
        {"--retries", {"-1", "three", "4294967297", "1001"}},
    };
    for (const auto& [option, values] : bad)
        for (const auto& value : values) {
            BOOST_TEST_CONTEXT(option << " '" << value << "'") {
                check_usage_error(run(get_args(tls_mock().url, {option, value, "conf-1"})));
                check_usage_error(run(get_args(tls_mock().url, {option + "=" + value, "conf-1"})));
            }
        }
    // The edges that are fine: --retries 0 disables retries, leading zeros are decimal.
    auto ok = run(get_args(tls_mock().url, {"--retries", "0", "--concurrency", "08", "--pool-size", "1", "--timeout-ms",
                                            "10000", "conf-1"}));
    BOOST_TEST(ok.exit_code == 0, ok.err);
    BOOST_TEST(ok.out == expected_line(1) + "\n");
}

BOOST_AUTO_TEST_CASE(missing_credentials_are_usage_errors) {
    const std::string url = tls_mock().url;
    const std::string ca = certs().ca_file;
    check_usage_error(
        run(bare_args({"--base-url", url, "--ca-file", ca, "--user", kUser, "--password", kPassword, "conf-1"})));
    check_usage_error(
        run(bare_args({"--base-url", url, "--ca-file", ca, "--account", kAccount, "--password", kPassword, "conf-1"})));
    check_usage_error(
        run(bare_args({"--base-url", url, "--ca-file", ca, "--account", kAccount, "--user", kUser, "conf-1"})));
    // Empty values count as missing, from the environment too.
    auto env = creds_env();
    env["BW_PASSWORD"] = "";
    check_usage_error(run(bare_args({"--base-url", url, "--ca-file", ca, "conf-1"}), env));
    check_usage_error(run(bare_args({"--base-url", url, "--ca-file", ca, "--account", "", "conf-1"}), creds_env()));
}

BOOST_AUTO_TEST_CASE(no_ids_is_a_usage_error) {
    check_usage_error(run(get_args(tls_mock().url)));
}

BOOST_AUTO_TEST_CASE(unreadable_files_are_usage_errors) {
    const std::string url = tls_mock().url;
    auto missing = (certs().dir / "no-such.pem").string();
    check_usage_error(run(bare_args({"--base-url", url, "--ca-file", missing, "--account", kAccount, "--user", kUser,
                                     "--password", kPassword, "conf-1"})));
    check_usage_error(run(bare_args({"--base-url", url, "--ca-file", certs().dir.string(), "--account", kAccount,
                                     "--user", kUser, "--password", kPassword, "conf-1"})));
    // A file that is readable but holds no certificate.
    auto junk = certs().dir / "junk.pem";
    std::ofstream(junk) << "not a certificate\n";
    check_usage_error(run(bare_args({"--base-url", url, "--ca-file", junk.string(), "--account", kAccount, "--user",
                                     kUser, "--password", kPassword, "conf-1"})));
    check_usage_error(run(get_args(url, {"--ids-from", missing})));
    check_usage_error(run(get_args(url, {"--ids-from", certs().dir.string()})));
    check_usage_error(run(get_args(url, {"--ids-from", ""})));
}

BOOST_AUTO_TEST_CASE(http_base_url_needs_allow_http) {
    for (const std::string url : {"http://127.0.0.1:1/api/v2", "HTTP://127.0.0.1:1/api/v2"}) {
        BOOST_TEST_CONTEXT(url) {
            auto r = run(get_args(url, {"conf-1"}));
            check_usage_error(r);
            BOOST_TEST(r.err.find("--allow-http") != std::string::npos);
            // The same from the environment.
            check_usage_error(run(bare_args({"conf-1"}), {{"BW_VOICE_BASE_URL", url},
                                                          {"BW_ACCOUNT_ID", kAccount},
                                                          {"BW_USERNAME", kUser},
                                                          {"BW_PASSWORD", kPassword}}));
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_configuration_from_the_client_is_a_usage_error) {
    // The client's constructor refuses these (std::invalid_argument): exit 2 as well.
    check_usage_error(run(get_args("ftp://127.0.0.1/api/v2", {"conf-1"})));
    check_usage_error(run(get_args("not a url", {"conf-1"})));
    check_usage_error(run(get_args("https://user:pw@127.0.0.1/api/v2", {"conf-1"})));
    check_usage_error(run(bare_args(
        {"--base-url", tls_mock().url, "--account", kAccount, "--user", "a:b", "--password", kPassword, "conf-1"})));
}

BOOST_AUTO_TEST_CASE(the_password_in_an_error_message_is_redacted) {
    // Even when the user puts the password where a number belongs.
    auto r = run(get_args(tls_mock().url, {"--concurrency", kPassword, "conf-1"}));
    check_usage_error(r);
    auto env = run(bare_args({"--base-url", tls_mock().url, "--concurrency", kPassword, "conf-1"}), creds_env());
    check_usage_error(env);
}

BOOST_AUTO_TEST_SUITE_END()
