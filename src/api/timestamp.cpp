// bwvoice: RFC 3339 date-times, parsed and formatted by hand because
// libstdc++ 12 has the chrono calendar types but not chrono::parse/format.
//
// Accepted: YYYY-MM-DD('T'|'t')hh:mm:ss[.f...]('Z'|'z'|('+'|'-')hh:mm).
// Choices beyond the RFC's grammar:
//  - a leap second (ss = 60) is rejected: the API never sends one and
//    sys_time cannot represent it without inventing a value;
//  - the fraction may have any number of digits; digits past the
//    millisecond are truncated (never rounded, so a value never moves into
//    the next second, minute, or day);
//  - an instant that falls outside years 0000..9999 once normalised to UTC
//    is rejected, so whatever parses can be formatted and parsed again.
#include <bwvoice/conference.hpp>

#include <array>
#include <charconv>
#include <cstddef>

namespace bwvoice {
namespace {

using namespace std::chrono;

/// A cursor over the text; every reader advances it only on success.
struct Cursor {
    std::string_view text;
    std::size_t pos = 0;

    bool at_end() const noexcept { return pos == text.size(); }
    char peek() const noexcept { return at_end() ? '\0' : text[pos]; }
};

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

/// Exactly `width` decimal digits, no sign.
bool read_fixed(Cursor& cur, std::size_t width, unsigned& out) noexcept {
    if (cur.text.size() - cur.pos < width) return false;
    const char* first = cur.text.data() + cur.pos;
    const char* last = first + width;
    // from_chars on an unsigned type rejects signs, so only digits can be consumed.
    auto [ptr, ec] = std::from_chars(first, last, out);
    if (ec != std::errc{} || ptr != last) return false;
    cur.pos += width;
    return true;
}

bool read_char(Cursor& cur, char expected) noexcept {
    if (cur.at_end() || cur.peek() != expected) return false;
    ++cur.pos;
    return true;
}

bool read_either(Cursor& cur, char a, char b) noexcept {
    return read_char(cur, a) || read_char(cur, b);
}

std::optional<sys_days> read_date(Cursor& cur) noexcept {
    unsigned y = 0, m = 0, d = 0;
    if (!read_fixed(cur, 4, y) || !read_char(cur, '-') || !read_fixed(cur, 2, m) || !read_char(cur, '-') ||
        !read_fixed(cur, 2, d))
        return std::nullopt;
    // year_month_day::ok() knows month lengths and leap years.
    const year_month_day ymd{year{static_cast<int>(y)}, month{m}, day{d}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd};
}

std::optional<milliseconds> read_time(Cursor& cur) noexcept {
    unsigned h = 0, m = 0, s = 0;
    if (!read_fixed(cur, 2, h) || !read_char(cur, ':') || !read_fixed(cur, 2, m) || !read_char(cur, ':') ||
        !read_fixed(cur, 2, s))
        return std::nullopt;
    if (h > 23 || m > 59 || s > 59) return std::nullopt;
    return hours{h} + minutes{m} + seconds{s};
}

/// ".f..." (optional); at least one digit once the dot is there.
std::optional<milliseconds> read_fraction(Cursor& cur) noexcept {
    if (!read_char(cur, '.')) return milliseconds{0};
    const std::size_t start = cur.pos;
    long long ms = 0;
    while (is_digit(cur.peek())) {
        if (cur.pos - start < 3) ms = ms * 10 + (cur.peek() - '0');
        ++cur.pos;
    }
    const std::size_t digits = cur.pos - start;
    if (digits == 0) return std::nullopt;
    for (std::size_t i = digits; i < 3; ++i) ms *= 10;
    return milliseconds{ms};
}

/// The offset of local time from UTC: 'Z', 'z' or ±hh:mm.
std::optional<minutes> read_offset(Cursor& cur) noexcept {
    if (read_either(cur, 'Z', 'z')) return minutes{0};
    const char sign = cur.peek();
    if (sign != '+' && sign != '-') return std::nullopt;
    ++cur.pos;
    unsigned h = 0, m = 0;
    if (!read_fixed(cur, 2, h) || !read_char(cur, ':') || !read_fixed(cur, 2, m)) return std::nullopt;
    if (h > 23 || m > 59) return std::nullopt;
    const minutes offset = hours{h} + minutes{m};
    return sign == '-' ? -offset : offset;
}

bool in_formattable_range(Timestamp t) noexcept {
    constexpr sys_days first{year{0} / January / 1};
    constexpr sys_days past_last{year{10000} / January / 1};
    return t >= first && t < past_last;
}

/// Writes `value` as exactly `width` digits ending just before `end`.
char* put_digits(char* end, unsigned value, int width) noexcept {
    for (int i = 0; i < width; ++i) {
        *--end = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return end;
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept {
    Cursor cur{text};
    const auto date = read_date(cur);
    if (!date || !read_either(cur, 'T', 't')) return std::nullopt;
    const auto time = read_time(cur);
    if (!time) return std::nullopt;
    const auto fraction = read_fraction(cur);
    if (!fraction) return std::nullopt;
    const auto offset = read_offset(cur);
    if (!offset || !cur.at_end()) return std::nullopt;
    // Local time minus its offset from UTC is UTC.
    const Timestamp t = Timestamp{*date} + *time + *fraction - *offset;
    if (!in_formattable_range(t)) return std::nullopt;
    return t;
}

std::string format_timestamp(Timestamp t) {
    const sys_days day_point = floor<days>(t);
    const year_month_day ymd{day_point};
    const hh_mm_ss<milliseconds> tod{t - day_point};
    std::array<char, 24> buf{};  // "YYYY-MM-DDTHH:MM:SS.mmmZ", filled from the end
    char* end = buf.data() + buf.size();
    *--end = 'Z';
    end = put_digits(end, static_cast<unsigned>(tod.subseconds().count()), 3);
    *--end = '.';
    end = put_digits(end, static_cast<unsigned>(tod.seconds().count()), 2);
    *--end = ':';
    end = put_digits(end, static_cast<unsigned>(tod.minutes().count()), 2);
    *--end = ':';
    end = put_digits(end, static_cast<unsigned>(tod.hours().count()), 2);
    *--end = 'T';
    end = put_digits(end, static_cast<unsigned>(ymd.day()), 2);
    *--end = '-';
    end = put_digits(end, static_cast<unsigned>(ymd.month()), 2);
    *--end = '-';
    const int y = static_cast<int>(ymd.year());
    if (y >= 0 && y <= 9999) {
        put_digits(end, static_cast<unsigned>(y), 4);
        return std::string(buf.data(), buf.size());
    }
    // parse_timestamp never yields such a year; keep its sign and digits rather than wrap around.
    return std::to_string(y) + std::string(end, buf.data() + buf.size());
}

}  // namespace bwvoice
