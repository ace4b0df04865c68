#include "common/control_escape.hpp"

#include <algorithm>
#include <utility>

namespace bwvoice::detail {

namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

void escape_control_characters(std::string& text) {
    if (std::none_of(text.begin(), text.end(), [](char c) { return is_control(static_cast<unsigned char>(c)); }))
        return;
    constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size() + 16);
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (!is_control(c)) {
            out.push_back(ch);
            continue;
        }
        switch (c) {
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xf]);
        }
    }
    text = std::move(out);
}

}  // namespace bwvoice::detail
