// bwvoice: the type-erased completion of a lookup (internal).
#ifndef BWVOICE_DETAIL_LOOKUP_COMPLETION_HPP
#define BWVOICE_DETAIL_LOOKUP_COMPLETION_HPP

#include <bwvoice/conference.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>

#include <memory>
#include <utility>

namespace bwvoice::detail {

/// Holds the caller's completion handler behind a virtual call, so that the
/// lookup machinery is compiled once in the library instead of once per
/// handler type (the Boost.MySQL "_erased" pattern). Asio 1.81's
/// any_completion_handler is avoided on purpose: several of its fixes came in
/// later releases (see docs/design.md).
class LookupCompletion {
public:
    LookupCompletion() = default;

    template <class Handler, class DefaultExecutor>
    LookupCompletion(Handler&& handler, const DefaultExecutor& fallback, Diagnostics* user_diag)
        : impl_(std::make_unique<Model<std::decay_t<Handler>, DefaultExecutor>>(
              std::forward<Handler>(handler), fallback, user_diag)) {}

    /// The handler's cancellation slot (unconnected when it has none).
    boost::asio::cancellation_slot slot() const noexcept { return impl_->slot(); }

    /// Delivers the result on the handler's associated executor. Consumes *this.
    /// `inside_initiation`: the lookup is finishing inside its initiating
    /// function, so the handler must be posted, never dispatched (Asio's rule;
    /// it also keeps chains of lookups that fail at once from growing the stack).
    void complete(error_code ec, Conference c, Diagnostics d, bool inside_initiation) {
        auto impl = std::move(impl_);
        impl->complete(ec, std::move(c), std::move(d), inside_initiation);
    }

private:
    struct Concept {
        virtual ~Concept() = default;
        virtual boost::asio::cancellation_slot slot() const noexcept = 0;
        virtual void complete(error_code ec, Conference c, Diagnostics d, bool inside_initiation) = 0;
    };

    template <class Handler, class DefaultExecutor>
    struct Model final : Concept {
        using work_executor = std::decay_t<decltype(boost::asio::prefer(
            std::declval<boost::asio::associated_executor_t<Handler, DefaultExecutor>>(),
            boost::asio::execution::outstanding_work.tracked))>;

        Model(Handler&& h, const DefaultExecutor& fallback, Diagnostics* d)
            : handler(std::move(h)),
              work(boost::asio::prefer(boost::asio::get_associated_executor(handler, fallback),
                                       boost::asio::execution::outstanding_work.tracked)),
              user_diag(d) {}

        boost::asio::cancellation_slot slot() const noexcept override {
            return boost::asio::get_associated_cancellation_slot(handler);
        }

        void complete(error_code ec, Conference c, Diagnostics d, bool inside_initiation) override {
            auto ex = work;
            auto deliver = [h = std::move(handler), ec, c = std::move(c), d = std::move(d), ud = user_diag,
                            w = std::move(work)]() mutable {
                // The slot belongs to the caller's side: clear it there, before
                // the handler runs, so a later emit cannot reach a dead lookup.
                auto s = boost::asio::get_associated_cancellation_slot(h);
                if (s.is_connected()) s.clear();
                if (ud) *ud = std::move(d);
                std::move(h)(ec, std::move(c));
            };
            if (inside_initiation)
                boost::asio::post(ex, std::move(deliver));
            else
                boost::asio::dispatch(ex, std::move(deliver));
        }

        Handler handler;
        work_executor work;
        Diagnostics* user_diag;
    };

    std::unique_ptr<Concept> impl_;
};

}  // namespace bwvoice::detail

#endif
