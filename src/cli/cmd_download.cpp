// bwconf download: a recording's media into a file (or stdout) in bounded memory.
#include "cli/commands.hpp"
#include "cli/file_sink.hpp"
#include "cli/tasks.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace bwconf {
namespace {

namespace po = boost::program_options;

/// How long a download stopped by a signal (a write interrupted) waits for
/// the signal's own handling before it reports the failure itself.
constexpr std::chrono::seconds kSignalGrace{2};

/// Download Conference Recording of one recording. The bytes go through
/// FdSink to the temporary file (renamed onto FILE once the client said
/// finish(true) and the operation succeeded) or to stdout.
class DownloadTask final : public ClientTask {
public:
    DownloadTask(Session& s, std::string conference_id, std::string output, std::unique_ptr<TempFile> temp)
        : ClientTask(s, child_fields(conference_id, "recordingId")),
          ioc_(s.ioc),
          conference_id_(std::move(conference_id)),
          output_(std::move(output)),
          temp_(std::move(temp)),
          sink_(temp_ ? temp_->fd() : STDOUT_FILENO) {}

    void start(const std::string& recording_id, Done done) override {
        auto diag = std::make_shared<bwvoice::Diagnostics>();
        // The sink belongs to this task, which the handler keeps alive (done holds the run, the run the task).
        client_.async_download_recording(conference_id_, recording_id, sink_, *diag,
                                         [this, recording_id, diag, done = std::move(done)](
                                             bwvoice::error_code ec, bwvoice::DownloadResult result) mutable {
                                             completed(recording_id, ec, result, *diag, std::move(done));
                                         });
    }

    void abandon() override {
        sink_.abandon();
        if (temp_) temp_->discard();
    }

private:
    void completed(const std::string& recording_id, bwvoice::error_code ec, const bwvoice::DownloadResult& result,
                   bwvoice::Diagnostics& diag, Done done) {
        if (!ec && !sink_.whole()) {
            ec = bwvoice::errc::bad_response;
            diag.message = "the body did not arrive whole";
        }
        if (!ec) {
            std::string why;
            if (temp_ && !temp_->commit(why)) return local_failure(recording_id, why, std::move(done));
            auto o = fields_(recording_id);
            o["file"] = output_;
            o["bytes"] = result.bytes;
            o["contentType"] = result.content_type;
            return done(json_line(o), false);
        }
        if (temp_) temp_->discard();
        if (sink_.interrupted()) {
            // SIGINT or SIGTERM interrupted a write: the run is about to end
            // with its cancelled line. Only if it does not is this the result.
            auto timer = std::make_shared<boost::asio::steady_timer>(ioc_, kSignalGrace);
            timer->async_wait([this, timer, recording_id, ec, diag,
                               done = std::move(done)](const boost::system::error_code&) mutable {
                done(failure(recording_id, ec, diag), true);
            });
            return;
        }
        if (!sink_.error().empty()) {
            return local_failure(recording_id, "writing " + output_ + ": " + sink_.error(), std::move(done), ec, &diag);
        }
        done(failure(recording_id, ec, diag), true);
    }

    // A failure of ours (the disk), not the server's: the code the client
    // reports for a stopped download (or connection_failed), our message.
    void local_failure(const std::string& recording_id, const std::string& message, Done done,
                       bwvoice::error_code ec = bwvoice::errc::connection_failed,
                       const bwvoice::Diagnostics* diag = nullptr) {
        bwvoice::Diagnostics d = diag != nullptr ? *diag : bwvoice::Diagnostics{};
        d.message = message + "; " + output_ + " was left as it was";
        done(failure(recording_id, ec, d), true);
    }

    boost::asio::io_context& ioc_;
    std::string conference_id_;
    std::string output_;
    std::unique_ptr<TempFile> temp_;
    FdSink sink_;
};

po::options_description download_options() {
    po::options_description d("Options", kHelpWidth, kHelpWidth / 2 - 4);
    d.add_options()("output", po::value<std::string>()->value_name("FILE"),
                    "Where the media goes ('-': stdout, and the result line to stderr). Required.");
    return d;
}

std::string download_help() {
    const auto own = download_options();
    return command_help("bwconf download [OPTIONS] CONFERENCE_ID RECORDING_ID --output FILE|-",
                        "Stream a recording's media into FILE in bounded memory, whatever its size. The bytes\n"
                        "go to a temporary file in FILE's folder, renamed onto FILE only once the whole body\n"
                        "arrived (as many bytes as Content-Length says, or a complete chunked body); on any\n"
                        "failure or signal the temporary file is removed and FILE is left as it was. One line:\n"
                        "  {\"conferenceId\":...,\"recordingId\":...,\"file\":FILE,\"bytes\":N,\"contentType\":...}\n"
                        "or {\"conferenceId\":...,\"recordingId\":...,\"error\":{...}}. The deadline\n"
                        "(--timeout-ms) covers the whole download: raise it for long recordings.\n",
                        &own, "  bwconf download conf-1 r-5f2d9a01 --output call.wav --timeout-ms 600000\n");
}

RunBuilder prepare_download(ParsedArgs& p, std::vector<std::string>&) {
    expect_positional(p, 2, 2, "CONFERENCE_ID RECORDING_ID");
    const auto output = string_option(p, "output");
    if (!output) throw UsageError("--output is required: a file name, or '-' for stdout");
    if (output->empty()) throw UsageError("--output needs a file name, or '-' for stdout");
    if (*output != "-") {
        struct stat st {};
        if (::stat(output->c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            throw UsageError("--output " + *output + " is a directory");
        // FILE is replaced by a rename: a device or a FIFO (/dev/null, a
        // named pipe) would be replaced by a regular file, not written to.
        if (::stat(output->c_str(), &st) == 0 && !S_ISREG(st.st_mode))
            throw UsageError("--output " + *output +
                             " is not a regular file; use --output - to write to "
                             "stdout (and redirect it)");
    }
    return [conference = p.positional[0], recording = p.positional[1],
            output = *output](Session& s) -> std::shared_ptr<RunBase> {
        // Created once the signal set is installed: from here on a signal
        // ends the run, which removes it.
        std::unique_ptr<TempFile> temp;
        if (output != "-") temp = std::make_unique<TempFile>(output);
        auto task = std::make_shared<DownloadTask>(s, conference, output, std::move(temp));
        return std::make_shared<Runner>(s, task, std::vector<std::string>{recording}, nullptr, 1,
                                        output == "-" ? STDERR_FILENO : STDOUT_FILENO, "downloads", "downloaded");
    };
}

}  // namespace

void add_download_commands(std::vector<CommandEntry>& out) {
    out.push_back({{"download", download_options, download_help, prepare_download},
                   "download a recording's media into a file, in bounded memory"});
}

}  // namespace bwconf
