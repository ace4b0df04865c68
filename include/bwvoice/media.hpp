// bwvoice: where a downloaded recording's media goes.
#ifndef BWVOICE_MEDIA_HPP
#define BWVOICE_MEDIA_HPP

#include <bwvoice/error.hpp>

#include <boost/asio/buffer.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace bwvoice {

/// Receives a recording's media as it arrives (see
/// ConferenceClient::async_download_recording). The client calls, in order:
/// start() once, just before the first byte (never for a failed request);
/// write() for each part of the body; finish() exactly once, last, whatever
/// happened. Memory stays bounded whatever the body's size: the client reads
/// no further until the sink calls write()'s `done`.
///
/// Nothing is resent once start() has been called: a failure after it ends
/// the download, and finish(false) tells the sink its data is incomplete.
class MediaSink {
public:
    virtual ~MediaSink() = default;

    /// The response's Content-Type ("audio/vnd.wave", "audio/mpeg", ...) and
    /// its Content-Length if the server sent one.
    virtual void start(std::string_view content_type, std::optional<std::uint64_t> content_length) = 0;

    /// The next part of the body. `data` stays valid until `done` is called;
    /// call it exactly once, from any thread. An error in `done` stops the
    /// download, which then completes with that error.
    virtual void write(boost::asio::const_buffer data, std::function<void(error_code)> done) = 0;

    /// `whole` is true when every byte of the body arrived: as many as
    /// Content-Length said, or a chunked body up to its last chunk. False
    /// after any failure, a cancellation, a dropped connection, or a body
    /// whose end cannot be verified (no length, not chunked).
    virtual void finish(bool whole) = 0;
};

/// What a download delivered.
struct DownloadResult {
    std::uint64_t bytes = 0;     ///< Body bytes given to the sink.
    std::string content_type;    ///< The response's Content-Type.
};

}  // namespace bwvoice

#endif
