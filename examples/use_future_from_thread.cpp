// Use the client from a thread that does not run Asio, with asio::use_future.
//
//   use_future_from_thread [CONFERENCE_ID ...]      (default: conf-0 conf-1 conf-2, seeded by bwvoice-mock)
//
// The io_context runs on a thread of its own, as in a program whose other
// code knows nothing of Asio; main() starts the lookups and then blocks on
// std::future::get(), like any synchronous caller.
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 all found, 1 a lookup failed, 2 usage or configuration error.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>

#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/settings.hpp"

namespace asio = boost::asio;

namespace {

/// Runs an io_context on a thread of its own until destroyed.
class IoThread {
public:
    IoThread() : thread_([this] { ioc_.run(); }) {}
    ~IoThread() {
        work_.reset();  // let run() return once nothing is left to do
        thread_.join();
    }
    asio::io_context& context() { return ioc_; }

private:
    asio::io_context ioc_;
    // Without work, run() would return at once, before any lookup is started.
    asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
    std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {});
        std::vector<std::string> ids = args.positionals();
        if (ids.empty()) ids = {"conf-0", "conf-1", "conf-2"};

        // Declared before the client, so destroyed after it: a client must go
        // before the io_context its connections belong to.
        IoThread io;
        bwvoice::ConferenceClient client(io.context(), example::config_from_env());

        // Start every lookup first, so that they run at once on the I/O
        // thread; only then wait. One Diagnostics each, sized before any
        // starts (the client writes it just before completing the future).
        std::vector<bwvoice::Diagnostics> diags(ids.size());
        std::vector<std::future<bwvoice::Conference>> results;
        for (std::size_t i = 0; i < ids.size(); ++i)
            results.push_back(client.async_get_conference(ids[i], diags[i], asio::use_future));

        int failed = 0;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            try {
                // Blocks this thread only; the I/O thread goes on serving the others.
                const bwvoice::Conference conference = results[i].get();
                std::cout << ids[i] << ": " << conference.name << " (" << conference.active_members.size()
                          << " active members)\n";
            } catch (const boost::system::system_error& e) {
                // A failed operation's future throws its error_code; the
                // Diagnostics was filled before, so it is safe to read now.
                ++failed;
                std::cout << ids[i] << ": failed: " << bwvoice::to_string(bwvoice::to_errc(e.code())) << ": "
                          << (diags[i].api_error_description.empty() ? e.code().message()
                                                                     : diags[i].api_error_description)
                          << "\n";
            }
        }
        return failed == 0 ? 0 : example::kExitFailed;
    } catch (const example::UsageError& e) {
        std::cerr << "use_future_from_thread: " << e.what() << "\nusage: use_future_from_thread [CONFERENCE_ID ...]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE
        std::cerr << "use_future_from_thread: " << e.what() << "\n";
        return example::kExitUsage;
    }
}
