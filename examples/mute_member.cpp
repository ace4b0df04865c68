// Mute a conference member, then read the member back to see the change.
//
//   mute_member [CONFERENCE_ID MEMBER_ID]
//
//   defaults: conf-5 c-b3224ec6-418ca47d-07ff-6a83-bc22-c761c32c693d, an
//   unmuted member of a live conference in bwvoice-mock's store (seed 1).
//   A member's ID is its call ID (in Conference::active_members).
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 the member is muted now, 1 an operation failed or the member
// is still not muted, 2 usage or configuration error.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include "common/settings.hpp"

namespace asio = boost::asio;

namespace {

const char* text(std::optional<bool> flag) {
    return !flag ? "unknown" : *flag ? "true" : "false";
}

asio::awaitable<bool> mute(bwvoice::ConferenceClient& client, std::string conference_id, std::string member_id) {
    const bwvoice::ConferenceMember before = co_await client.async_get_member(conference_id, member_id);

    // Only the fields set are sent: this PUTs {"mute":true}, leaving hold and
    // coaching as they are. A named variable rather than a braced temporary
    // inside the co_await: g++ 12 destroys such a temporary twice.
    const bwvoice::MemberUpdate update{.mute = true};
    // A change completes with no value (handler `void(error_code)`), and is
    // never sent twice once it may have reached the server.
    co_await client.async_update_member(conference_id, member_id, update);

    const bwvoice::ConferenceMember after = co_await client.async_get_member(conference_id, member_id);
    std::cout << "member " << member_id << " of " << conference_id << ": muted: " << text(before.mute) << " -> "
              << text(after.mute) << "\n";
    co_return after.mute == true;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {});
        const std::string conference_id = args.positional(0, "conf-5");
        const std::string member_id = args.positional(1, "c-b3224ec6-418ca47d-07ff-6a83-bc22-c761c32c693d");

        asio::io_context ioc;
        bwvoice::ConferenceClient client(ioc, example::config_from_env());

        int status = example::kExitFailed;
        asio::co_spawn(ioc, mute(client, conference_id, member_id), [&](std::exception_ptr failure, bool muted) {
            if (!failure) {
                if (muted) status = 0;
                return;
            }
            try {
                std::rethrow_exception(failure);
            } catch (const boost::system::system_error& e) {
                std::cout << conference_id << " " << member_id
                          << ": failed: " << bwvoice::to_string(bwvoice::to_errc(e.code())) << ": "
                          << e.code().message() << "\n";
            } catch (const std::exception& e) {  // anything else the coroutine threw
                std::cout << conference_id << " " << member_id << ": failed: " << e.what() << "\n";
            }
        });
        ioc.run();
        return status;
    } catch (const example::UsageError& e) {
        std::cerr << "mute_member: " << e.what() << "\nusage: mute_member [CONFERENCE_ID MEMBER_ID]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE
        std::cerr << "mute_member: " << e.what() << "\n";
        return example::kExitUsage;
    }
}
