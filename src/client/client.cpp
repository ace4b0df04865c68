#include <bwvoice/client.hpp>

#include "client/client_impl.hpp"
#include "client/lookup.hpp"

namespace bwvoice {

ConferenceClient::ConferenceClient(executor_type ex, ClientConfig config)
    : ex_(ex), impl_(std::make_shared<detail::ClientImpl>(std::move(ex), std::move(config))) {}

// The executor is copied, not moved: a moved-from handle keeps a usable one,
// so that lookups on it fail cleanly (errc::cancelled) on that executor.
ConferenceClient::ConferenceClient(ConferenceClient&& other) noexcept
    : ex_(other.ex_), impl_(std::move(other.impl_)) {}

ConferenceClient& ConferenceClient::operator=(ConferenceClient&& other) noexcept {
    if (this != &other) {
        close();
        ex_ = other.ex_;
        impl_ = std::move(other.impl_);
    }
    return *this;
}

ConferenceClient::~ConferenceClient() { close(); }

ConferenceClient::executor_type ConferenceClient::get_executor() const noexcept { return ex_; }

void ConferenceClient::close() {
    if (impl_) impl_->close();
}

PoolStats ConferenceClient::stats() const { return impl_ ? impl_->stats() : PoolStats{}; }

void ConferenceClient::start_lookup(std::shared_ptr<detail::ClientImpl> impl, std::string id,
                                    detail::LookupCompletion completion) {
    if (!impl) {
        // A moved-from client: like a closed one, it fails what it is given.
        Diagnostics diag;
        diag.message = "the client was moved from";
        return completion.complete(make_error_code(errc::cancelled), {}, std::move(diag), true);
    }
    detail::start_lookup(std::move(impl), std::move(id), std::move(completion));
}

}  // namespace bwvoice
