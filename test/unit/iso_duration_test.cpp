// ISO 8601 durations as the API writes recording lengths.
#include <bwvoice/recording.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using bwvoice::format_iso8601_duration;
using bwvoice::parse_iso8601_duration;
using std::chrono::milliseconds;

constexpr std::int64_t max_ms = std::numeric_limits<milliseconds::rep>::max();

void check_parses_to(std::string_view text, std::int64_t expected_ms) {
    BOOST_TEST_CONTEXT("input \"" << text << "\"") {
        const auto d = parse_iso8601_duration(text);
        BOOST_TEST_REQUIRE(d.has_value());
        BOOST_TEST(d->count() == expected_ms);
    }
}

void check_rejected(std::string_view text) {
    const auto d = parse_iso8601_duration(text);
    BOOST_TEST(!d.has_value(), "input \"" << text << "\" gave " << (d ? d->count() : 0) << " ms");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(iso_duration)

BOOST_AUTO_TEST_CASE(the_apis_forms) {
    check_parses_to("PT13.67S", 13'670);      // bandwidth.yml's example
    check_parses_to("PT4M12.318S", 252'318);  // the spec's payload D
    check_parses_to("PT31.9S", 31'900);       // the spec's payload D
    check_parses_to("PT1H2M3S", 3'723'000);
    check_parses_to("P1DT2H", 93'600'000);
    check_parses_to("PT0S", 0);
}

BOOST_AUTO_TEST_CASE(every_field_alone_and_together) {
    check_parses_to("P2D", 172'800'000);
    check_parses_to("PT2H", 7'200'000);
    check_parses_to("PT2M", 120'000);
    check_parses_to("PT2S", 2'000);
    check_parses_to("P1DT1H1M1S", 90'061'000);
    check_parses_to("P1DT1S", 86'401'000);
    check_parses_to("PT1H1S", 3'601'000);
    check_parses_to("P0D", 0);
    check_parses_to("P0DT0H0M0.000S", 0);
    // Beyond the natural range of a field, and leading zeros: still one value.
    check_parses_to("PT36H", 129'600'000);
    check_parses_to("PT90M", 5'400'000);
    check_parses_to("PT100S", 100'000);
    check_parses_to("PT007S", 7'000);
}

BOOST_AUTO_TEST_CASE(a_fraction_on_the_last_field) {
    check_parses_to("PT0.001S", 1);
    check_parses_to("PT1.5S", 1'500);
    check_parses_to("PT1.5M", 90'000);
    check_parses_to("PT1.5H", 5'400'000);
    check_parses_to("P1.5D", 129'600'000);
    check_parses_to("PT1H1.25M", 3'675'000);
    check_parses_to("P1DT0.5H", 88'200'000);
}

BOOST_AUTO_TEST_CASE(fractions_are_truncated_to_milliseconds) {
    check_parses_to("PT0.0009S", 0);
    check_parses_to("PT1.9999S", 1'999);
    check_parses_to("PT1.123456789012345678901234567890S", 1'123);
    check_parses_to("PT0.00001M", 0);  // 0.6 ms
    check_parses_to("PT0.0001M", 6);
}

BOOST_AUTO_TEST_CASE(truncation_is_exact_however_many_digits) {
    // 1 ms is 1/60000 minute = 0.0000166666... and 1/86400000 day =
    // 0.0000000115740740740...: one digit past the 25th decides.
    check_parses_to("PT0.0000166666666666666666667M", 1);
    check_parses_to("PT0.0000166666666666666666666M", 0);
    check_parses_to("P0.000000011574074074074074074075D", 1);
    check_parses_to("P0.000000011574074074074074074074D", 0);
    // Exactly on a millisecond (1/80 minute = 750 ms), and a hair below it.
    check_parses_to("PT0.0125M", 750);
    check_parses_to("PT0.012499999999999999999999M", 749);
    check_parses_to("PT0.0125000000000000000000000M", 750);
    check_parses_to("P0.99999999999999999999999999D", 86'399'999);
}

BOOST_AUTO_TEST_CASE(the_largest_value_and_no_further) {
    check_parses_to("PT9223372036854775.807S", max_ms);
    check_parses_to("P106751991167DT7H12M55.807S", max_ms);
    check_parses_to("P106751991167D", 106'751'991'167LL * 86'400'000LL);
    check_rejected("PT9223372036854775.808S");
    check_rejected("PT9223372036854776S");
    check_rejected("PT9223372036854775808S");
    check_rejected("PT99999999999999999999999999999999S");
    check_rejected("P106751991168D");
    check_rejected("P106751991167DT7H12M55.808S");
    check_rejected("P106751991167DT8H");  // each field fits, the sum does not
    check_parses_to("PT2562047788015H", 2'562'047'788'015LL * 3'600'000LL);
    check_rejected("PT2562047788016H");
    check_parses_to("PT153722867280912M", 153'722'867'280'912LL * 60'000LL);
    check_rejected("PT153722867280913M");
    check_rejected(std::string("PT") + std::string(10'000, '9') + "S");
}

BOOST_AUTO_TEST_CASE(invalid_text) {
    for (std::string_view text : {
             "",         "P",        "PT",         "13",      "PT-1S",  "P1Y",         "PT1.5M3S",  // the brief's
             "-PT1S",    "+PT1S",    "PT+1S",      "P-1D",                                          // signs
             "P1M",      "P1W",      "P1Y2M3DT4H", "P2W",                        // years, months, weeks
             "PT1S2M",   "PT1M1H",   "P1DT1S1H",   "PT1D",    "P1H",    "P1S",   // order and place
             "PT1M1M",   "PT1H2H",   "P1D1D",      "PT1HT1M", "PTT1S",           // repeats
             "P1DT",     "PT1",      "P1",         "PTS",     "PS",     "P.5S",  // incomplete
             "PT.5S",    "PT1.S",    "PT1.5",      "PT1,5S",  "PT1e3S",          // numbers
             "P1.5DT1H", "PT1.5H1M", "PT0.5M0S",                                 // a fraction not on the last field
             "pt1s",     "PT1s",     "Pt1S",       " PT1S",   "PT1S ",  "PT 1S",       "PT1S\n",   "T1S",
             "1S",       "PT1SX",    "PT1S1",      "PTX",     "P1D2",   "PT\xd9\xa1S",  // Arabic-Indic digit one
         })
        check_rejected(text);
    check_rejected(std::string_view("PT1S\0", 5));
    check_rejected(std::string_view("PT\0S", 4));
}

BOOST_AUTO_TEST_CASE(format) {
    const std::vector<std::pair<std::int64_t, std::string_view>> cases{
        {13'670, "PT13.67S"},
        {252'318, "PT252.318S"},
        {0, "PT0S"},
        {1, "PT0.001S"},
        {10, "PT0.01S"},
        {100, "PT0.1S"},
        {1'000, "PT1S"},
        {1'010, "PT1.01S"},
        {3'723'000, "PT3723S"},
        {93'600'000, "PT93600S"},
        {max_ms, "PT9223372036854775.807S"},
    };
    for (const auto& [ms, text] : cases) BOOST_TEST(format_iso8601_duration(milliseconds{ms}) == text, ms);
}

BOOST_AUTO_TEST_CASE(negative_durations_are_written_as_zero) {
    BOOST_TEST(format_iso8601_duration(milliseconds{-1}) == "PT0S");
    BOOST_TEST(format_iso8601_duration(milliseconds{-1'500}) == "PT0S");
    BOOST_TEST(format_iso8601_duration(milliseconds::min()) == "PT0S");
}

BOOST_AUTO_TEST_CASE(whatever_is_formatted_parses_back) {
    std::uint64_t x = 88172645463325252ull;  // xorshift64: values across every magnitude
    for (int i = 0; i < 20'000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const auto ms = static_cast<std::int64_t>(x >> (1 + i % 63));
        const std::string text = format_iso8601_duration(milliseconds{ms});
        const auto back = parse_iso8601_duration(text);
        BOOST_TEST_REQUIRE(back.has_value(), text);
        BOOST_TEST_REQUIRE(back->count() == ms, text);
    }
}

BOOST_AUTO_TEST_SUITE_END()
