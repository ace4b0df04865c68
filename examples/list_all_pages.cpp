// Walk every page of List Conferences with a ConferencePager.
//
//   list_all_pages [--page-size N] [--name NAME]     (default: 100 per page, any name)
//
// Against bwvoice-mock's default store (1000 conferences): 10 pages of 100.
//
// Settings come from the environment (BW_VOICE_BASE_URL, BW_ACCOUNT_ID,
// BW_USERNAME, BW_PASSWORD, BW_CA_FILE: see common/settings.hpp).
// Exit status: 0 every page was fetched, 1 a page failed, 2 usage or
// configuration error.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "common/settings.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<void> list_all(bwvoice::ConferenceClient& client, bwvoice::ConferenceQuery query) {
    // Sends nothing yet: each async_next() fetches one page, the first with
    // the query, the next ones by following the API's `Link: <...>; rel="next"`.
    bwvoice::ConferencePager pager = client.list_conferences(query);
    std::size_t pages = 0, conferences = 0;
    while (!pager.done()) {
        // One page in memory at a time, however long the list. A failure
        // throws; the pager keeps its place, so the page could be asked for again.
        const std::vector<bwvoice::Conference> page = co_await pager.async_next();
        ++pages;
        conferences += page.size();
        std::cout << "page " << pages << ": " << page.size() << " conferences";
        // Oldest first, as the API returns them.
        if (!page.empty())
            std::cout << ", created " << bwvoice::format_timestamp(page.front().created_time) << " to "
                      << bwvoice::format_timestamp(page.back().created_time);
        std::cout << "\n";
    }
    std::cout << pages << " pages, " << conferences << " conferences\n";
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const example::Args args(argc, argv, {"page-size", "name"});
        // Only the fields set are sent. A page size outside 1..1000 is refused
        // by the first async_next() (bad_request), before anything is sent.
        const unsigned long page_size = args.count("page-size", 100);
        if (page_size > std::numeric_limits<unsigned>::max()) throw example::UsageError("--page-size: too large");
        bwvoice::ConferenceQuery query{.page_size = static_cast<unsigned>(page_size)};
        if (std::string name = args.option("name", ""); !name.empty()) query.name = name;

        asio::io_context ioc;
        bwvoice::ConferenceClient client(ioc, example::config_from_env());

        int status = 0;
        asio::co_spawn(ioc, list_all(client, query), [&](std::exception_ptr failure) {
            if (!failure) return;
            try {
                std::rethrow_exception(failure);
            } catch (const boost::system::system_error& e) {
                std::cout << "listing failed: " << bwvoice::to_string(bwvoice::to_errc(e.code())) << ": "
                          << e.code().message() << "\n";
                status = example::kExitFailed;
            } catch (const std::exception& e) {  // anything else the coroutine threw
                std::cerr << e.what() << "\n";
                status = example::kExitFailed;
            }
        });
        ioc.run();
        return status;
    } catch (const example::UsageError& e) {
        std::cerr << "list_all_pages: " << e.what() << "\nusage: list_all_pages [--page-size N] [--name NAME]\n";
        return example::kExitUsage;
    } catch (const std::exception& e) {  // a bad ClientConfig, an unreadable BW_CA_FILE
        std::cerr << "list_all_pages: " << e.what() << "\n";
        return example::kExitUsage;
    }
}
