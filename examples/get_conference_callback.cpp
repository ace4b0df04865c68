// Look up conferences with plain callbacks, and read Diagnostics when one fails.
//
//   get_conference_callback [CONFERENCE_ID ...]     (default: conf-0 conf-does-not-exist)
//
// bwvoice-mock seeds conf-0 but not conf-does-not-exist: by default the second
// lookup fails with not_found, to show what Diagnostics tells beyond the
// error code (the HTTP status, the API's own explanation, the attempts).
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 all found, 1 a lookup failed, 2 usage or configuration error.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/io_context.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "common/settings.hpp"

namespace asio = boost::asio;

namespace {

/// One lookup's ID and its Diagnostics. The client writes the Diagnostics just
/// before the handler runs, so it must stay where it is until then.
struct Lookup {
    std::string id;
    bwvoice::Diagnostics diag;
};

void print_failure(const Lookup& lookup, const bwvoice::error_code& ec) {
    const bwvoice::Diagnostics& d = lookup.diag;
    // The error code says what kind of failure; compare it with bwvoice::errc
    // values or bwvoice::condition groups, never by category and number.
    std::cout << lookup.id << ": failed: " << bwvoice::to_string(bwvoice::to_errc(ec)) << " (" << ec.message() << ")\n";
    // Diagnostics says the details.
    if (d.http_status)
        std::cout << "  HTTP status: " << *d.http_status << "\n";
    else
        std::cout << "  HTTP status: none (no response was received)\n";
    if (!d.api_error_type.empty() || !d.api_error_description.empty())
        std::cout << "  API error:   " << d.api_error_type << ": " << d.api_error_description << "\n";
    if (!d.message.empty()) std::cout << "  message:     " << d.message << "\n";
    std::cout << "  attempts:    " << d.attempts << " (" << d.retries << " of them retries)\n";
    if (ec == bwvoice::condition::retryable) std::cout << "  worth trying again later\n";
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {});
        std::vector<std::string> ids = args.positionals();
        if (ids.empty()) ids = {"conf-0", "conf-does-not-exist"};

        asio::io_context ioc;
        bwvoice::ConferenceClient client(ioc, example::config_from_env());

        // Sized once, before any operation starts: a vector that grew would
        // move the Diagnostics that operations in flight are to write.
        std::vector<Lookup> lookups;
        lookups.reserve(ids.size());
        for (const std::string& id : ids) lookups.push_back({id, {}});

        int failed = 0;
        for (Lookup& lookup : lookups) {
            // All the lookups start here and run at once. Each handler is
            // called exactly once, on the client's executor (this io_context,
            // run by this one thread below), and never from inside
            // async_get_conference itself: nothing is printed before ioc.run().
            client.async_get_conference(lookup.id, lookup.diag,
                                        [&lookup, &failed](bwvoice::error_code ec, bwvoice::Conference conference) {
                                            if (ec) {
                                                ++failed;
                                                print_failure(lookup, ec);
                                                return;
                                            }
                                            std::cout << lookup.id << ": found \"" << conference.name << "\", "
                                                      << conference.active_members.size() << " active members\n";
                                        });
        }
        // Returns once nothing is left to do: here, once every handler has run.
        ioc.run();
        return failed == 0 ? 0 : example::kExitFailed;
    } catch (const example::UsageError& e) {
        std::cerr << "get_conference_callback: " << e.what()
                  << "\nusage: get_conference_callback [CONFERENCE_ID ...]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE
        std::cerr << "get_conference_callback: " << e.what() << "\n";
        return example::kExitUsage;
    }
}
