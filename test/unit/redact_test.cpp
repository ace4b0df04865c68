// Text handed to the caller made safe, with no I/O: secrets redacted,
// control characters escaped.
#include "common/redact.hpp"

#include <bwvoice/detail/control_escape.hpp>

#include <boost/test/unit_test.hpp>

using bwvoice::detail::redact;

namespace {
std::string redacted(std::string text, std::initializer_list<std::string_view> secrets) {
    redact(text, secrets);
    return text;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(redaction)

BOOST_AUTO_TEST_CASE(every_occurrence_is_replaced) {
    BOOST_TEST(redacted("a pw b pw", {"pw"}) == "a [redacted] b [redacted]");
    BOOST_TEST(redacted("pwpw", {"pw"}) == "[redacted][redacted]");
    BOOST_TEST(redacted("nothing here", {"pw"}) == "nothing here");
    BOOST_TEST(redacted("", {"pw"}) == "");
    BOOST_TEST(redacted("text", {""}) == "text");
}

// The replacement contains these secrets itself: searching again from where
// the replacement starts never ends.
BOOST_AUTO_TEST_CASE(secrets_inside_the_marker_end_in_one_pass) {
    BOOST_TEST(redacted("e", {"e"}) == "[redacted]");
    BOOST_TEST(redacted("red red", {"red"}) == "[redacted] [redacted]");
    BOOST_TEST(redacted("dd", {"d"}) == "[redacted][redacted]");
    BOOST_TEST(redacted("[redacted]", {"acted"}) == "[red[redacted]]");
    const std::string long_text(10'000, 'e');
    BOOST_TEST(redacted(long_text, {"e", "ee"}) == "[redacted]");    // overlapping occurrences: one marker
    BOOST_TEST(redacted(long_text, {"e"}).size() == 10'000u * 10u);  // touching ones: one each
}

// Two secrets that overlap in the text: neither may survive in part.
BOOST_AUTO_TEST_CASE(overlapping_secrets_leave_nothing_behind) {
    BOOST_TEST(redacted("abcd", {"ab", "bcd"}) == "[redacted]");
    BOOST_TEST(redacted("xabcdx", {"bcd", "ab"}) == "x[redacted]x");
    BOOST_TEST(redacted("user:pwXYZ", {"pw", "pwXYZ", "user:pw"}) == "[redacted]");
}

BOOST_AUTO_TEST_CASE(the_longest_secret_wins_where_several_start) {
    BOOST_TEST(redacted("Basic dXNlcjpwdw== and pw", {"pw", "Basic dXNlcjpwdw==", "dXNlcjpwdw=="}) ==
               "[redacted] and [redacted]");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(split_secrets)

BOOST_AUTO_TEST_CASE(a_secret_split_by_line_breaks_is_found) {
    BOOST_TEST(redacted("a pa\r\nss b", {"pass"}) == "a [redacted] b");
    BOOST_TEST(redacted("YXBpLXVz\nZXI6cHc=\n", {"YXBpLXVzZXI6cHc="}) == "[redacted]\n");
    BOOST_TEST(redacted("x p\u2028a\u2029s\u0085s y", {"pass"}) == "x [redacted] y");
    BOOST_TEST(redacted("\npass\n", {"pass"}) == "\n[redacted]\n");
    // Text with breaks but no secret is left alone, breaks included.
    BOOST_TEST(redacted("no\r\nsecret", {"pass"}) == "no\r\nsecret");
    // Two secrets, one direct and one split, overlapping.
    BOOST_TEST(redacted("ab\ncdef", {"abc", "def"}) == "[redacted][redacted]");
}

BOOST_AUTO_TEST_CASE(a_secret_holding_a_line_break_is_found_however_the_text_breaks_it) {
    BOOST_TEST(redacted("x ab\ncd y", {"ab\ncd"}) == "x [redacted] y");
    BOOST_TEST(redacted("x a\nb\ncd y", {"ab\ncd"}) == "x [redacted] y");
    BOOST_TEST(redacted("x ab\ncd y", {"ab\r\ncd"}) == "x [redacted] y");
    // Breaks alone are no secret; a cut UTF-8 sequence at the end is not read past.
    BOOST_TEST(redacted("a\nb", {"\r\n", ""}) == "a\nb");
    BOOST_TEST(redacted(std::string("pa\nss\xe2\x80", 7), {"pass"}) == std::string("[redacted]\xe2\x80", 12));
    // Many breaks: each match maps back to its own bytes.
    BOOST_TEST(redacted("p\na\ns\ns p\r\nass pass", {"pass"}) == "[redacted] [redacted] [redacted]");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(control_escapes)

namespace {
std::string escaped(std::string text) {
    bwvoice::detail::escape_control_characters(text);
    return text;
}
}  // namespace

BOOST_AUTO_TEST_CASE(line_breaks_tabs_and_other_controls_become_escapes) {
    BOOST_TEST(escaped("a\r\nX-Forged: 1") == "a\\r\\nX-Forged: 1");
    BOOST_TEST(escaped("\t") == "\\t");
    BOOST_TEST(escaped(std::string("nul\0end", 7)) == "nul\\x00end");
    BOOST_TEST(escaped("\x1b[31mred") == "\\x1b[31mred");
    BOOST_TEST(escaped("del\x7f") == "del\\x7f");
    BOOST_TEST(escaped("\x1f") == "\\x1f");
}

BOOST_AUTO_TEST_CASE(unicode_line_breaks_c1_controls_and_bidi_overrides_become_escapes) {
    BOOST_TEST(escaped("a\u2028b\u2029c") == "a\\u2028b\\u2029c");
    BOOST_TEST(escaped("next\u0085line") == "next\\u0085line");
    BOOST_TEST(escaped("\u009b31m \u0080") == "\\u009b31m \\u0080");
    BOOST_TEST(escaped("\u202eevil\u202a\u2066\u2069") == "\\u202eevil\\u202a\\u2066\\u2069");
    // A cut sequence at the end is not read past the text.
    BOOST_TEST(escaped(std::string("x\xc2", 2)) == std::string("x\xc2", 2));
    BOOST_TEST(escaped(std::string("x\xe2\x80", 3)) == std::string("x\xe2\x80", 3));
}

BOOST_AUTO_TEST_CASE(printable_text_and_utf8_are_left_as_they_are) {
    BOOST_TEST(escaped("HTTP 404: conference 'conf-1' not found") == "HTTP 404: conference 'conf-1' not found");
    BOOST_TEST(escaped("a \\ b") == "a \\ b");
    BOOST_TEST(escaped("Zoë ☎") == "Zoë ☎");
    // Neighbours of the escaped ranges: U+00A0, U+2027, U+202F, U+2065, U+206A.
    BOOST_TEST(escaped("\u00a0\u2027\u202f\u2065\u206a") == "\u00a0\u2027\u202f\u2065\u206a");
    BOOST_TEST(escaped(" ~") == " ~");
    BOOST_TEST(escaped("").empty());
}

BOOST_AUTO_TEST_SUITE_END()
