// listConferences paging (see paging.hpp).
#include "mock/paging.hpp"
#include "common/base64.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>
#include <tuple>

namespace bwvoice::mock::detail {
namespace {

constexpr std::string_view kTokenVersion = "c1";

template <class Int>
std::optional<Int> parse_int(std::string_view text) {
    Int value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

}  // namespace

std::string encode_page_token(const Cursor& cursor) {
    std::string raw(kTokenVersion);
    raw += '|';
    raw += std::to_string(cursor.created.time_since_epoch().count());
    raw += '|';
    raw += cursor.id;
    return bwvoice::detail::base64url_encode(raw);
}

std::optional<Cursor> decode_page_token(std::string_view token) {
    const auto raw = bwvoice::detail::base64url_decode(token);
    if (!raw) return std::nullopt;
    const std::string_view text(*raw);
    const auto first = text.find('|');
    if (first == std::string_view::npos || text.substr(0, first) != kTokenVersion) return std::nullopt;
    const auto second = text.find('|', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    const auto ns = parse_int<long long>(text.substr(first + 1, second - first - 1));
    if (!ns) return std::nullopt;
    return Cursor{Instant{std::chrono::nanoseconds{*ns}}, std::string(text.substr(second + 1))};
}

std::variant<ListQuery, std::string> parse_list_query(std::string_view target, std::size_t default_page_size) {
    ListQuery q;
    // Kept within the API's range whatever a test put in ServerOptions: a
    // page of 0 could never make progress.
    q.page_size = std::clamp<std::size_t>(default_page_size, 1, 1000);
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) return std::string("The request-target is malformed");
    const auto params = url->params();  // percent-decoded keys and values

    if (auto it = params.find("name"); it != params.end()) q.name = std::string((*it).value);
    for (const auto& [key, field, round] : {std::tuple{"minCreatedTime", &ListQuery::min_created, Round::up},
                                            std::tuple{"maxCreatedTime", &ListQuery::max_created, Round::down}}) {
        // Rounded so that an instant finer than a nanosecond still keeps
        // exactly the conferences the inclusive bound keeps.
        if (auto it = params.find(key); it != params.end()) {
            const std::string value((*it).value);
            const auto t = parse_time(value, round);
            if (!t)
                return std::string(key) + " must be an ISO 8601 date-time with a UTC offset, e.g. 2022-06-21T19:13:21Z";
            q.*field = *t;
        }
    }
    if (auto it = params.find("pageSize"); it != params.end()) {
        const std::string value((*it).value);
        const auto size = parse_int<long long>(value);
        if (!size || *size < 1 || *size > 1000) return std::string("pageSize must be an integer from 1 to 1000");
        q.page_size = static_cast<std::size_t>(*size);
    }
    if (auto it = params.find("pageToken"); it != params.end()) {
        const std::string value((*it).value);
        q.after = decode_page_token(value);
        if (!q.after) return std::string("pageToken is invalid");
    }
    return q;
}

std::string next_page_url(std::string_view origin, std::string_view target, std::string_view token) {
    std::string out(origin);
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) return out;
    out += url->encoded_path();
    char separator = '?';
    for (const auto& param : url->encoded_params()) {
        if (param.key == "pageToken") continue;
        out += separator;
        separator = '&';
        out += param.key;
        if (param.has_value) {
            out += '=';
            out += param.value;
        }
    }
    out += separator;
    out += "pageToken=";
    out += token;  // base64url: nothing to encode
    return out;
}

}  // namespace bwvoice::mock::detail
