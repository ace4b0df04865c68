// The mock's OAuth 2.0 authorization server, minus HTTP: which client may get
// a token (client credentials grant), how long a token lasts, and whether a
// token is valid now. MockServer serves it over HTTP (POST /api/v1/oauth2/token)
// and checks Bearer tokens against it; one authority may be shared by several
// servers, because Bandwidth's token host is not its API host.
#ifndef BWVOICE_MOCK_TOKEN_AUTHORITY_HPP
#define BWVOICE_MOCK_TOKEN_AUTHORITY_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace bwvoice::mock {

/// Bandwidth's token URL is https://api.bandwidth.com/api/v1/oauth2/token; the
/// mock serves the same path.
inline constexpr const char* kTokenPath = "/api/v1/oauth2/token";
/// The token endpoint's route key for MockServer::script_route and
/// request_count (RecordedRequest::route of token requests).
inline constexpr const char* kTokenRoute = "oauth2/token";

/// Issues and checks access tokens for one OAuth client. Thread-safe; share it
/// between MockServers through ServerOptions::token_authority to serve the
/// token endpoint on one origin and the API on another.
///
/// Time is the steady clock plus an offset that advance_clock() moves
/// forward, so a test can expire tokens without waiting.
class TokenAuthority {
public:
    static constexpr std::chrono::seconds default_lifetime{3600};

    /// std::invalid_argument if the ID or the secret is empty or the lifetime negative.
    TokenAuthority(std::string client_id, std::string client_secret,
                   std::optional<std::chrono::seconds> lifetime = default_lifetime);
    TokenAuthority(const TokenAuthority&) = delete;
    TokenAuthority& operator=(const TokenAuthority&) = delete;

    struct Issued {
        std::string access_token;  ///< 43 characters of base64url: 32 random bytes.
        /// What expires_in says; nullopt when the lifetime is "none" (the
        /// response has no expires_in, and the token does not expire).
        std::optional<std::chrono::seconds> expires_in;
    };

    /// Whether an Authorization header value is Basic base64(client_id:client_secret)
    /// for this client, and the client is not being refused.
    bool accepts_client(std::string_view authorization) const;
    /// A new random token, valid for the current lifetime from now.
    Issued issue();
    /// Issued by this authority, not expired (now < issued + lifetime), not revoked.
    bool valid(std::string_view access_token) const;

    /// Every token issued so far becomes invalid; later ones are not affected.
    void revoke_tokens();
    /// The lifetime of tokens issued from now on (those issued before keep
    /// theirs); nullopt: no expires_in, no expiry. std::invalid_argument if negative.
    void set_token_lifetime(std::optional<std::chrono::seconds> lifetime);
    std::optional<std::chrono::seconds> token_lifetime() const;
    /// While true, the token endpoint answers every request 401 invalid_client,
    /// right credentials included (a deleted or rotated secret).
    void refuse_client_credentials(bool refuse);
    /// Moves this authority's clock forward (not back: negative is ignored).
    void advance_clock(std::chrono::seconds by);
    /// Tokens issued so far (monotonic).
    std::uint64_t tokens_issued() const;

private:
    using Clock = std::chrono::steady_clock;
    Clock::time_point now() const;  // mutex_ held

    const std::string client_id_;
    const std::string client_secret_;
    mutable std::mutex mutex_;
    std::optional<std::chrono::seconds> lifetime_;
    bool refusing_ = false;
    Clock::duration offset_{0};
    std::uint64_t issued_ = 0;
    /// Token -> expiry (nullopt: none). Expired ones are swept now and then so
    /// that a long run with short lifetimes does not grow it without bound.
    std::unordered_map<std::string, std::optional<Clock::time_point>> tokens_;
    std::size_t sweep_at_ = 1024;
};

}  // namespace bwvoice::mock

#endif
