// The OAuth 2.0 clauses of the contract (cli-contract-resource.md, "OAuth
// 2.0 credentials"), on every subcommand, against in-process mocks that
// issue tokens and refuse Basic credentials: the options and their
// variables, one token shared by the run, a rejected token fetched again
// once with one resend, refused credentials, a token endpoint down or
// silent, the token URL's rules, and no secret or token in any output byte.
#include "cli/cli_fixture.hpp"
#include "cli/subcommand_table.hpp"
#include "common/refused_port.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>

using namespace bwconf_test;
using bwvoice::mock::Action;
using bwvoice::mock::MockServer;
using namespace std::chrono_literals;

namespace {

const std::string kClientId = "cli-client-31";

/// A mock that issues tokens to kClientId and takes only Bearer tokens on the API.
std::unique_ptr<MockServer> oauth_server(bool tls = true) {
    auto o = small_store(tls);
    o.client_id = kClientId;
    o.client_secret = kClientSecret;
    o.accept_basic = false;
    return make_server(std::move(o));
}

/// bwconf SUB with the OAuth options as flags (the token URL the server's
/// unless `token_url`), the subcommand's arguments, then `extra`.
std::vector<std::string> oauth_args(const Sub& s, const MockServer& server, const std::vector<std::string>& extra = {},
                                    std::optional<std::string> token_url = std::nullopt) {
    std::vector<std::string> connection{"--base-url",
                                        server.base_url(),
                                        "--ca-file",
                                        certs().ca_file,
                                        "--account",
                                        kAccount,
                                        "--client-id",
                                        kClientId,
                                        "--client-secret=" + kClientSecret,
                                        "--token-url",
                                        token_url.value_or(server.token_url())};
    connection.insert(connection.end(), extra.begin(), extra.end());
    return with_connection(s, connection);
}

/// Neither stdout nor stderr holds the client secret, the Basic credentials
/// built from it, or any Authorization value the server received (the
/// tokens), whole or without its scheme.
void check_no_oauth_secret(const ProcessResult& r, const MockServer& server) {
    std::vector<std::string> secrets{kClientSecret, kClientId + ":" + kClientSecret,
                                     base64(kClientId + ":" + kClientSecret)};
    for (const auto& request : server.requests()) {
        if (request.authorization.empty()) continue;
        secrets.push_back(request.authorization);
        secrets.push_back(request.authorization.substr(request.authorization.find(' ') + 1));
    }
    for (const auto& secret : secrets) {
        BOOST_TEST(r.out.find(secret) == std::string::npos, "a secret or token on stdout");
        BOOST_TEST(r.err.find(secret) == std::string::npos, "a secret or token on stderr: " << r.err);
    }
}

/// Every API request carried a Bearer token, every token request the
/// client's Basic credentials in the client credentials grant.
void check_bearer_only(const MockServer& server) {
    for (const auto& request : server.requests()) {
        if (request.route == bwvoice::mock::kTokenRoute) {
            BOOST_TEST(request.method == "POST");
            BOOST_TEST(request.authorization == "Basic " + base64(kClientId + ":" + kClientSecret));
            BOOST_TEST(request.content_type == "application/x-www-form-urlencoded");
            BOOST_TEST(request.body == "grant_type=client_credentials");
        } else {
            BOOST_TEST(request.authorization.rfind("Bearer ", 0) == 0u, request.target);
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_oauth)

// The options or their variables: the run succeeds on a server that takes
// only tokens, with one token fetch for all of its requests.
BOOST_AUTO_TEST_CASE(every_subcommand_runs_on_one_token_from_flags_or_variables) {
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name << " with flags") {
            auto server = oauth_server();
            prepare(s);
            auto r = run(oauth_args(s, *server, {"--progress"}));
            BOOST_TEST(r.exit_code == 0, r.err);
            BOOST_TEST(r.lines().size() == s.success_lines, r.out);
            BOOST_TEST(server->token_requests() == 1u);
            BOOST_TEST(server->stats().requests > 1u);
            check_bearer_only(*server);
            check_no_oauth_secret(r, *server);
        }
        BOOST_TEST_CONTEXT(s.name << " with variables") {
            auto server = oauth_server();
            prepare(s);
            auto r = run(with_connection(s, {"--ca-file", certs().ca_file}), {{"BW_VOICE_BASE_URL", server->base_url()},
                                                                              {"BW_ACCOUNT_ID", kAccount},
                                                                              {"BW_CLIENT_ID", kClientId},
                                                                              {"BW_CLIENT_SECRET", kClientSecret},
                                                                              {"BW_TOKEN_URL", server->token_url()}});
            BOOST_TEST(r.exit_code == 0, r.err);
            BOOST_TEST(r.lines().size() == s.success_lines, r.out);
            BOOST_TEST(server->token_requests() == 1u);
            check_bearer_only(*server);
            check_no_oauth_secret(r, *server);
        }
    }
}

// A 401 to a token that looked valid: one more token, one resend (changes
// too: 401 means nothing was applied); a second 401 is the key's
// unauthorized line, and nothing is sent a third time.
BOOST_AUTO_TEST_CASE(a_rejected_token_is_fetched_again_once_and_the_request_resent_once) {
    Action echo = status(401, R"({"type":"unauthorized","description":"token {authorization} refused"})",
                         {{"Content-Type", "application/json"}});
    echo.echo_authorization = true;
    for (const auto& s : subcommands()) {
        std::uint64_t unscripted = 0;
        BOOST_TEST_CONTEXT(s.name << " unscripted") {
            auto server = oauth_server();
            prepare(s);
            BOOST_TEST_REQUIRE(run(oauth_args(s, *server)).exit_code == 0);
            unscripted = server->request_count(s.route, s.method);
        }
        BOOST_TEST_CONTEXT(s.name << ", one 401") {
            auto server = oauth_server();
            server->script_route(s.route, {echo});
            prepare(s);
            auto r = run(oauth_args(s, *server));
            BOOST_TEST(r.exit_code == 0, r.err);
            BOOST_TEST(r.lines().size() == s.success_lines, r.out);
            BOOST_TEST(server->token_requests() == 2u);
            BOOST_TEST(server->request_count(s.route, s.method) == unscripted + 1);
            check_no_oauth_secret(r, *server);
        }
        BOOST_TEST_CONTEXT(s.name << ", two 401s") {
            auto server = oauth_server();
            server->script_route(s.route, {echo, echo});
            prepare(s);
            auto r = run(oauth_args(s, *server));
            BOOST_TEST(r.exit_code == 1, r.err);
            const auto lines = r.lines();
            BOOST_TEST_REQUIRE(!lines.empty());
            check_error_fields(lines.front(), s.keys.front(), "unauthorized", 401u);
            BOOST_TEST(lines.front().find("refused") != std::string::npos, lines.front());
            BOOST_TEST(server->token_requests() == 2u);
            BOOST_TEST(server->request_count(s.route, s.method) == 2u);
            check_no_oauth_secret(r, *server);
            check_nothing_downloaded(s);
        }
    }
}

// Refused client credentials: every key's line is unauthorized and names
// the token endpoint; nothing reaches the API.
BOOST_AUTO_TEST_CASE(refused_credentials_fail_every_key_with_unauthorized) {
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name) {
            auto server = oauth_server();
            server->refuse_client_credentials(true);
            prepare(s);
            auto r = run(oauth_args(s, *server));
            BOOST_TEST(r.exit_code == 1, r.err);
            for (const auto& line : check_every_key_failed(s, r, "unauthorized", 401u))
                BOOST_TEST(line.find("token endpoint") != std::string::npos, line);
            BOOST_TEST(server->stats().requests == server->token_requests());
            check_no_oauth_secret(r, *server);
            check_nothing_downloaded(s);
        }
    }
}

// A token endpoint nobody listens on: every key's line is its transport
// error; one that never answers: every key's deadline, then exit 1; SIGINT
// while waiting for it: 130 and cancelled lines.
BOOST_AUTO_TEST_CASE(a_token_endpoint_down_or_silent_ends_every_key) {
    const bwvoice::test::RefusedPort refused;
    const std::string down = refused.https_url("/api/v1/oauth2/token");
    for (const auto& s : subcommands()) {
        BOOST_TEST_CONTEXT(s.name << ", endpoint down") {
            auto server = oauth_server();
            prepare(s);
            auto r = run(oauth_args(s, *server, {"--retries", "1"}, down));
            BOOST_TEST(r.exit_code == 1, r.err);
            check_every_key_failed(s, r, "connection_failed", std::nullopt);
            BOOST_TEST(server->stats().requests == 0u);
            check_no_oauth_secret(r, *server);
        }
        BOOST_TEST_CONTEXT(s.name << ", endpoint silent") {
            auto server = oauth_server();
            server->script_route(bwvoice::mock::kTokenRoute, {of_kind(Action::Kind::silent)});
            prepare(s);
            const auto start = std::chrono::steady_clock::now();
            auto r = run(oauth_args(s, *server, {"--timeout-ms", "600"}), {}, {}, 20s);
            const auto took = std::chrono::steady_clock::now() - start;
            BOOST_TEST(r.exit_code == 1, r.err);
            BOOST_TEST((took < 5s), std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
            check_every_key_failed(s, r, "timeout", std::nullopt);
            BOOST_TEST(server->stats().requests == server->token_requests());
        }
        BOOST_TEST_CONTEXT(s.name << ", SIGINT while waiting for the token") {
            auto server = oauth_server();
            server->script_route(bwvoice::mock::kTokenRoute, {of_kind(Action::Kind::silent)});
            const auto r = check_signal_cancels_every_key(
                s, oauth_args(s, *server), [&] { return server->token_requests() >= 1; }, SIGINT, 130);
            check_no_oauth_secret(r, *server);
        }
    }
}

// The token URL obeys the base URL's rules: http:// only with --allow-http
// (then a plain server serves both); a token URL in the environment beside
// Basic credentials is not theirs and is ignored, not refused.
BOOST_AUTO_TEST_CASE(the_token_url_follows_the_base_url_rules) {
    const Sub s = subcommands().front();
    {
        auto server = oauth_server(false);
        auto r = run(oauth_args(s, *server, {"--allow-http"}));
        BOOST_TEST(r.exit_code == 0, r.err);
        BOOST_TEST(r.lines().size() == s.success_lines, r.out);
        BOOST_TEST(server->token_requests() == 1u);
        check_no_oauth_secret(r, *server);
    }
    {
        auto server = oauth_server(false);
        auto r = run(oauth_args(s, *server));
        check_usage_error(r);
        BOOST_TEST(server->stats().requests == 0u);
    }
    {
        auto server = make_server(small_store());
        auto r = run(args_of(s, server->base_url()), {{"BW_TOKEN_URL", "https://127.0.0.1:1/api/v1/oauth2/token"}});
        BOOST_TEST(r.exit_code == 0, r.err);
        BOOST_TEST(r.lines().size() == s.success_lines, r.out);
    }
}

BOOST_AUTO_TEST_SUITE_END()
