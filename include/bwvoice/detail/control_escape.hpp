// bwvoice: server text made safe to log (internal).
#ifndef BWVOICE_DETAIL_CONTROL_ESCAPE_HPP
#define BWVOICE_DETAIL_CONTROL_ESCAPE_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace bwvoice::detail {

/// How many bytes at `at` form a character that must not reach a log line
/// as it is (0: none): an ASCII control character (below 0x20, and 0x7f), a
/// C1 control in UTF-8 (U+0080-U+009F: U+0085 is a line break to many
/// readers, U+009B a terminal's CSI), the line and paragraph separators
/// U+2028 and U+2029, and the bidirectional overrides and isolates
/// (U+202A-U+202E, U+2066-U+2069), which reorder what a reader sees.
inline std::size_t unsafe_in_log_at(std::string_view text, std::size_t at) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char c = byte(at);
    if (c < 0x20 || c == 0x7f) return 1;
    if (c == 0xc2 && at + 1 < text.size() && byte(at + 1) >= 0x80 && byte(at + 1) <= 0x9f) return 2;
    if (c == 0xe2 && at + 2 < text.size()) {
        const unsigned char b1 = byte(at + 1), b2 = byte(at + 2);
        if (b1 == 0x80 && b2 >= 0xa8 && b2 <= 0xae) return 3;  // U+2028-U+202E
        if (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9) return 3;  // U+2066-U+2069
    }
    return 0;
}

/// Where the first character unsafe_in_log_at() names is, else npos.
inline std::size_t first_unsafe_in_log(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size(); ++i)
        if (unsafe_in_log_at(text, i) != 0) return i;
    return std::string_view::npos;
}

/// Rewrites every character unsafe_in_log_at() names as an escape: `\r`,
/// `\n`, `\t`, `\xHH` for the other ASCII controls, `\uHHHH` for the others.
/// A backslash already in the text is left alone (so the escape cannot be
/// undone unambiguously: it is for reading, not for parsing back). Returns
/// whether anything changed; text with nothing to escape is not touched and
/// nothing is allocated.
inline bool escape_control_characters(std::string& text) {
    const std::size_t first = first_unsafe_in_log(text);
    if (first == std::string_view::npos) return false;
    constexpr char hex[] = "0123456789abcdef";
    std::string out(text, 0, first);
    out.reserve(text.size() + 16);
    for (std::size_t i = first; i < text.size();) {
        const std::size_t n = unsafe_in_log_at(text, i);
        if (n == 0) {
            out.push_back(text[i++]);
            continue;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (n == 1 && c == '\r') {
            out += "\\r";
        } else if (n == 1 && c == '\n') {
            out += "\\n";
        } else if (n == 1 && c == '\t') {
            out += "\\t";
        } else {
            // The code point: the byte itself, or decoded from UTF-8.
            unsigned cp = c;
            if (n == 2) cp = ((c & 0x1fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3fu);
            if (n == 3)
                cp = ((c & 0x0fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3fu) << 6) |
                     (static_cast<unsigned char>(text[i + 2]) & 0x3fu);
            if (n == 1) {
                out += "\\x";
            } else {
                out += "\\u";
                out.push_back(hex[(cp >> 12) & 0xf]);
                out.push_back(hex[(cp >> 8) & 0xf]);
            }
            out.push_back(hex[(cp >> 4) & 0xf]);
            out.push_back(hex[cp & 0xf]);
        }
        i += n;
    }
    text = std::move(out);
    return true;
}

}  // namespace bwvoice::detail

#endif
