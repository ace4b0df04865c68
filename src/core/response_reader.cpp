#include "core/response_reader.hpp"

#include <boost/beast/http/error.hpp>

#include <algorithm>

namespace bwvoice::detail {

ResponseReader::ResponseReader(std::string& body, std::size_t body_limit, std::uint32_t header_limit)
    : body_(body), limit_(body_limit) {
    body_.clear();
    this->body_limit(body_limit);
    this->header_limit(header_limit);
}

void ResponseReader::stream_in_pieces(std::size_t piece) {
    piece_ = piece;
    this->body_limit(boost::none);
    body_.clear();
    body_.reserve(piece);
}

void ResponseReader::defer_body_limit() {
    limit_deferred_ = true;
    this->body_limit(boost::none);
}

void ResponseReader::on_response_impl(int code, string_view, int, error_code&) {
    status_ = static_cast<unsigned>(code);
}

void ResponseReader::on_field_impl(field name, string_view, string_view value, error_code&) {
    if (name == field::retry_after && retry_after_.empty()) retry_after_.assign(value.data(), value.size());
    if (name == field::content_type && keep_content_type_ && content_type_.empty())
        content_type_.assign(value.data(), value.size());
    if (name == field::link) {
        if (!link_.empty()) link_.append(", ");
        link_.append(value.data(), value.size());
    }
}

void ResponseReader::on_header_impl(error_code&) {
    // Here, not in on_body_init_impl: for "Content-Length: 0" Beast completes
    // the message at the end of the header and never starts a body, and a
    // download must still learn that its (empty) body arrived whole.
    if (auto length = content_length()) body_length_ = *length;
}

void ResponseReader::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
    if (content_length) body_length_ = *content_length;
    // basic_parser has already refused a Content-Length over body_limit,
    // unless the limit was deferred: then the length may be anything.
    if (content_length && piece_ == 0 && *content_length <= limit_)
        body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t ResponseReader::take(string_view data, error_code& ec) {
    if (piece_ == 0) {
        if (limit_deferred_ && data.size() > limit_ - std::min<std::uint64_t>(limit_, body_.size())) {
            ec = boost::beast::http::error::body_limit;
            return 0;
        }
        body_.append(data.data(), data.size());
        return data.size();
    }
    const std::size_t room = piece_ - std::min(piece_, body_.size());
    const std::size_t n = std::min(room, data.size());
    body_.append(data.data(), n);
    if (n < data.size()) ec = boost::beast::http::error::need_buffer;
    return n;
}

std::size_t ResponseReader::on_body_impl(string_view body, error_code& ec) {
    return take(body, ec);
}

std::size_t ResponseReader::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) {
    return take(body, ec);
}

}  // namespace bwvoice::detail
