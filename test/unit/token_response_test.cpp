// The token endpoint's answers read without a socket: what parse_token_response
// takes and refuses, and what token_body_excerpt lets Diagnostics show.
#include "auth/token_fetch.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace bwvoice;
using namespace bwvoice::detail;

namespace {

TokenResponse parsed(const std::string& body) {
    TokenResponse out;
    std::string why;
    const auto ec = parse_token_response(body, out, why);
    BOOST_TEST_REQUIRE(!ec, body << ": " << why);
    return out;
}

std::string refusal(const std::string& body) {
    TokenResponse out;
    std::string why;
    const auto ec = parse_token_response(body, out, why);
    BOOST_TEST_REQUIRE((ec == errc::bad_response), body);
    return why;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(token_response)

BOOST_AUTO_TEST_CASE(expires_in_as_servers_send_it) {
    BOOST_TEST(parsed(R"({"access_token":"t","token_type":"Bearer","expires_in":3600})").expires_in->count() == 3600);
    BOOST_TEST(parsed(R"({"access_token":"t","expires_in":3600.0})").expires_in->count() == 3600);
    BOOST_TEST(parsed(R"({"access_token":"t","expires_in":"3600"})").expires_in->count() == 3600);
    BOOST_TEST(parsed(R"({"access_token":"t","token_type":"bearer"})").expires_in.has_value() == false);
    BOOST_TEST(parsed(R"({"access_token":"t","expires_in":null})").expires_in.has_value() == false);
    // Huge: a century, whatever the JSON number's type; never a clock overflow.
    const auto century = std::chrono::seconds(100LL * 365 * 86400);
    BOOST_TEST((parsed(R"({"access_token":"t","expires_in":10000000000})").expires_in == century));
    BOOST_TEST((parsed(R"({"access_token":"t","expires_in":18446744073709551615})").expires_in == century));
    BOOST_TEST((parsed(R"({"access_token":"t","expires_in":1e300})").expires_in == century));
    BOOST_TEST((parsed(R"({"access_token":"t","expires_in":"99999999999999999999999"})").expires_in == century));
    // Zero or less: already expired.
    BOOST_TEST(parsed(R"({"access_token":"t","expires_in":-5})").expires_in->count() == 0);
    BOOST_TEST(parsed(R"({"access_token":"t","expires_in":0})").expires_in->count() == 0);
}

BOOST_AUTO_TEST_CASE(what_is_not_a_token) {
    BOOST_TEST(refusal("<html>") == "not JSON");
    BOOST_TEST(refusal("[1]") == "not a JSON object");
    BOOST_TEST(refusal(R"({"token":"t"})") == "no access_token");
    BOOST_TEST(refusal(R"({"access_token":""})").find("non-empty") != std::string::npos);
    BOOST_TEST(refusal(R"({"access_token":"a b"})").find("header") != std::string::npos);
    BOOST_TEST(refusal("{\"access_token\":\"a\\r\\nX-Injected: 1\"}").find("header") != std::string::npos);
    BOOST_TEST(refusal(R"({"access_token":"t","token_type":"mac"})").find("'mac' is not Bearer") != std::string::npos);
    BOOST_TEST(refusal(R"({"access_token":"t","expires_in":"soon"})") == "expires_in is not a number");
    BOOST_TEST(refusal(R"({"access_token":"t","expires_in":true})") == "expires_in is not a number");
}

// The excerpt never shows a token, however the body hides it: escaped in
// JSON, longer than the excerpt, form-encoded, or short after its name.
BOOST_AUTO_TEST_CASE(the_excerpt_shows_no_token) {
    const std::string secret(700, 'Q');
    const auto excerpt = [](const std::string& body) { return token_body_excerpt(body); };

    const std::string json = R"({"access_token":"abc\/)" + secret + R"(","token_type":"mac"})";
    BOOST_TEST(excerpt(json) == "a JSON object with the fields access_token, token_type");

    const std::string long_run = std::string(400, ' ') + secret;  // straddles the 512th character
    BOOST_TEST(excerpt(long_run).find("QQQ") == std::string::npos, excerpt(long_run));
    BOOST_TEST(excerpt(long_run).find("[redacted]") != std::string::npos);

    const std::string form = "access_token=sh0rt&token_type=bearer&scope=x";
    BOOST_TEST(excerpt(form).find("sh0rt") == std::string::npos, excerpt(form));
    BOOST_TEST(excerpt(form).find("token_type=bearer") != std::string::npos, excerpt(form));

    const std::string html = "<html><body>Service under maintenance until 10:00</body></html>";
    BOOST_TEST(excerpt(html) == html);

    const std::string binary = std::string("ok\x01\x7f", 4);
    BOOST_TEST(excerpt(binary) == "ok??");

    // Almost JSON (a byte-order mark, a second document, cut short): not
    // parsed, so the text is shown, and the token still is not.
    for (const char* almost : {"\xEF\xBB\xBF{\"access_token\": \"TOKbom\", \"expires_in\": 60}",
                               "{\"access_token\":\"TOKtrailing\"}\n{}", "{\"access_token\":\"TOKcut"})
        BOOST_TEST(excerpt(almost).find("TOK") == std::string::npos, excerpt(almost));

    BOOST_TEST(excerpt(std::string(5000, ' ') + "x").size() == 515u);  // 512 and "..."
    BOOST_TEST(excerpt("\"a-json-string\"") == "JSON that is not an object");
    BOOST_TEST(excerpt("{}") == "an empty JSON object");
}

BOOST_AUTO_TEST_SUITE_END()
