#include "core/exchange.hpp"

#include "auth/token_fetch.hpp"

#include "client/config_check.hpp"
#include "common/redact.hpp"
#include "core/error_mapping.hpp"
#include "core/recycler.hpp"
#include "core/response_reader.hpp"
#include "core/retry_policy.hpp"
#include "core/sink_piece.hpp"
#include "core/tls.hpp"

#include <bwvoice/detail/control_escape.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/assert.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <random>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace bwvoice::detail {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

namespace {

// Errors come back as values: an exception per failed request would cost
// more than the request itself.
template <class Executor>
constexpr auto use_tuple = net::as_tuple(net::use_awaitable_t<Executor>{});

/// The exchange whose initiating function is running on this thread, if any.
/// Boost 1.81's co_spawn starts the coroutine with a dispatch, so on a fresh
/// strand inside io_context::run the first steps run inline, and an exchange
/// that ends before any I/O would otherwise complete inside its initiator.
thread_local const void* initiating_exchange = nullptr;

/// Streamed bodies go to the sink in pieces of at most this size.
constexpr std::size_t sink_piece = 64 * 1024;

/// Relays a caller's cancellation onto the exchange's strand. Holds only a
/// weak reference: a slot may still hold it after the exchange has completed.
template <class Inner>
struct CancelRelay {
    std::weak_ptr<Exchange<Inner>> exchange;
    void operator()(net::cancellation_type type) const {
        if (type == net::cancellation_type::none) return;
        if (auto e = exchange.lock()) net::post(e->strand(), [e, type] { e->interrupt(Interruption::caller, type); });
    }
};

/// Whether the calling thread runs `ex`'s context (so that co_spawn starts
/// inline). Unknown for a type-erased executor: taken as yes.
template <class Executor>
bool on_a_thread_of(const Executor& ex) noexcept {
    if constexpr (std::is_same_v<Executor, net::io_context::executor_type>)
        return ex.running_in_this_thread();
    else
        return true;
}

double unit_random() {
    thread_local std::minstd_rand engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string ms_text(clock::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

/// The API's error body, when it is one: {"type": ..., "description": ...}.
void read_api_error(std::string_view body, Diagnostics& diag) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return;
    const auto& o = v.get_object();
    if (auto* t = o.if_contains("type"); t && t->is_string()) diag.api_error_type = t->get_string();
    if (auto* d = o.if_contains("description"); d && d->is_string()) diag.api_error_description = d->get_string();
    // An OAuth token endpoint's error (RFC 6749, 5.2).
    if (auto* t = o.if_contains("error"); t && t->is_string() && diag.api_error_type.empty())
        diag.api_error_type = t->get_string();
    if (auto* d = o.if_contains("error_description"); d && d->is_string() && diag.api_error_description.empty())
        diag.api_error_description = d->get_string();
}

std::string tls_failure_text(Connection& conn, const error_code& ec) {
    long verify = ::SSL_get_verify_result(conn.tls().native_handle());
    if (verify != X509_V_OK)
        return std::string("certificate verification failed: ") + ::X509_verify_cert_error_string(verify);
    return ec.message();
}

/// The exchange's strand: a recycled one on an io_context's own executor.
template <class Inner>
net::strand<Inner> strand_for(ClientImpl& impl, const Inner& inner) {
    if constexpr (std::is_same_v<Inner, net::io_context::executor_type>)
        if (impl.recycler) return impl.recycler->take_strand(inner);
    return net::make_strand(inner);
}

Grant grant_of(Acquired a) noexcept {
    switch (a) {
    case Acquired::connection: return Grant::connection;
    case Acquired::connect_slot: return Grant::connect_slot;
    case Acquired::queued: return Grant::queued;
    case Acquired::closed: return Grant::closed;
    }
    return Grant::closed;
}

}  // namespace

void start_exchange(std::shared_ptr<ClientImpl> impl, Request request, std::unique_ptr<Operation> operation) {
    // With a plain io_context executor the whole exchange is instantiated on
    // the concrete type: any_io_executor would allocate on every completion.
    if (const auto* ioc = impl->executor.target<net::io_context::executor_type>()) {
        const net::io_context::executor_type inner = *ioc;
        Exchange<net::io_context::executor_type>::start(std::move(impl), inner, std::move(request),
                                                        std::move(operation));
    } else {
        const net::any_io_executor inner = impl->executor;
        Exchange<net::any_io_executor>::start(std::move(impl), inner, std::move(request), std::move(operation));
    }
}

template <class Inner>
void Exchange<Inner>::start(std::shared_ptr<ClientImpl> impl, const Inner& inner, Request request,
                            std::unique_ptr<Operation> operation) {
    std::shared_ptr<Exchange> exchange;
    if constexpr (std::is_same_v<Inner, net::io_context::executor_type>) {
        if (impl->recycler) {
            RecyclingAllocator<Exchange> alloc(impl->recycler);
            exchange =
                std::allocate_shared<Exchange>(alloc, std::move(impl), inner, std::move(request), std::move(operation));
        }
    }
    if (!exchange)
        exchange = std::make_shared<Exchange>(std::move(impl), inner, std::move(request), std::move(operation));
    exchange->queue_order = exchange->impl_->requests_issued.fetch_add(1, std::memory_order_relaxed);
    // Enrolled only now that a shared_ptr owns it, so a racing close() can reach it.
    // The token fetch is the client's own, not an operation of the caller's:
    // close() still finds it, PoolStats::in_flight does not count it.
    if (!exchange->impl_->enroll(*exchange, exchange->request_.audience == Audience::api))
        exchange->fsm_.interrupt(Interruption::closed);
    auto slot = exchange->operation_->slot();
    if (slot.is_connected()) slot.template emplace<CancelRelay<Inner>>(CancelRelay<Inner>{exchange});
    auto begin = [exchange] {
        try {
            exchange->drive(std::nullopt, PoolLease{});
        } catch (...) {
            // Out of memory (a timer's wait, a coroutine): the result is still delivered.
            exchange->fail_unexpectedly();
        }
    };
    if (!on_a_thread_of(exchange->strand_.get_inner_executor())) {
        // From outside the context (before run(), or from another thread):
        // posted, so that 100,000 lookups issued so hold their exchanges
        // alone until the context gets to them.
        net::post(exchange->strand_, std::move(begin));
        return;
    }
    // Starting inline is kept (it saves a trip through the scheduler on the
    // hot path); finish() sees the marker and posts the handler instead.
    struct Marker {
        const void* previous;
        explicit Marker(const void* self) : previous(std::exchange(initiating_exchange, self)) {}
        ~Marker() { initiating_exchange = previous; }
    } marker(exchange.get());
    net::dispatch(exchange->strand_, std::move(begin));
}

namespace {

/// The steps run() serves: those that wait on something other than one
/// socket operation, and a download's round trip (its body may go to a sink
/// that makes it wait). drive() takes acquire, wait, finish and an ordinary
/// request's write (its read follows as a plain handler).
constexpr bool served_by_coroutine(Step step, bool sink) noexcept {
    switch (step) {
    case Step::authorize:
    case Step::connect:
    case Step::sleep:
    case Step::read: return true;
    case Step::write: return sink;
    default: return false;
    }
}

}  // namespace

template <class Inner>
void Exchange<Inner>::drive(std::optional<Decision> resumed, PoolLease conn) try {
    Decision d = resumed ? *resumed : fsm_.start();
    for (;;) {
        dispose(conn, d.disposal);
        if (served_by_coroutine(d.step, operation_->sink())) return spawn(d, std::move(conn));
        switch (d.step) {
        case Step::acquire: {
            const Grant got = acquire(conn);
            d = fsm_.granted(got, got == Grant::connection && conn->exchanges > 0);
            break;
        }
        // The pool's answer resumes the exchange (resume_after_wait): a
        // queued request holds no coroutine frame, only its exchange and one
        // timer wait.
        case Step::wait: return wait_for_grant();
        case Step::write:
            prepare_write(conn);
            hot_conn_ = std::move(conn);
            return hot_write();
        default: return finish(d);  // Step::finish: the other steps are run()'s
        }
        arm_deadline_before(d);
    }
} catch (...) {
    // Out of memory (a timer's wait, the request's bytes, a coroutine): the
    // connection held is closed and told here; the caller delivers the result.
    discard_unexpectedly(conn);
    throw;
}

template <class Inner>
void Exchange<Inner>::spawn(std::optional<Decision> resumed, PoolLease conn) {
    // The connection waits in hot_conn_ until the coroutine takes it: if its
    // frame cannot be made, fail_unexpectedly() still finds it there to close
    // and tell (a parameter of run() would be destroyed untold).
    hot_conn_ = std::move(conn);
    net::co_spawn(strand_, run(resumed), [self = this->shared_from_this()](std::exception_ptr e) {
        // Only a bug or an allocation failure gets here; the result must still
        // be delivered, without allocating a message first.
        if (e) self->fail_unexpectedly();
    });
}

template <class Inner>
Exchange<Inner>::Exchange(std::shared_ptr<ClientImpl> impl, const Inner& inner, Request request,
                          std::unique_ptr<Operation> operation)
    : impl_(std::move(impl)),
      strand_(strand_for(*impl_, inner)),
      request_(std::move(request)),
      operation_(std::move(operation)),
      started_(clock::now()),
      deadline_(started_ + impl_->config.request_timeout),
      fsm_(impl_->config.retry, request_.change, deadline_, request_.success,
           request_.audience == Audience::api && impl_->uses_tokens()),
      deadline_timer_(strand_.get_inner_executor()),
      wait_timer_(strand_.get_inner_executor()),
      horizon_(deadline_) {}

template <class Inner>
Exchange<Inner>::~Exchange() {
    // A grant made to an exchange that ended without taking it (an exception
    // on the way) goes back, so the next waiter gets it.
    give_back_grant();
    impl_->withdraw(*this);
    if constexpr (std::is_same_v<Inner, net::io_context::executor_type>)
        if (impl_->recycler) impl_->recycler->give_strand(std::move(strand_));
}

template <class Inner>
void Exchange<Inner>::give_back_grant() noexcept {
    origin().pool.cancel_wait(*this);
    PoolLease unclaimed;  // a connect slot goes back when it goes
    if (origin().pool.take_grant(*this, unclaimed) == Acquired::connection) {
        const std::uint64_t id = unclaimed->id, exchanges = unclaimed->exchanges;
        if (!unclaimed.release(clock::now())) impl_->connection_closed(id, exchanges, CloseReason::client_closed);
    }
}

template <class Inner>
void Exchange<Inner>::wake() noexcept {
    // Called from noexcept paths (the pool giving a place back, the resolver).
    // If the post cannot be allocated, the wait still ends at the deadline.
    try {
        net::post(strand_, [self = this->shared_from_this()] { self->wait_timer_.cancel(); });
    } catch (...) {}
}

template <class Inner>
void Exchange<Inner>::close_from_client() noexcept {
    // Called from ~ConferenceClient through close(). If the post cannot be
    // allocated, the exchange still ends at its deadline.
    try {
        net::post(strand_, [self = this->shared_from_this()] { self->interrupt(Interruption::closed); });
    } catch (...) {}
}

template <class Inner>
std::shared_ptr<LiveExchange> Exchange<Inner>::lock_self() {
    return this->weak_from_this().lock();
}

template <class Inner>
void Exchange<Inner>::interrupt(Interruption why, net::cancellation_type type) {
    if (finished_) {
        // A connect handed over outlives the request, not the client.
        if (connect_outlives_ && why == Interruption::closed && active_) active_->abort();
        return;
    }
    if (!fsm_.interrupt(why, type)) return;
    // End whatever is in progress; its completion reports to the state
    // machine, which then finishes.
    origin().pool.cancel_wait(*this);
    origin().names->cancel_wait(*this);
    if (impl_->tokens) impl_->tokens->cancel_wait(*this);
    wait_timer_.cancel();
    if (connecting_ && why != Interruption::closed) {
        // Tearing down a connect half done wastes it: under a storm of
        // cancellations every connection was torn down before it could serve
        // anyone. The caller gets its answer now; the connect goes on within
        // its own phase limit, no longer the request's deadline, and its
        // connection goes to the pool, where the next waiter takes it.
        try {
            // What can fail (allocations) comes before anything is changed.
            std::string message = "stopped " + connect_phase_text();
            Diagnostics& d = diag();
            arm_timer(phase_end_);
            connect_outlives_ = true;
            horizon_ = clock::time_point::max();
            d.message = std::move(message);
        } catch (...) {
            // Out of memory: the connect is torn down instead (below), and
            // the request finishes when it ends.
        }
        if (connect_outlives_) return finish(fsm_.connected(net::error::operation_aborted, clock::now(), 0.0));
    }
    if (active_) active_->abort();
}

template <class Inner>
std::string Exchange<Inner>::connect_phase_text() const {
    const auto& ep = origin().endpoint;
    switch (connect_phase_) {
    case ConnectPhase::resolving: return "while resolving " + ep.host;
    case ConnectPhase::connecting: return "while connecting to " + ep.host + ":" + ep.port;
    case ConnectPhase::handshaking: return "during the TLS handshake with " + ep.host;
    }
    return {};
}

// ---- the loop: one step at a time, as the state machine says ----------------

template <class Inner>
auto Exchange<Inner>::run(std::optional<Decision> resumed) -> awaitable<void> {
    // Given by spawn(). `conn` gives its place back however the exchange
    // ends; on an exception it is closed and told first.
    PoolLease conn = std::move(hot_conn_);
    auto self = this->shared_from_this();
    try {
        Decision d = resumed ? *resumed : fsm_.start();
        for (;;) {
            if (!served_by_coroutine(d.step, operation_->sink())) {
                // drive() takes it with plain code; this coroutine ends and
                // its frames go back to be reused (an ordinary request's
                // round trip holds none while it is on the wire).
                drive(d, std::move(conn));
                co_return;
            }
            dispose(conn, d.disposal);
            switch (d.step) {
            case Step::authorize: {
                if (d.reject_token && token_) {
                    impl_->tokens->rejected(token_->generation);
                    // Tokens are numbered by their fetch: one numbered above this
                    // count was fetched after the 401, so after whatever made the
                    // server refuse this one (a revocation).
                    if (!refusals_) refusals_ = std::make_unique<Refusals>();
                    refusals_->fetches_at_last = impl_->tokens->fetches();
                    // The 401's body may quote it, and the next try's outcome may
                    // not replace what that body left in Diagnostics.
                    refusals_->tokens.push_back(std::move(token_));
                }
                const error_code ec = co_await authorize();
                d = fsm_.authorized(ec, !refusals_ || (token_ && token_->generation > refusals_->fetches_at_last));
                break;
            }
            case Step::connect: {
                // The two origins may differ in scheme (one https, one plain
                // http under insecure_allow_plain_http).
                conn.attach(std::make_unique<Connection>(impl_->executor,
                                                         origin().endpoint.tls ? impl_->ssl_context.get() : nullptr,
                                                         impl_->config.max_header_bytes));
                connecting_ = true;
                const error_code ec = co_await connect(*conn.connection());
                connecting_ = false;
                if (connect_outlives_) {
                    // Handed over (see interrupt()): the caller has had its answer.
                    active_ = nullptr;
                    deadline_timer_.cancel();  // the phase limit: nothing left to bound
                    if (!ec) {
                        const std::uint64_t id = conn->id;
                        if (!conn.release(clock::now())) impl_->connection_closed(id, 0, CloseReason::client_closed);
                    } else {
                        const std::uint64_t id = conn->id;  // 0 unless TCP connected before the handshake failed
                        discard_telling(conn, id, 0, CloseReason::error);
                    }
                    co_return;
                }
                if (ec) close_reason_ = failure_close_reason();
                d = fsm_.connected(ec, clock::now(), unit_random());
                tell_next_try(d, 0);
                break;
            }
            case Step::write: {
                prepare_write(conn);
                // A download's write, awaited here rather than in a coroutine of
                // its own: each nested frame is one more allocation (Asio keeps
                // two frames per thread).
                Connection& c = *conn.connection();
                active_ = &c;
                error_code ec;
                if (c.is_tls())
                    std::tie(ec, try_bytes_out_) =
                        co_await net::async_write(c.tls(), net::buffer(c.request), use_tuple<strand_type>);
                else
                    std::tie(ec, try_bytes_out_) =
                        co_await net::async_write(c.plain(), net::buffer(c.request), use_tuple<strand_type>);
                active_ = nullptr;
                d = after_write(conn, ec);
                break;
            }
            case Step::read: {
                // Only a download reads here (a request with no sink reads in
                // hot_read()): the status decides where its body goes.
                BOOST_ASSERT(operation_->sink());
                Connection& c = *conn.connection();
                ResponseOutcome r;
                active_ = &c;
                if (c.is_tls())
                    co_await read_on(c.tls(), c, r);
                else
                    co_await read_on(c.plain(), c, r);
                active_ = nullptr;
                d = after_response(conn, r);
                break;
            }
            case Step::sleep:
                co_await sleep(d.delay);
                d = fsm_.slept();
                break;
            default: BOOST_ASSERT_MSG(false, "a step drive() takes"); break;
            }
            arm_deadline_before(d);
        }
    } catch (...) {
        discard_unexpectedly(conn);
        throw;
    }
}

template <class Inner>
void Exchange<Inner>::prepare_write(PoolLease& conn) {
    serialize_request(conn->request);  // on every try: the token or the connection may have changed
    const bool reused = conn->exchanges > 0;
    if (reused) impl_->counters.reuses.fetch_add(1, std::memory_order_relaxed);
    try_bytes_out_ = try_bytes_in_ = 0;
    if (impl_->events) {
        if (reused)
            impl_->events(
                ConnectionReused{.connection = conn->id, .operation = request_.kind, .exchanges = conn->exchanges});
        impl_->events(RequestStarted{
            .operation = request_.kind, .attempt = fsm_.attempts(), .connection = conn->id, .reused = reused});
        try_started_ = clock::now();
    }
}

template <class Inner>
Decision Exchange<Inner>::after_write(PoolLease& conn, error_code ec) {
    forget_request(*conn.connection());
    bytes_out_ += try_bytes_out_;
    if (ec && !aborted_by_interruption(ec)) diag().message = "connection failed: " + ec.message();
    if (ec || fsm_.interrupted()) {
        // Interrupted as the write completed: the try ends here all the same.
        close_reason_ = failure_close_reason();
        tell_try_ended(conn->id, std::nullopt, ec ? ec : make_error_code(net::error::operation_aborted));
    }
    const Decision d = fsm_.written(ec, clock::now(), unit_random());
    tell_next_try(d, conn->id);
    return d;
}

template <class Inner>
Decision Exchange<Inner>::after_response(PoolLease& conn, const ResponseOutcome& r) {
    after_read(*conn.connection(), r);
    if (!r.ec) ++conn->exchanges;
    bytes_in_ += try_bytes_in_;
    record_failure(r);
    // Read only if the connection is discarded: a kept one is released.
    close_reason_ = r.ec ? failure_close_reason() : r.server_closes ? CloseReason::server_closed : CloseReason::error;
    tell_try_ended(conn->id, r.status != 0 ? std::optional<unsigned>(r.status) : std::nullopt, r.ec);
    const Decision d = fsm_.received(r, clock::now(), unit_random());
    tell_next_try(d, conn->id);
    return d;
}

template <class Inner>
void Exchange<Inner>::hot_write() {
    Connection& c = *hot_conn_.connection();
    active_ = &c;
    auto done = net::bind_executor(strand_, [self = this->shared_from_this()](error_code ec, std::size_t n) {
        self->hot_step([&] {
            self->try_bytes_out_ = n;
            self->active_ = nullptr;
            return self->after_write(self->hot_conn_, ec);
        });
    });
    if (c.is_tls())
        net::async_write(c.tls(), net::buffer(c.request), std::move(done));
    else
        net::async_write(c.plain(), net::buffer(c.request), std::move(done));
}

template <class Inner>
void Exchange<Inner>::hot_read() {
    Connection& c = *hot_conn_.connection();
    active_ = &c;
    c.reader.emplace(c.body, impl_->config.max_body_bytes, impl_->config.max_header_bytes);
    auto done = net::bind_executor(strand_, [self = this->shared_from_this()](error_code ec, std::size_t n) {
        self->hot_step([&]() -> std::optional<Decision> {
            Connection& conn = *self->hot_conn_.connection();
            if (self->digest_response(conn, *conn.reader, ec, n, conn.outcome)) {
                self->hot_read();  // an interim response: read the next one
                return std::nullopt;
            }
            self->active_ = nullptr;
            conn.reader.reset();
            const ResponseOutcome r = std::exchange(conn.outcome, ResponseOutcome{});
            return self->after_response(self->hot_conn_, r);
        });
    });
    if (c.is_tls())
        http::async_read(c.tls(), c.buffer, *c.reader, std::move(done));
    else
        http::async_read(c.plain(), c.buffer, *c.reader, std::move(done));
}

template <class Inner>
template <class Report>
void Exchange<Inner>::hot_step(Report report) noexcept {
    try {
        const std::optional<Decision> next = report();
        if (!next) return;
        const Decision d = *next;
        arm_deadline_before(d);
        switch (d.step) {
        case Step::read: dispose(hot_conn_, d.disposal); return hot_read();
        default: return drive(d, std::move(hot_conn_));
        }
    } catch (...) {
        fail_unexpectedly();
    }
}

template <class Inner>
void Exchange<Inner>::fail_unexpectedly() noexcept {
    // The connection of a round trip under way (or one left for a coroutine
    // that could not be made) is in an unknown state: closed and told before
    // the result is delivered, so its place is free when the caller's handler
    // runs. (run() and drive() close and tell the one they hold themselves.)
    active_ = nullptr;
    discard_unexpectedly(hot_conn_);
    finish({.step = Step::finish, .ec = make_error_code(errc::connection_failed)});
}

template <class Inner>
void Exchange<Inner>::discard_unexpectedly(PoolLease& conn) noexcept {
    if (!conn.holds_place()) return;
    // A connect slot may hold no connection yet; one never opened has ID 0
    // and no close to tell.
    const Connection* c = conn.connection();
    discard_telling(conn, c ? c->id : 0, c ? c->exchanges : 0, CloseReason::error);
}

template <class Inner>
void Exchange<Inner>::arm_deadline_before(const Decision& d) {
    if (!deadline_armed_ && d.step != Step::wait && d.step != Step::finish) {
        // While queued the wait itself ends at the deadline; from here on
        // a timer enforces it, so a request queued at once holds one pending
        // timer, not two. (With OAuth the token step comes first and arms
        // it: such a request, queued after, holds both.)
        deadline_armed_ = true;
        arm_timer(deadline_);
    }
}

template <class Inner>
void Exchange<Inner>::wait_for_grant() {
    // The timer is the condition variable: wake() and interrupt() cancel it,
    // and it expires at the deadline. Every wake-up re-checks the grant, so a
    // spurious one only costs a turn.
    if (!std::exchange(waiting_, true)) wait_began_ = clock::now();
    wait_timer_.expires_at(deadline_);
    wait_timer_.async_wait(
        net::bind_executor(strand_, [self = this->shared_from_this()](error_code ec) { self->resume_after_wait(ec); }));
}

template <class Inner>
void Exchange<Inner>::resume_after_wait(error_code wait_ec) noexcept {
    if (finished_) {
        // Finished meanwhile (out of memory on the way): leave the queue and
        // give back anything granted, never go on to send.
        give_back_grant();
        return;
    }
    PoolLease conn;
    try {
        if (!wait_ec) interrupt(Interruption::deadline);
        Grant got = grant_of(origin().pool.take_grant(*this, conn));
        if (got != Grant::queued || fsm_.interrupted()) {
            // One wait, however many wake-ups it took.
            waiting_ = false;
            const auto waited = clock::now() - wait_began_;
            impl_->recorder.pool_wait.record(waited);
            if (impl_->events)
                impl_->events(PoolWaited{.operation = request_.kind,
                                         .waited = waited,
                                         .granted = got == Grant::connection || got == Grant::connect_slot});
        }
        if (got == Grant::connection && !fsm_.interrupted() && !conn->peer_silent()) {
            // Handed over while we waited: the same check as acquire()'s.
            impl_->connection_closed(*conn.connection(), CloseReason::server_closed);
            conn.discard();
            got = acquire(conn);
        }
        const Decision d = fsm_.granted(got, got == Grant::connection && conn->exchanges > 0);
        switch (d.step) {
        case Step::wait: return wait_for_grant();
        case Step::finish: dispose(conn, d.disposal); return finish(d);
        default: arm_deadline_before(d); return drive(d, std::move(conn));
        }
    } catch (...) {
        // Out of memory for the next step (a coroutine, or a write started
        // with the connection granted): the result must still be delivered.
        discard_unexpectedly(conn);
        fail_unexpectedly();
    }
}

template <class Inner>
void Exchange<Inner>::dispose(PoolLease& conn, Disposal disposal) {
    if (!conn.holds_place()) return;
    const std::uint64_t id = conn.connection() ? conn->id : 0;
    const std::uint64_t exchanges = conn.connection() ? conn->exchanges : 0;
    switch (disposal) {
    case Disposal::keep: return;
    case Disposal::release:
        conn->release_large_buffers();  // the response has been used: idle, it keeps no large buffer
        if (!conn.release(clock::now())) impl_->connection_closed(id, exchanges, CloseReason::client_closed);
        return;
    case Disposal::discard:
        // An interruption that arrived while a step completed successfully
        // left close_reason_ as it was: it decides.
        discard_telling(conn, id, exchanges, fsm_.interrupted() ? failure_close_reason() : close_reason_);
        return;
    }
}

template <class Inner>
void Exchange<Inner>::discard_telling(PoolLease& conn, std::uint64_t id, std::uint64_t exchanges, CloseReason why) {
    // Closed and told while its place is still held: once the place is free
    // a waiter on another thread may open a connection in it, and an
    // observer counting open connections must see this one closed first.
    if (conn.connection()) conn->abort();
    impl_->connection_closed(id, exchanges, why);
    conn.discard();
}

template <class Inner>
Grant Exchange<Inner>::acquire(PoolLease& out) {
    std::vector<ConnectionPtr> expired;
    for (;;) {
        out = PoolLease{};
        const Acquired got = origin().pool.acquire(std::static_pointer_cast<PoolWaiter>(this->shared_from_this()), out,
                                                   expired, clock::now());
        for (auto& c : expired) impl_->close_connection(*c, CloseReason::idle_expired);
        expired.clear();
        // Checked on every reuse, not only after a long idle time: a server
        // may have closed the connection, and anything it sent since the last
        // response (a 408, a late or duplicated response) would otherwise be
        // read as this request's answer. The check costs one syscall.
        if (got != Acquired::connection || out->peer_silent()) return grant_of(got);
        impl_->connection_closed(*out.connection(), CloseReason::server_closed);
        out.discard();
    }
}

// ---- the OAuth token ----------------------------------------------------------

template <class Inner>
auto Exchange<Inner>::authorize() -> awaitable<error_code> {
    auto& tokens = *impl_->tokens;
    for (;;) {
        Diagnostics last_failure;
        const TokenCache::Answer a =
            tokens.need(std::static_pointer_cast<TokenWaiter>(this->shared_from_this()), clock::now(), last_failure);
        if (a.start_fetch) {
            try {
                start_token_fetch(impl_);
            } catch (...) {
                // Out of memory: the fetch never started, yet the broker
                // counts it as under way; tell it, or every request would
                // wait for it until its deadline, this one included.
                tokens.fetch_failed(make_error_code(errc::connection_failed), Diagnostics{}, clock::now());
            }
        }
        switch (a.verdict) {
        case TokenCache::Verdict::use: token_ = a.token; co_return error_code{};
        case TokenCache::Verdict::back_off: {
            // The last fetch failed moments ago; the next may start at
            // not_before. A request that cannot wait that long fails now, as
            // the fetch did.
            if (a.not_before >= deadline_) {
                http_status_ = last_failure.http_status;
                diag() = std::move(last_failure);
                co_return a.last_error;
            }
            wait_timer_.expires_at(a.not_before);
            co_await wait_timer_.async_wait(use_tuple<strand_type>);
            if (fsm_.interrupted()) co_return make_error_code(net::error::operation_aborted);
            continue;
        }
        case TokenCache::Verdict::wait: break;
        }
        // As in the pool wait, the timer is the condition variable: the
        // broker's wake() and interrupt() cancel it, and it expires at the
        // deadline. The fetch goes on for the others if we stop waiting.
        while (!tokens.answered(*this)) {
            wait_timer_.expires_at(deadline_);
            auto [wait_ec] = co_await wait_timer_.async_wait(use_tuple<strand_type>);
            if (!wait_ec) interrupt(Interruption::deadline);
            if (fsm_.interrupted()) {
                tokens.cancel_wait(*this);
                diag().message = "stopped while waiting for an OAuth token";
                co_return make_error_code(net::error::operation_aborted);
            }
        }
        const auto outcome = std::move(token_outcome);
        if (outcome->error) {
            http_status_ = outcome->diag.http_status;
            diag() = outcome->diag;
            co_return outcome->error;
        }
        token_ = outcome->token;
        co_return error_code{};
    }
}

// ---- connecting -----------------------------------------------------------

template <class Inner>
auto Exchange<Inner>::resolve(error_code& ec) -> awaitable<Addresses> {
    auto at_once =
        origin().names->resolve_or_wait(std::static_pointer_cast<ResolutionWaiter>(this->shared_from_this()));
    if (at_once) {
        ec = at_once->ec;
        co_return std::move(at_once->addresses);
    }
    std::shared_ptr<const Resolution> outcome;
    while (!outcome) {
        // As in the pool wait, the timer is the condition variable: wake(),
        // interrupt() and the connect limit cancel it, and it expires at the
        // deadline. The resolution itself goes on for the requests after us.
        wait_timer_.expires_at(deadline_);
        auto [wait_ec] = co_await wait_timer_.async_wait(use_tuple<strand_type>);
        if (!wait_ec) interrupt(Interruption::deadline);
        if (fsm_.interrupted() || phase_expired_) {
            origin().names->cancel_wait(*this);
            ec = phase_expired_ ? make_error_code(net::error::timed_out)
                                : make_error_code(net::error::operation_aborted);
            co_return Addresses{};
        }
        outcome = origin().names->take(*this);
    }
    ec = outcome->ec;
    co_return outcome->addresses;  // a copy: the outcome is every waiter's
}

template <class Inner>
auto Exchange<Inner>::connect(Connection& conn) -> awaitable<error_code> {
    const auto& ep = origin().endpoint;
    active_ = &conn;
    arm_phase_timer(impl_->config.connect_timeout);

    connect_phase_ = ConnectPhase::resolving;
    const auto resolve_began = clock::now();
    error_code ec;
    auto endpoints = co_await resolve(ec);
    const auto connect_began = clock::now();
    if (ec) {
        active_ = nullptr;
        end_phase();
        if (fsm_.interrupted()) {
            // The deadline or the caller stopped it: say where, not "Operation canceled".
            diag().message = "stopped while resolving " + ep.host;
            co_return ec;
        }
        diag().message = "cannot resolve " + ep.host + ": " +
                         (phase_expired_ ? "timed out after " + ms_text(impl_->config.connect_timeout) : ec.message());
        co_return ec;
    }
    connect_phase_ = ConnectPhase::connecting;
    auto [cec, endpoint] = co_await net::async_connect(conn.socket(), endpoints, use_tuple<strand_type>);
    const auto connect_ended = clock::now();
    auto handshake_ended = connect_ended;
    if (!cec) {
        // Its ordinal among the connections opened is its ID, so every
        // connection counted as opened is told and counted as closed too (a
        // failed handshake's with reason error, though it never had a
        // ConnectionOpened).
        conn.id = impl_->counters.connections_opened.fetch_add(1, std::memory_order_relaxed) + 1;
        conn.socket().set_option(net::ip::tcp::no_delay(true), cec);
        if (!cec && conn.is_tls()) cec = conn.tls().attach();
    }
    if (cec) {
        active_ = nullptr;
        end_phase();
        if (fsm_.interrupted()) {
            diag().message = "stopped while connecting to " + ep.host + ":" + ep.port;
            co_return cec;
        }
        diag().message = "cannot connect to " + ep.host + ":" + ep.port + ": " +
                         (phase_expired_ ? "timed out after " + ms_text(impl_->config.connect_timeout) : cec.message());
        co_return phase_expired_ ? make_error_code(net::error::timed_out) : cec;
    }

    if (conn.is_tls()) {
        SSL* ssl = conn.tls().native_handle();
        if (auto pec = prepare_tls_connection(ssl, ep.host)) {
            active_ = nullptr;
            end_phase();
            diag().message = "TLS set-up failed: " + pec.message();
            co_return pec;
        }
        if (impl_->config.tls.session_resumption) origin().sessions.offer(ssl);
        arm_phase_timer(impl_->config.handshake_timeout);
        connect_phase_ = ConnectPhase::handshaking;
        auto [hec, unused] = co_await conn.tls().async_handshake(use_tuple<strand_type>);
        if (hec) {
            active_ = nullptr;
            end_phase();
            if (fsm_.interrupted()) {
                diag().message = "stopped during the TLS handshake with " + ep.host;
                co_return hec;
            }
            if (phase_expired_) {
                diag().message =
                    "TLS handshake with " + ep.host + " timed out after " + ms_text(impl_->config.handshake_timeout);
                // Report a silent server as a connection failure (retryable), not a TLS verdict.
                co_return make_error_code(net::error::timed_out);
            }
            diag().message = "TLS handshake with " + ep.host + " failed: " + tls_failure_text(conn, hec);
            co_return hec;
        }
        handshake_ended = clock::now();
        impl_->counters.handshakes.fetch_add(1, std::memory_order_relaxed);
        if (::SSL_session_reused(ssl)) impl_->counters.sessions_resumed.fetch_add(1, std::memory_order_relaxed);
        // The handshake verified as the context says, which a caller's context
        // can switch off; this check is ours, before any byte is written.
        if (auto vec = verify_peer(ssl, ep.host)) {
            active_ = nullptr;
            end_phase();
            diag().message = "TLS handshake with " + ep.host + " failed: " + tls_failure_text(conn, vec);
            co_return vec;
        }
    }
    end_phase();
    active_ = nullptr;
    impl_->recorder.resolve.record(connect_began - resolve_began);
    impl_->recorder.connect.record(connect_ended - connect_began);
    if (conn.is_tls()) impl_->recorder.tls_handshake.record(handshake_ended - connect_ended);
    if (impl_->events)
        impl_->events(ConnectionOpened{
            .connection = conn.id,
            .resolve = connect_began - resolve_began,
            .connect = connect_ended - connect_began,
            .tls_handshake = handshake_ended - connect_ended,
            .tls = conn.is_tls(),
            .session_resumed = conn.is_tls() && ::SSL_session_reused(conn.tls().native_handle()) == 1});
    co_return error_code{};
}

// ---- writing and reading ----------------------------------------------------

template <class Inner>
void Exchange<Inner>::serialize_request(std::string& wire) {
    wire.clear();
    if (request_.method == http::verb::get) {
        // The hot path: the header block shared by every request of the
        // client was serialized once by Beast; a GET adds its request line and
        // its Accept.
        const std::string_view method = http::to_string(request_.method);
        // Reserved exactly: a reallocation on the way would free a copy of
        // the credentials without the cleanse write() gives the buffer.
        wire.reserve(method.size() + 1 + request_.target.size() + 11 + origin().shared_headers.size() +
                     (token_ ? 15 + token_->authorization.size() + 2 : 0) + 8 + request_.accept.size() + 4);
        [[maybe_unused]] const std::size_t reserved = wire.capacity();
        wire.append(method).append(" ").append(request_.target).append(" HTTP/1.1\r\n");
        wire.append(origin().shared_headers);
        if (token_) wire.append("Authorization: ").append(token_->authorization).append("\r\n");
        wire.append("Accept: ").append(request_.accept).append("\r\n\r\n");
        BOOST_ASSERT(wire.capacity() == reserved);
        return;
    }
    // A change: Beast writes the whole message, Content-Length included.
    http::request<http::string_body> req{request_.method, request_.target, 11};
    if (token_) req.set(http::field::authorization, token_->authorization);
    req.set(http::field::accept, request_.accept);
    if (request_.content) {
        if (!request_.content->type.empty()) req.set(http::field::content_type, request_.content->type);
        req.body() = request_.content->body;
    }
    req.prepare_payload();
    std::ostringstream head;
    head << req.base();
    const std::string all = head.str();
    const std::size_t line_end = all.find("\r\n") + 2;
    wire.reserve(all.size() + origin().shared_headers.size() + req.body().size());
    // Request line, our shared headers, then this request's own.
    wire.append(all, 0, line_end).append(origin().shared_headers).append(all, line_end).append(req.body());
}

template <class Inner>
void Exchange<Inner>::forget_request(Connection& conn) noexcept {
    // Written (or never to be): an idle connection must not keep the
    // request's credentials or a change's secrets. The capacity stays.
    ::OPENSSL_cleanse(conn.request.data(), conn.request.size());
    conn.request.clear();
}

template <class Inner>
void Exchange<Inner>::after_read(Connection& conn, const ResponseOutcome& r) {
    if (!r.ec && conn.is_tls() && !conn.session_remembered && impl_->config.tls.session_resumption) {
        // After a full response the TLS 1.3 tickets have arrived, so the session is resumable now.
        origin().sessions.remember(conn.tls().native_handle());
        conn.session_remembered = true;
    }
}

template <class Inner>
bool Exchange<Inner>::digest_response(Connection& conn, ResponseReader& reader, error_code rec, std::size_t n,
                                      ResponseOutcome& r) {
    try_bytes_in_ += n;
    r.response_started = r.response_started || reader.got_some();
    bool body_cut = false;
    if (rec == http::error::body_limit && reader.is_header_done() && !request_.success(reader.status()) &&
        reader.status() >= 200) {
        // An error whose body is larger than we read (a proxy's HTML
        // page): its status still decides (a 503 is retried), the body
        // is left unread, and so the connection is not reused.
        body_cut = true;
    } else if (rec) {
        r.ec = rec;
        return false;
    }
    r.status = reader.status();
    // Interim responses (100 Continue, 103 Early Hints) precede the real one.
    if (r.status >= 100 && r.status < 200 && r.status != 101) return true;
    // Bytes after a complete response were not asked for (no pipelining):
    // whatever they are, they must not be read as the next answer. After a
    // 101 the connection speaks another protocol: never reused.
    r.server_closes = !reader.keep_alive() || reader.need_eof();
    r.keep_alive = !body_cut && r.status != 101 && reader.keep_alive() && !reader.need_eof() && conn.buffer.size() == 0;
    if ((r.status == 429 || r.status == 503) && !reader.retry_after().empty())
        r.retry_after = parse_retry_after(reader.retry_after(), std::chrono::system_clock::now());
    http_status_ = r.status;
    if (diag_) {
        diag_->api_error_type.clear();
        diag_->api_error_description.clear();
    }
    if (request_.success(r.status)) {
        Accepted a = operation_->accept(conn.body, reader.link());
        r.accept_ec = a.ec;
        r.retire = a.retire;
        if (a.ec) diag().message = std::move(a.why);
    } else {
        if (!body_cut) {
            read_api_error(conn.body, diag());
            operation_->refused(conn.body);
        }
        diag().message = "HTTP " + std::to_string(r.status) +
                         (diag().api_error_description.empty() ? "" : ": " + diag().api_error_description) +
                         (body_cut ? " (its body, larger than max_body_bytes, was not read)" : "");
    }
    return false;
}

template <class Inner>
template <class Stream>
auto Exchange<Inner>::read_on(Stream& stream, Connection& conn, ResponseOutcome& r) -> awaitable<void> {
    const ClientConfig& config = impl_->config;
    for (;;) {
        ResponseReader reader(conn.body, config.max_body_bytes, config.max_header_bytes);
        // The status decides where the body goes: read the header first,
        // without letting the parser refuse a media body's length.
        reader.defer_body_limit();
        reader.keep_content_type();
        auto [hec, hn] = co_await http::async_read_header(stream, conn.buffer, reader, use_tuple<strand_type>);
        try_bytes_in_ += hn;
        r.response_started = r.response_started || reader.got_some();
        if (hec) {
            r.ec = hec;
            co_return;
        }
        r.status = reader.status();
        if (r.status >= 100 && r.status < 200 && r.status != 101) continue;
        if (request_.success(r.status)) {
            co_await stream_body(stream, conn, reader, r);
            co_return;
        }
        // Not a success: its body is collected, as any other response's.
        auto [rec, n] = co_await http::async_read(stream, conn.buffer, reader, use_tuple<strand_type>);
        if (digest_response(conn, reader, rec, n, r)) continue;
        co_return;
    }
}

template <class Inner>
template <class Stream>
auto Exchange<Inner>::stream_body(Stream& stream, Connection& conn, ResponseReader& reader, ResponseOutcome& r)
    -> awaitable<void> {
    MediaSink* const sink = operation_->sink();
    http_status_ = r.status;
    // A copy: a chunked body's trailer could still bring a Content-Type.
    const std::string content_type = reader.content_type();
    reader.stream_in_pieces(sink_piece);
    // Beast reads at most what the buffer has room for: through the ordinary
    // 4 KiB a 1 GiB body took 262,144 reads (and parser calls). With room for
    // Beast's largest read, one read hands over up to four TLS records.
    // release_large_buffers() gives the room back once the body is done.
    conn.buffer.reserve(http_read_chunk);
    // The sink's `done` holds a SinkPiece, never the exchange (see
    // sink_piece.hpp): the wait for it is ours, on wait_timer_.
    const std::shared_ptr<Liveness> context = liveness_of(impl_->executor);
    const std::weak_ptr<PoolWaiter> self = std::static_pointer_cast<PoolWaiter>(this->shared_from_this());
    std::string spare;  // the last piece's buffer, back from the sink, for the next one
    for (;;) {
        auto [ec, n] = co_await http::async_read(stream, conn.buffer, reader, use_tuple<strand_type>);
        try_bytes_in_ += n;
        if (fsm_.interrupted()) {
            // Stopped (deadline, cancellation, close): the sink gets nothing
            // more, however many bytes are still buffered.
            r.ec = net::error::operation_aborted;
            co_return;
        }
        if (!conn.body.empty()) {
            if (!sink_started_) {
                sink_started_ = true;
                sink->start(content_type, reader.body_length());
            }
            r.body_delivered = true;
            // The piece's bytes move into the piece, so they stay valid until
            // `done` even if the exchange ends first.
            auto piece = std::make_shared<SinkPiece>(self, context);
            piece->data.swap(conn.body);
            conn.body.swap(spare);
            conn.body.reserve(sink_piece);
            sink_bytes_ += piece->data.size();
            sink->write(net::buffer(piece->data), SinkPiece::done_of(piece));
            // Nothing more is read until the sink is done with the piece
            // (backpressure). As for the pool's waits, the timer is the
            // condition variable: `done` and interrupt() cancel it, and it
            // expires at the deadline, so a sink that is slow or never
            // answers cannot hold the request past it.
            std::optional<error_code> answer;
            while (!(answer = piece->answer_or_wait()) && !fsm_.interrupted()) {
                wait_timer_.expires_at(deadline_);
                auto [wait_ec] = co_await wait_timer_.async_wait(use_tuple<strand_type>);
                if (!wait_ec) interrupt(Interruption::deadline);
            }
            if (!answer || fsm_.interrupted()) {
                // The request ends now; a late `done` does nothing, and the
                // bytes stay with it.
                piece->abandon();
                r.ec = net::error::operation_aborted;
                co_return;
            }
            spare = std::move(piece->data);  // the sink is done with them
            spare.clear();
            if (*answer) {
                r.ec = *answer;
                r.sink_failed = true;
                co_return;
            }
        }
        if (ec == http::error::need_buffer) continue;
        if (ec) {
            r.ec = ec;
            co_return;
        }
        break;
    }
    if (!sink_started_) {
        sink_started_ = true;
        sink->start(content_type, reader.body_length());
    }
    r.server_closes = !reader.keep_alive() || reader.need_eof();
    r.keep_alive = reader.keep_alive() && !reader.need_eof() && conn.buffer.size() == 0;
    operation_->streamed(sink_bytes_, content_type);
    // Whole only when its end can be verified: as many bytes as Content-Length
    // said (the parser checks), or a chunked body up to its last chunk.
    if (!reader.body_length() && !reader.chunked()) {
        r.accept_ec = make_error_code(errc::bad_response);
        diag().message = "the body's end cannot be verified: no Content-Length and not chunked";
    }
}

// The abort that an interruption (the caller, the deadline, close()) makes
// is not a failure: the message says why the operation ended, and the last
// real failure, if any, stays its "last failure". (bad_descriptor: a plain
// HTTP stream's next read or write on the socket the interruption closed.)
template <class Inner>
bool Exchange<Inner>::aborted_by_interruption(error_code ec) const noexcept {
    return fsm_.interrupted() && (ec == net::error::operation_aborted || ec == net::error::bad_descriptor);
}

template <class Inner>
void Exchange<Inner>::record_failure(const ResponseOutcome& r) {
    if (!r.ec || aborted_by_interruption(r.ec)) return;
    if (r.sink_failed) {
        diag().message = "the sink failed: " + r.ec.message();
        return;
    }
    const errc code = errc_for_transport(r.ec);
    diag().message = (code == errc::bad_response ? "malformed response: " : "connection failed: ") + r.ec.message();
}

template <class Inner>
auto Exchange<Inner>::sleep(std::chrono::milliseconds delay) -> awaitable<void> {
    const auto until = clock::now() + delay;
    while (!fsm_.interrupted() && clock::now() < until) {
        wait_timer_.expires_at(until);
        co_await wait_timer_.async_wait(use_tuple<strand_type>);
    }
}

// ---- timers -------------------------------------------------------------------

template <class Inner>
void Exchange<Inner>::arm_timer(clock::time_point until) {
    // One timer serves the deadline and, while connecting, the shorter
    // connect and handshake limits. Re-arming cancels a pending wait, but not
    // one that has already expired and whose handler is queued (the reactor
    // found the timer and the phase's completion ready together): it then
    // runs with success, so each arming has a generation and a handler of an
    // earlier one does nothing.
    const std::uint64_t generation = ++timer_generation_;
    deadline_timer_.expires_at(until);
    deadline_timer_.async_wait(
        net::bind_executor(strand_, [self = this->shared_from_this(), until, generation](error_code ec) {
            if (ec || generation != self->timer_generation_) return;
            if (self->connect_outlives_) {
                // A handed-over connect that overran its phase.
                self->phase_expired_ = true;
                if (self->active_) self->active_->abort();
                return;
            }
            if (self->finished_) return;
            if (until >= self->deadline_) return self->interrupt(Interruption::deadline);
            self->phase_expired_ = true;
            if (self->active_) self->active_->abort();
            self->wait_timer_.cancel();  // a wait for name resolution
        }));
}

template <class Inner>
void Exchange<Inner>::arm_phase_timer(clock::duration limit) {
    phase_expired_ = false;
    phase_end_ = clock::now() + limit;
    arm_timer(std::min(horizon_, phase_end_));
}

template <class Inner>
void Exchange<Inner>::end_phase() {
    if (!fsm_.interrupted()) arm_timer(deadline_);
}

// ---- the end ---------------------------------------------------------------------

template <class Inner>
void Exchange<Inner>::finish(const Decision& d) noexcept {
    if (finished_) return;
    finished_ = true;
    if (!connect_outlives_) {
        active_ = nullptr;  // a phase-timer expiry already queued must not reach a connection that is gone
        deadline_timer_.cancel();
    }
    wait_timer_.cancel();
    // However it ended (an exception out of a wait included), the broker
    // must not keep it queued: it would keep the request, and the client, alive.
    if (impl_->tokens) impl_->tokens->cancel_wait(*this);
    origin().pool.cancel_wait(*this);  // likewise the pool's queue
    Diagnostics out = diag_ ? std::move(*diag_) : Diagnostics{};
    out.http_status = http_status_;
    out.attempts = fsm_.attempts();
    out.retries = fsm_.retries();
    impl_->counters.retries.fetch_add(fsm_.retries(), std::memory_order_relaxed);
    impl_->counters.stale_resends.fetch_add(fsm_.stale_resends(), std::memory_order_relaxed);
    try {
        std::string last = out.message.empty() ? "" : " (last failure: " + out.message + ")";
        if (auto why = fsm_.interruption()) {
            switch (*why) {
            case Interruption::caller: out.message = "cancelled by the caller" + last; break;
            case Interruption::deadline:
                out.message = "no result within the deadline of " + ms_text(impl_->config.request_timeout) + last;
                break;
            case Interruption::closed: out.message = "the client was closed" + last; break;
            }
        }
        if (d.ec && out.message.empty()) out.message = d.ec.message();
        if (!d.ec) out.message.clear();
        switch (d.ending) {
        case Ending::normal:
        case Ending::retries_exhausted: break;
        case Ending::retry_would_pass_deadline:
            out.message +=
                "; not retried: the pause before the next try (" + ms_text(d.delay) + ") would pass the deadline";
            break;
        case Ending::change_may_have_been_applied:
            out.message += "; the change may have been applied: it was not resent";
            break;
        case Ending::body_already_delivered:
            out.message += "; part of the body had reached the sink: not retried";
            break;
        }
        // Everything in Diagnostics may quote the server; none of it may carry
        // the credentials. (A success has no text: nothing to search, and no
        // list of secrets to allocate.)
        if (!out.message.empty() || !out.api_error_type.empty() || !out.api_error_description.empty()) {
            const std::string_view auth = impl_->authorization;
            const std::string_view credentials = auth.substr(auth.find(' ') + 1);
            // One pass over all of them: separate passes would search text
            // already redacted, and overlapping secrets would leave pieces behind.
            std::vector<std::string_view> secrets{auth, credentials, impl_->config.password,
                                                  impl_->config.client_secret};
            const auto add_token = [&](const std::shared_ptr<const AccessToken>& carried) {
                if (!carried) return;
                const std::string_view bearer = carried->authorization;
                secrets.push_back(bearer);
                secrets.push_back(bearer.substr(std::min(bearer.size(), bearer.find(' ') + 1)));
            };
            add_token(token_);
            if (refusals_)
                for (const auto& refused : refusals_->tokens) add_token(refused);
            if (request_.content)
                secrets.insert(secrets.end(), request_.content->secrets.begin(), request_.content->secrets.end());
            // A secret holding a control character may come back escaped
            // (the server's escaping, or ours below): that form is looked for too.
            std::vector<std::string> escaped;
            for (std::string_view secret : secrets) {
                if (first_unsafe_in_log(secret) == std::string_view::npos) continue;
                escaped.emplace_back(secret);
                escape_control_characters(escaped.back());
            }
            for (const std::string& e : escaped) secrets.push_back(e);
            for (std::string* text : {&out.message, &out.api_error_type, &out.api_error_description})
                redact(*text, secrets);
            // The message is for logs; the api_error fields stay the server's
            // text as it was (a caller may compare them). Escaping can spell a
            // secret out (one holding the two characters "\n", echoed with a
            // real line break): look again.
            if (escape_control_characters(out.message)) redact(out.message, secrets);
        }
    } catch (...) {
        // Out of memory while writing the diagnostics: deliver without them
        // rather than lose the result. What was not redacted is dropped.
        Diagnostics counts_only;
        counts_only.attempts = out.attempts;
        counts_only.retries = out.retries;
        out = std::move(counts_only);
    }
    if (MediaSink* sink = operation_->sink()) {
        try {
            sink->finish(!d.ec && sink_started_);
        } catch (...) {}
    }
    // Counted as completed and no longer in flight before the handler can
    // run, so stats() called from the handler sees it finished. A connect
    // handed over stays where close() finds it.
    if (connect_outlives_)
        impl_->stop_counting(*this);
    else
        impl_->withdraw(*this);
    (request_.audience == Audience::api ? impl_->counters.lookups_completed : impl_->counters.token_fetches)
        .fetch_add(1, std::memory_order_relaxed);
    impl_->recorder.bytes(bytes_out_, bytes_in_);
    impl_->operation_ended(request_.kind, d.ec, out.http_status, out.attempts, clock::now() - started_);
    // The one step that can still fail is Asio allocating the delivery of
    // the handler itself, and nothing could deliver it then.
    try {
        operation_->complete(d.ec, std::move(out), initiating_exchange == this);
    } catch (...) {}
}

// ---- what the metrics and the observer are told ---------------------------------

template <class Inner>
void Exchange<Inner>::tell_next_try(const Decision& d, std::uint64_t connection) {
    if (d.step == Step::sleep) {
        impl_->recorder.retried(fsm_.retry_reason());
        if (impl_->events)
            impl_->events(RetryScheduled{.operation = request_.kind,
                                         .attempt = fsm_.attempts(),
                                         .reason = fsm_.retry_reason(),
                                         .backoff = d.delay});
    }
    if (fsm_.stale_resends() != stale_resends_told_) {
        stale_resends_told_ = fsm_.stale_resends();
        // The server had closed the idle connection: the keep-alive race.
        close_reason_ = CloseReason::server_closed;
        if (impl_->events)
            impl_->events(
                StaleResend{.operation = request_.kind, .attempt = fsm_.attempts(), .connection = connection});
    }
}

template <class Inner>
void Exchange<Inner>::tell_try_ended(std::uint64_t connection, std::optional<unsigned> status, error_code ec) {
    if (!impl_->events) return;
    impl_->events(RequestEnded{.operation = request_.kind,
                               .attempt = fsm_.attempts(),
                               .connection = connection,
                               .status = status,
                               .ec = ec,
                               .duration = clock::now() - try_started_,
                               .bytes_out = try_bytes_out_,
                               .bytes_in = try_bytes_in_});
}

template <class Inner>
CloseReason Exchange<Inner>::failure_close_reason() const noexcept {
    if (auto why = fsm_.interruption())
        return *why == Interruption::closed ? CloseReason::client_closed : CloseReason::interrupted;
    return CloseReason::error;
}

template class Exchange<net::io_context::executor_type>;
template class Exchange<net::any_io_executor>;

}  // namespace bwvoice::detail
