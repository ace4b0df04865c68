// Removal of secrets from text the client hands to its caller.
#ifndef BWVOICE_SRC_CLIENT_REDACT_HPP
#define BWVOICE_SRC_CLIENT_REDACT_HPP

#include <initializer_list>
#include <string>
#include <string_view>

namespace bwvoice::detail {

/// Replaces every occurrence of each secret in `text` with "[redacted]": a
/// server may echo the Authorization header or the password in its error
/// body. One left-to-right pass, longest secret first at each position, so
/// the replacement is never searched again (a secret such as "e" or "red"
/// occurs inside "[redacted]" itself) and the work is bounded by
/// text.size() times the secrets' total size. Empty secrets are ignored.
void redact(std::string& text, std::initializer_list<std::string_view> secrets);

}  // namespace bwvoice::detail

#endif
