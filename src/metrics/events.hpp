// Where the engine tells what happens: the caller's ClientObserver, the log
// hook (as an observer that writes records), or both. With neither, the
// engine builds no event at all: every call site tests the Events first.
#ifndef BWVOICE_SRC_METRICS_EVENTS_HPP
#define BWVOICE_SRC_METRICS_EVENTS_HPP

#include <bwvoice/log.hpp>
#include <bwvoice/observer.hpp>

#include <memory>

namespace bwvoice::detail {

class Events {
public:
    Events(std::shared_ptr<ClientObserver> observer, LogHook log, LogLevel level);

    /// Whether anyone listens.
    explicit operator bool() const noexcept { return target_ != nullptr; }

    // Each delivers to the listeners; an exception from one is dropped.
    void operator()(const RequestStarted& e) const noexcept;
    void operator()(const RequestEnded& e) const noexcept;
    void operator()(const RetryScheduled& e) const noexcept;
    void operator()(const StaleResend& e) const noexcept;
    void operator()(const PoolWaited& e) const noexcept;
    void operator()(const ConnectionOpened& e) const noexcept;
    void operator()(const ConnectionReused& e) const noexcept;
    void operator()(const ConnectionClosed& e) const noexcept;
    void operator()(const OperationEnded& e) const noexcept;
    void operator()(const TokenFetched& e) const noexcept;
    void operator()(const TokenRefused& e) const noexcept;

private:
    std::shared_ptr<ClientObserver> target_;
};

/// The observer that turns events into LogRecords for `hook`.
std::shared_ptr<ClientObserver> make_log_observer(LogHook hook, LogLevel level);

}  // namespace bwvoice::detail

#endif
