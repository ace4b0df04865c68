// ISO 8601 timestamps: formatting the API's form and parsing a filter's.
#include "mock/time.hpp"

#include <cstdio>

namespace bwvoice::mock::detail {
namespace {

bool digit(char c) {
    return c >= '0' && c <= '9';
}

/// Reads exactly `n` digits at `pos`, advancing it.
std::optional<int> fixed_digits(std::string_view text, std::size_t& pos, std::size_t n) {
    if (pos + n > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[pos + i];
        if (!digit(c)) return std::nullopt;
        value = value * 10 + (c - '0');
    }
    pos += n;
    return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

}  // namespace

std::string format_time(std::chrono::sys_time<std::chrono::milliseconds> t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    return text;
}

std::optional<Instant> parse_time(std::string_view text, Round round) {
    using namespace std::chrono;
    std::size_t pos = 0;
    const auto y = fixed_digits(text, pos, 4);
    if (!y || !expect(text, pos, '-')) return std::nullopt;
    const auto mo = fixed_digits(text, pos, 2);
    if (!mo || !expect(text, pos, '-')) return std::nullopt;
    const auto d = fixed_digits(text, pos, 2);
    if (!d || !expect(text, pos, 'T')) return std::nullopt;
    const auto h = fixed_digits(text, pos, 2);
    if (!h || !expect(text, pos, ':')) return std::nullopt;
    const auto mi = fixed_digits(text, pos, 2);
    if (!mi || !expect(text, pos, ':')) return std::nullopt;
    const auto s = fixed_digits(text, pos, 2);
    if (!s) return std::nullopt;

    const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
    if (!ymd.ok() || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;

    nanoseconds fraction{0};
    bool finer = false;  // nonzero digits beyond the ninth
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        const std::size_t first = pos;
        long long ns = 0;
        for (; pos < text.size() && digit(text[pos]); ++pos) {
            const std::size_t index = pos - first;
            if (index < 9)
                ns = ns * 10 + (text[pos] - '0');
            else if (text[pos] != '0')
                finer = true;
        }
        if (pos == first) return std::nullopt;
        for (std::size_t i = pos - first; i < 9; ++i) ns *= 10;
        fraction = nanoseconds{ns};
    }

    if (pos >= text.size()) return std::nullopt;  // no offset: not an instant
    minutes offset{0};
    if (text[pos] == 'Z') {
        ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
        const int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        const auto oh = fixed_digits(text, pos, 2);
        if (!oh) return std::nullopt;
        if (pos < text.size() && text[pos] == ':') ++pos;
        const auto om = fixed_digits(text, pos, 2);
        if (!om || *oh > 23 || *om > 59) return std::nullopt;
        offset = minutes{sign * (*oh * 60 + *om)};
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;

    Instant t = sys_days{ymd} + hours{*h} + minutes{*mi} + seconds{*s} + fraction - offset;
    if (finer && round == Round::up) t += nanoseconds{1};
    return t;
}

}  // namespace bwvoice::mock::detail
