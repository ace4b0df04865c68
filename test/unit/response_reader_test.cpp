// ResponseReader's body limit when a body may be streamed (media downloads),
// fed from memory with basic_parser::put: no sockets.
#include "core/response_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/test/unit_test.hpp>

using bwvoice::detail::ResponseReader;
namespace http = boost::beast::http;

namespace {

constexpr std::size_t kLimit = 1024;

std::string head(unsigned status, std::size_t length) {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: audio/mpeg\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

// Feeds `bytes` until the header is done; returns the parser's error.
boost::system::error_code put_header(ResponseReader& r, const std::string& bytes, std::size_t& used) {
    boost::system::error_code ec;
    r.eager(false);
    used = r.put(boost::asio::buffer(bytes), ec);
    return ec;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(response_reader)

BOOST_AUTO_TEST_CASE(a_content_length_over_the_limit_is_refused_at_the_header) {
    std::string body;
    ResponseReader r(body, kLimit, 8192);
    std::size_t used = 0;
    BOOST_TEST((put_header(r, head(200, kLimit + 1), used) == http::error::body_limit));
}

// A media body far over the limit: the header is accepted, the body streams.
BOOST_AUTO_TEST_CASE(a_deferred_limit_lets_a_streamed_body_of_any_length_through) {
    std::string body;
    ResponseReader r(body, kLimit, 8192);
    r.defer_body_limit();
    const std::size_t length = 100 * kLimit;
    const std::string h = head(200, length);
    std::size_t used = 0;
    BOOST_TEST_REQUIRE(!put_header(r, h, used));
    BOOST_TEST(r.is_header_done());
    BOOST_TEST(body.capacity() < length, "the whole body's length was reserved");
    r.stream_in_pieces(64);
    const std::string data(length, 'm');
    std::size_t taken = 0, seen = 0;
    while (taken < data.size()) {
        boost::system::error_code ec;
        taken += r.put(boost::asio::buffer(data.data() + taken, data.size() - taken), ec);
        BOOST_TEST_REQUIRE((!ec || ec == http::error::need_buffer), ec.message());
        BOOST_TEST_REQUIRE(body.size() <= 64u);
        seen += body.size();
        body.clear();
    }
    BOOST_TEST(seen == length);
    // The length is a multiple of the piece: the last full piece still
    // completes the message (else a read would wait for more bytes forever).
    BOOST_TEST(r.is_done());
}

// An error answer read whole (not streamed) is still held to the limit.
BOOST_AUTO_TEST_CASE(a_deferred_limit_still_bounds_a_body_read_whole) {
    std::string body;
    ResponseReader r(body, kLimit, 8192);
    r.defer_body_limit();
    std::size_t used = 0;
    BOOST_TEST_REQUIRE(!put_header(r, head(404, 10 * kLimit), used));
    const std::string data(10 * kLimit, 'e');
    boost::system::error_code ec;
    std::size_t taken = 0;
    while (!ec && taken < data.size()) taken += r.put(boost::asio::buffer(data.data() + taken, 100), ec);
    BOOST_TEST((ec == http::error::body_limit), ec.message());
    BOOST_TEST(body.size() <= kLimit);

    // Within the limit it is read as usual.
    std::string small_body;
    ResponseReader small(small_body, kLimit, 8192);
    small.defer_body_limit();
    BOOST_TEST_REQUIRE(!put_header(small, head(404, kLimit), used));
    const std::string exact(kLimit, 'e');
    ec = {};
    small.put(boost::asio::buffer(exact), ec);
    BOOST_TEST(!ec);
    BOOST_TEST(small.is_done());
    BOOST_TEST(small_body == exact);
}

// Beast completes a message with "Content-Length: 0" at the end of its
// header and never starts a body (no on_body_init): the length must still be
// known, or an empty download looks unverifiable.
BOOST_AUTO_TEST_CASE(the_content_length_is_known_at_the_header_zero_included) {
    for (const std::size_t length : {std::size_t{0}, std::size_t{5}}) {
        std::string body;
        ResponseReader r(body, kLimit, 8192);
        r.defer_body_limit();
        std::size_t used = 0;
        BOOST_TEST_REQUIRE(!put_header(r, head(200, length), used));
        BOOST_TEST(r.is_header_done());
        BOOST_TEST(r.is_done() == (length == 0));
        BOOST_TEST((r.body_length() == std::optional<std::uint64_t>(length)), length);
    }
    // No Content-Length (chunked, or ended by closing): none.
    std::string body;
    ResponseReader r(body, kLimit, 8192);
    std::size_t used = 0;
    BOOST_TEST_REQUIRE(!put_header(r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", used));
    BOOST_TEST(!r.body_length().has_value());
}

BOOST_AUTO_TEST_SUITE_END()
