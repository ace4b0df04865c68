// The state a ConferencePager shares with the pages it fetches.
#ifndef BWVOICE_SRC_API_LISTING_HPP
#define BWVOICE_SRC_API_LISTING_HPP

#include "client/client_impl.hpp"

#include <bwvoice/listing.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace bwvoice::detail {

struct PagerState {
    std::shared_ptr<ClientImpl> impl;
    std::mutex mutex;  // async_next() may be called from any thread
    std::string next_target;
    std::string refusal;  // why the query cannot be sent at all, or ""
    bool done = false;
    bool busy = false;
};

std::shared_ptr<PagerState> make_pager(std::shared_ptr<ClientImpl> impl, const ConferenceQuery& query);

}  // namespace bwvoice::detail

#endif
