// One conference lookup: a coroutine on its own strand that takes a pooled
// connection, sends the GET, reads the answer, and retries as the policy says.
#ifndef BWVOICE_SRC_CLIENT_LOOKUP_HPP
#define BWVOICE_SRC_CLIENT_LOOKUP_HPP

#include "client/client_impl.hpp"
#include "client/connection.hpp"
#include "client/pool.hpp"

#include <bwvoice/conference.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/detail/lookup_completion.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <memory>
#include <string>

namespace bwvoice::detail {

/// Why a lookup stopped before it had a result.
enum class AbortReason { none, caller_cancelled, deadline, client_closed };

class Lookup final : public PoolWaiter, public std::enable_shared_from_this<Lookup> {
public:
    using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

    /// Starts a lookup; `completion` is called exactly once, whatever happens.
    static void start(std::shared_ptr<ClientImpl> impl, std::string id, LookupCompletion completion);

    Lookup(std::shared_ptr<ClientImpl> impl, std::string id, LookupCompletion completion);
    ~Lookup();

    /// Stops the lookup for `reason`. Runs on the strand only.
    void abort(AbortReason reason);
    /// The strand every step of this lookup runs on.
    const strand_type& strand() const noexcept { return strand_; }

    void wake() override;

    // The client's registry of live lookups (guarded by its mutex).
    Lookup* registry_prev = nullptr;
    Lookup* registry_next = nullptr;

    /// What one request/response exchange came to (the body stays in the connection).
    struct ExchangeResult {
        error_code ec;
        bool response_started = false;
        unsigned status = 0;
        bool keep_alive = false;
        std::string retry_after;
    };

private:
    boost::asio::awaitable<void> run();
    /// Waits, if need be, for a connection or the right to open one.
    boost::asio::awaitable<Acquired> acquire(ConnectionPtr& out);
    /// Resolves, connects and handshakes a new connection; fills the diagnostics message on failure.
    boost::asio::awaitable<error_code> connect(Connection& conn);
    boost::asio::awaitable<boost::asio::ip::tcp::resolver::results_type> resolve(error_code& ec);
    boost::asio::awaitable<ExchangeResult> exchange(Connection& conn);
    /// Sleeps `delay` unless aborted; returns false if aborted.
    boost::asio::awaitable<bool> sleep(std::chrono::milliseconds delay);
    /// Whether another counted retry fits; sleeps the backoff if so.
    boost::asio::awaitable<bool> back_off(std::optional<std::chrono::milliseconds> server_hint);

    void arm_phase_timer(std::chrono::steady_clock::duration limit);
    void give_back(ConnectionPtr conn, bool reusable);
    void finish(error_code ec, Conference conference = {});
    void finish_aborted();
    void finish_with(errc code, std::string message);

    std::shared_ptr<ClientImpl> impl_;
    strand_type strand_;
    std::string id_;
    LookupCompletion completion_;
    Diagnostics diag_;
    std::string request_;  // the whole request, serialized once per lookup

    std::chrono::steady_clock::time_point deadline_;
    boost::asio::steady_timer deadline_timer_;
    boost::asio::steady_timer phase_timer_;  // connect and handshake limits
    boost::asio::steady_timer wait_timer_;   // pool waits and backoff sleeps

    AbortReason abort_ = AbortReason::none;
    bool phase_expired_ = false;
    bool finished_ = false;
    Connection* active_ = nullptr;  // the connection doing I/O for us now, to close on abort
    boost::asio::ip::tcp::resolver* resolver_ = nullptr;
};

}  // namespace bwvoice::detail

#endif
