#include "core/context_liveness.hpp"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace bwvoice::detail {
namespace net = boost::asio;

namespace {

/// A service of the context whose only job is to say, to code that may run
/// after it, that the context is gone: Asio shuts services down before it
/// destroys them, in the reverse order of their making, and shutdown() waits
/// for whoever is posting to the context right now.
class ContextLiveness final : public net::execution_context::service {
public:
    static net::execution_context::id id;

    explicit ContextLiveness(net::execution_context& ctx) : service(ctx), liveness_(std::make_shared<Liveness>()) {}

    std::shared_ptr<Liveness> liveness() const { return liveness_; }

private:
    void shutdown() override {
        std::lock_guard lock(liveness_->mutex);
        liveness_->alive = false;
    }

    const std::shared_ptr<Liveness> liveness_;
};

net::execution_context::id ContextLiveness::id;

}  // namespace

std::shared_ptr<Liveness> liveness_of(const net::any_io_executor& ex) {
    net::execution_context& ctx = net::query(ex, net::execution::context);
    if (!net::has_service<ContextLiveness>(ctx)) {
        // The reactor (which holds timer and socket waits) and the strands'
        // service destroy the handlers pending in them when they shut down,
        // and with them a waiting coroutine and whatever it owns. Made before
        // this service, they shut down after it: by then `alive` is false, so
        // nobody posts into a context that is tearing its handlers down.
        const net::steady_timer makes_the_reactor(ex);
        const auto makes_the_strand_service = net::make_strand(ex);
    }
    return net::use_service<ContextLiveness>(ctx).liveness();
}

}  // namespace bwvoice::detail
