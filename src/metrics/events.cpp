#include "metrics/events.hpp"

#include <utility>
#include <vector>

namespace bwvoice {

ClientObserver::~ClientObserver() = default;

}  // namespace bwvoice

namespace bwvoice::detail {
namespace {

/// Both the caller's observer and the log's, in that order.
class Tee final : public ClientObserver {
public:
    Tee(std::shared_ptr<ClientObserver> first, std::shared_ptr<ClientObserver> second)
        : first_(std::move(first)), second_(std::move(second)) {}

    void on_request_started(const RequestStarted& e) override { both(&ClientObserver::on_request_started, e); }
    void on_request_ended(const RequestEnded& e) override { both(&ClientObserver::on_request_ended, e); }
    void on_retry_scheduled(const RetryScheduled& e) override { both(&ClientObserver::on_retry_scheduled, e); }
    void on_stale_resend(const StaleResend& e) override { both(&ClientObserver::on_stale_resend, e); }
    void on_pool_waited(const PoolWaited& e) override { both(&ClientObserver::on_pool_waited, e); }
    void on_connection_opened(const ConnectionOpened& e) override { both(&ClientObserver::on_connection_opened, e); }
    void on_connection_reused(const ConnectionReused& e) override { both(&ClientObserver::on_connection_reused, e); }
    void on_connection_closed(const ConnectionClosed& e) override { both(&ClientObserver::on_connection_closed, e); }
    void on_operation_ended(const OperationEnded& e) override { both(&ClientObserver::on_operation_ended, e); }
    void on_token_fetched(const TokenFetched& e) override { both(&ClientObserver::on_token_fetched, e); }
    void on_token_refused(const TokenRefused& e) override { both(&ClientObserver::on_token_refused, e); }

private:
    template <class Event>
    void both(void (ClientObserver::*method)(const Event&), const Event& e) {
        // The second still hears it when the first throws.
        try {
            ((*first_).*method)(e);
        } catch (...) {}
        ((*second_).*method)(e);
    }
    std::shared_ptr<ClientObserver> first_, second_;
};

template <class Event>
void deliver(ClientObserver* target, void (ClientObserver::*method)(const Event&), const Event& e) noexcept {
    if (!target) return;
    try {
        (target->*method)(e);
    } catch (...) {
        // An observer's failure never changes what a request does.
    }
}

}  // namespace

Events::Events(std::shared_ptr<ClientObserver> observer, LogHook log, LogLevel level) {
    std::shared_ptr<ClientObserver> logger = log ? make_log_observer(std::move(log), level) : nullptr;
    if (observer && logger)
        target_ = std::make_shared<Tee>(std::move(observer), std::move(logger));
    else
        target_ = observer ? std::move(observer) : std::move(logger);
}

void Events::operator()(const RequestStarted& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_request_started, e);
}
void Events::operator()(const RequestEnded& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_request_ended, e);
}
void Events::operator()(const RetryScheduled& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_retry_scheduled, e);
}
void Events::operator()(const StaleResend& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_stale_resend, e);
}
void Events::operator()(const PoolWaited& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_pool_waited, e);
}
void Events::operator()(const ConnectionOpened& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_connection_opened, e);
}
void Events::operator()(const ConnectionReused& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_connection_reused, e);
}
void Events::operator()(const ConnectionClosed& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_connection_closed, e);
}
void Events::operator()(const OperationEnded& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_operation_ended, e);
}
void Events::operator()(const TokenFetched& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_token_fetched, e);
}
void Events::operator()(const TokenRefused& e) const noexcept {
    deliver(target_.get(), &ClientObserver::on_token_refused, e);
}

}  // namespace bwvoice::detail
