#include "core/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace bwvoice::detail {

bool is_retryable_status(unsigned status) noexcept {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

namespace {

std::optional<int> month_number(std::string_view m) {
    static constexpr const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i)
        if (m == names[i]) return i + 1;
    return std::nullopt;
}

template <class Int>
bool read_int(std::string_view s, Int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (the only form senders may use, RFC 9110 5.6.7).
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view v) {
    if (v.size() != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' || v[19] != ':' ||
        v[22] != ':' || v.substr(25) != " GMT")
        return std::nullopt;
    unsigned day = 0, hour = 0, minute = 0, second = 0;
    int year = 0;
    auto month = month_number(v.substr(8, 3));
    if (!month || !read_int(v.substr(5, 2), day) || !read_int(v.substr(12, 4), year) ||
        !read_int(v.substr(17, 2), hour) || !read_int(v.substr(20, 2), minute) || !read_int(v.substr(23, 2), second))
        return std::nullopt;
    using namespace std::chrono;
    year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(*month)},
                       std::chrono::day{day}};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    return sys_seconds{sys_days{ymd}} + hours{hour} + minutes{minute} + seconds{second};
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) noexcept {
    using namespace std::chrono;
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (value.front() >= '0' && value.front() <= '9') {
        std::uint64_t secs = 0;
        if (!read_int(value, secs)) return std::nullopt;
        // Clamp absurd values; the lookup deadline bounds the wait anyway.
        secs = std::min<std::uint64_t>(secs, 86'400 * 365);
        return milliseconds{static_cast<std::int64_t>(secs) * 1000};
    }
    auto when = parse_http_date(value);
    if (!when) return std::nullopt;
    // In seconds: system_clock's nanoseconds cannot hold years far from now
    // (a server may send any year), and converting would overflow.
    const auto now_s = floor<seconds>(now);
    if (*when <= now_s) return milliseconds{0};
    const auto ahead = std::min(*when - now_s, seconds{86'400LL * 365});
    return duration_cast<milliseconds>(ahead);
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, unsigned retry_index, double unit_random) noexcept {
    using rep = std::chrono::milliseconds::rep;
    const rep base = policy.backoff_base.count();
    const rep cap = policy.backoff_cap.count();
    rep ceiling = base;
    for (unsigned i = 0; i < retry_index && ceiling < cap; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, cap);
    if (!policy.jitter) return std::chrono::milliseconds{ceiling};
    unit_random = std::clamp(unit_random, 0.0, 1.0);
    return std::chrono::milliseconds{static_cast<rep>(static_cast<double>(ceiling) * unit_random)};
}

}  // namespace bwvoice::detail
