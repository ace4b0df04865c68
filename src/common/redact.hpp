// Removal of secrets from text handed to a caller: the library's Diagnostics, bwconf's output.
#ifndef BWVOICE_SRC_COMMON_REDACT_HPP
#define BWVOICE_SRC_COMMON_REDACT_HPP

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace bwvoice::detail {

/// Replaces every occurrence of each secret in `text` with "[redacted]": a
/// server may echo the Authorization header or the password in its error
/// body. Occurrences are found in the original text only, so the replacement
/// is never searched again (a secret such as "e" or "red" occurs inside
/// "[redacted]" itself); overlapping occurrences, of one secret or of two,
/// become one "[redacted]", so no part of any secret is left behind. A secret
/// split by line breaks (CR, LF, U+0085, U+2028, U+2029: a server wrapping
/// Base64, say) is found too, and redacted with the breaks inside it. Empty
/// secrets are ignored.
void redact(std::string& text, std::span<const std::string_view> secrets);
inline void redact(std::string& text, std::initializer_list<std::string_view> secrets) {
    redact(text, std::span<const std::string_view>(secrets.begin(), secrets.size()));
}

}  // namespace bwvoice::detail

#endif
