#include <bwvoice/client.hpp>

#include "api/listing.hpp"
#include "client/client_impl.hpp"

namespace bwvoice {

ConferenceClient::ConferenceClient(executor_type ex, ClientConfig config)
    : ex_(ex), impl_(std::make_shared<detail::ClientImpl>(std::move(ex), std::move(config))) {}

// The executor is copied, not moved: a moved-from handle keeps a usable one,
// so that lookups on it fail cleanly (errc::cancelled) on that executor.
ConferenceClient::ConferenceClient(ConferenceClient&& other) noexcept : ex_(other.ex_), impl_(std::move(other.impl_)) {}

ConferenceClient& ConferenceClient::operator=(ConferenceClient&& other) noexcept {
    if (this != &other) {
        close();
        ex_ = other.ex_;
        impl_ = std::move(other.impl_);
    }
    return *this;
}

ConferenceClient::~ConferenceClient() {
    close();
}

ConferencePager ConferenceClient::list_conferences(ConferenceQuery query) {
    return ConferencePager(ex_, detail::make_pager(impl_, query));
}

void ConferenceClient::close() {
    if (impl_) impl_->close();
}

PoolStats ConferenceClient::stats() const {
    return impl_ ? impl_->stats() : PoolStats{};
}

ClientMetrics ConferenceClient::metrics() const {
    return impl_ ? impl_->metrics() : ClientMetrics{};
}

bool ConferencePager::done() const noexcept {
    if (!state_) return true;  // moved from: nothing more to fetch
    std::lock_guard lock(state_->mutex);
    return state_->done;
}

}  // namespace bwvoice
