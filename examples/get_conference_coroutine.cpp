// Look up one conference with co_await, in a coroutine started by asio::co_spawn.
//
//   get_conference_coroutine [CONFERENCE_ID]        (default: conf-0, which bwvoice-mock seeds)
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 found, 1 the lookup failed, 2 usage or configuration error.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <iostream>
#include <string>

#include "common/settings.hpp"

namespace asio = boost::asio;

namespace {

void print(const bwvoice::Conference& c) {
    std::cout << "conference " << c.id << ": " << c.name << "\n"
              << "  created:   " << bwvoice::format_timestamp(c.created_time) << "\n"
              << "  completed: " << (c.completed_time ? bwvoice::format_timestamp(*c.completed_time) : "no, still live")
              << "\n"
              << "  tag:       " << c.tag.value_or("(none)") << "\n"
              << "  members:   " << c.active_members.size() << "\n";
    for (const bwvoice::ConferenceMember& m : c.active_members)
        std::cout << "    " << m.call_id << (m.mute.value_or(false) ? " muted" : "")
                  << (m.hold.value_or(false) ? " on hold" : "") << "\n";
}

// co_await suspends the coroutine, not the thread: one thread can run
// thousands of these lookups at once.
asio::awaitable<void> show_conference(bwvoice::ConferenceClient& client, std::string id) {
    // No completion token: the operation returns asio::deferred, which a
    // coroutine co_awaits directly. A failure throws boost::system::system_error
    // whose code is a bwvoice::errc (not_found, timeout, ...).
    bwvoice::Conference conference = co_await client.async_get_conference(id);
    print(conference);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {});
        const std::string id = args.positional(0, "conf-0");

        asio::io_context ioc;
        // Throws std::invalid_argument (naming the field) for a bad config.
        bwvoice::ConferenceClient client(ioc, example::config_from_env());

        int status = 0;
        // co_spawn's handler receives the coroutine's exception, if any.
        asio::co_spawn(ioc, show_conference(client, id), [&](std::exception_ptr failure) {
            if (!failure) return;
            try {
                std::rethrow_exception(failure);
            } catch (const boost::system::system_error& e) {
                std::cerr << id << ": " << bwvoice::to_string(bwvoice::to_errc(e.code())) << ": " << e.code().message()
                          << "\n";
                status = example::kExitFailed;
            } catch (const std::exception& e) {  // anything else the coroutine threw
                std::cerr << e.what() << "\n";
                status = example::kExitFailed;
            }
        });
        ioc.run();
        return status;
    } catch (const example::UsageError& e) {
        std::cerr << "get_conference_coroutine: " << e.what() << "\nusage: get_conference_coroutine [CONFERENCE_ID]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE
        std::cerr << "get_conference_coroutine: " << e.what() << "\n";
        return example::kExitUsage;
    }
}
