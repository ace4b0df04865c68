// bwvoice: ISO 8601 durations as the API writes recording lengths.
//
// Accepted (nothing else): 'P' [n 'D'] ['T' [n 'H'] [n 'M'] [n 'S']], with
// at least one field, at least one time field once 'T' is there, the fields in
// that order and each at most once. n is one or more ASCII digits; the last
// field given may carry a fraction ('.' and one or more digits). Designators
// are upper case; no sign, no spaces, no comma as the decimal sign. Years,
// months and weeks are refused: their length is not fixed.
//
// The value is exact: the fraction is truncated to milliseconds however many
// digits it has (no floating point, no rounding into the next millisecond).
// A duration of more milliseconds than std::chrono::milliseconds holds is
// refused, so whatever parses can be formatted and parsed again.
#include <bwvoice/recording.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace bwvoice {
namespace {

using Rep = std::chrono::milliseconds::rep;
constexpr Rep max_ms = std::numeric_limits<Rep>::max();

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

/// floor(unit * 0.<digits>) exactly, for a unit of milliseconds below 2^27
/// and digits of any length.
Rep fraction_of(std::string_view digits, std::uint64_t unit) noexcept {
    // An estimate from the first 9 digits is below the exact value by less
    // than unit / 10^9 < 1 millisecond, so the answer is k or k + 1.
    std::uint64_t prefix = 0, scale = 1;
    for (std::size_t i = 0; i < digits.size() && i < 9; ++i) {
        prefix = prefix * 10 + static_cast<std::uint64_t>(digits[i] - '0');
        scale *= 10;
    }
    const std::uint64_t k = prefix * unit / scale;
    // k + 1 iff 0.<digits> >= (k + 1) / unit: compare the digits with that
    // fraction's decimal expansion, written out by long division.
    std::uint64_t remainder = k + 1;
    if (remainder >= unit) return static_cast<Rep>(k);
    for (const char c : digits) {
        remainder *= 10;
        const auto boundary_digit = static_cast<char>('0' + remainder / unit);
        remainder %= unit;
        if (c != boundary_digit) return static_cast<Rep>(c > boundary_digit ? k + 1 : k);
    }
    // Every digit matched: equal if the expansion ends here, else smaller.
    return static_cast<Rep>(remainder == 0 ? k + 1 : k);
}

/// `count` units plus a fraction of one, in milliseconds; false on overflow.
bool field_ms(std::string_view whole, std::string_view fraction, Rep unit, Rep& out) noexcept {
    Rep n = 0;
    for (const char c : whole) {
        const Rep digit = c - '0';
        if (n > (max_ms - digit) / 10) return false;
        n = n * 10 + digit;
    }
    if (n > max_ms / unit) return false;
    n *= unit;
    const Rep part = fraction.empty() ? 0 : fraction_of(fraction, static_cast<std::uint64_t>(unit));
    if (n > max_ms - part) return false;
    out = n + part;
    return true;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_iso8601_duration(std::string_view text) noexcept {
    struct Designator {
        char letter;
        bool time;  // after 'T'
        Rep unit;   // milliseconds
    };
    static constexpr std::array<Designator, 4> order{
        {{'D', false, 86'400'000}, {'H', true, 3'600'000}, {'M', true, 60'000}, {'S', true, 1'000}}};

    if (text.empty() || text[0] != 'P') return std::nullopt;
    std::size_t pos = 1;
    std::size_t next = 0;  // the first designator still allowed
    bool in_time = false, any_field = false, any_time_field = false, fraction_seen = false;
    Rep total = 0;
    while (pos < text.size()) {
        if (text[pos] == 'T') {
            if (in_time) return std::nullopt;
            in_time = true;
            ++pos;
            continue;
        }
        // A field follows a fraction: the fraction was not on the last one.
        if (fraction_seen) return std::nullopt;
        const std::size_t whole_start = pos;
        while (pos < text.size() && is_digit(text[pos])) ++pos;
        const std::string_view whole = text.substr(whole_start, pos - whole_start);
        if (whole.empty()) return std::nullopt;
        std::string_view fraction;
        if (pos < text.size() && text[pos] == '.') {
            const std::size_t fraction_start = ++pos;
            while (pos < text.size() && is_digit(text[pos])) ++pos;
            fraction = text.substr(fraction_start, pos - fraction_start);
            if (fraction.empty()) return std::nullopt;
            fraction_seen = true;
        }
        if (pos == text.size()) return std::nullopt;  // a number without its designator
        const char letter = text[pos++];
        std::size_t i = next;
        while (i < order.size() && !(order[i].letter == letter && order[i].time == in_time)) ++i;
        if (i == order.size()) return std::nullopt;  // Y, W, M before T, repeated or out of order, other text
        next = i + 1;
        Rep ms = 0;
        if (!field_ms(whole, fraction, order[i].unit, ms) || total > max_ms - ms) return std::nullopt;
        total += ms;
        any_field = true;
        any_time_field = any_time_field || in_time;
    }
    if (!any_field || (in_time && !any_time_field)) return std::nullopt;
    return std::chrono::milliseconds{total};
}

std::string format_iso8601_duration(std::chrono::milliseconds d) {
    const Rep ms = d.count() > 0 ? d.count() : 0;
    std::string out = "PT" + std::to_string(ms / 1000);
    if (Rep rest = ms % 1000; rest != 0) {
        std::array<char, 3> digits{static_cast<char>('0' + rest / 100), static_cast<char>('0' + rest / 10 % 10),
                                   static_cast<char>('0' + rest % 10)};
        std::size_t n = 3;
        while (digits[n - 1] == '0') --n;
        out += '.';
        out.append(digits.data(), n);
    }
    out += 'S';
    return out;
}

}  // namespace bwvoice
