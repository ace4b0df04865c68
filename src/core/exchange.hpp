// The I/O shell of one request: performs each step the exchange's state
// machine (exchange_fsm.hpp) decides, on the request's own strand, and
// reports what happened back to it. It decides nothing itself: connections
// come from the pool, retries and resends from the state machine, what the
// answer means from the Operation.
#ifndef BWVOICE_SRC_CORE_EXCHANGE_HPP
#define BWVOICE_SRC_CORE_EXCHANGE_HPP

#include "auth/token_broker.hpp"
#include "client/client_impl.hpp"
#include "core/connection.hpp"
#include "core/exchange_fsm.hpp"
#include "core/name_resolver.hpp"
#include "core/operation.hpp"
#include "core/pool.hpp"
#include "core/request.hpp"
#include "core/response_reader.hpp"

#include <bwvoice/diagnostics.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace bwvoice::detail {

/// What the client's registry of live exchanges needs, whatever the executor.
class LiveExchange : public PoolWaiter {
public:
    /// Asks the exchange, from any thread, to stop with errc::cancelled.
    virtual void close_from_client() noexcept = 0;
    /// A strong reference, or null if the exchange is already being destroyed.
    virtual std::shared_ptr<LiveExchange> lock_self() = 0;

    // The client's registry of live exchanges (guarded by its mutex).
    LiveExchange* registry_prev = nullptr;
    LiveExchange* registry_next = nullptr;
    bool enrolled = false;
    /// Counted in flight; false once its caller has had the answer, while a
    /// handed-over connect still runs (close() must still reach it).
    bool counted = false;

protected:
    ~LiveExchange() = default;
};

/// Starts the exchange of `request` for `operation`; the operation's
/// complete() is called exactly once, whatever happens.
void start_exchange(std::shared_ptr<ClientImpl> impl, Request request, std::unique_ptr<Operation> operation);

/// One request, on its own strand over `Inner`. `Inner` is the io_context's
/// concrete executor when the client was given one (no type erasure, so no
/// allocation per I/O completion), else any_io_executor.
template <class Inner>
class Exchange final : public LiveExchange,
                       public ResolutionWaiter,
                       public TokenWaiter,
                       public std::enable_shared_from_this<Exchange<Inner>> {
public:
    using strand_type = boost::asio::strand<Inner>;
    /// On the inner executor, not the strand: 16 bytes less per timer. Every
    /// wait's handler is bound to the strand (a coroutine's by
    /// use_awaitable, the others by bind_executor).
    using timer_type = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                         boost::asio::wait_traits<std::chrono::steady_clock>, Inner>;

    Exchange(std::shared_ptr<ClientImpl> impl, const Inner& inner, Request request,
             std::unique_ptr<Operation> operation);
    ~Exchange();

    static void start(std::shared_ptr<ClientImpl> impl, const Inner& inner, Request request,
                      std::unique_ptr<Operation> operation);

    /// Something outside the I/O in progress asks the request to stop. Runs
    /// on the strand only.
    void interrupt(Interruption why, boost::asio::cancellation_type type = boost::asio::cancellation_type::terminal);
    const strand_type& strand() const noexcept { return strand_; }

    void wake() noexcept override;
    void close_from_client() noexcept override;
    std::shared_ptr<LiveExchange> lock_self() override;

private:
    template <class T>
    using awaitable = boost::asio::awaitable<T, strand_type>;

    /// Starts run() on the strand from `resumed`, with `conn` (left in
    /// hot_conn_ until run() takes it).
    void spawn(std::optional<Decision> resumed, PoolLease conn);
    /// Takes the decisions that need no waiting (acquire, finish, a request
    /// with no sink's round trip) with plain code on the strand, and starts
    /// run() only for a step that a coroutine serves (authorize, connect,
    /// sleep, a download's read).
    void drive(std::optional<Decision> resumed, PoolLease conn);
    /// Before each write: the request serialised, the reuse counted and told.
    void prepare_write(PoolLease& conn);
    /// The steps a coroutine serves; its connection is the one spawn() left
    /// in hot_conn_.
    awaitable<void> run(std::optional<Decision> resumed);

    // ---- the steps ----
    /// A pooled connection checked for anything the server sent unasked, or a
    /// connect slot; or the exchange is queued (the wait is done by run()).
    Grant acquire(PoolLease& out);
    /// Gets the OAuth token to carry: the shared one, or the one being
    /// fetched (waiting for it within the deadline), or none because the
    /// fetch failed (its error, with its diagnostics).
    awaitable<error_code> authorize();
    /// Resolves, connects and handshakes a new connection; fills the
    /// diagnostics message on failure.
    awaitable<error_code> connect(Connection& conn);
    awaitable<Addresses> resolve(error_code& ec);
    /// After a write, whatever its outcome: the request's bytes are wiped.
    void forget_request(Connection& conn) noexcept;
    /// What a write's outcome (and a response's) means: told, counted, and
    /// the state machine's next decision.
    Decision after_write(PoolLease& conn, error_code ec);
    Decision after_response(PoolLease& conn, const ResponseOutcome& r);
    /// The round trip of a request with no sink, as plain handlers on the
    /// strand over hot_conn_: no coroutine frame is held while it is on the
    /// wire. A step other than read goes back to drive().
    void hot_write();
    void hot_read();
    template <class Report>
    void hot_step(Report report) noexcept;
    /// Only a bug or an allocation failure gets here: the connection of a
    /// round trip under way is discarded (and told), and the result is still
    /// delivered, with no message allocated.
    void fail_unexpectedly() noexcept;
    /// The connection or connect slot `conn` holds (if any) closed and told,
    /// its place given back: for a lease being unwound by an exception.
    void discard_unexpectedly(PoolLease& conn) noexcept;
    /// After a read: a TLS session is remembered once its tickets have come.
    void after_read(Connection& conn, const ResponseOutcome& r);
    /// What a response read whole (or failed, `rec`) means for `r`: its
    /// status, whether the connection may be kept, the operation's verdict
    /// on the body or the API's error. True for an interim response (1xx):
    /// read the next one.
    bool digest_response(Connection& conn, ResponseReader& reader, error_code rec, std::size_t n, ResponseOutcome& r);
    /// A download's read: the header first, then the body streamed into the
    /// operation's sink when the status is a success.
    template <class Stream>
    awaitable<void> read_on(Stream& stream, Connection& conn, ResponseOutcome& r);
    template <class Stream>
    awaitable<void> stream_body(Stream& stream, Connection& conn, ResponseReader& reader, ResponseOutcome& r);
    awaitable<void> sleep(std::chrono::milliseconds delay);

    /// Queued: waits for the pool's wake-up or the deadline, with no
    /// coroutine frame held meanwhile; resume_after_wait() takes it from there.
    void wait_for_grant();
    void resume_after_wait(error_code wait_ec) noexcept;
    /// Leaves the pool's queue and gives back what it granted and nobody took.
    void give_back_grant() noexcept;
    /// Arms the deadline timer before the first step it has to bound.
    void arm_deadline_before(const Decision& d);

    /// Where the request goes (owned by impl_): looked up, not stored, as a
    /// queued request's size is the exchange's.
    Origin& origin() const noexcept { return impl_->origin_for(request_.audience); }

    /// Into `wire` (the connection's request buffer), replacing what it held.
    void serialize_request(std::string& wire);
    void dispose(PoolLease& conn, Disposal disposal);
    /// Closes the connection, tells its close, then frees its place.
    void discard_telling(PoolLease& conn, std::uint64_t id, std::uint64_t exchanges, CloseReason why);
    void record_failure(const ResponseOutcome& r);
    bool aborted_by_interruption(error_code ec) const noexcept;
    /// Arms the one request timer to expire at `until`.
    void arm_timer(std::chrono::steady_clock::time_point until);
    /// Connect or handshake: the timer fires at the earlier of `limit` from now and the deadline.
    void arm_phase_timer(std::chrono::steady_clock::duration limit);
    void end_phase();
    /// "while resolving <host>", ...
    std::string connect_phase_text() const;
    void finish(const Decision& d) noexcept;

    // ---- what the metrics and the observer are told ----
    /// After a failure event: a retry or a stale resend decided is counted and told.
    void tell_next_try(const Decision& d, std::uint64_t connection);
    /// A try ended (`status` when a response arrived).
    void tell_try_ended(std::uint64_t connection, std::optional<unsigned> status, error_code ec);
    /// Why a connection given up after a failure is closed.
    CloseReason failure_close_reason() const noexcept;

    std::shared_ptr<ClientImpl> impl_;
    strand_type strand_;
    Request request_;
    std::unique_ptr<Operation> operation_;
    const std::chrono::steady_clock::time_point started_;  // the initiating call, for the operation's latency
    const std::chrono::steady_clock::time_point deadline_;
    ExchangeFsm fsm_;
    /// What went wrong so far, made at the first failure: a request that
    /// succeeds (and one queued) holds a pointer, not 112 bytes of
    /// Diagnostics. The last response's status is kept apart, for every
    /// response has one. finish() puts the two together.
    std::unique_ptr<Diagnostics> diag_;
    std::optional<unsigned> http_status_;
    Diagnostics& diag() {
        if (!diag_) diag_ = std::make_unique<Diagnostics>();
        return *diag_;
    }
    std::shared_ptr<const AccessToken> token_;  // the OAuth token the request carries
    /// The tokens 401s refused (for redaction: their bodies may quote them),
    /// and how many fetches had started at the last refusal. Made at the
    /// first refusal: most requests never meet one.
    struct Refusals {
        std::vector<std::shared_ptr<const AccessToken>> tokens;
        std::uint64_t fetches_at_last = 0;
    };
    std::unique_ptr<Refusals> refusals_;

    timer_type deadline_timer_;  // the deadline; while connecting, the phase limits
    timer_type wait_timer_;      // pool and resolution waits, pauses before retries

    std::uint64_t timer_generation_ = 0;                 // which arming of deadline_timer_ is current
    std::chrono::steady_clock::time_point phase_end_{};  // when the connect or handshake in progress must end
    /// The request's deadline bounds each phase, until a connect is handed
    /// over (see interrupt()): then only the phase's own limit does.
    std::chrono::steady_clock::time_point horizon_;
    Connection* active_ = nullptr;  // the connection doing I/O for us now, to close on interruption
    std::uint64_t sink_bytes_ = 0;

    std::chrono::steady_clock::time_point try_started_{};  // set only when someone listens
    std::uint64_t try_bytes_out_ = 0, try_bytes_in_ = 0;   // this try's
    std::uint64_t bytes_out_ = 0, bytes_in_ = 0;           // every try's
    std::chrono::steady_clock::time_point wait_began_{};   // a pool wait under way, across wake-ups
    unsigned stale_resends_told_ = 0;
    CloseReason close_reason_ = CloseReason::error;  // for a connection discarded next

    /// The connection of the plain-handler round trip, or the one spawn()
    /// leaves for run() to take (declared after impl_: destroyed first, it
    /// gives its place back to a pool that still exists).
    PoolLease hot_conn_;

    // The flags together, so that they share one word (a queued request's
    // size is the exchange's, issue 13).
    bool waiting_ = false;  // wait_began_ is set
    bool phase_expired_ = false;
    bool connecting_ = false;
    /// The caller had its answer while a connect was under way; the connect
    /// goes on and its connection goes to the pool for whoever waits next.
    bool connect_outlives_ = false;
    bool deadline_armed_ = false;
    bool finished_ = false;
    bool sink_started_ = false;
    /// Where a connect was when stopped, for its message.
    enum class ConnectPhase : unsigned char { resolving, connecting, handshaking } connect_phase_{};
};

}  // namespace bwvoice::detail

#endif
