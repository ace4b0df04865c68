// bwvoice: how with_diagnostics works (internal): the handler it puts
// around the caller's, the initiation it puts around the operation's, and
// Asio's async_result and associator specialisations that tie them in.
#ifndef BWVOICE_DETAIL_WITH_DIAGNOSTICS_HPP
#define BWVOICE_DETAIL_WITH_DIAGNOSTICS_HPP

#include <bwvoice/detail/asio_awaitable_fix.hpp>
#include <bwvoice/detail/operation_memory.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>
#include <bwvoice/error_with_diagnostics.hpp>
#include <bwvoice/with_diagnostics.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/version.hpp>

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

namespace bwvoice::detail {

struct with_diagnostics_access {
    template <class Token>
    static auto& token(Token& t) noexcept {
        return t.token_;
    }
};

/// `void(error_code, T...)` becomes `void(std::exception_ptr, T...)`; any
/// other signature is kept (the pass-through case).
template <class Signature>
struct diagnosed_signature {
    using type = Signature;
};
template <class R, class... Values>
struct diagnosed_signature<R(error_code, Values...)> {
    // Boost 1.80 and 1.81 can co_await a `void(std::exception_ptr, T)`
    // operation only through asio_awaitable_fix.hpp, which corrects the
    // one-value case; the case of several values keeps Asio's fault there.
    static_assert(
        sizeof...(Values) <= 1 || BOOST_VERSION >= 108200,
        "with_diagnostics: an operation with more than one value needs Boost 1.82 (see asio_awaitable_fix.hpp)");
    using type = R(std::exception_ptr, Values...);
};

template <class... Signatures>
inline constexpr bool all_pass_through = (std::is_same_v<Signatures, typename diagnosed_signature<Signatures>::type> &&
                                          ...);

/// Wraps the caller's handler: turns the error_code into an exception_ptr
/// to an error_with_diagnostics made from the operation's Diagnostics. Its
/// associated executor, allocator and cancellation slot are the caller's
/// handler's (see the associator below).
template <class Handler>
class diagnosing_handler {
public:
    template <class H>
    diagnosing_handler(H&& handler, Diagnostics* diag, std::shared_ptr<Diagnostics> owned)
        : handler_(std::forward<H>(handler)), diag_(diag), owned_(std::move(owned)) {}

    /// The operation has just filled *diag_ (ConferenceClient's completion
    /// writes the Diagnostics before calling its handler).
    template <class... Values>
    void operator()(error_code ec, Values&&... values) {
        std::exception_ptr failure;
        if (ec) {
            // The caller's own Diagnostics stays as it was filled: copied.
            // Out of memory while building the exception, the handler still
            // runs, once, with that std::bad_alloc as its failure.
            try {
                failure = owned_ ? std::make_exception_ptr(error_with_diagnostics(ec, std::move(*owned_)))
                                 : std::make_exception_ptr(error_with_diagnostics(ec, *diag_));
            } catch (...) {
                failure = std::current_exception();
            }
        }
        // Freed before the upcall, as Asio frees an operation's state: the
        // handler may start the next operation, which can reuse the memory.
        owned_.reset();
        std::move(handler_)(std::move(failure), std::forward<Values>(values)...);
    }

    const Handler& inner() const noexcept { return handler_; }

private:
    Handler handler_;
    Diagnostics* diag_;
    std::shared_ptr<Diagnostics> owned_;  // set when the caller gave no Diagnostics&
};

template <class>
inline constexpr bool dependent_false = false;

/// Wraps a bwvoice operation's initiation. Derives from it so that what the
/// initiation declares (an executor_type, say) is still seen by the tokens.
template <class Initiation>
struct diagnosing_initiation : Initiation {
    template <class I>
    explicit diagnosing_initiation(I&& initiation) : Initiation(std::forward<I>(initiation)) {}

    /// Every bwvoice initiation takes the caller's `Diagnostics*` (null when
    /// none was given) first after the handler.
    template <class Handler, class... Args>
    void operator()(Handler&& handler, Diagnostics* diag, Args&&... args) {
        using handler_type = std::decay_t<Handler>;
        std::shared_ptr<Diagnostics> owned;
        if (!diag) {
            using handler_allocator = boost::asio::associated_allocator_t<handler_type>;
            if constexpr (std::is_same_v<handler_allocator, std::allocator<void>>) {
                // No allocator of the caller's: recycled like the operation's
                // other pieces (a coroutine's default token makes one per call).
                owned = std::allocate_shared<Diagnostics>(OperationAllocator<Diagnostics>());
            } else {
                using allocator = typename std::allocator_traits<handler_allocator>::template rebind_alloc<Diagnostics>;
                owned = std::allocate_shared<Diagnostics>(allocator(boost::asio::get_associated_allocator(handler)));
            }
            diag = owned.get();
        }
        static_cast<Initiation&> (*this)(
            diagnosing_handler<handler_type>(std::forward<Handler>(handler), diag, std::move(owned)), diag,
            std::forward<Args>(args)...);
    }

    template <class Handler, class... Args>
    void operator()(Handler&&, Args&&...) {
        static_assert(dependent_false<Handler>,
                      "bwvoice::with_diagnostics works with bwvoice's operations only (their initiation passes "
                      "a bwvoice::Diagnostics* first)");
    }
};

/// The wrapped token, forwarded as the caller gave the adaptor: an lvalue
/// (const or not) stays one, an rvalue is moved from.
template <class RawToken, class Token>
using forwarded_token_t =
    std::conditional_t<std::is_lvalue_reference_v<RawToken>,
                       std::conditional_t<std::is_const_v<std::remove_reference_t<RawToken>>, const Token&, Token&>,
                       Token>;

}  // namespace bwvoice::detail

namespace boost::asio {

template <class Token, class... Signatures>
struct async_result<bwvoice::with_diagnostics_t<Token>, Signatures...>
    : async_result<Token, typename bwvoice::detail::diagnosed_signature<Signatures>::type...> {
    template <class Initiation, class RawToken, class... Args>
    requires(!bwvoice::detail::all_pass_through<Signatures...>) static auto initiate(Initiation&& initiation,
                                                                                     RawToken&& token, Args&&... args)
        -> decltype(boost::asio::async_initiate<bwvoice::detail::forwarded_token_t<RawToken, Token>,
                                                typename bwvoice::detail::diagnosed_signature<Signatures>::type...>(
            bwvoice::detail::diagnosing_initiation<std::decay_t<Initiation>>(std::forward<Initiation>(initiation)),
            bwvoice::detail::with_diagnostics_access::token(token), std::forward<Args>(args)...)) {
        return boost::asio::async_initiate<bwvoice::detail::forwarded_token_t<RawToken, Token>,
                                           typename bwvoice::detail::diagnosed_signature<Signatures>::type...>(
            bwvoice::detail::diagnosing_initiation<std::decay_t<Initiation>>(std::forward<Initiation>(initiation)),
            bwvoice::detail::with_diagnostics_access::token(token), std::forward<Args>(args)...);
    }

    template <class Initiation, class RawToken, class... Args>
    requires bwvoice::detail::all_pass_through<Signatures...>
    static auto initiate(Initiation&& initiation, RawToken&& token, Args&&... args)
        -> decltype(boost::asio::async_initiate<bwvoice::detail::forwarded_token_t<RawToken, Token>, Signatures...>(
            std::forward<Initiation>(initiation), bwvoice::detail::with_diagnostics_access::token(token),
            std::forward<Args>(args)...)) {
        return boost::asio::async_initiate<bwvoice::detail::forwarded_token_t<RawToken, Token>, Signatures...>(
            std::forward<Initiation>(initiation), bwvoice::detail::with_diagnostics_access::token(token),
            std::forward<Args>(args)...);
    }
};

/// The executor, allocator and cancellation slot associated with the
/// wrapped handler are the caller's handler's.
template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct associator<Associator, bwvoice::detail::diagnosing_handler<Handler>, DefaultCandidate> {
    using type = typename Associator<Handler, DefaultCandidate>::type;

    static type get(const bwvoice::detail::diagnosing_handler<Handler>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.inner());
    }

    static auto get(const bwvoice::detail::diagnosing_handler<Handler>& h, const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.inner(), c)) {
        return Associator<Handler, DefaultCandidate>::get(h.inner(), c);
    }
};

}  // namespace boost::asio

#endif
