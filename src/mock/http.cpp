// HTTP pieces of the mock that need no socket (see http.hpp).
#include "mock/http.hpp"

#include "common/base64.hpp"
#include "mock/mock_server.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace bwvoice::mock::detail {
namespace {

bool has_header(const Response& response, std::string_view name) {
    return std::any_of(response.headers.begin(), response.headers.end(),
                       [&](const auto& h) { return iequals(h.first, name); });
}

struct ErrorText {
    const char* type;
    const char* description;
    bool empty_id;  // Bandwidth's 409 and 429 examples carry "id": "" instead of null.
};

ErrorText error_text(unsigned status) {
    switch (status) {
    case 400: return {"validation", "The request is malformed or invalid", false};
    case 401: return {"authentication-error", "The credentials provided were invalid", false};
    case 403: return {"authorization-error", "Access is denied", false};
    case 404: return {"validation", "The requested resource was not found", false};
    case 405: return {"validation", "The HTTP method is not allowed for this resource", false};
    case 409: return {"validation", "The resource cannot be modified in its current state", true};
    case 415: return {"validation", "Unsupported Content-Type", false};
    case 429: return {"error", "Account call creation rate limit exceeded", true};
    case 500: return {"internal-error", "An unknown error occurred", false};
    case 503: return {"system-overloaded", "Managing too many concurrent calls", false};
    default:
        if (status >= 500) return {"internal-error", "An unknown error occurred", false};
        return {"validation", "The request could not be processed", false};
    }
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool content_type_is(std::string_view header_value, std::string_view media_type) {
    return iequals(trim(header_value.substr(0, header_value.find(';'))), media_type);
}

bool basic_credentials_match(std::string_view authorization, std::string_view user, std::string_view password) {
    const auto space = authorization.find(' ');
    if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "Basic")) return false;
    std::string_view encoded = authorization.substr(space + 1);
    while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
    while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
    // Padding is optional here, as servers accept it.
    std::string padded(encoded);
    while (padded.size() % 4 != 0) padded += '=';
    const std::optional<std::string> plain = bwvoice::detail::base64_decode(padded);
    if (!plain) return false;
    const std::string& decoded = *plain;

    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return false;
    return std::string_view(decoded).substr(0, colon) == user &&
           std::string_view(decoded).substr(colon + 1) == password;
}

std::string api_error_body_described(unsigned status, std::string_view description) {
    const ErrorText text = error_text(status);
    boost::json::object body;
    body["type"] = text.type;
    body["description"] = description.empty() ? std::string_view(text.description) : description;
    if (text.empty_id)
        body["id"] = "";
    else
        body["id"] = nullptr;
    return boost::json::serialize(body);
}

std::string api_error_body(unsigned status, std::string_view conference_id) {
    if (status == 404 && !conference_id.empty())
        return api_error_body_described(status, "Conference [" + std::string(conference_id) + "] not found");
    return api_error_body_described(status, {});
}

Response error_response(unsigned status, std::string_view conference_id) {
    return Response{status, api_error_body(status, conference_id), {}, std::nullopt};
}

Response error_described(unsigned status, std::string_view description) {
    return Response{status, api_error_body_described(status, description), {}, std::nullopt};
}

std::string_view body_piece(const Response& response, std::uint64_t offset, std::size_t max, std::string& scratch) {
    const std::uint64_t size = response.body_size();
    if (offset >= size) return {};
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(max, size - offset));
    if (!response.media) return std::string_view(response.body).substr(static_cast<std::size_t>(offset), n);
    scratch.resize(n);
    fill_media(response.media->recording_id, offset, scratch.data(), n);
    return scratch;
}

bool bodiless_status(unsigned status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

std::string render_head(const Response& response, Framing framing, bool connection_close) {
    namespace http = boost::beast::http;
    std::string reason(http::obsolete_reason(http::int_to_status(response.status)));
    if (http::int_to_status(response.status) == http::status::unknown) reason = "Unknown";

    std::string out;
    out.reserve(256);
    char status_line[32];
    std::snprintf(status_line, sizeof status_line, "HTTP/1.1 %03u ", response.status);
    out += status_line;
    out += reason;
    out += "\r\n";
    const bool bodiless = bodiless_status(response.status);
    if (!has_header(response, "Server")) out += "Server: bwvoice-mock\r\n";
    if (!bodiless && !has_header(response, "Content-Type")) out += "Content-Type: application/json;charset=UTF-8\r\n";
    // A scripted Content-Length or Transfer-Encoding replaces ours, so tests
    // can make the server lie about its framing. A bodiless status gets
    // neither: a 204 announcing chunks it never sends would look truncated.
    if (!bodiless && !has_header(response, "Content-Length") && !has_header(response, "Transfer-Encoding")) {
        if (framing == Framing::chunked)
            out += "Transfer-Encoding: chunked\r\n";
        else if (framing == Framing::content_length)
            out += "Content-Length: " + std::to_string(response.body_size()) + "\r\n";
    }
    if (connection_close && !has_header(response, "Connection")) out += "Connection: close\r\n";
    for (const auto& [name, value] : response.headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

std::string chunk_size_line(std::size_t size) {
    char line[24];
    std::snprintf(line, sizeof line, "%zx\r\n", size);
    return line;
}

}  // namespace bwvoice::mock::detail
