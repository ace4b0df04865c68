// Cancel an operation from a signal: Ctrl-C (SIGINT) or SIGTERM stops a long
// download cleanly, through per-operation cancellation.
//
//   cancel_on_signal [CONFERENCE_ID RECORDING_ID] [--self-signal-after-ms N]
//
//   defaults: conf-0 r-819f7b05-3cb7a03e-6236-b53b-1c77-abc82ee60483 (a recording
//   bwvoice-mock seeds); give the mock a large --media-size (say 100000000000
//   bytes) so that the download lasts long enough to be interrupted.
//   --self-signal-after-ms N: send this process SIGINT after N ms, as a user
//   pressing Ctrl-C would (the CTest run uses it).
//
// The bytes are only counted, not kept.
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 the download was cancelled by the signal (or finished before
// any came); 1 it failed; 2 usage or configuration error.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <string>

#include "common/settings.hpp"

namespace asio = boost::asio;

namespace {

/// Counts the media's bytes and remembers whether all of them arrived.
class CountingSink final : public bwvoice::MediaSink {
public:
    void start(std::string_view content_type, std::optional<std::uint64_t> length) override {
        std::cout << "downloading " << (length ? std::to_string(*length) : std::string("an unknown number of"))
                  << " bytes of " << content_type << "; press Ctrl-C to stop\n";
    }
    void write(asio::const_buffer data, std::function<void(bwvoice::error_code)> done) override {
        bytes += data.size();
        done({});  // taken: send the next piece
    }
    void finish(bool all_arrived) override { whole = all_arrived; }

    std::uint64_t bytes = 0;
    bool whole = false;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {"self-signal-after-ms"});
        const std::string conference_id = args.positional(0, "conf-0");
        const std::string recording_id = args.positional(1, "r-819f7b05-3cb7a03e-6236-b53b-1c77-abc82ee60483");
        const unsigned long self_signal_ms = args.count("self-signal-after-ms", 0);  // 0: only a real signal

        asio::io_context ioc;
        bwvoice::ConferenceClient client(ioc, example::config_from_env());

        // Registered before anything can raise the signal: from here on
        // SIGINT and SIGTERM no longer end the process, they complete this wait.
        asio::signal_set signals(ioc, SIGINT, SIGTERM);

        // One cancellation_signal per operation: its slot is bound to the
        // operation's handler below, and emit() cancels that operation.
        asio::cancellation_signal cancel_download;
        signals.async_wait([&](bwvoice::error_code ec, int signal_number) {
            if (ec) return;  // the download ended first and withdrew this wait
            std::cout << "signal " << signal_number << ": cancelling the download\n";
            // Any type cancels a read. A change (update conference, member,
            // BXML) already on the wire stops only for `terminal`, the type
            // that allows side effects to have happened.
            cancel_download.emit(asio::cancellation_type::terminal);
        });

        asio::steady_timer self_signal(ioc);
        if (self_signal_ms > 0) {
            self_signal.expires_after(std::chrono::milliseconds(self_signal_ms));
            self_signal.async_wait([](bwvoice::error_code ec) {
                if (!ec) std::raise(SIGINT);
            });
        }

        CountingSink sink;
        bwvoice::Diagnostics diag;
        int status = 0;
        client.async_download_recording(
            conference_id, recording_id, sink, diag,
            asio::bind_cancellation_slot(
                cancel_download.slot(), [&](bwvoice::error_code ec, bwvoice::DownloadResult result) {
                    // Nothing is left to wait for: withdraw the waits so run() returns.
                    signals.cancel();
                    self_signal.cancel();
                    if (!ec) {
                        std::cout << "downloaded all " << result.bytes << " bytes before any signal\n";
                    } else if (ec == bwvoice::condition::cancelled) {
                        // A caller's cancellation completes with
                        // asio::error::operation_aborted, a closed client with
                        // errc::cancelled: the condition holds for both.
                        std::cout << "download cancelled (" << ec.message() << ") after " << sink.bytes
                                  << " bytes, and the sink was told the media is "
                                  << (sink.whole ? "whole" : "incomplete") << "\n";
                    } else {
                        std::cout << "download failed: " << bwvoice::to_string(bwvoice::to_errc(ec)) << ": "
                                  << diag.message << "\n";
                        status = example::kExitFailed;
                    }
                }));
        ioc.run();
        return status;
    } catch (const example::UsageError& e) {
        std::cerr << "cancel_on_signal: " << e.what()
                  << "\nusage: cancel_on_signal [CONFERENCE_ID RECORDING_ID] [--self-signal-after-ms N]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE
        std::cerr << "cancel_on_signal: " << e.what() << "\n";
        return example::kExitUsage;
    }
}
