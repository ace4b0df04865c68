// The one base64 of the library, bwconf and the mock (src/common/base64), with no I/O.
#include "common/base64.hpp"

#include <boost/test/unit_test.hpp>

using namespace bwvoice::detail;

BOOST_AUTO_TEST_SUITE(base64)

BOOST_AUTO_TEST_CASE(encodes_the_rfc_4648_vectors) {
    BOOST_TEST(base64_encode("") == "");
    BOOST_TEST(base64_encode("f") == "Zg==");
    BOOST_TEST(base64_encode("fo") == "Zm8=");
    BOOST_TEST(base64_encode("foo") == "Zm9v");
    BOOST_TEST(base64_encode("foobar") == "Zm9vYmFy");
    BOOST_TEST(base64_encode(std::string("\xfb\xff", 2)) == "+/8=");
    BOOST_TEST(base64url_encode(std::string("\xfb\xff", 2)) == "-_8");
}

BOOST_AUTO_TEST_CASE(decodes_what_it_encodes) {
    for (const std::string raw : {"", "f", "fo", "foo", "foob", "user:pa ss\x01\xff"}) {
        BOOST_TEST(base64_decode(base64_encode(raw)).value_or("<none>") == raw);
        BOOST_TEST(base64url_decode(base64url_encode(raw)).value_or("<none>") == raw);
    }
}

BOOST_AUTO_TEST_CASE(refuses_anything_but_canonical_padded_text) {
    BOOST_TEST(!base64_decode("Zg"));        // padding missing
    BOOST_TEST(!base64_decode("Zg="));       // a wrong length
    BOOST_TEST(!base64_decode("Z!=="));      // foreign character
    BOOST_TEST(!base64_decode("Zg==Zg=="));  // text after the padding
    BOOST_TEST(!base64_decode("Zh=="));      // bits after the last byte
    BOOST_TEST(!base64_decode("dXNlcjpwdx=="));
    BOOST_TEST(!base64url_decode("Zg=="));  // padding in base64url
    BOOST_TEST(!base64url_decode("+/8"));   // the other alphabet
    BOOST_TEST(!base64url_decode("Z"));     // no byte ends there
}

BOOST_AUTO_TEST_CASE(basic_authorization_is_rfc_7617s) {
    BOOST_TEST(basic_authorization("Aladdin", "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

BOOST_AUTO_TEST_SUITE_END()
