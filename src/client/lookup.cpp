#include "client/lookup.hpp"

#include "client/config_check.hpp"
#include "client/redact.hpp"
#include "client/response_reader.hpp"
#include "client/retry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/json/parse.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <initializer_list>
#include <utility>
#include <random>

namespace bwvoice::detail {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

namespace {

// Errors come back as values: an exception per failed lookup would cost more
// than the lookup itself.
template <class Executor>
constexpr auto use_tuple = net::as_tuple(net::use_awaitable_t<Executor>{});

/// The lookup whose initiating function is running on this thread, if any.
/// Boost 1.81's co_spawn starts the coroutine with a dispatch, so on a fresh
/// strand inside io_context::run the first steps run inline, and a lookup
/// that fails before any I/O would otherwise complete inside its initiator.
thread_local const void* initiating_lookup = nullptr;

/// Relays a caller's cancellation onto the lookup's strand. Holds only a weak
/// reference: a slot may still hold it after the lookup has completed.
template <class Inner>
struct CancelRelay {
    std::weak_ptr<Lookup<Inner>> lookup;
    void operator()(net::cancellation_type type) const {
        if (type == net::cancellation_type::none) return;
        if (auto l = lookup.lock()) net::post(l->strand(), [l] { l->abort(AbortReason::caller_cancelled); });
    }
};

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
}

std::string tls_failure_text(Connection& conn, const error_code& ec) {
    long verify = ::SSL_get_verify_result(conn.tls().native_handle());
    if (verify != X509_V_OK)
        return std::string("certificate verification failed: ") + ::X509_verify_cert_error_string(verify);
    return ec.message();
}

}  // namespace


void start_lookup(std::shared_ptr<ClientImpl> impl, std::string id, LookupCompletion completion) {
    // With a plain io_context executor the whole lookup is instantiated on
    // the concrete type: any_io_executor would allocate on every completion.
    if (const auto* ioc = impl->executor.target<net::io_context::executor_type>()) {
        const net::io_context::executor_type inner = *ioc;
        Lookup<net::io_context::executor_type>::start(std::move(impl), inner, std::move(id), std::move(completion));
    } else {
        const net::any_io_executor inner = impl->executor;
        Lookup<net::any_io_executor>::start(std::move(impl), inner, std::move(id), std::move(completion));
    }
}

template <class Inner>
void Lookup<Inner>::start(std::shared_ptr<ClientImpl> impl, const Inner& inner, std::string id,
                          LookupCompletion completion) {
    auto lookup = std::make_shared<Lookup>(std::move(impl), inner, std::move(id), std::move(completion));
    if (!lookup->impl_->enroll(*lookup)) lookup->abort_ = AbortReason::client_closed;
    auto slot = lookup->completion_.slot();
    if (slot.is_connected()) slot.template emplace<CancelRelay<Inner>>(CancelRelay<Inner>{lookup});
    // Starting inline is kept (it saves a trip through the scheduler on the
    // hot path); finish() sees the marker and posts the handler instead.
    struct Marker {
        const void* previous;
        explicit Marker(const void* self) : previous(std::exchange(initiating_lookup, self)) {}
        ~Marker() { initiating_lookup = previous; }
    } marker(lookup.get());
    net::co_spawn(lookup->strand_, lookup->run(), [lookup](std::exception_ptr e) {
        // Only a bug or an allocation failure gets here; the result must still
        // be delivered, without allocating a message first.
        if (e) lookup->finish(make_error_code(errc::connection_failed));
    });
}

template <class Inner>
Lookup<Inner>::Lookup(std::shared_ptr<ClientImpl> impl, const Inner& inner, std::string id,
                      LookupCompletion completion)
    : impl_(std::move(impl)),
      strand_(net::make_strand(inner)),
      id_(std::move(id)),
      completion_(std::move(completion)),
      deadline_(clock::now() + impl_->config.request_timeout),
      deadline_timer_(strand_),
      wait_timer_(strand_) {}

template <class Inner>
Lookup<Inner>::~Lookup() {
    // A grant made to a lookup that ended without taking it (an exception
    // on the way) goes back, so the next waiter gets it.
    PoolLease unclaimed;
    if (impl_->pool.take_grant(*this, unclaimed) == Acquired::connection) unclaimed.release();
    impl_->withdraw(*this);
}

template <class Inner>
void Lookup<Inner>::wake() noexcept {
    // Called from noexcept paths (the pool giving a place back, the resolver).
    // If the post cannot be allocated, the wait still ends at the deadline.
    try {
        net::post(strand_, [self = this->shared_from_this()] { self->wait_timer_.cancel(); });
    } catch (...) {
    }
}

template <class Inner>
void Lookup<Inner>::close_from_client() noexcept {
    // Called from ~ConferenceClient through close(). If the post cannot be
    // allocated, the lookup still ends at its deadline.
    try {
        net::post(strand_, [self = this->shared_from_this()] { self->abort(AbortReason::client_closed); });
    } catch (...) {
    }
}

template <class Inner>
std::shared_ptr<LiveLookup> Lookup<Inner>::lock_self() {
    return this->weak_from_this().lock();
}

template <class Inner>
void Lookup<Inner>::abort(AbortReason reason) {
    if (abort_ != AbortReason::none || finished_) return;
    abort_ = reason;
    impl_->pool.cancel_wait(*this);
    wait_timer_.cancel();
    if (active_) active_->abort();
}

template <class Inner>
auto Lookup<Inner>::run() -> awaitable<void> {
    auto self = this->shared_from_this();
    if (abort_ != AbortReason::none) co_return finish_aborted();
    if (id_.empty()) co_return finish_with(errc::bad_request, "the conference ID is empty; nothing was sent");
    // Percent-encoding cannot help: servers decode %2E before resolving dot-segments.
    if (is_dot_segment(id_)) co_return finish_with(errc::bad_request, "'.' and '..' are not conference IDs; nothing was sent");

    for (;;) {
        if (abort_ != AbortReason::none) co_return finish_aborted();
        PoolLease conn;  // gives its place back however this iteration ends, exceptions included
        // The wait is written out here rather than in a helper coroutine: a
        // queued lookup then holds one coroutine frame, not two.
        Acquired got = try_acquire(conn);  // checks a pooled connection before reuse
        const bool waited = got == Acquired::queued;
        while (got == Acquired::queued) {
            // The timer is the condition variable: wake() and abort() cancel
            // it, and it expires at the lookup's deadline. Every wake-up
            // re-checks the grant, so a spurious one only costs a loop.
            wait_timer_.expires_at(deadline_);
            auto [wait_ec] = co_await wait_timer_.async_wait(use_tuple<strand_type>);
            if (!wait_ec) abort(AbortReason::deadline);  // expired: the lookup's time is up
            got = impl_->pool.take_grant(*this, conn);
            // Aborted but granted: the grant is taken and given back below, so
            // the next waiter is not starved (Boost.MySQL #509).
            if (got == Acquired::queued && abort_ != AbortReason::none) break;
        }
        if (!deadline_armed_) {
            // While queued the wait itself ends at the deadline; from here on
            // a timer enforces it, so a queued lookup holds one pending timer, not two.
            deadline_armed_ = true;
            arm_timer(deadline_);
        }
        if (got == Acquired::closed) co_return finish_with(errc::cancelled, "the client was closed");
        if (waited && got == Acquired::connection && abort_ == AbortReason::none && !conn->peer_silent()) {
            // Handed over while we waited: the same check as try_acquire's
            // (once per reuse: it costs a syscall).
            give_back(std::move(conn), false);
            continue;
        }
        if (abort_ != AbortReason::none) {
            // A granted, unused connection goes back reusable, so the next
            // waiter does not lose its turn; an unused connect slot is freed.
            const bool unused_connection = conn.connection() != nullptr;
            give_back(std::move(conn), unused_connection);
            co_return finish_aborted();
        }

        if (got == Acquired::connect_slot) {
            conn.attach(std::make_unique<Connection>(impl_->executor, impl_->ssl_context.get(),
                                                     impl_->config.max_header_bytes));
            const error_code ec = co_await connect(*conn.connection());
            if (ec) {
                give_back(std::move(conn), false);
                if (abort_ != AbortReason::none) co_return finish_aborted();
                ++diag_.attempts;  // a try, though no request could be written
                const errc code = errc_for_transport(ec);
                // A name the DNS says does not exist will not exist a moment later.
                const bool final_failure = ec == net::error::host_not_found;
                if (!final_failure && is_retryable_transport(code) && co_await back_off(std::nullopt)) continue;
                if (abort_ != AbortReason::none) co_return finish_aborted();
                co_return finish(make_error_code(code));
            }
        }

        // Serialized only now: a lookup queued for a connection holds no request.
        if (request_.empty()) serialize_request();
        const bool reused = conn->exchanges > 0;
        ++diag_.attempts;
        if (reused) impl_->counters.reuses.fetch_add(1, std::memory_order_relaxed);
        ExchangeResult r = co_await exchange(*conn.connection());

        if (abort_ != AbortReason::none) {
            give_back(std::move(conn), false);
            co_return finish_aborted();
        }
        if (r.ec) {
            give_back(std::move(conn), false);
            if (is_stale_connection_failure(r.ec, reused, r.response_started)) {
                impl_->counters.stale_resends.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            const errc code = errc_for_transport(r.ec);
            diag_.message = (code == errc::bad_response ? "malformed response: " : "connection failed: ") +
                            r.ec.message();
            if (is_retryable_transport(code) && co_await back_off(std::nullopt)) continue;
            if (abort_ != AbortReason::none) co_return finish_aborted();
            co_return finish(make_error_code(code));
        }

        ++conn->exchanges;
        if (conn->is_tls() && !conn->session_remembered && impl_->config.tls.session_resumption) {
            // After a full response the TLS 1.3 tickets have arrived, so the session is resumable now.
            impl_->sessions.remember(conn->tls().native_handle());
            conn->session_remembered = true;
        }

        diag_.http_status = r.status;
        diag_.api_error_type.clear();
        diag_.api_error_description.clear();
        if (r.status == 200) co_return finish_decoding(std::move(conn), r.keep_alive);

        read_api_error(conn->body, diag_);
        give_back(std::move(conn), r.keep_alive);
        const errc code = r.status / 100 == 2 ? errc::bad_response : errc_for_status(r.status);
        diag_.message = "HTTP " + std::to_string(r.status) +
                        (diag_.api_error_description.empty() ? "" : ": " + diag_.api_error_description);
        if (is_retryable_status(r.status)) {
            std::optional<std::chrono::milliseconds> hint;
            if (!r.retry_after.empty()) hint = parse_retry_after(r.retry_after, std::chrono::system_clock::now());
            if (co_await back_off(hint)) continue;
            if (abort_ != AbortReason::none) co_return finish_aborted();
        }
        co_return finish(make_error_code(code));
    }
}

template <class Inner>
void Lookup<Inner>::serialize_request() {
    const std::string target = conference_target(impl_->endpoint, id_);
    request_.reserve(4 + target.size() + 11 + impl_->request_headers.size());
    request_.append("GET ").append(target).append(" HTTP/1.1\r\n").append(impl_->request_headers);
}

// Not a coroutine, so the decoded Conference lives on the stack, not in every
// lookup's coroutine frame.
template <class Inner>
void Lookup<Inner>::finish_decoding(PoolLease conn, bool keep_alive) {
    Conference conference;
    std::string why;
    const error_code ec = parse_conference(conn->body, conference, &why);
    // A result is never attributed to the wrong ID: a conference other than
    // the one asked for means the connection's responses are out of step (a
    // late or duplicated response, a confused proxy), so it is not reused.
    const bool for_this_id = !ec && conference.id == id_;
    give_back(std::move(conn), keep_alive && for_this_id);
    if (ec) {
        diag_.message = "invalid conference in the response: " + why;
        return finish(ec);
    }
    if (!for_this_id) {
        diag_.message = "the response is for conference '" + conference.id + "', not the one requested";
        return finish(make_error_code(errc::bad_response));
    }
    finish({}, std::move(conference));
}

template <class Inner>
Acquired Lookup<Inner>::try_acquire(PoolLease& out) {
    std::vector<ConnectionPtr> expired;
    for (;;) {
        const Acquired got =
            impl_->pool.acquire(std::static_pointer_cast<PoolWaiter>(this->shared_from_this()), out, expired);
        for (auto& c : expired) c->abort();
        expired.clear();
        // Checked on every reuse, not only after a long idle time: a server
        // may have closed the connection, and anything it sent since the last
        // response (a 408, a late or duplicated response) would otherwise be
        // read as this lookup's answer. A fresh connection is only checked by
        // the ID in the response. The check costs one syscall.
        if (got != Acquired::connection || out->peer_silent()) return got;
        give_back(std::move(out), false);
    }
}

template <class Inner>
void Lookup<Inner>::arm_timer(clock::time_point until) {
    // One timer serves the lookup's deadline and, while connecting, the
    // shorter connect and handshake limits. Re-arming cancels a pending wait,
    // but not one that has already expired and whose handler is queued (the
    // reactor found the timer and the phase's completion ready together): it
    // then runs with success, so each arming has a generation and a handler
    // of an earlier one does nothing.
    const std::uint64_t generation = ++timer_generation_;
    deadline_timer_.expires_at(until);
    deadline_timer_.async_wait([self = this->shared_from_this(), until, generation](error_code ec) {
        if (ec || generation != self->timer_generation_ || self->finished_) return;
        if (until >= self->deadline_) return self->abort(AbortReason::deadline);
        self->phase_expired_ = true;
        if (self->active_) self->active_->abort();
        self->wait_timer_.cancel();  // a wait for name resolution
    });
}

template <class Inner>
void Lookup<Inner>::arm_phase_timer(clock::duration limit) {
    phase_expired_ = false;
    arm_timer(std::min(deadline_, clock::now() + limit));
}

template <class Inner>
void Lookup<Inner>::end_phase() {
    if (abort_ == AbortReason::none) arm_timer(deadline_);
}

template <class Inner>
auto Lookup<Inner>::resolve(error_code& ec) -> awaitable<Addresses> {
    auto outcome = impl_->names->resolve_or_wait(std::static_pointer_cast<ResolutionWaiter>(this->shared_from_this()));
    while (!outcome) {
        // As in the pool wait, the timer is the condition variable: wake(),
        // abort() and the connect limit cancel it, and it expires at the
        // deadline. The resolution itself goes on for the lookups after us.
        wait_timer_.expires_at(deadline_);
        auto [wait_ec] = co_await wait_timer_.async_wait(use_tuple<strand_type>);
        if (!wait_ec) abort(AbortReason::deadline);
        if (abort_ != AbortReason::none || phase_expired_) {
            impl_->names->cancel_wait(*this);
            ec = phase_expired_ ? make_error_code(net::error::timed_out) : make_error_code(net::error::operation_aborted);
            co_return Addresses{};
        }
        outcome = impl_->names->take(*this);
    }
    ec = outcome->ec;
    co_return std::move(outcome->addresses);
}

template <class Inner>
auto Lookup<Inner>::connect(Connection& conn) -> awaitable<error_code> {
    const auto& ep = impl_->endpoint;
    active_ = &conn;
    arm_phase_timer(impl_->config.connect_timeout);

    error_code ec;
    auto endpoints = co_await resolve(ec);
    if (ec) {
        active_ = nullptr;
        end_phase();
        if (abort_ != AbortReason::none) {
            // The deadline or the caller stopped it: say where, not "Operation canceled".
            diag_.message = "stopped while resolving " + ep.host;
            co_return ec;
        }
        diag_.message = "cannot resolve " + ep.host + ": " +
                        (phase_expired_ ? "timed out after " + ms_text(impl_->config.connect_timeout) : ec.message());
        co_return ec;
    }
    auto [cec, endpoint] = co_await net::async_connect(conn.tcp().socket(), endpoints, use_tuple<strand_type>);
    if (!cec) {
        impl_->counters.connections_opened.fetch_add(1, std::memory_order_relaxed);
        conn.tcp().socket().set_option(net::ip::tcp::no_delay(true), cec);
    }
    if (cec) {
        active_ = nullptr;
        end_phase();
        if (abort_ != AbortReason::none) {
            diag_.message = "stopped while connecting to " + ep.host + ":" + ep.port;
            co_return cec;
        }
        diag_.message = "cannot connect to " + ep.host + ":" + ep.port + ": " +
                        (phase_expired_ ? "timed out after " + ms_text(impl_->config.connect_timeout) : cec.message());
        co_return cec;
    }

    if (conn.is_tls()) {
        SSL* ssl = conn.tls().native_handle();
        if (auto pec = prepare_tls_connection(ssl, ep.host)) {
            active_ = nullptr;
            end_phase();
            diag_.message = "TLS set-up failed: " + pec.message();
            co_return pec;
        }
        if (impl_->config.tls.session_resumption) impl_->sessions.offer(ssl);
        arm_phase_timer(impl_->config.handshake_timeout);
        auto [hec] = co_await conn.tls().async_handshake(net::ssl::stream_base::client, use_tuple<strand_type>);
        if (hec) {
            active_ = nullptr;
            end_phase();
            if (abort_ != AbortReason::none) {
                diag_.message = "stopped during the TLS handshake with " + ep.host;
                co_return hec;
            }
            if (phase_expired_) {
                diag_.message = "TLS handshake with " + ep.host + " timed out after " +
                                ms_text(impl_->config.handshake_timeout);
                // Report a silent server as a connection failure (retryable), not a TLS verdict.
                co_return make_error_code(net::error::timed_out);
            }
            diag_.message = "TLS handshake with " + ep.host + " failed: " + tls_failure_text(conn, hec);
            co_return hec;
        }
        impl_->counters.handshakes.fetch_add(1, std::memory_order_relaxed);
        if (::SSL_session_reused(ssl)) impl_->counters.sessions_resumed.fetch_add(1, std::memory_order_relaxed);
        // The handshake verified as the context says, which a caller's context
        // can switch off; this check is ours, before any byte is written.
        if (auto vec = verify_peer(ssl, ep.host)) {
            active_ = nullptr;
            end_phase();
            diag_.message = "TLS handshake with " + ep.host + " failed: " + tls_failure_text(conn, vec);
            co_return vec;
        }
    }
    end_phase();
    active_ = nullptr;
    co_return error_code{};
}

template <class Inner>
template <class Stream>
auto Lookup<Inner>::exchange_on(Stream& stream, Connection& conn, ExchangeResult& r) -> awaitable<void> {
    const ClientConfig& config = impl_->config;
    auto [wec, written] = co_await net::async_write(stream, net::buffer(request_), use_tuple<strand_type>);
    (void)written;
    if (wec) {
        r.ec = wec;
        co_return;
    }
    for (;;) {
        ResponseReader reader(conn.body, config.max_body_bytes, config.max_header_bytes);
        auto [rec, read] = co_await http::async_read(stream, conn.buffer, reader, use_tuple<strand_type>);
        (void)read;
        r.response_started = r.response_started || reader.got_some();
        if (rec) {
            r.ec = rec;
            co_return;
        }
        r.status = reader.status();
        // Interim responses (100 Continue, 103 Early Hints) precede the real one.
        if (r.status >= 100 && r.status < 200 && r.status != 101) continue;
        // Bytes after a complete response were not asked for (no pipelining):
        // whatever they are, they must not be read as the next lookup's answer.
        // After a 101 the connection speaks another protocol: never reused.
        r.keep_alive = r.status != 101 && reader.keep_alive() && !reader.need_eof() && conn.buffer.size() == 0;
        if (r.status == 429 || r.status == 503) r.retry_after = reader.retry_after();
        co_return;
    }
}

template <class Inner>
auto Lookup<Inner>::exchange(Connection& conn) -> awaitable<ExchangeResult> {
    ExchangeResult r;
    active_ = &conn;
    if (conn.is_tls())
        co_await exchange_on(conn.tls(), conn, r);
    else
        co_await exchange_on(conn.plain(), conn, r);
    active_ = nullptr;
    co_return r;
}

template <class Inner>
auto Lookup<Inner>::sleep(std::chrono::milliseconds delay) -> awaitable<bool> {
    const auto until = clock::now() + delay;
    while (abort_ == AbortReason::none && clock::now() < until) {
        wait_timer_.expires_at(until);
        co_await wait_timer_.async_wait(use_tuple<strand_type>);
    }
    co_return abort_ == AbortReason::none;
}

template <class Inner>
auto Lookup<Inner>::back_off(std::optional<std::chrono::milliseconds> server_hint) -> awaitable<bool> {
    const auto& policy = impl_->config.retry;
    if (diag_.retries >= policy.max_retries || abort_ != AbortReason::none) co_return false;
    const auto delay = server_hint ? *server_hint : backoff_delay(policy, diag_.retries, unit_random());
    if (clock::now() + delay >= deadline_) {
        diag_.message += "; not retried: the pause before the next try (" + ms_text(delay) +
                         ") would pass the lookup's deadline";
        co_return false;
    }
    ++diag_.retries;
    impl_->counters.retries.fetch_add(1, std::memory_order_relaxed);
    co_return co_await sleep(delay);
}

template <class Inner>
void Lookup<Inner>::give_back(PoolLease conn, bool reusable) {
    if (!conn.holds_place()) return;
    if (reusable && conn.connection()) {
        conn->release_large_buffers();  // the response has been used: idle, it keeps no large buffer
        conn.release();
        return;
    }
    conn.discard();
}

template <class Inner>
void Lookup<Inner>::finish(error_code ec, Conference conference) {
    if (finished_) return;
    finished_ = true;
    active_ = nullptr;  // a phase-timer expiry already queued must not reach a connection that is gone
    deadline_timer_.cancel();
    wait_timer_.cancel();
    try {
        if (ec && diag_.message.empty()) diag_.message = ec.message();
        if (!ec) diag_.message.clear();
        // Everything in Diagnostics may quote the server; none of it may carry the credentials.
        const std::string_view auth = impl_->authorization;
        const std::string_view credentials = auth.substr(auth.find(' ') + 1);
        for (std::string* text : {&diag_.message, &diag_.api_error_type, &diag_.api_error_description})
            redact(*text, {auth, credentials, impl_->config.password});
    } catch (...) {
        // Out of memory while writing the diagnostics: deliver without them
        // rather than lose the result. What was not redacted is dropped.
        Diagnostics counts_only;
        counts_only.attempts = diag_.attempts;
        counts_only.retries = diag_.retries;
        diag_ = std::move(counts_only);
    }
    // Counted as completed and no longer in flight before the handler can
    // run, so stats() called from the handler sees it finished.
    impl_->withdraw(*this);
    impl_->counters.lookups_completed.fetch_add(1, std::memory_order_relaxed);
    // The one step that can still fail is Asio allocating the delivery of
    // the handler itself, and nothing could deliver it then.
    completion_.complete(ec, std::move(conference), std::move(diag_), initiating_lookup == this);
}

template <class Inner>
void Lookup<Inner>::finish_with(errc code, std::string message) {
    diag_.message = std::move(message);
    finish(make_error_code(code));
}

template <class Inner>
void Lookup<Inner>::finish_aborted() {
    std::string last = diag_.message.empty() ? "" : " (last failure: " + diag_.message + ")";
    switch (abort_) {
    case AbortReason::caller_cancelled:
        diag_.message = "cancelled by the caller" + last;
        return finish(net::error::operation_aborted);
    case AbortReason::deadline:
        diag_.message = "no result within the lookup's deadline of " + ms_text(impl_->config.request_timeout) + last;
        return finish(make_error_code(errc::timeout));
    case AbortReason::client_closed:
    case AbortReason::none:
        diag_.message = "the client was closed" + last;
        return finish(make_error_code(errc::cancelled));
    }
}

template class Lookup<net::io_context::executor_type>;
template class Lookup<net::any_io_executor>;

}  // namespace bwvoice::detail
