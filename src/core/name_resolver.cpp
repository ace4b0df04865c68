#include "core/name_resolver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>
#include <system_error>
#include <thread>
#include <vector>

namespace bwvoice::detail {
namespace net = boost::asio;

namespace {

std::optional<Addresses> literal_addresses(const std::string& host, const std::string& port) {
    error_code ec;
    const auto address = net::ip::make_address(host, ec);
    unsigned short number = 0;
    const auto [end, parse] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec || parse != std::errc{} || end != port.data() + port.size()) return std::nullopt;
    return Addresses::create(net::ip::tcp::endpoint(address, number), host, port);
}

/// Blocking getaddrinfo through Asio (which turns its results into endpoints).
Resolution resolve_now(const std::string& host, const std::string& port) {
    net::io_context unused;  // a resolver needs an executor; a blocking resolve() runs no handler
    net::ip::tcp::resolver resolver(unused);
    Resolution r;
    r.addresses = resolver.resolve(host, port, r.ec);
    return r;
}

}  // namespace

NameResolver::NameResolver(const net::any_io_executor& ex, std::string host, std::string port,
                           std::chrono::milliseconds ttl)
    : host_(std::move(host)),
      port_(std::move(port)),
      ttl_(ttl),
      literal_(literal_addresses(host_, port_)),
      liveness_(liveness_of(ex)) {}

std::optional<Resolution> NameResolver::resolve_or_wait(const std::shared_ptr<ResolutionWaiter>& waiter) {
    if (literal_) return Resolution{{}, *literal_};
    std::lock_guard lock(mutex_);
    if (cached_ && clock::now() < expiry_) return Resolution{{}, *cached_};
    if (!resolving_) {
        // No resolution running means nobody waits: a failure to start one
        // concerns this caller alone.
        if (const error_code ec = start_resolution_locked()) return Resolution{ec, {}};
    }
    waiter->resolved.reset();
    waiter->waiting_for_resolution = true;
    waiters_.push_back({waiter.get(), waiter});
    return std::nullopt;
}

std::shared_ptr<const Resolution> NameResolver::take(ResolutionWaiter& waiter) {
    std::lock_guard lock(mutex_);
    if (waiter.waiting_for_resolution) return nullptr;
    return std::move(waiter.resolved);
}

void NameResolver::cancel_wait(ResolutionWaiter& waiter) {
    std::lock_guard lock(mutex_);
    if (!waiter.waiting_for_resolution) return;
    waiter.waiting_for_resolution = false;
    const auto it = std::find_if(waiters_.begin(), waiters_.end(), [&](const Waiter& w) { return w.raw == &waiter; });
    if (it != waiters_.end()) waiters_.erase(it);
}

error_code NameResolver::start_resolution_locked() {
    try {
        // The thread holds only a weak reference: a client destroyed meanwhile
        // is not kept alive by a resolution that may take a minute. The mutex
        // held here keeps finish() from running before the caller is queued.
        std::thread([weak = weak_from_this(), liveness = liveness_, host = host_, port = port_]() noexcept {
            try {
                Resolution outcome = resolve_now(host, port);
                std::lock_guard alive(liveness->mutex);
                if (!liveness->alive) return;
                if (auto self = weak.lock()) self->finish(std::move(outcome));
            } catch (...) {
                // Out of memory on this thread: the waiters' deadlines end their waits.
            }
        }).detach();
    } catch (const std::system_error& e) {
        return e.code();
    }
    resolving_ = true;
    return {};
}

void NameResolver::finish(Resolution outcome) {
    std::vector<std::shared_ptr<ResolutionWaiter>> woken;
    std::shared_ptr<const Resolution> shared;
    try {
        shared = std::make_shared<const Resolution>(outcome);
    } catch (...) {
        // Out of memory: the waiters stay queued for the next resolution (the
        // next connect starts one) or until their deadlines.
    }
    {
        std::lock_guard lock(mutex_);
        resolving_ = false;
        if (!shared) return;
        // A failure is not cached: the next lookup tries again.
        if (!outcome.ec) {
            cached_ = outcome.addresses;
            expiry_ = clock::now() + ttl_;
        }
        woken.reserve(waiters_.size());
        for (const Waiter& w : waiters_) {
            auto waiter = w.weak.lock();
            if (!waiter) continue;  // ended meanwhile
            waiter->waiting_for_resolution = false;
            waiter->resolved = shared;
            woken.push_back(std::move(waiter));
        }
        waiters_.clear();
    }
    for (auto& w : woken) w->wake();
}

}  // namespace bwvoice::detail
