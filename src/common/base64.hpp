// Base64 (RFC 4648) for the library, bwconf, the mock and the tests: one
// implementation, on Beast's codec.
#ifndef BWVOICE_SRC_COMMON_BASE64_HPP
#define BWVOICE_SRC_COMMON_BASE64_HPP

#include <optional>
#include <string>
#include <string_view>

namespace bwvoice::detail {

/// Standard alphabet, padded with '='.
std::string base64_encode(std::string_view raw);

/// The bytes of standard, padded base64, or nullopt for anything else (a
/// foreign character, a wrong length, characters after the padding).
std::optional<std::string> base64_decode(std::string_view text);

/// The URL- and header-safe alphabet ('-' and '_'), without padding.
std::string base64url_encode(std::string_view raw);

/// The bytes of unpadded base64url, or nullopt for anything else.
std::optional<std::string> base64url_decode(std::string_view text);

/// "Basic base64(user:password)", the value of an Authorization header (RFC 7617).
std::string basic_authorization(std::string_view user, std::string_view password);

}  // namespace bwvoice::detail

#endif
