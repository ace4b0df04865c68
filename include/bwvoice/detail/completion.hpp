// bwvoice: the type-erased completion of any operation (internal).
#ifndef BWVOICE_DETAIL_COMPLETION_HPP
#define BWVOICE_DETAIL_COMPLETION_HPP

#include <bwvoice/detail/operation_memory.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace bwvoice::detail {

/// Holds the caller's handler for a completion `void(error_code, Values...)`
/// behind a virtual call, so that the operations are compiled once in the
/// library instead of once per handler type (the Boost.MySQL "_erased"
/// pattern). Asio 1.81's any_completion_handler is avoided on purpose: several
/// of its fixes came in later releases (see docs/design.md).
///
/// What Asio's rules ask of a completion is done here, once for all:
/// - the handler runs on its associated executor, which is kept busy
///   (outstanding work) from initiation to completion;
/// - it never runs inside the initiating function (complete() is told when the
///   operation finishes there, and then posts instead of dispatching);
/// - the handler's associated allocator allocates the held state and the
///   delivery (the held state of a handler without one is recycled, see
///   take_operation_block()), and the state is freed before the handler is
///   invoked;
/// - the caller's cancellation slot is cleared on the handler's executor
///   before the handler runs, so a later emit cannot reach a dead operation.
template <class... Values>
class Completion {
public:
    Completion() = default;

    template <class Handler, class DefaultExecutor>
    Completion(Handler&& handler, const DefaultExecutor& fallback, Diagnostics* user_diag) {
        using model = Model<std::decay_t<Handler>, DefaultExecutor>;
        auto alloc = model::allocator_for(handler);
        model* m = std::allocator_traits<decltype(alloc)>::allocate(alloc, 1);
        try {
            std::allocator_traits<decltype(alloc)>::construct(alloc, m, std::forward<Handler>(handler), fallback,
                                                              user_diag);
        } catch (...) {
            std::allocator_traits<decltype(alloc)>::deallocate(alloc, m, 1);
            throw;
        }
        impl_.reset(m);
    }

    explicit operator bool() const noexcept { return impl_ != nullptr; }

    /// The handler's cancellation slot (unconnected when it has none).
    boost::asio::cancellation_slot slot() const noexcept { return impl_->slot(); }

    /// Delivers the result on the handler's associated executor. Consumes
    /// *this. `inside_initiation`: the operation is finishing inside its
    /// initiating function, so the handler is posted, never dispatched.
    void complete(error_code ec, Values... values, Diagnostics diag, bool inside_initiation) {
        Concept* c = impl_.release();
        c->complete(ec, std::move(values)..., std::move(diag), inside_initiation);
    }

private:
    struct Concept {
        virtual boost::asio::cancellation_slot slot() const noexcept = 0;
        /// Frees itself, then delivers.
        virtual void complete(error_code ec, Values... values, Diagnostics diag, bool inside_initiation) = 0;
        virtual void destroy() noexcept = 0;

    protected:
        ~Concept() = default;
    };

    struct Destroy {
        void operator()(Concept* c) const noexcept { c->destroy(); }
    };

    template <class Handler, class DefaultExecutor>
    struct Model final : Concept {
        using work_executor = std::decay_t<decltype(boost::asio::prefer(
            std::declval<boost::asio::associated_executor_t<Handler, DefaultExecutor>>(),
            boost::asio::execution::outstanding_work.tracked))>;
        using allocator_type = boost::asio::associated_allocator_t<Handler>;
        /// A handler with no allocator of its own (a coroutine's, a plain
        /// lambda) has its holder recycled by the thread's operation stock,
        /// as Asio recycles its own operations for such handlers.
        static constexpr bool recycled = std::is_same_v<allocator_type, std::allocator<void>> &&
                                         alignof(Handler) <= alignof(std::max_align_t) &&
                                         alignof(work_executor) <= alignof(std::max_align_t);
        using self_allocator =
            std::conditional_t<recycled, OperationAllocator<Model>,
                               typename std::allocator_traits<allocator_type>::template rebind_alloc<Model>>;
        static self_allocator allocator_for(const Handler& h) noexcept {
            if constexpr (recycled)
                return {};
            else
                return self_allocator(boost::asio::get_associated_allocator(h));
        }

        Model(Handler&& h, const DefaultExecutor& fallback, Diagnostics* d)
            : handler(std::move(h)),
              work(boost::asio::prefer(boost::asio::get_associated_executor(handler, fallback),
                                       boost::asio::execution::outstanding_work.tracked)),
              user_diag(d) {}

        boost::asio::cancellation_slot slot() const noexcept override {
            return boost::asio::get_associated_cancellation_slot(handler);
        }

        void complete(error_code ec, Values... values, Diagnostics diag, bool inside_initiation) override {
            // Move everything out and free this state before the upcall, as
            // Asio's own operations do: the handler may start the next
            // operation, which can then reuse the memory.
            auto alloc = boost::asio::get_associated_allocator(handler);
            self_allocator self = allocator_for(handler);
            Handler h = std::move(handler);
            work_executor ex = work;
            auto deliver = [h = std::move(h), ec, results = std::make_tuple(std::move(values)...),
                            diag = std::move(diag), ud = user_diag, w = std::move(work)]() mutable {
                // The work guard `w` lives until the handler has run.
                auto s = boost::asio::get_associated_cancellation_slot(h);
                if (s.is_connected()) s.clear();
                if (ud) *ud = std::move(diag);
                std::apply([&](auto&... r) { std::move(h)(ec, std::move(r)...); }, results);
            };
            free_with(self);
            if (inside_initiation)
                boost::asio::post(ex, boost::asio::bind_allocator(alloc, std::move(deliver)));
            else
                boost::asio::dispatch(ex, boost::asio::bind_allocator(alloc, std::move(deliver)));
        }

        void destroy() noexcept override { free_with(allocator_for(handler)); }

        void free_with(self_allocator alloc) noexcept {
            std::allocator_traits<self_allocator>::destroy(alloc, this);
            std::allocator_traits<self_allocator>::deallocate(alloc, this, 1);
        }

        Handler handler;
        work_executor work;
        Diagnostics* user_diag;
    };

    std::unique_ptr<Concept, Destroy> impl_;
};

}  // namespace bwvoice::detail

#endif
