// A lean HTTP/1.1 response parser: Beast's basic_parser, keeping only what a
// request needs (status, Retry-After, Content-Type, the body), so reading a
// response allocates nothing once the connection's body buffer has grown.
#ifndef BWVOICE_SRC_CORE_RESPONSE_READER_HPP
#define BWVOICE_SRC_CORE_RESPONSE_READER_HPP

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace bwvoice::detail {

class ResponseReader final : public boost::beast::http::basic_parser<false> {
public:
    /// `body` receives the body (cleared first); it is the caller's buffer
    /// so its capacity survives from one response to the next.
    ResponseReader(std::string& body, std::size_t body_limit, std::uint32_t header_limit);

    unsigned status() const noexcept { return status_; }
    /// The Retry-After value, if the response had one (first occurrence).
    const std::string& retry_after() const noexcept { return retry_after_; }
    /// The Content-Type value (first occurrence), "" if none or if
    /// keep_content_type() was not called.
    const std::string& content_type() const noexcept { return content_type_; }
    /// Before the header: keep the Content-Type (a download reports it).
    /// Only when asked: "application/json" is one byte longer than a short
    /// string holds, so keeping it always cost an allocation per response.
    void keep_content_type() noexcept { keep_content_type_ = true; }
    /// Every Link field value, joined with ", " as RFC 9110 allows (pages).
    const std::string& link() const noexcept { return link_; }
    /// The Content-Length, once the header has been read, if there is one
    /// (0 included: Beast then starts no body at all).
    std::optional<std::uint64_t> body_length() const noexcept { return body_length_; }

    /// From now on (the header has been read), the body goes into `body` in
    /// pieces of at most `piece` bytes, with no size limit: a read ends with
    /// http::error::need_buffer each time `body` is full; empty it, then read
    /// on. The memory used stays bounded whatever the body's size.
    void stream_in_pieces(std::size_t piece);

    /// Before the header of a response whose body may be streamed (a media
    /// download): Beast's parser would refuse a Content-Length over the body
    /// limit as soon as the header ends, before the status can decide where
    /// the body goes. The parser's limit is lifted, and the limit is kept
    /// here instead: a body that is collected whole (an error answer, no
    /// stream_in_pieces()) still fails with http::error::body_limit once it
    /// grows past it, so memory stays bounded either way.
    void defer_body_limit();

private:
    using error_code = boost::system::error_code;
    using string_view = boost::beast::string_view;
    using field = boost::beast::http::field;

    void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
    void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
    void on_field_impl(field name, string_view name_string, string_view value, error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
    std::size_t on_body_impl(string_view body, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
    void on_finish_impl(error_code&) override {}

    /// Takes what fits of `data`; asks for the buffer to be emptied when full.
    std::size_t take(string_view data, error_code& ec);

    std::string& body_;
    std::string retry_after_;
    std::string content_type_;
    std::string link_;
    std::optional<std::uint64_t> body_length_;
    std::size_t piece_ = 0;        // 0: collect the whole body
    std::uint64_t limit_;          // the body limit given at construction
    bool limit_deferred_ = false;  // limit_ enforced by take(), not by the parser
    bool keep_content_type_ = false;
    unsigned status_ = 0;
};

}  // namespace bwvoice::detail

#endif
