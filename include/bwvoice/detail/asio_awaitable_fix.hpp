// bwvoice: a fix for Boost 1.80 and 1.81's Asio, so that an operation
// completing with void(std::exception_ptr, T) can be co_awaited (internal).
#ifndef BWVOICE_DETAIL_ASIO_AWAITABLE_FIX_HPP
#define BWVOICE_DETAIL_ASIO_AWAITABLE_FIX_HPP

#include <boost/version.hpp>

#include <boost/asio/detail/config.hpp>

#if defined(BOOST_ASIO_HAS_CO_AWAIT) && BOOST_VERSION >= 108000 && BOOST_VERSION < 108200

#include <boost/asio/awaitable.hpp>

#include <exception>
#include <utility>

namespace boost::asio::detail {

// Asio's own partial specialisation for R(std::exception_ptr, T) tests
// `*result` (the result struct) where it means `*result.ex_`, so awaiting
// such an operation does not compile in Boost 1.80 and 1.81 (Asio issues
// #1172 and #1190, fixed in Boost 1.82). with_diagnostics(asio::deferred),
// the operations' default token, produces exactly such operations. This one
// is the same class with the test corrected; for R = void it is more
// specialised than Asio's, so it is the one chosen. Any Asio operation with
// that signature benefits; none could compile with the faulty one, so no
// program sees both.
template <typename T, typename Executor>
class awaitable_async_op_handler<void(std::exception_ptr, T), Executor> : public awaitable_thread<Executor> {
public:
    struct result_type {
        std::exception_ptr* ex_;
        T* value_;
    };

    awaitable_async_op_handler(awaitable_thread<Executor>* h, result_type& result)
        : awaitable_thread<Executor>(std::move(*h)), result_(result) {}

    void operator()(std::exception_ptr ex, T value) {
        result_.ex_ = &ex;
        result_.value_ = &value;
        this->entry_point()->top_of_stack_->attach_thread(this);
        this->entry_point()->top_of_stack_->clear_cancellation_slot();
        this->pump();
    }

    static T resume(result_type& result) {
        if (*result.ex_) {
            std::exception_ptr ex = std::exchange(*result.ex_, nullptr);
            std::rethrow_exception(ex);
        }
        return std::move(*result.value_);
    }

private:
    result_type& result_;
};

}  // namespace boost::asio::detail

#endif

#endif
