// HTTP pieces of the mock that need no socket: routing, Basic credentials,
// API error bodies and rendering responses to bytes. Responses are rendered by
// hand rather than by Beast's serializer because the scripted faults need to
// cut, trickle or reframe exactly these bytes.
#include "mock/detail.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace bwvoice::mock::detail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

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

}  // namespace

ParsedTarget parse_target(std::string_view target) {
    ParsedTarget out;
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) {
        out.kind = RouteKind::malformed;
        return out;
    }
    // segments() yields each segment percent-decoded, without splitting on an
    // encoded "/", which is what lets an ID like "a/b?c" travel as one segment.
    const auto segments = url->segments();
    if (segments.size() != 6) return out;
    static constexpr std::array<std::string_view, 5> fixed{"api", "v2", "accounts", "", "conferences"};
    std::size_t i = 0;
    for (std::string segment : segments) {
        if (i == 3)
            out.account_id = std::move(segment);
        else if (i == 5)
            out.conference_id = std::move(segment);
        else if (segment != fixed[i])
            return out;
        ++i;
    }
    if (out.conference_id.empty()) return out;
    out.kind = RouteKind::conference;
    return out;
}

bool basic_credentials_match(std::string_view authorization, std::string_view user, std::string_view password) {
    namespace base64 = boost::beast::detail::base64;
    const auto space = authorization.find(' ');
    if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "Basic")) return false;
    std::string_view encoded = authorization.substr(space + 1);
    while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
    while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);

    // decoded_size() assumes padded input; unpadded input decodes to more.
    std::string decoded(base64::decoded_size(encoded.size() + 3), '\0');
    const auto [written, read] = base64::decode(decoded.data(), encoded.data(), encoded.size());
    // decode() stops at padding or at the first foreign character; only
    // padding may follow what it consumed.
    const std::string_view rest = encoded.substr(read);
    if (rest.size() > 2 || rest.find_first_not_of('=') != std::string_view::npos) return false;
    decoded.resize(written);

    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return false;
    return std::string_view(decoded).substr(0, colon) == user &&
           std::string_view(decoded).substr(colon + 1) == password;
}

std::string api_error_body(unsigned status, std::string_view conference_id) {
    const ErrorText text = error_text(status);
    boost::json::object body;
    body["type"] = text.type;
    if (status == 404 && !conference_id.empty())
        body["description"] = "Conference [" + std::string(conference_id) + "] not found";
    else
        body["description"] = text.description;
    if (text.empty_id)
        body["id"] = "";
    else
        body["id"] = nullptr;
    return boost::json::serialize(body);
}

bool bodiless_status(unsigned status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

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
    if (!has_header(response, "Server")) out += "Server: bwvoice-mock\r\n";
    if (!bodiless_status(response.status) && !has_header(response, "Content-Type"))
        out += "Content-Type: application/json;charset=UTF-8\r\n";
    // A scripted Content-Length or Transfer-Encoding replaces ours, so tests
    // can make the server lie about its framing.
    if (!has_header(response, "Content-Length") && !has_header(response, "Transfer-Encoding")) {
        if (framing == Framing::chunked)
            out += "Transfer-Encoding: chunked\r\n";
        else if (framing == Framing::content_length && !bodiless_status(response.status))
            out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
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

std::vector<std::string> render_chunks(std::string_view body) {
    std::vector<std::string> pieces;
    // Three chunks, so a client has to join several rather than read one.
    const std::size_t size = (body.size() + 2) / 3;
    while (!body.empty()) {
        const std::string_view chunk = body.substr(0, size);
        body.remove_prefix(chunk.size());
        char length[24];
        std::snprintf(length, sizeof length, "%zx\r\n", chunk.size());
        std::string piece = length;
        piece += chunk;
        piece += "\r\n";
        pieces.push_back(std::move(piece));
    }
    pieces.emplace_back("0\r\n\r\n");
    return pieces;
}

}  // namespace bwvoice::mock::detail
