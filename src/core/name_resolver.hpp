// Name resolution shared by the lookups of one client.
#ifndef BWVOICE_SRC_CLIENT_NAME_RESOLVER_HPP
#define BWVOICE_SRC_CLIENT_NAME_RESOLVER_HPP

#include "core/context_liveness.hpp"

#include <bwvoice/error.hpp>

#include <boost/asio/any_io_executor.hpp>
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
    virtual void wake() noexcept = 0;

    /// One outcome per resolution, shared by its waiters: a lookup that never
    /// waits for one carries a pointer, not a list of addresses.
    std::shared_ptr<const Resolution> resolved;
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
/// detached thread of its own (a new one per resolution, at most one at a time
/// per client); waiters wait with their own deadlines, and leaving does not
/// wait for the thread.
///
/// The thread outlives whatever it may: it holds the resolver and its waiters
/// only weakly, and it wakes waiters (posting to their strands) only while the
/// caller's execution context has not shut down, checked under a mutex that
/// the context's shutdown also takes (see context_liveness.hpp).
class NameResolver : public std::enable_shared_from_this<NameResolver> {
public:
    /// `ex`: the executor the waiters run on; its execution context must not
    /// be touched once it shuts down.
    NameResolver(const boost::asio::any_io_executor& ex, std::string host, std::string port,
                 std::chrono::milliseconds ttl);

    /// The addresses now, if a literal IP address or a fresh cached result;
    /// else `waiter` is queued (a resolution is started unless one is under
    /// way) and woken when it ends; read the outcome with take().
    std::optional<Resolution> resolve_or_wait(const std::shared_ptr<ResolutionWaiter>& waiter);

    /// After a wake-up: the outcome, or null if still waiting (spurious).
    std::shared_ptr<const Resolution> take(ResolutionWaiter& waiter);

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

    /// Whether the context the waiters run on still exists (shared with the threads).
    const std::shared_ptr<Liveness> liveness_;

    /// A waiter is held weakly: a lookup that ended (or was destroyed with its
    /// io_context) is not kept alive by a resolution; the raw pointer
    /// identifies it for cancel_wait().
    struct Waiter {
        ResolutionWaiter* raw;
        std::weak_ptr<ResolutionWaiter> weak;
    };

    std::mutex mutex_;
    std::optional<Addresses> cached_;
    clock::time_point expiry_{};
    bool resolving_ = false;
    std::deque<Waiter> waiters_;
};

}  // namespace bwvoice::detail

#endif
