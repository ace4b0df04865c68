#include "cli/redact.hpp"

#include "common/base64.hpp"
#include "common/redact.hpp"

#include <string_view>

namespace bwconf {

std::vector<std::string> secrets_of(const std::string& username, const std::string& password) {
    if (password.empty()) return {};
    const std::string plain = username + ":" + password;
    return {password, plain, bwvoice::detail::base64_encode(plain)};
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    const std::vector<std::string_view> views(secrets.begin(), secrets.end());
    bwvoice::detail::redact(text, views);
    return text;
}

}  // namespace bwconf
