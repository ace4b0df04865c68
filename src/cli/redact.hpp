// bwconf: keeps the password out of everything bwconf writes.
#ifndef BWVOICE_CLI_REDACT_HPP
#define BWVOICE_CLI_REDACT_HPP

#include <string>
#include <vector>

namespace bwconf {

/// The strings that must never be printed: the password itself and the
/// Basic credentials it travels in ("user:password" and its Base64), since a
/// misbehaving server may echo the Authorization header back in an error body.
std::vector<std::string> secrets_of(const std::string& username, const std::string& password);

/// `text` with every occurrence of each non-empty secret replaced by "***".
/// Longer secrets are replaced first, so one containing another is not left
/// half visible.
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace bwconf

#endif
