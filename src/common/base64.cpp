#include "common/base64.hpp"

#include <boost/beast/core/detail/base64.hpp>

namespace bwvoice::detail {
namespace {

namespace codec = boost::beast::detail::base64;

}  // namespace

std::string base64_encode(std::string_view raw) {
    std::string out(codec::encoded_size(raw.size()), '\0');
    out.resize(codec::encode(out.data(), raw.data(), raw.size()));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out(codec::decoded_size(text.size()), '\0');
    const auto [written, read] = codec::decode(out.data(), text.data(), text.size());
    // decode() stops at the padding or at the first foreign character: only
    // padding, at most two of it, may follow what it consumed.
    const std::string_view rest = text.substr(read);
    if (rest.size() > 2 || rest.find_first_not_of('=') != std::string_view::npos) return std::nullopt;
    out.resize(written);
    // One text per byte string: bits after the last byte must be zero
    // ("dXNlcjpwdx==" is not "user:pw").
    if (base64_encode(out) != text) return std::nullopt;
    return out;
}

std::string base64url_encode(std::string_view raw) {
    std::string out = base64_encode(raw);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    std::string standard;
    standard.reserve(text.size() + 3);
    for (const char c : text) {
        if (c == '+' || c == '/' || c == '=') return std::nullopt;  // the other alphabet, or padding
        standard += c == '-' ? '+' : c == '_' ? '/' : c;
    }
    if (standard.size() % 4 == 1) return std::nullopt;  // no byte ends there
    while (standard.size() % 4 != 0) standard += '=';
    return base64_decode(standard);
}

std::string basic_authorization(std::string_view user, std::string_view password) {
    std::string plain;
    plain.reserve(user.size() + 1 + password.size());
    plain.append(user).append(":").append(password);
    return "Basic " + base64_encode(plain);
}

}  // namespace bwvoice::detail
