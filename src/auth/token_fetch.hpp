// Fetching the client's OAuth token: the client credentials grant (RFC 6749,
// 4.4) as one exchange on the token endpoint's origin, its answer read and
// handed to the TokenBroker for every request waiting for it.
#ifndef BWVOICE_SRC_AUTH_TOKEN_FETCH_HPP
#define BWVOICE_SRC_AUTH_TOKEN_FETCH_HPP

#include <bwvoice/error.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bwvoice::detail {

class ClientImpl;

/// Starts the one fetch the broker asked for; its end reaches the broker
/// whatever happens (a token, or the failure every waiter gets).
void start_token_fetch(std::shared_ptr<ClientImpl> impl);

/// A token response's fields.
struct TokenResponse {
    std::string access_token;
    std::optional<std::chrono::seconds> expires_in;
};

/// Reads a successful token response (RFC 6749, 5.1): `access_token` (a
/// string that can go into a header), `token_type` Bearer (any case) when
/// present, `expires_in` a number (or a string of digits) when present:
/// capped at a century, zero or less meaning already expired. Else
/// bad_response and `why`.
error_code parse_token_response(std::string_view body, TokenResponse& out, std::string& why);

/// What Diagnostics may show of a token endpoint's body that is not a
/// token: a JSON object by its field names only; anything else by its first
/// 512 characters, with runs of token characters 20 long or more, and the
/// one after "access_token", replaced by "[redacted]".
std::string token_body_excerpt(std::string_view body);

}  // namespace bwvoice::detail

#endif
