// The decisions of one request, from the first try to its end, with no I/O:
// what to do next given what just happened. The I/O shell (exchange.hpp)
// performs each step and reports back; the rules live here, where a unit test
// can walk through them event by event without a socket, a timer or an
// io_context (as Boost.Redis tests its exec_fsm).
#ifndef BWVOICE_SRC_CORE_EXCHANGE_FSM_HPP
#define BWVOICE_SRC_CORE_EXCHANGE_FSM_HPP

#include <bwvoice/config.hpp>
#include <bwvoice/error.hpp>
#include <bwvoice/observer.hpp>

#include <boost/asio/cancellation_type.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>

namespace bwvoice::detail {

/// What the shell does next.
enum class Step {
    authorize,  ///< Get the OAuth token to carry (waiting while it is fetched); Decision::reject_token first.
    acquire,    ///< Ask the pool for a connection (or a connect slot, or a place in line).
    wait,       ///< Wait until the pool hands something over (or the deadline).
    connect,    ///< Open a connection in the connect slot.
    write,      ///< Send the request on the connection.
    read,       ///< Read the response.
    sleep,      ///< Pause for Decision::delay before trying again.
    finish,     ///< The request is over: complete with Decision::ec.
};

/// What to do with the connection held, before the step.
enum class Disposal {
    keep,     ///< Keep using it (or none is held).
    release,  ///< Give it back to the pool, reusable.
    discard,  ///< Close it and give its place back.
};

/// Why a request ended without a response that decides it, beyond its error
/// code, so the shell can tell the caller in Diagnostics.
enum class Ending {
    normal,                        ///< A response decided it, or a failure says it all.
    retry_would_pass_deadline,     ///< A retry was due, but its pause would pass the deadline.
    retries_exhausted,             ///< RetryPolicy::max_retries counted retries were spent.
    change_may_have_been_applied,  ///< A change failed or was stopped after it may have reached the server.
    body_already_delivered,        ///< A download failed after its first byte reached the sink.
};

struct Decision {
    Step step = Step::finish;
    Disposal disposal = Disposal::keep;
    std::chrono::milliseconds delay{0};  ///< For Step::sleep.
    error_code ec{};                     ///< For Step::finish; success when the response decided it.
    Ending ending = Ending::normal;      ///< For Step::finish.
    /// For Step::authorize: the API answered 401 to the token carried; it is
    /// condemned before another is asked for.
    bool reject_token = false;

    friend bool operator==(const Decision&, const Decision&) = default;
};

/// What the pool gave.
enum class Grant { connection, connect_slot, queued, closed };

/// How a read ended, as the shell saw it.
struct ResponseOutcome {
    /// A transport or framing failure (the response is unusable), else success.
    error_code ec;
    /// Whether any byte of a response arrived (a stale connection sends none).
    bool response_started = false;
    /// Whether any body byte was handed to a caller's sink (then nothing is resent).
    bool body_delivered = false;
    /// `ec` is the caller's sink's own error (MediaSink::write's `done`): the
    /// download stops and completes with that error, as the sink gave it.
    bool sink_failed = false;
    unsigned status = 0;
    /// The connection may be reused for another request.
    bool keep_alive = false;
    /// The server's Retry-After, parsed, when it sent one.
    std::optional<std::chrono::milliseconds> retry_after;
    /// For a success status: what the operation made of the body (a
    /// bad_response when it did not decode or named another ID).
    error_code accept_ec;
    /// The operation's verdict that the connection must not be reused even
    /// though HTTP allows it (its answers are out of step).
    bool retire = false;
    /// The server said it closes the connection (`Connection: close`, or a
    /// body that ends at its close): for the metrics, not the decisions.
    bool server_closes = false;
};

/// Why the request must stop early, arriving from outside the I/O in progress.
enum class Interruption {
    caller,    ///< The caller's cancellation slot, with a cancellation_type.
    deadline,  ///< ClientConfig::request_timeout passed.
    closed,    ///< The client was closed.
};

/// The rules of one request. Events come in the order the shell performs the
/// steps; each returns the next decision.
class ExchangeFsm {
public:
    using clock = std::chrono::steady_clock;

    /// `change`: a POST or PUT, never sent twice once any byte of it may have
    /// reached the server. `success` tells a status that completes the request.
    /// `bearer`: the request carries the client's OAuth token, got before each
    /// try; a 401 to it condemns that token and the request goes again (a
    /// 401 applied nothing, so changes too). A 401 to a token fetched after
    /// the request's previous 401 is the answer; a token already there then
    /// (newer than the refused one, fetched before whatever made the server
    /// refuse it, such as a revocation) is tried, and condemned in turn if
    /// refused; at most kMaxTokenRefusals 401s are followed by another try.
    ExchangeFsm(const RetryPolicy& policy, bool change, clock::time_point deadline, bool (*success)(unsigned status),
                bool bearer = false) noexcept
        : policy_(policy), deadline_(deadline), success_(success), change_(change), bearer_(bearer) {}

    /// The first decision.
    Decision start() noexcept;

    /// A token is ready to carry, or none could be had (`ec`: the token
    /// endpoint's refusal or failure, or the wait was interrupted).
    /// `fetched_since_refusal`: the token was fetched after this request's
    /// last 401 (true before any).
    Decision authorized(error_code ec, bool fetched_since_refusal = true) noexcept;

    static constexpr unsigned kMaxTokenRefusals = 3;

    /// The pool answered an acquire, or a wait ended with a grant (`reused`:
    /// the connection has carried a request before).
    Decision granted(Grant grant, bool reused) noexcept;

    /// The connect slot's connection is ready, or opening it failed (`ec`; a
    /// connect or handshake limit that expired is net::error::timed_out, a
    /// connection failure like any other). Nothing was written, so a failed
    /// connect may be retried for a change too.
    Decision connected(error_code ec, clock::time_point now, double unit_random) noexcept;

    /// The request was written (or writing failed). For the failure events,
    /// `now` decides whether a retry's pause still fits before the deadline,
    /// and `unit_random` (in [0, 1)) draws the jittered backoff.
    Decision written(error_code ec, clock::time_point now, double unit_random) noexcept;

    /// The response was read (or reading failed).
    Decision received(const ResponseOutcome& r, clock::time_point now, double unit_random) noexcept;

    /// The pause of Step::sleep is over (or was cut short by an interruption).
    Decision slept() noexcept;

    /// Something outside the I/O in progress asks the request to stop.
    /// Returns true when the shell must abort what it is doing now (close
    /// the connection in use, end a wait or a pause); the step in progress
    /// then completes (with an error, usually operation_aborted) and the next
    /// event finishes the request. Returns false when the interruption does
    /// not apply: a partial or total cancellation of a change that may have
    /// reached the server (Asio's rule: those promise no side effect, and
    /// stopping now would leave the change in an unknown state as well).
    bool interrupt(Interruption why,
                   boost::asio::cancellation_type type = boost::asio::cancellation_type::terminal) noexcept;

    /// Whether a request is being written or its response read now.
    bool on_the_wire() const noexcept { return state_ == State::writing || state_ == State::reading; }
    bool interrupted() const noexcept { return interruption_.has_value(); }
    std::optional<Interruption> interruption() const noexcept { return interruption_; }

    /// Tries: requests written (or about to be), and connects that failed
    /// before a request could be written.
    unsigned attempts() const noexcept { return attempts_; }
    unsigned retries() const noexcept { return retries_; }  ///< Counted retries taken.
    unsigned stale_resends() const noexcept { return stale_resends_; }
    /// Why the last Step::sleep was decided (a counted retry follows it).
    RetryReason retry_reason() const noexcept { return retry_reason_; }
    bool is_change() const noexcept { return change_; }

private:
    enum class State { idle, authorizing, acquiring, waiting, connecting, writing, reading, sleeping, done };

    /// The request cannot go on; `ec` says why.
    Decision finish(error_code ec, Disposal disposal, Ending ending = Ending::normal) noexcept;
    /// The end of an interrupted request, whatever the step was.
    Decision finish_interrupted(Disposal disposal) noexcept;
    /// A retryable failure: pause and try again if the policy and the
    /// deadline allow, else finish with `ec`.
    Decision retry_or_finish(error_code ec, Disposal disposal, std::optional<std::chrono::milliseconds> hint,
                             clock::time_point now, double unit_random) noexcept;
    /// Try at once on another connection, not counted (a dead pooled connection).
    Decision resend_now(Disposal disposal) noexcept;
    /// The next try begins: with a token first, when the request carries one.
    Decision begin_try(Disposal disposal) noexcept;

    const RetryPolicy& policy_;
    const clock::time_point deadline_;
    bool (*const success_)(unsigned);
    const bool change_;
    const bool bearer_;

    State state_ = State::idle;
    unsigned token_refusals_ = 0;              // 401s that sent the request again with another token
    bool token_fetched_since_refusal_ = true;  // see authorized()
    bool reused_ = false;                      // the connection in use had carried a request before
    bool interrupted_on_the_wire_ = false;     // the interruption came while writing or reading
    std::optional<Interruption> interruption_;
    unsigned attempts_ = 0;
    unsigned retries_ = 0;
    unsigned stale_resends_ = 0;
    RetryReason retry_reason_ = RetryReason::connection_failed;
};

std::ostream& operator<<(std::ostream& os, Step s);
std::ostream& operator<<(std::ostream& os, Disposal d);
std::ostream& operator<<(std::ostream& os, Ending e);
std::ostream& operator<<(std::ostream& os, const Decision& d);

}  // namespace bwvoice::detail

#endif
