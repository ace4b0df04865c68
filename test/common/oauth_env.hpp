// OAuth 2.0 set-up shared by the client's OAuth tests: a mock that issues
// tokens to one client and takes only Bearer tokens, and a client config
// with that client's credentials instead of Basic ones.
#ifndef BWVOICE_TEST_COMMON_OAUTH_ENV_HPP
#define BWVOICE_TEST_COMMON_OAUTH_ENV_HPP

#include "common/test_env.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace bwvoice::test {

inline const std::string kOAuthClientId = "client-7781";
/// Searched for in every output: it must never show.
inline const std::string kOAuthSecret = "s3cr3t-Vq9-never-shown";

inline mock::ServerOptions oauth_server(std::optional<std::chrono::seconds> lifetime = std::chrono::seconds(3600)) {
    mock::ServerOptions o;
    o.client_id = kOAuthClientId;
    o.client_secret = kOAuthSecret;
    o.token_lifetime = lifetime;
    o.accept_basic = false;
    return o;
}

inline ClientConfig oauth_config(const MockEnv& env) {
    ClientConfig c = env.client_config();
    c.username.clear();
    c.password.clear();
    c.client_id = kOAuthClientId;
    c.client_secret = kOAuthSecret;
    c.token_url = env.server->token_url();
    return c;
}

}  // namespace bwvoice::test

#endif
