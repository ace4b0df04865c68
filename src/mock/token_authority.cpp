// Tokens of the mock's OAuth 2.0 authority (see token_authority.hpp).
#include "mock/token_authority.hpp"

#include "common/base64.hpp"
#include "mock/http.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace bwvoice::mock {
namespace {

/// Lifetimes and clock moves past this are taken as this: the steady
/// clock's nanoseconds overflow a few centuries from now, and an expiry that
/// wrapped into the past would refuse every token. expires_in still says
/// what the lifetime is, so a client's handling of huge values can be tested.
constexpr std::chrono::seconds kForever{100LL * 365 * 86400};

void check_lifetime(std::optional<std::chrono::seconds> lifetime) {
    if (lifetime && lifetime->count() < 0) throw std::invalid_argument("TokenAuthority: negative token lifetime");
}

/// 32 bytes from OpenSSL's CSPRNG as base64url without padding: unguessable,
/// and safe as it is in a header (RFC 6750's b64token).
std::string random_token() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("TokenAuthority: RAND_bytes failed");
    return bwvoice::detail::base64url_encode(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

TokenAuthority::TokenAuthority(std::string client_id, std::string client_secret,
                               std::optional<std::chrono::seconds> lifetime)
    : client_id_(std::move(client_id)), client_secret_(std::move(client_secret)), lifetime_(lifetime) {
    // The message names the field, never its value: the secret stays out of logs.
    if (client_id_.empty()) throw std::invalid_argument("TokenAuthority: empty client_id");
    if (client_secret_.empty()) throw std::invalid_argument("TokenAuthority: empty client_secret");
    check_lifetime(lifetime_);
}

TokenAuthority::Clock::time_point TokenAuthority::now() const {
    return Clock::now() + offset_;
}

bool TokenAuthority::accepts_client(std::string_view authorization) const {
    {
        const std::lock_guard lock(mutex_);
        if (refusing_) return false;
    }
    return detail::basic_credentials_match(authorization, client_id_, client_secret_);
}

TokenAuthority::Issued TokenAuthority::issue() {
    Issued issued{random_token(), std::nullopt};
    const std::lock_guard lock(mutex_);
    ++issued_;
    if (tokens_.size() >= sweep_at_) {
        const auto t = now();
        std::erase_if(tokens_, [&](const auto& entry) { return entry.second && *entry.second <= t; });
        sweep_at_ = std::max<std::size_t>(1024, 2 * tokens_.size());
    }
    std::optional<Clock::time_point> expiry;
    if (lifetime_) {
        issued.expires_in = *lifetime_;
        expiry = now() + std::min(*lifetime_, kForever);
    }
    tokens_.insert_or_assign(issued.access_token, expiry);
    return issued;
}

bool TokenAuthority::valid(std::string_view access_token) const {
    const std::lock_guard lock(mutex_);
    const auto it = tokens_.find(std::string(access_token));
    if (it == tokens_.end()) return false;
    return !it->second || now() < *it->second;
}

void TokenAuthority::revoke_tokens() {
    const std::lock_guard lock(mutex_);
    tokens_.clear();
    sweep_at_ = 1024;
}

void TokenAuthority::set_token_lifetime(std::optional<std::chrono::seconds> lifetime) {
    check_lifetime(lifetime);
    const std::lock_guard lock(mutex_);
    lifetime_ = lifetime;
}

std::optional<std::chrono::seconds> TokenAuthority::token_lifetime() const {
    const std::lock_guard lock(mutex_);
    return lifetime_;
}

void TokenAuthority::refuse_client_credentials(bool refuse) {
    const std::lock_guard lock(mutex_);
    refusing_ = refuse;
}

void TokenAuthority::advance_clock(std::chrono::seconds by) {
    if (by.count() <= 0) return;
    const std::lock_guard lock(mutex_);
    offset_ = std::min<Clock::duration>(offset_ + std::min(by, kForever), kForever);
}

std::uint64_t TokenAuthority::tokens_issued() const {
    const std::lock_guard lock(mutex_);
    return issued_;
}

}  // namespace bwvoice::mock
