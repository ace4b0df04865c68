// bwconf: keeps the password and the client secret out of everything bwconf writes.
#ifndef BWVOICE_CLI_REDACT_HPP
#define BWVOICE_CLI_REDACT_HPP

#include <string>
#include <vector>

namespace bwconf {

/// The strings that must never be printed: the password (or client secret)
/// itself and the Basic credentials it travels in ("user:password" and its
/// Base64), since a misbehaving server may echo the Authorization header back
/// in an error body. Empty when there is no password.
std::vector<std::string> secrets_of(const std::string& username, const std::string& password);

/// `text` with every occurrence of each secret replaced by "[redacted]", by
/// the library's own rules (src/common/redact.hpp): overlapping occurrences
/// leave no part of any secret behind.
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace bwconf

#endif
