/// @file
/// Where a downloaded recording's media goes.
#ifndef BWVOICE_MEDIA_HPP
#define BWVOICE_MEDIA_HPP

#include <bwvoice/export.hpp>

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
/// write() for each part of the body, one at a time; finish() exactly once,
/// last, whatever happened (nothing is called after it). Memory stays bounded
/// whatever the body's size: the client reads no further, and calls write()
/// no more, until the sink calls write()'s `done`.
///
/// Waiting for `done` counts against the download's deadline
/// (ClientConfig::request_timeout) like any other wait, and a cancellation or
/// close() ends it too. When the download is stopped while the sink holds a
/// piece, it completes at once with that error (errc::timeout,
/// operation_aborted, errc::cancelled) without waiting for `done`: finish(false)
/// is then called while that `done` is still outstanding, and no write()
/// follows. A `done` called after that does nothing.
///
/// The one exception to "finish() exactly once": an io_context destroyed
/// before the download completed calls neither finish() nor the handler (as
/// for any Asio operation abandoned with its context). A `done` the sink
/// still holds may then be called or destroyed, as ever.
///
/// Nothing is resent once start() has been called: a failure after it ends
/// the download, and finish(false) tells the sink its data is incomplete.
///
/// @par Thread-safety
/// The client calls a sink one call at a time, never concurrently: from a
/// thread running the client's executor or, for a download refused before
/// it started (a refused ID, a moved-from client), from the caller's thread
/// inside async_download_recording() (finish(false) only). A sink given to
/// several downloads at once is called by each, and must protect itself.
class BWVOICE_API MediaSink {
public:
    /// A sink must outlive its download: destroy it after finish() (or, when
    /// the io_context went first, after the io_context).
    virtual ~MediaSink() = default;

    /// The response's Content-Type ("audio/vnd.wave", "audio/mpeg", ...) and
    /// its Content-Length if the server sent one.
    virtual void start(std::string_view content_type, std::optional<std::uint64_t> content_length) = 0;

    /// The next part of the body. Call `done` once, from any thread (inside
    /// write() too), when finished with `data`: with success to go on, or with
    /// an error to stop the download, which then completes with that same
    /// error_code (Diagnostics::message "the sink failed: ...") and
    /// finish(false).
    ///
    /// `data` stays valid until `done` is called or destroyed, even if the
    /// download has ended meanwhile (finish() was called) and even after the
    /// client and its io_context are destroyed. `done` holds only that piece,
    /// never the client's connections or its io_context: calling it late, a
    /// second time, or destroying it without calling it (which leaves the
    /// download to end at its deadline, a cancellation or close()) is harmless
    /// at any time, and only the first call during the download counts.
    virtual void write(boost::asio::const_buffer data, std::function<void(error_code)> done) = 0;

    /// `whole` is true when every byte of the body arrived and the sink took
    /// each piece: as many as Content-Length said, or a chunked body up to
    /// its last chunk. False after any failure (the sink's own included), a
    /// cancellation, the deadline, close(), a dropped connection, or a body
    /// whose end cannot be verified (no length, not chunked); also when the
    /// download never started (a refused ID, a moved-from client). May come
    /// while a write()'s `done` is outstanding (see above).
    virtual void finish(bool whole) = 0;
};

/// What a download delivered.
struct DownloadResult {
    std::uint64_t bytes = 0;   ///< Body bytes given to the sink.
    std::string content_type;  ///< The response's Content-Type.
};

}  // namespace bwvoice

#endif
