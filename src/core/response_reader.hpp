// A lean HTTP/1.1 response parser: Beast's basic_parser, keeping only what a
// lookup needs (status, Retry-After, the body), so reading a response
// allocates nothing once the connection's body buffer has grown.
#ifndef BWVOICE_SRC_CLIENT_RESPONSE_READER_HPP
#define BWVOICE_SRC_CLIENT_RESPONSE_READER_HPP

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
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

private:
    using error_code = boost::system::error_code;
    using string_view = boost::beast::string_view;
    using field = boost::beast::http::field;

    void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
    void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
    void on_field_impl(field name, string_view name_string, string_view value, error_code& ec) override;
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
    std::size_t on_body_impl(string_view body, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
    void on_finish_impl(error_code&) override {}

    std::string& body_;
    std::string retry_after_;
    unsigned status_ = 0;
};

}  // namespace bwvoice::detail

#endif
