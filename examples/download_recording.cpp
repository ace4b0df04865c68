// Download a conference recording into a file, streamed through a MediaSink:
// memory stays bounded whatever the recording's size.
//
//   download_recording [CONFERENCE_ID RECORDING_ID [FILE]]
//
//   defaults: conf-0 r-819f7b05-3cb7a03e-6236-b53b-1c77-abc82ee60483 (a complete
//   wav recording in bwvoice-mock's store, seed 1); FILE: RECORDING_ID.wav
//   (or .mp3, from the recording's metadata), in the current folder.
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 the whole recording is in FILE, 1 it could not be downloaded
// (FILE is then left as it was), 2 usage or configuration error.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "common/settings.hpp"

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

/// Writes the media to `path` + ".part" as it arrives, and renames it onto
/// `path` only once every byte has arrived, so a cut download never leaves a
/// truncated file that looks complete.
class FileSink final : public bwvoice::MediaSink {
public:
    explicit FileSink(fs::path path) : path_(std::move(path)), part_(path_.string() + ".part") {}

    // Called once, just before the first byte: never for an error answer, so
    // a 404 creates no file.
    void start(std::string_view content_type, std::optional<std::uint64_t> length) override {
        out_.open(part_, std::ios::binary | std::ios::trunc);
        std::cout << "receiving " << content_type << ", Content-Length "
                  << (length ? std::to_string(*length) : std::string("not given")) << "\n";
    }

    // One piece at a time: the client reads nothing more until `done` is
    // called. This sink writes at once; one that writes asynchronously would
    // keep `done` and call it later, from any thread.
    void write(asio::const_buffer data, std::function<void(bwvoice::error_code)> done) override {
        out_.write(static_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
        ++pieces;
        // An error given to `done` ends the download with that same error.
        done(out_ ? bwvoice::error_code{} : make_error_code(boost::system::errc::io_error));
    }

    // Called exactly once, last, whatever happened.
    void finish(bool whole) override {
        if (out_.is_open()) out_.close();
        std::error_code ignored;
        if (whole && out_)
            fs::rename(part_, path_, ignored);
        else
            fs::remove(part_, ignored);
        saved = whole && !ignored && fs::exists(path_);
    }

    std::size_t pieces = 0;
    bool saved = false;

private:
    fs::path path_, part_;
    std::ofstream out_;
};

asio::awaitable<bool> download(bwvoice::ConferenceClient& client, std::string conference_id, std::string recording_id,
                               std::string file) {
    // The metadata first: whether the media can be downloaded yet, and its format.
    const bwvoice::RecordingMetadata meta = co_await client.async_get_recording(conference_id, recording_id);
    if (meta.status != "complete") {
        std::cout << recording_id << ": not downloadable yet (status " << meta.status.value_or("unknown") << ")\n";
        co_return false;
    }
    if (file.empty()) file = recording_id + (meta.file_format == bwvoice::FileFormat::mp3 ? ".mp3" : ".wav");
    std::cout << recording_id << ": " << meta.duration.value_or("?") << " of " << meta.name.value_or("?") << "\n";

    // The sink must stay valid until the operation completes: a local of this
    // coroutine, which is suspended in the co_await meanwhile, is.
    FileSink sink(file);
    const bwvoice::DownloadResult result = co_await client.async_download_recording(conference_id, recording_id, sink);
    // Success means every byte of the body reached the sink: as many as
    // Content-Length said (or a complete chunked body).
    std::cout << "saved " << result.bytes << " bytes to " << file << " in " << sink.pieces << " pieces ("
              << result.content_type << "), " << (sink.saved ? fs::file_size(file) : 0) << " bytes on disk\n";
    co_return sink.saved&& fs::file_size(file) == result.bytes;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {});
        const std::string conference_id = args.positional(0, "conf-0");
        const std::string recording_id = args.positional(1, "r-819f7b05-3cb7a03e-6236-b53b-1c77-abc82ee60483");
        const std::string file = args.positional(2, "");

        asio::io_context ioc;
        bwvoice::ConferenceClient client(ioc, example::config_from_env());

        int status = example::kExitFailed;
        asio::co_spawn(ioc, download(client, conference_id, recording_id, file),
                       [&](std::exception_ptr failure, bool saved) {
                           if (!failure) {
                               if (saved) status = 0;
                               return;
                           }
                           try {
                               std::rethrow_exception(failure);
                           } catch (const boost::system::system_error& e) {
                               std::cout << conference_id << " " << recording_id
                                         << ": failed: " << bwvoice::to_string(bwvoice::to_errc(e.code())) << ": "
                                         << e.code().message() << "\n";
                           } catch (const std::exception& e) {  // anything else the coroutine threw
                               std::cout << conference_id << " " << recording_id << ": failed: " << e.what() << "\n";
                           }
                       });
        ioc.run();
        return status;
    } catch (const example::UsageError& e) {
        std::cerr << "download_recording: " << e.what()
                  << "\nusage: download_recording [CONFERENCE_ID RECORDING_ID [FILE]]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE
        std::cerr << "download_recording: " << e.what() << "\n";
        return example::kExitUsage;
    }
}
