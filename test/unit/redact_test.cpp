// Redaction of secrets from text handed to the caller, with no I/O.
#include "core/redact.hpp"

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
    const std::string out = redacted(long_text, {"e", "ee"});
    BOOST_TEST(out.size() == 5'000u * 10u);  // "ee" first, longest wins
}

BOOST_AUTO_TEST_CASE(the_longest_secret_wins_where_several_start) {
    BOOST_TEST(redacted("Basic dXNlcjpwdw== and pw", {"pw", "Basic dXNlcjpwdw==", "dXNlcjpwdw=="}) ==
               "[redacted] and [redacted]");
}

BOOST_AUTO_TEST_SUITE_END()
