// bwconf: redaction of credentials from messages.
#include "cli/redact.hpp"

#include <algorithm>
#include <cstdint>

namespace bwconf {
namespace {

std::string base64(const std::string& in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const std::uint32_t n = std::uint32_t(static_cast<unsigned char>(in[i])) << 16 |
                                std::uint32_t(static_cast<unsigned char>(in[i + 1])) << 8 |
                                std::uint32_t(static_cast<unsigned char>(in[i + 2]));
        out += alphabet[n >> 18 & 63];
        out += alphabet[n >> 12 & 63];
        out += alphabet[n >> 6 & 63];
        out += alphabet[n & 63];
    }
    if (const std::size_t rest = in.size() - i; rest != 0) {
        std::uint32_t n = std::uint32_t(static_cast<unsigned char>(in[i])) << 16;
        if (rest == 2) n |= std::uint32_t(static_cast<unsigned char>(in[i + 1])) << 8;
        out += alphabet[n >> 18 & 63];
        out += alphabet[n >> 12 & 63];
        out += rest == 2 ? alphabet[n >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

}  // namespace

std::vector<std::string> secrets_of(const std::string& username, const std::string& password) {
    if (password.empty()) return {};
    std::vector<std::string> s{password, username + ":" + password, base64(username + ":" + password)};
    std::sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    return s;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3))
            text.replace(pos, secret.size(), "***");
    }
    return text;
}

}  // namespace bwconf
