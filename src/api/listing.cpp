// List Conferences: one page per ConferencePager::async_next(), following the
// API's Link header.
#include "api/listing.hpp"

#include "api/next_link.hpp"
#include "api/operation_types.hpp"
#include "api/paths.hpp"
#include "core/exchange.hpp"

#include <bwvoice/detail/operations.hpp>

namespace bwvoice::detail {
namespace {

/// One page: the conferences, and where the next one is.
class PageRead final : public Operation {
public:
    PageRead(std::shared_ptr<PagerState> pager, std::string target, Completion<std::vector<Conference>> done)
        : pager_(std::move(pager)), target_(std::move(target)), done_(std::move(done)) {}

    boost::asio::cancellation_slot slot() const noexcept override { return done_.slot(); }

    Accepted accept(std::string_view body, std::string_view link) override {
        Accepted a;
        std::string why;
        if ((a.ec = parse_conference_list(body, page_, &why))) {
            a.why = "invalid conference list in the response: " + why;
            return a;
        }
        NextPage next = next_page(link, pager_->impl->api.endpoint, target_);
        if (!next.refusal.empty()) {
            a.ec = make_error_code(errc::bad_response);
            a.why = std::move(next.refusal);
            return a;
        }
        next_ = std::move(next.target);
        return a;
    }

    void complete(error_code ec, Diagnostics diag, bool inside_initiation) override {
        {
            // The position moves only when a page arrived; a failed one can be asked for again.
            std::lock_guard lock(pager_->mutex);
            pager_->busy = false;
            if (!ec) {
                if (next_)
                    pager_->next_target = std::move(*next_);
                else
                    pager_->done = true;
            }
        }
        done_.complete(ec, ec ? std::vector<Conference>{} : std::move(page_), std::move(diag), inside_initiation);
    }

private:
    std::shared_ptr<PagerState> pager_;
    std::string target_;
    Completion<std::vector<Conference>> done_;
    std::vector<Conference> page_;
    std::optional<std::string> next_;
};

}  // namespace

void start_next_page(std::shared_ptr<PagerState> pager, Completion<std::vector<Conference>> done) {
    if (!pager) {
        // A moved-from ConferencePager: like a moved-from client, cancelled (posted).
        Diagnostics diag;
        diag.message = "the pager was moved from";
        return done.complete(make_error_code(errc::cancelled), {}, std::move(diag), true);
    }
    if (!pager->impl) return fail_moved_from(done);
    std::string target;
    std::string refusal;  // told outside the lock: an observer may call done()
    {
        std::lock_guard lock(pager->mutex);
        if (pager->busy) {
            refusal = "another async_next() of this pager is in progress; nothing was sent";
        } else if (pager->done) {
            // Past the last page: an empty page, at once (posted: inside the initiating function).
            return done.complete({}, {}, Diagnostics{}, true);
        } else if (!pager->refusal.empty()) {
            refusal = pager->refusal;
        } else {
            pager->busy = true;
            target = pager->next_target;
        }
    }
    if (!refusal.empty()) return refuse(*pager->impl, OperationKind::list_conferences, done, std::move(refusal));
    Request request{.target = OperationString(target), .success = status_is_200};
    request.kind = OperationKind::list_conferences;
    auto impl = pager->impl;
    start_exchange(std::move(impl), std::move(request),
                   std::make_unique<PageRead>(std::move(pager), std::move(target), std::move(done)));
}

std::shared_ptr<PagerState> make_pager(std::shared_ptr<ClientImpl> impl, const ConferenceQuery& query) {
    auto pager = std::make_shared<PagerState>();
    if (!impl) return pager;  // from a moved-from client: async_next() fails with errc::cancelled
    pager->refusal = refusal_of_query(query);
    pager->next_target = conferences_target(impl->api.endpoint, query);
    pager->impl = std::move(impl);
    return pager;
}

}  // namespace bwvoice::detail
