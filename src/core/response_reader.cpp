#include "core/response_reader.hpp"

#include <boost/beast/http/error.hpp>

namespace bwvoice::detail {

ResponseReader::ResponseReader(std::string& body, std::size_t body_limit, std::uint32_t header_limit)
    : body_(body) {
    body_.clear();
    this->body_limit(body_limit);
    this->header_limit(header_limit);
}

void ResponseReader::on_response_impl(int code, string_view, int, error_code&) {
    status_ = static_cast<unsigned>(code);
}

void ResponseReader::on_field_impl(field name, string_view, string_view value, error_code&) {
    if (name == field::retry_after && retry_after_.empty()) retry_after_.assign(value.data(), value.size());
}

void ResponseReader::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
    // basic_parser has already refused a Content-Length over body_limit.
    if (content_length) body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t ResponseReader::on_body_impl(string_view body, error_code&) {
    body_.append(body.data(), body.size());
    return body.size();
}

std::size_t ResponseReader::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
    body_.append(body.data(), body.size());
    return body.size();
}

}  // namespace bwvoice::detail
