// One conference lookup: a coroutine on its own strand that takes a pooled
// connection, sends the GET, reads the answer, and retries as the policy says.
#ifndef BWVOICE_SRC_CLIENT_LOOKUP_HPP
#define BWVOICE_SRC_CLIENT_LOOKUP_HPP

#include "client/client_impl.hpp"
#include "core/connection.hpp"
#include "core/pool.hpp"

#include <bwvoice/conference.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/detail/lookup_completion.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <memory>
#include <string>

namespace bwvoice::detail {

/// Why a lookup stopped before it had a result.
enum class AbortReason { none, caller_cancelled, deadline, client_closed };

/// What the client's registry of live lookups needs, whatever the executor.
class LiveLookup : public PoolWaiter {
public:
    /// Asks the lookup, from any thread, to stop with errc::cancelled.
    virtual void close_from_client() noexcept = 0;
    /// A strong reference, or null if the lookup is already being destroyed.
    virtual std::shared_ptr<LiveLookup> lock_self() = 0;

    // The client's registry of live lookups (guarded by its mutex).
    LiveLookup* registry_prev = nullptr;
    LiveLookup* registry_next = nullptr;
    bool enrolled = false;

protected:
    ~LiveLookup() = default;
};

/// Starts a lookup; `completion` is called exactly once, whatever happens.
void start_lookup(std::shared_ptr<ClientImpl> impl, std::string id, LookupCompletion completion);

/// One lookup, on its own strand over `Inner`. `Inner` is the io_context's
/// concrete executor when the client was given one (no type erasure, so no
/// allocation per I/O completion), else any_io_executor.
template <class Inner>
class Lookup final : public LiveLookup,
                     public ResolutionWaiter,
                     public std::enable_shared_from_this<Lookup<Inner>> {
public:
    using strand_type = boost::asio::strand<Inner>;
    using timer_type = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                         boost::asio::wait_traits<std::chrono::steady_clock>, strand_type>;

    Lookup(std::shared_ptr<ClientImpl> impl, const Inner& inner, std::string id, LookupCompletion completion);
    ~Lookup();

    static void start(std::shared_ptr<ClientImpl> impl, const Inner& inner, std::string id,
                      LookupCompletion completion);

    /// Stops the lookup for `reason`. Runs on the strand only.
    void abort(AbortReason reason);
    /// The strand every step of this lookup runs on.
    const strand_type& strand() const noexcept { return strand_; }

    void wake() noexcept override;
    void close_from_client() noexcept override;
    std::shared_ptr<LiveLookup> lock_self() override;

    /// What one request/response exchange came to (the body stays in the connection).
    struct ExchangeResult {
        error_code ec;
        bool response_started = false;
        unsigned status = 0;
        bool keep_alive = false;
        std::string retry_after;
    };

private:
    template <class T>
    using awaitable = boost::asio::awaitable<T, strand_type>;

    awaitable<void> run();
    /// A connection or the right to open one, now; else the lookup is queued.
    Acquired try_acquire(PoolLease& out);
    /// Resolves, connects and handshakes a new connection; fills the diagnostics message on failure.
    awaitable<error_code> connect(Connection& conn);
    /// The API host's addresses, waiting (within the deadline and the
    /// connect limit) for a resolution if there are none fresh.
    awaitable<Addresses> resolve(error_code& ec);
    awaitable<ExchangeResult> exchange(Connection& conn);
    template <class Stream>
    awaitable<void> exchange_on(Stream& stream, Connection& conn, ExchangeResult& r);
    /// Sleeps `delay` unless aborted; returns false if aborted.
    awaitable<bool> sleep(std::chrono::milliseconds delay);
    /// Whether another counted retry fits; sleeps the backoff if so.
    awaitable<bool> back_off(std::optional<std::chrono::milliseconds> server_hint);

    void serialize_request();
    /// Decodes the 200 response's body, returns the connection, completes.
    void finish_decoding(PoolLease conn, bool keep_alive);
    /// Arms the one lookup timer to expire at `until`.
    void arm_timer(std::chrono::steady_clock::time_point until);
    /// Connect or handshake: the timer fires at the earlier of `limit` from now and the deadline.
    void arm_phase_timer(std::chrono::steady_clock::duration limit);
    /// Back to the lookup's deadline.
    void end_phase();
    /// Releases the place as idle and reusable, or discards it (closing the connection).
    void give_back(PoolLease conn, bool reusable);
    void finish(error_code ec, Conference conference = {});
    void finish_aborted();
    void finish_with(errc code, std::string message);

    std::shared_ptr<ClientImpl> impl_;
    strand_type strand_;
    std::string id_;
    LookupCompletion completion_;
    Diagnostics diag_;
    std::string request_;  // the whole request, serialized once a connection is granted

    std::chrono::steady_clock::time_point deadline_;
    timer_type deadline_timer_;  // the deadline; while connecting, the phase limits
    timer_type wait_timer_;   // pool waits and backoff sleeps

    AbortReason abort_ = AbortReason::none;
    bool phase_expired_ = false;
    bool deadline_armed_ = false;
    bool finished_ = false;
    std::uint64_t timer_generation_ = 0;  // which arming of deadline_timer_ is current
    Connection* active_ = nullptr;  // the connection doing I/O for us now, to close on abort
};

}  // namespace bwvoice::detail

#endif
