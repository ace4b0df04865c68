// RFC 3339 parsing and the API's own output form.
#include <bwvoice/conference.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono;
using bwvoice::format_timestamp;
using bwvoice::parse_timestamp;
using bwvoice::Timestamp;

Timestamp at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
    return Timestamp{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
}

/// Boost.Test cannot print a time point; compare through the formatted text.
void check_parses_to(std::string_view text, Timestamp expected) {
    BOOST_TEST_CONTEXT("input \"" << text << "\"") {
        const auto t = parse_timestamp(text);
        BOOST_TEST_REQUIRE(t.has_value());
        BOOST_TEST(format_timestamp(*t) == format_timestamp(expected));
        BOOST_TEST(t->time_since_epoch().count() == expected.time_since_epoch().count());
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(timestamp)

BOOST_AUTO_TEST_CASE(api_form) {
    check_parses_to("2026-11-28T15:02:11.482Z", at(2026, 11, 28, 15, 2, 11, 482));
    check_parses_to("2022-06-17T22:19:40.375Z", at(2022, 6, 17, 22, 19, 40, 375));
}

BOOST_AUTO_TEST_CASE(lower_case_separator_and_zone) {
    check_parses_to("2026-11-28t15:02:11.482z", at(2026, 11, 28, 15, 2, 11, 482));
    check_parses_to("2026-11-28T15:02:11z", at(2026, 11, 28, 15, 2, 11));
    check_parses_to("2026-11-28t15:02:11Z", at(2026, 11, 28, 15, 2, 11));
}

BOOST_AUTO_TEST_CASE(offsets_are_normalised_to_utc) {
    check_parses_to("2026-11-28T16:02:11+01:00", at(2026, 11, 28, 15, 2, 11));
    check_parses_to("2026-11-28T10:32:11.482-04:30", at(2026, 11, 28, 15, 2, 11, 482));
    check_parses_to("2026-11-28T15:02:11+00:00", at(2026, 11, 28, 15, 2, 11));
    check_parses_to("2026-11-28T15:02:11-00:00", at(2026, 11, 28, 15, 2, 11));
    check_parses_to("2026-11-29T14:01:11+23:59", at(2026, 11, 28, 14, 2, 11));
    check_parses_to("2026-11-27T15:03:11-23:59", at(2026, 11, 28, 15, 2, 11));
}

BOOST_AUTO_TEST_CASE(offsets_cross_day_month_and_year) {
    check_parses_to("2026-01-01T00:30:00+01:00", at(2025, 12, 31, 23, 30));
    check_parses_to("2025-12-31T23:30:00-01:00", at(2026, 1, 1, 0, 30));
    check_parses_to("2024-03-01T00:00:00+05:30", at(2024, 2, 29, 18, 30));
    check_parses_to("2023-02-28T23:00:00-02:00", at(2023, 3, 1, 1, 0));
}

BOOST_AUTO_TEST_CASE(fractions_of_any_length_truncate_to_milliseconds) {
    const std::vector<std::pair<std::string, int>> cases{
        {"", 0},
        {".4", 400},
        {".48", 480},
        {".482", 482},
        {".4829", 482},
        {".48299", 482},
        {".482999", 482},
        {".4829999", 482},
        {".48299999", 482},
        {".482999999", 482},
        {".000", 0},
        {".999999999", 999},
        {".0015", 1},
        {".12345678901234567890", 123},
    };
    for (const auto& [fraction, ms] : cases)
        check_parses_to("2026-11-28T15:02:11" + fraction + "Z", at(2026, 11, 28, 15, 2, 11, ms));
}

BOOST_AUTO_TEST_CASE(truncation_never_rounds_into_the_next_day) {
    check_parses_to("2026-12-31T23:59:59.9999999Z", at(2026, 12, 31, 23, 59, 59, 999));
}

BOOST_AUTO_TEST_CASE(leap_years) {
    check_parses_to("2024-02-29T12:00:00Z", at(2024, 2, 29, 12));
    check_parses_to("2000-02-29T00:00:00Z", at(2000, 2, 29));
    check_parses_to("2400-02-29T00:00:00Z", at(2400, 2, 29));
    BOOST_TEST(!parse_timestamp("2023-02-29T00:00:00Z"));
    BOOST_TEST(!parse_timestamp("1900-02-29T00:00:00Z"));
    BOOST_TEST(!parse_timestamp("2100-02-29T00:00:00Z"));
    BOOST_TEST(!parse_timestamp("2024-02-30T00:00:00Z"));
}

BOOST_AUTO_TEST_CASE(month_lengths) {
    const unsigned lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (unsigned m = 1; m <= 12; ++m) {
        const unsigned last = lengths[m - 1];
        char ok[32], bad[32];
        std::snprintf(ok, sizeof ok, "2023-%02u-%02uT00:00:00Z", m, last);
        std::snprintf(bad, sizeof bad, "2023-%02u-%02uT00:00:00Z", m, last + 1);
        BOOST_TEST(parse_timestamp(ok).has_value(), ok);
        BOOST_TEST(!parse_timestamp(bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_CASE(epoch_and_range_limits) {
    check_parses_to("1970-01-01T00:00:00Z", Timestamp{});
    check_parses_to("1969-12-31T23:59:59.999Z", Timestamp{milliseconds{-1}});
    check_parses_to("0000-01-01T00:00:00Z", at(0, 1, 1));
    check_parses_to("9999-12-31T23:59:59.999Z", at(9999, 12, 31, 23, 59, 59, 999));
    // Valid text whose UTC instant has no four-digit year: rejected so
    // that everything parsed can be formatted and parsed again.
    BOOST_TEST(!parse_timestamp("0000-01-01T00:00:00+01:00"));
    BOOST_TEST(!parse_timestamp("9999-12-31T23:59:59-01:00"));
}

BOOST_AUTO_TEST_CASE(invalid_text) {
    const std::vector<std::string_view> cases{
        "",
        "Z",
        "2026-11-28",
        "2026-11-28T",
        "2026-11-28T15:02",
        "2026-11-28T15:02:11",  // no zone: a local time is not an instant
        "2026-11-28T15:02:11.482",
        "2026-11-28 15:02:11Z",  // space separator
        "2026-11-28_15:02:11Z",
        "2026-11-28T15:02:11.Z",     // dot without digits
        "2026-11-28T15:02:11,482Z",  // comma fraction
        "2026-11-28T15:02:11.482ZZ",
        "2026-11-28T15:02:11.482Z ",  // trailing space
        " 2026-11-28T15:02:11.482Z",  // leading space
        "2026-11-28T15:02:11.482Zgarbage",
        "2026-11-28T15:02:11+01",
        "2026-11-28T15:02:11+0100",
        "2026-11-28T15:02:11+1:00",
        "2026-11-28T15:02:11+01:0",
        "2026-11-28T15:02:11+01:00Z",
        "2026-11-28T15:02:11+24:00",
        "2026-11-28T15:02:11+01:60",
        "2026-11-28T15:02:11 +01:00",
        "2026-11-28T15:02:11UTC",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "2026-11-28T24:00:00Z",
        "2026-11-28T23:60:00Z",
        "2026-12-31T23:59:60Z",  // leap seconds are rejected, see timestamp.cpp
        "2026-11-28T23:59:61Z",
        "26-11-28T15:02:11Z",
        "02026-11-28T15:02:11Z",
        "2026-1-28T15:02:11Z",
        "2026-11-8T15:02:11Z",
        "2026-11-28T5:02:11Z",
        "+2026-11-28T15:02:11Z",
        "-2026-11-28T15:02:11Z",
        "2026-+1-28T15:02:11Z",
        "2026--1-28T15:02:11Z",
        "2026-11-28T1a:02:11Z",
        "2026/11/28T15:02:11Z",
        "2026-11-28T15.02.11Z",
        "20261128T150211Z",
        "2026-11-28T15:02:11.48a2Z",
        "١٢٣٤-11-28T15:02:11Z",
        "not a date",
    };
    for (auto text : cases) BOOST_TEST(!parse_timestamp(text).has_value(), "input \"" << text << "\"");
}

BOOST_AUTO_TEST_CASE(embedded_nul_is_trailing_garbage) {
    const std::string_view text("2026-11-28T15:02:11Z\0", 21);
    BOOST_TEST(!parse_timestamp(text).has_value());
    BOOST_TEST(!parse_timestamp(std::string_view("2026-11-28T15:02:11\0Z", 21)).has_value());
}

BOOST_AUTO_TEST_CASE(input_need_not_be_nul_terminated) {
    const std::string text = "2026-11-28T15:02:11.482Z9999";
    check_parses_to(std::string_view(text).substr(0, 24), at(2026, 11, 28, 15, 2, 11, 482));
    BOOST_TEST(!parse_timestamp(std::string_view(text).substr(0, 23)).has_value());
}

BOOST_AUTO_TEST_CASE(format_is_the_api_form) {
    BOOST_TEST(format_timestamp(at(2026, 11, 28, 15, 2, 11, 482)) == "2026-11-28T15:02:11.482Z");
    BOOST_TEST(format_timestamp(at(2026, 1, 2, 3, 4, 5, 6)) == "2026-01-02T03:04:05.006Z");
    BOOST_TEST(format_timestamp(Timestamp{}) == "1970-01-01T00:00:00.000Z");
    BOOST_TEST(format_timestamp(Timestamp{milliseconds{-1}}) == "1969-12-31T23:59:59.999Z");
    BOOST_TEST(format_timestamp(at(0, 1, 1)) == "0000-01-01T00:00:00.000Z");
    BOOST_TEST(format_timestamp(at(9999, 12, 31, 23, 59, 59, 999)) == "9999-12-31T23:59:59.999Z");
}

BOOST_AUTO_TEST_CASE(format_outside_four_digit_years_keeps_the_year) {
    BOOST_TEST(format_timestamp(at(10000, 1, 1)) == "10000-01-01T00:00:00.000Z");
    BOOST_TEST(format_timestamp(at(-1, 12, 31, 23)) == "-1-12-31T23:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(text_round_trip) {
    for (std::string_view text : {"2026-11-28T15:02:11.482Z", "2024-02-29T00:00:00.000Z", "1969-07-20T20:17:40.001Z"}) {
        const auto t = parse_timestamp(text);
        BOOST_TEST_REQUIRE(t.has_value());
        BOOST_TEST(format_timestamp(*t) == text);
    }
}

BOOST_AUTO_TEST_CASE(instant_round_trip_across_the_whole_range) {
    const auto first = at(0, 1, 1).time_since_epoch().count();
    const auto last = at(9999, 12, 31, 23, 59, 59, 999).time_since_epoch().count();
    // A prime step (about 11.6 days) visits every field value in many combinations.
    const long long step = 1'000'000'007LL;
    int checked = 0;
    std::string first_failure;
    for (long long ms = first; ms <= last; ms += step, ++checked) {
        const Timestamp t{milliseconds{ms}};
        const std::string text = format_timestamp(t);
        const auto back = parse_timestamp(text);
        if ((!back || *back != t) && first_failure.empty()) first_failure = text;
    }
    BOOST_TEST(first_failure.empty(), first_failure);
    BOOST_TEST(checked > 100000);
}

BOOST_AUTO_TEST_SUITE_END()
