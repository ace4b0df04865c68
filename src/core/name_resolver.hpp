// Name resolution shared by the lookups of one client.
#ifndef BWVOICE_SRC_CLIENT_NAME_RESOLVER_HPP
#define BWVOICE_SRC_CLIENT_NAME_RESOLVER_HPP

#include <bwvoice/error.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace bwvoice::detail {

using Addresses = boost::asio::ip::tcp::resolver::results_type;

/// What one resolution came to.
struct Resolution {
    error_code ec;
    Addresses addresses;
};

/// A lookup waiting for a resolution. The resolver writes `resolved` under its
/// lock, then calls wake() after releasing it; wake() must hand control to the
/// waiter's own strand and must not re-enter the resolver (as PoolWaiter).
class ResolutionWaiter {
public:
    virtual void wake() = 0;

    std::optional<Resolution> resolved;
    bool waiting_for_resolution = false;

protected:
    ~ResolutionWaiter() = default;
};

/// One host's addresses, resolved once for every lookup that needs them and
/// kept for a while. Thread-safe.
///
/// getaddrinfo cannot be interrupted, and Asio's resolver runs it on one
/// background thread per io_context whose pending work keeps run() from
/// returning: an unresponsive DNS server held lookups past their deadline and
/// queued every new connection behind it. Here a resolution runs on a
/// detached thread of its own, at most one at a time per client; waiters wait
/// with their own deadlines, and leaving does not wait for the thread.
class NameResolver : public std::enable_shared_from_this<NameResolver> {
public:
    NameResolver(std::string host, std::string port, std::chrono::milliseconds ttl);

    /// The addresses now, if a literal IP address or a fresh cached result;
    /// else `waiter` is queued (a resolution is started unless one is under
    /// way) and woken when it ends; read the outcome with take().
    std::optional<Resolution> resolve_or_wait(const std::shared_ptr<ResolutionWaiter>& waiter);

    /// After a wake-up: the outcome, or nullopt if still waiting (spurious).
    std::optional<Resolution> take(ResolutionWaiter& waiter);

    /// The waiter gives up (deadline, cancellation); the resolution goes on.
    void cancel_wait(ResolutionWaiter& waiter);

private:
    using clock = std::chrono::steady_clock;

    /// Starts the resolution thread; an error if no thread could be had.
    error_code start_resolution_locked();
    void finish(Resolution outcome);

    const std::string host_;
    const std::string port_;
    const clock::duration ttl_;
    /// Set once for a literal IP address: never resolved, never expires.
    std::optional<Addresses> literal_;

    std::mutex mutex_;
    std::optional<Addresses> cached_;
    clock::time_point expiry_{};
    bool resolving_ = false;
    std::deque<std::shared_ptr<ResolutionWaiter>> waiters_;
};

}  // namespace bwvoice::detail

#endif
