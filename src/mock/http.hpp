// HTTP pieces of the mock that need no socket: Basic credentials, API error
// bodies, what a response is, and rendering its head to bytes. Responses are
// rendered by hand rather than by Beast's serializer because the scripted
// faults need to cut, trickle or reframe exactly these bytes.
#ifndef BWVOICE_MOCK_HTTP_HPP
#define BWVOICE_MOCK_HTTP_HPP

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bwvoice::mock::detail {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

/// True when `authorization` is "Basic <base64(user:password)>" for exactly
/// these credentials.
bool basic_credentials_match(std::string_view authorization, std::string_view user, std::string_view password);

/// The voiceApiError body Bandwidth sends for `status`. A 404 with a
/// conference ID names it, as the API names the call it did not find.
std::string api_error_body(unsigned status, std::string_view conference_id);
/// The same with a description of our own (what exactly was invalid).
std::string api_error_body_described(unsigned status, std::string_view description);

/// A recording's media, generated piece by piece while it is written, so that
/// no response ever holds a whole recording in memory.
struct MediaBody {
    std::string recording_id;  ///< Keys the byte pattern (see fill_media).
    std::uint64_t size = 0;
};

struct Response {
    unsigned status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  ///< Override defaults of the same name.
    std::optional<MediaBody> media;  ///< When set, the body is this media and `body` is unused.

    std::uint64_t body_size() const { return media ? media->size : body.size(); }
};

/// A response with a voiceApiError body.
Response error_response(unsigned status, std::string_view conference_id = {});
Response error_described(unsigned status, std::string_view description);

/// At most `max` bytes of the response's body from `offset`: a view into the
/// text body, or media generated into `scratch`.
std::string_view body_piece(const Response& response, std::uint64_t offset, std::size_t max, std::string& scratch);

enum class Framing { content_length, chunked, close_delimited };

/// Status line and header block, through the blank line.
std::string render_head(const Response& response, Framing framing, bool connection_close);

/// "<hex size>\r\n": what precedes a chunk's data (which "\r\n" follows).
std::string chunk_size_line(std::size_t size);

/// Statuses that never carry a body.
bool bodiless_status(unsigned status);

bool iequals(std::string_view a, std::string_view b);

/// Whether a Content-Type header value names `media_type` ("type/subtype"),
/// ignoring letter case, parameters (charset) and surrounding spaces.
bool content_type_is(std::string_view header_value, std::string_view media_type);

}  // namespace bwvoice::mock::detail

#endif
