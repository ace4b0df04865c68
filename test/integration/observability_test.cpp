// Observability over real TLS against the mock: the ClientObserver's events
// (each fired exactly when it should, with a scripted fault per event), the
// log hook's records, and ConferenceClient::metrics() (counts, bytes, and the
// latency histogram against a known distribution of server delays).
#include "common/base64.hpp"
#include "common/oauth_env.hpp"
#include "common/operation_helpers.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

namespace net = boost::asio;
using namespace bwvoice;
using namespace bwvoice::test;
using mock::Action;
using namespace std::chrono_literals;

namespace {

using Event = std::variant<RequestStarted, RequestEnded, RetryScheduled, StaleResend, PoolWaited, ConnectionOpened,
                           ConnectionReused, ConnectionClosed, OperationEnded, TokenFetched, TokenRefused>;

const char* name_of(const Event& e) {
    static const char* const names[] = {"RequestStarted", "RequestEnded",     "RetryScheduled",   "StaleResend",
                                        "PoolWaited",     "ConnectionOpened", "ConnectionReused", "ConnectionClosed",
                                        "OperationEnded", "TokenFetched",     "TokenRefused"};
    return names[e.index()];
}

/// Every event, in the order they were told, from any thread.
class RecordingObserver final : public ClientObserver {
public:
    void on_request_started(const RequestStarted& e) override { push(e); }
    void on_request_ended(const RequestEnded& e) override { push(e); }
    void on_retry_scheduled(const RetryScheduled& e) override { push(e); }
    void on_stale_resend(const StaleResend& e) override { push(e); }
    void on_pool_waited(const PoolWaited& e) override { push(e); }
    void on_connection_opened(const ConnectionOpened& e) override { push(e); }
    void on_connection_reused(const ConnectionReused& e) override { push(e); }
    void on_connection_closed(const ConnectionClosed& e) override { push(e); }
    void on_operation_ended(const OperationEnded& e) override { push(e); }
    void on_token_fetched(const TokenFetched& e) override { push(e); }
    void on_token_refused(const TokenRefused& e) override { push(e); }

    std::vector<Event> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        events_.clear();
    }
    /// The events of one type, in order.
    template <class T>
    std::vector<T> all() const {
        std::vector<T> out;
        for (const auto& e : events())
            if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
        return out;
    }
    /// The names of the events, in order ("RequestStarted RequestEnded ...").
    std::string trace() const {
        std::string out;
        for (const auto& e : events()) out += std::string(out.empty() ? "" : " ") + name_of(e);
        return out;
    }

private:
    void push(Event e) {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(e));
    }
    mutable std::mutex mutex_;
    std::vector<Event> events_;
};

/// Throws from every method, counting the calls.
class ThrowingObserver final : public ClientObserver {
public:
    std::atomic<int> calls{0};
    void on_request_started(const RequestStarted&) override { fail(); }
    void on_request_ended(const RequestEnded&) override { fail(); }
    void on_retry_scheduled(const RetryScheduled&) override { fail(); }
    void on_stale_resend(const StaleResend&) override { fail(); }
    void on_pool_waited(const PoolWaited&) override { fail(); }
    void on_connection_opened(const ConnectionOpened&) override { fail(); }
    void on_connection_reused(const ConnectionReused&) override { fail(); }
    void on_connection_closed(const ConnectionClosed&) override { fail(); }
    void on_operation_ended(const OperationEnded&) override { fail(); }
    void on_token_fetched(const TokenFetched&) override { fail(); }
    void on_token_refused(const TokenRefused&) override { fail(); }

private:
    void fail() {
        ++calls;
        throw std::runtime_error("observer failure");
    }
};

/// A log record copied out of the hook (its views die with the call).
struct Record {
    LogLevel level;
    std::string event;
    std::vector<std::pair<std::string, std::string>> fields;

    const std::string* field(std::string_view name) const {
        for (const auto& f : fields)
            if (f.first == name) return &f.second;
        return nullptr;
    }
    std::string text() const {
        std::string out = std::string(to_string(level)) + " " + event;
        for (const auto& f : fields) out += " " + f.first + "=" + f.second;
        return out;
    }
};

struct LogSink {
    mutable std::mutex mutex;
    std::vector<Record> records;

    LogHook hook() {
        return [this](const LogRecord& r) {
            Record copy{r.level, std::string(r.event), {}};
            for (const auto& f : r.fields) copy.fields.emplace_back(std::string(f.name), f.value);
            std::lock_guard lock(mutex);
            records.push_back(std::move(copy));
        };
    }
    std::vector<Record> all() const {
        std::lock_guard lock(mutex);
        return records;
    }
    std::vector<Record> of(std::string_view event) const {
        std::vector<Record> out;
        for (auto& r : all())
            if (r.event == event) out.push_back(r);
        return out;
    }
};

net::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    net::steady_timer t(co_await net::this_coro::executor, d);
    co_await t.async_wait(net::use_awaitable);
}

/// The index of the first event of type T at or after `from` (npos if none).
template <class T>
std::size_t find_event(const std::vector<Event>& events, std::size_t from = 0) {
    for (std::size_t i = from; i < events.size(); ++i)
        if (std::holds_alternative<T>(events[i])) return i;
    return std::string::npos;
}

template <class T>
std::size_t count_of(const std::vector<Event>& events) {
    return static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [](const Event& e) { return std::holds_alternative<T>(e); }));
}

/// A config whose backoffs are exact (no jitter): a retry waits backoff_base.
ClientConfig exact_backoff(ClientConfig c, std::chrono::milliseconds base) {
    c.retry.jitter = false;
    c.retry.backoff_base = base;
    c.retry.backoff_cap = 5s;
    return c;
}

struct Env {
    explicit Env(mock::ServerOptions options = {}) : mock(std::move(options)) {}
    MockEnv mock;
    std::shared_ptr<RecordingObserver> observer = std::make_shared<RecordingObserver>();
    ClientConfig config() const {
        auto c = mock.client_config();
        c.observer = observer;
        return c;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(observability)

// 1. A plain success, then a reuse: every event in order, with its fields;
// metrics() agree with the events.
BOOST_AUTO_TEST_CASE(a_success_and_a_reuse_are_told_in_order) {
    Env env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST((r.conference == seeded_conference(env.mock.options, 1)));
    });
    const auto first = env.observer->events();
    BOOST_TEST_REQUIRE(env.observer->trace() == "ConnectionOpened RequestStarted RequestEnded OperationEnded");
    const auto& opened = std::get<ConnectionOpened>(first[0]);
    BOOST_TEST(opened.connection == 1u);
    BOOST_TEST(opened.tls);
    BOOST_TEST(!opened.session_resumed);
    BOOST_TEST(opened.tls_handshake.count() > 0);
    BOOST_TEST(opened.connect.count() > 0);
    const auto& started = std::get<RequestStarted>(first[1]);
    BOOST_TEST((started.operation == OperationKind::get_conference));
    BOOST_TEST(started.attempt == 1u);
    BOOST_TEST(started.connection == 1u);
    BOOST_TEST(!started.reused);
    const auto& ended = std::get<RequestEnded>(first[2]);
    BOOST_TEST((ended.operation == OperationKind::get_conference));
    BOOST_TEST(ended.attempt == 1u);
    BOOST_TEST(ended.connection == 1u);
    BOOST_TEST(ended.status == std::optional<unsigned>(200));
    BOOST_TEST(!ended.ec);
    BOOST_TEST(ended.duration.count() > 0);
    BOOST_TEST(ended.bytes_out > 0u);
    BOOST_TEST(ended.bytes_in > env.mock.server->conference_json("conf-1")->size());
    const auto& op = std::get<OperationEnded>(first[3]);
    BOOST_TEST((op.operation == OperationKind::get_conference));
    BOOST_TEST(!op.ec);
    BOOST_TEST(op.status == std::optional<unsigned>(200));
    BOOST_TEST(op.attempts == 1u);
    BOOST_TEST((op.duration >= ended.duration));

    env.observer->clear();
    ioc.restart();
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
    });
    const auto second = env.observer->events();
    BOOST_TEST_REQUIRE(env.observer->trace() == "ConnectionReused RequestStarted RequestEnded OperationEnded");
    const auto& reused = std::get<ConnectionReused>(second[0]);
    BOOST_TEST(reused.connection == 1u);
    BOOST_TEST(reused.exchanges == 1u);
    BOOST_TEST((reused.operation == OperationKind::get_conference));
    BOOST_TEST(std::get<RequestStarted>(second[1]).reused);
    BOOST_TEST(std::get<RequestStarted>(second[1]).connection == 1u);
    BOOST_TEST(std::get<RequestStarted>(second[1]).attempt == 1u);
    const auto& ended2 = std::get<RequestEnded>(second[2]);
    BOOST_TEST(ended2.connection == 1u);

    const auto m = client.metrics();
    BOOST_TEST(m.of(OperationKind::get_conference).succeeded == 2u);
    BOOST_TEST(m.of(OperationKind::get_conference).failures() == 0u);
    BOOST_TEST(m.of(OperationKind::get_conference).latency.count() == 2u);
    BOOST_TEST((m.of(OperationKind::get_conference).latency.sum() >= op.duration));
    BOOST_TEST(m.of(OperationKind::get_member).completed() == 0u);
    BOOST_TEST(m.bytes_sent == ended.bytes_out + ended2.bytes_out);
    BOOST_TEST(m.bytes_received == ended.bytes_in + ended2.bytes_in);
    BOOST_TEST(m.tls_handshake.count() == 1u);
    BOOST_TEST(m.connect.count() == 1u);
    BOOST_TEST(m.resolve.count() == 1u);
    BOOST_TEST(m.pool_wait.count() == 0u);
    BOOST_TEST(m.pool.reuses == 1u);
    BOOST_TEST(m.pool.connections_opened == 1u);
    for (std::size_t r = 0; r < retry_reason_count; ++r) BOOST_TEST(m.retries[r] == 0u);
    for (std::size_t r = 0; r < close_reason_count; ++r) BOOST_TEST(m.connections_closed[r] == 0u);
}

// 2a. A 429 with Retry-After: 1: a retry for rate_limited with exactly that
// backoff, then success on attempt 2.
BOOST_AUTO_TEST_CASE(a_429_schedules_a_retry_with_the_retry_after_delay) {
    Env env;
    env.mock.server->script("conf-1", {Action::respond(429, {{"Retry-After", "1"}})});
    net::io_context ioc;
    ConferenceClient client(ioc, exact_backoff(env.config(), 20ms));
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST(r.diag.attempts == 2u);
    });
    BOOST_TEST_REQUIRE(env.observer->trace() ==
                       "ConnectionOpened RequestStarted RequestEnded RetryScheduled "
                       "ConnectionReused RequestStarted RequestEnded OperationEnded");
    const auto ev = env.observer->events();
    BOOST_TEST(std::get<RequestEnded>(ev[2]).status == std::optional<unsigned>(429));
    BOOST_TEST(!std::get<RequestEnded>(ev[2]).ec);
    const auto& retry = std::get<RetryScheduled>(ev[3]);
    BOOST_TEST((retry.reason == RetryReason::rate_limited));
    BOOST_TEST(retry.backoff.count() == 1000);
    BOOST_TEST(retry.attempt == 1u);
    BOOST_TEST((retry.operation == OperationKind::get_conference));
    BOOST_TEST(std::get<RequestStarted>(ev[5]).attempt == 2u);
    BOOST_TEST(std::get<RequestEnded>(ev[6]).status == std::optional<unsigned>(200));
    BOOST_TEST(std::get<OperationEnded>(ev[7]).attempts == 2u);
    BOOST_TEST((std::get<OperationEnded>(ev[7]).duration >= 1s));
    const auto m = client.metrics();
    BOOST_TEST(m.retries_for(RetryReason::rate_limited) == 1u);
    BOOST_TEST(m.retries_for(RetryReason::server_unavailable) == 0u);
    BOOST_TEST(m.retries_for(RetryReason::connection_failed) == 0u);
    BOOST_TEST(m.pool.retries == 1u);
    BOOST_TEST(m.of(OperationKind::get_conference).succeeded == 1u);
}

// 2b. A 503 (no Retry-After): server_unavailable, the policy's backoff.
BOOST_AUTO_TEST_CASE(a_503_schedules_a_retry_for_an_unavailable_server) {
    Env env;
    env.mock.server->script("conf-1", {Action::respond(503)});
    net::io_context ioc;
    ConferenceClient client(ioc, exact_backoff(env.config(), 30ms));
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
    });
    const auto retries = env.observer->all<RetryScheduled>();
    BOOST_TEST_REQUIRE(retries.size() == 1u);
    BOOST_TEST((retries[0].reason == RetryReason::server_unavailable));
    BOOST_TEST(retries[0].backoff.count() == 30);
    BOOST_TEST(retries[0].attempt == 1u);
    const auto ended = env.observer->all<RequestEnded>();
    BOOST_TEST_REQUIRE(ended.size() == 2u);
    BOOST_TEST(ended[0].status == std::optional<unsigned>(503));
    BOOST_TEST(ended[1].status == std::optional<unsigned>(200));
    BOOST_TEST(env.observer->all<StaleResend>().empty());
    BOOST_TEST(client.metrics().retries_for(RetryReason::server_unavailable) == 1u);
    BOOST_TEST(client.metrics().retries_for(RetryReason::rate_limited) == 0u);
}

// 2c. A drop on a fresh connection: not stale (it had never carried a
// request), so a counted retry for connection_failed; the dropped connection
// is closed for an error.
BOOST_AUTO_TEST_CASE(a_drop_on_a_fresh_connection_schedules_a_connection_failed_retry) {
    Env env;
    env.mock.server->script("conf-1", {Action::of(Action::Kind::drop)});
    net::io_context ioc;
    ConferenceClient client(ioc, exact_backoff(env.config(), 10ms));
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
    });
    BOOST_TEST_REQUIRE(env.observer->trace() ==
                       "ConnectionOpened RequestStarted RequestEnded RetryScheduled ConnectionClosed "
                       "ConnectionOpened RequestStarted RequestEnded OperationEnded");
    const auto ev = env.observer->events();
    const auto& failed = std::get<RequestEnded>(ev[2]);
    BOOST_TEST(failed.connection == 1u);
    BOOST_TEST(!failed.status.has_value());
    BOOST_TEST(!!failed.ec);
    BOOST_TEST(failed.bytes_out > 0u);
    const auto& retry = std::get<RetryScheduled>(ev[3]);
    BOOST_TEST((retry.reason == RetryReason::connection_failed));
    BOOST_TEST(retry.attempt == 1u);
    BOOST_TEST(retry.backoff.count() == 10);
    const auto& closed = std::get<ConnectionClosed>(ev[4]);
    BOOST_TEST(closed.connection == 1u);
    BOOST_TEST((closed.reason == CloseReason::error));
    BOOST_TEST(closed.exchanges == 0u);
    BOOST_TEST(std::get<ConnectionOpened>(ev[5]).connection == 2u);
    BOOST_TEST(std::get<RequestStarted>(ev[6]).attempt == 2u);
    BOOST_TEST(!std::get<RequestStarted>(ev[6]).reused);
    const auto m = client.metrics();
    BOOST_TEST(m.retries_for(RetryReason::connection_failed) == 1u);
    BOOST_TEST(m.closed_for(CloseReason::error) == 1u);
    BOOST_TEST(m.pool.stale_resends == 0u);
}

// 3a. A pooled connection that fails when the next request goes out on it
// (the server read the request and closed, before any response byte): a
// stale resend on a new connection, not a counted retry. The dead one is
// closed as server_closed: the server had closed it while it sat idle (the
// keep-alive race), which the error on it only reveals.
BOOST_AUTO_TEST_CASE(a_reused_connection_found_dead_gives_a_stale_resend_not_a_retry) {
    Env env;
    env.mock.server->script("conf-2", {Action::of(Action::Kind::drop)});
    net::io_context ioc;
    auto config = env.config();
    config.pool_size = 1;
    config.retry.max_retries = 0;  // only the resend can save it
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto first = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!first.ec, first.diag.message);
        env.observer->clear();
        auto second = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!second.ec, second.diag.message);
        BOOST_TEST(second.diag.attempts == 2u);
    });
    BOOST_TEST_REQUIRE(env.observer->trace() ==
                       "ConnectionReused RequestStarted RequestEnded StaleResend ConnectionClosed "
                       "ConnectionOpened RequestStarted RequestEnded OperationEnded");
    const auto ev = env.observer->events();
    BOOST_TEST(std::get<RequestStarted>(ev[1]).reused);
    BOOST_TEST(std::get<RequestStarted>(ev[1]).connection == 1u);
    BOOST_TEST(!std::get<RequestEnded>(ev[2]).status.has_value());
    const auto& stale = std::get<StaleResend>(ev[3]);
    BOOST_TEST(stale.connection == 1u);
    BOOST_TEST(stale.attempt == 1u);
    BOOST_TEST((stale.operation == OperationKind::get_conference));
    const auto& closed = std::get<ConnectionClosed>(ev[4]);
    BOOST_TEST(closed.connection == 1u);
    BOOST_TEST((closed.reason == CloseReason::server_closed));
    BOOST_TEST(closed.exchanges == 1u);
    BOOST_TEST(std::get<ConnectionOpened>(ev[5]).connection == 2u);
    BOOST_TEST(std::get<RequestStarted>(ev[6]).attempt == 2u);
    BOOST_TEST(std::get<OperationEnded>(ev[8]).attempts == 2u);
    const auto m = client.metrics();
    BOOST_TEST(m.pool.stale_resends == 1u);
    BOOST_TEST(m.pool.retries == 0u);
    for (std::size_t r = 0; r < retry_reason_count; ++r) BOOST_TEST(m.retries[r] == 0u);
    BOOST_TEST(m.closed_for(CloseReason::server_closed) == 1u);
    BOOST_TEST(m.closed_for(CloseReason::error) == 0u);
}

// 3b. A pooled connection the server closed while it sat idle: found before
// anything is written to it, closed as server_closed; no resend, no retry.
BOOST_AUTO_TEST_CASE(a_connection_the_server_closed_while_idle_is_closed_as_server_closed) {
    mock::ServerOptions options;
    options.idle_drop = 30ms;
    Env env(options);
    net::io_context ioc;
    auto config = env.config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto first = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!first.ec, first.diag.message);
        // Until the server has closed it (it does after 30 ms idle).
        for (int i = 0; i < 200 && env.mock.server->stats().open_connections != 0; ++i) co_await sleep_for(10ms);
        BOOST_TEST_REQUIRE(env.mock.server->stats().open_connections == 0u);
        co_await sleep_for(20ms);  // the FIN reaches the client's socket
        env.observer->clear();
        auto second = co_await lookup(client, "conf-2");
        BOOST_TEST_REQUIRE(!second.ec, second.diag.message);
        BOOST_TEST(second.diag.attempts == 1u);
    });
    BOOST_TEST_REQUIRE(env.observer->trace() ==
                       "ConnectionClosed ConnectionOpened RequestStarted RequestEnded OperationEnded");
    const auto ev = env.observer->events();
    const auto& closed = std::get<ConnectionClosed>(ev[0]);
    BOOST_TEST(closed.connection == 1u);
    BOOST_TEST((closed.reason == CloseReason::server_closed));
    BOOST_TEST(closed.exchanges == 1u);
    BOOST_TEST(std::get<ConnectionOpened>(ev[1]).connection == 2u);
    BOOST_TEST(!std::get<RequestStarted>(ev[2]).reused);
    const auto m = client.metrics();
    BOOST_TEST(m.closed_for(CloseReason::server_closed) == 1u);
    BOOST_TEST(m.pool.stale_resends == 0u);
    BOOST_TEST(m.pool.retries == 0u);
}

// 4. A connection idle longer than idle_timeout is closed as idle_expired
// when the next request looks for one, and a new one opens.
BOOST_AUTO_TEST_CASE(an_idle_expiry_closes_the_connection_for_that_reason) {
    Env env;
    net::io_context ioc;
    auto config = env.config();
    config.idle_timeout = 50ms;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-1")).ec);
        co_await sleep_for(150ms);
        env.observer->clear();
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-1")).ec);
    });
    BOOST_TEST_REQUIRE(env.observer->trace() ==
                       "ConnectionClosed ConnectionOpened RequestStarted RequestEnded OperationEnded");
    const auto ev = env.observer->events();
    const auto& closed = std::get<ConnectionClosed>(ev[0]);
    BOOST_TEST(closed.connection == 1u);
    BOOST_TEST((closed.reason == CloseReason::idle_expired));
    BOOST_TEST(closed.exchanges == 1u);
    BOOST_TEST(std::get<ConnectionOpened>(ev[1]).connection == 2u);
    const auto m = client.metrics();
    BOOST_TEST(m.closed_for(CloseReason::idle_expired) == 1u);
    BOOST_TEST(m.closed_for(CloseReason::server_closed) == 0u);
    BOOST_TEST(m.pool.connections_opened == 2u);
}

// 5. `Connection: close` from the server: closed as server_closed right
// after the response, before the operation ends.
BOOST_AUTO_TEST_CASE(connection_close_from_the_server_closes_it_as_server_closed) {
    Env env;
    Action closing;
    closing.close_after = true;
    env.mock.server->script("conf-1", {closing});
    net::io_context ioc;
    ConferenceClient client(ioc, env.config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
    });
    BOOST_TEST_REQUIRE(env.observer->trace() ==
                       "ConnectionOpened RequestStarted RequestEnded ConnectionClosed OperationEnded");
    const auto ev = env.observer->events();
    const auto& closed = std::get<ConnectionClosed>(ev[3]);
    BOOST_TEST(closed.connection == 1u);
    BOOST_TEST((closed.reason == CloseReason::server_closed));
    BOOST_TEST(closed.exchanges == 1u);
    BOOST_TEST(client.metrics().closed_for(CloseReason::server_closed) == 1u);
    BOOST_TEST(client.stats().open == 0u);
}

// 6. close() with an idle connection: closed as client_closed.
BOOST_AUTO_TEST_CASE(closing_the_client_closes_idle_connections_as_client_closed) {
    Env env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-1")).ec);
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-2")).ec);
    });
    BOOST_TEST(env.observer->all<ConnectionClosed>().empty());
    env.observer->clear();
    client.close();
    BOOST_TEST_REQUIRE(env.observer->trace() == "ConnectionClosed");
    const auto closed = env.observer->all<ConnectionClosed>();
    BOOST_TEST(closed[0].connection == 1u);
    BOOST_TEST((closed[0].reason == CloseReason::client_closed));
    BOOST_TEST(closed[0].exchanges == 2u);
    BOOST_TEST(client.metrics().closed_for(CloseReason::client_closed) == 1u);
    client.close();  // idempotent: nothing more
    BOOST_TEST(env.observer->events().size() == 1u);
}

// 7. The deadline passes while the server is silent: the connection is
// closed as interrupted, the operation ends with timeout.
BOOST_AUTO_TEST_CASE(a_deadline_mid_exchange_closes_the_connection_as_interrupted) {
    Env env;
    env.mock.server->script("conf-1", {Action::of(Action::Kind::silent)});
    net::io_context ioc;
    auto config = env.config();
    config.request_timeout = 200ms;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::timeout), r.ec.message());
    });
    BOOST_TEST_REQUIRE(env.observer->trace() ==
                       "ConnectionOpened RequestStarted RequestEnded ConnectionClosed OperationEnded");
    const auto ev = env.observer->events();
    BOOST_TEST(!!std::get<RequestEnded>(ev[2]).ec);
    BOOST_TEST(!std::get<RequestEnded>(ev[2]).status.has_value());
    const auto& closed = std::get<ConnectionClosed>(ev[3]);
    BOOST_TEST((closed.reason == CloseReason::interrupted));
    BOOST_TEST(closed.exchanges == 0u);
    const auto& op = std::get<OperationEnded>(ev[4]);
    BOOST_TEST((op.ec == errc::timeout));
    BOOST_TEST(op.attempts == 1u);
    BOOST_TEST((op.duration >= 200ms));
    const auto m = client.metrics();
    BOOST_TEST(m.of(OperationKind::get_conference).failed_with(errc::timeout) == 1u);
    BOOST_TEST(m.of(OperationKind::get_conference).failures() == 1u);
    BOOST_TEST(m.of(OperationKind::get_conference).succeeded == 0u);
    BOOST_TEST(m.of(OperationKind::get_conference).latency.count() == 1u);
    BOOST_TEST(m.closed_for(CloseReason::interrupted) == 1u);
}

// 8. At the pool's bound a second lookup waits for the first's connection.
BOOST_AUTO_TEST_CASE(a_wait_at_the_pool_bound_is_told_with_its_length) {
    Env env;
    Action slow;
    slow.delay = 200ms;
    env.mock.server->script("conf-1", {slow});
    net::io_context ioc;
    auto config = env.config();
    config.pool_size = 1;
    ConferenceClient client(ioc, config);
    int ok = 0;
    client.async_get_conference("conf-1", [&](error_code ec, Conference) { ok += !ec; });
    client.async_get_conference("conf-2", [&](error_code ec, Conference) { ok += !ec; });
    run_to_completion(ioc);
    BOOST_TEST(ok == 2);
    const auto waits = env.observer->all<PoolWaited>();
    BOOST_TEST_REQUIRE(waits.size() == 1u);
    BOOST_TEST(waits[0].granted);
    BOOST_TEST((waits[0].operation == OperationKind::get_conference));
    // It waited at least as long as the server held the first one's answer.
    BOOST_TEST((waits[0].waited >= 200ms));
    BOOST_TEST((waits[0].waited < 200ms + 5s));
    const auto ev = env.observer->events();
    // The wait ends when the first one's operation is over (its connection is
    // back), and the second then reuses it.
    const std::size_t wait_at = find_event<PoolWaited>(ev);
    BOOST_TEST(wait_at > find_event<OperationEnded>(ev));
    BOOST_TEST(find_event<ConnectionReused>(ev) > wait_at);
    BOOST_TEST(count_of<ConnectionOpened>(ev) == 1u);
    const auto m = client.metrics();
    BOOST_TEST(m.pool_wait.count() == 1u);
    BOOST_TEST((m.pool_wait.quantile(1.0) >= 196ms));  // 200 ms, read within the histogram's 1.6 %
}

// 8b. A wait the caller cancels ends without a connection: granted false,
// and the operation counts as cancelled.
BOOST_AUTO_TEST_CASE(a_cancelled_pool_wait_is_told_as_not_granted) {
    Env env;
    env.mock.server->script("conf-1", {Action::of(Action::Kind::silent)});
    net::io_context ioc;
    auto config = env.config();
    config.pool_size = 1;
    config.request_timeout = 1500ms;
    ConferenceClient client(ioc, config);
    error_code first_ec, second_ec;
    net::cancellation_signal cancel;
    client.async_get_conference("conf-1", [&](error_code ec, Conference) { first_ec = ec; });
    client.async_get_conference(
        "conf-2", net::bind_cancellation_slot(cancel.slot(), [&](error_code ec, Conference) { second_ec = ec; }));
    // Cancelled 150 ms after it is seen queued, so it waited at least that long.
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            while (client.stats().waiting == 0) co_await sleep_for(1ms);
            co_await sleep_for(150ms);
            cancel.emit(net::cancellation_type::terminal);
        },
        net::detached);
    run_to_completion(ioc);
    BOOST_TEST((first_ec == errc::timeout), first_ec.message());
    BOOST_TEST((second_ec == net::error::operation_aborted), second_ec.message());
    const auto waits = env.observer->all<PoolWaited>();
    BOOST_TEST_REQUIRE(waits.size() == 1u);
    BOOST_TEST(!waits[0].granted);
    BOOST_TEST((waits[0].waited >= 150ms));
    BOOST_TEST((waits[0].waited < 1500ms));
    const auto ops = env.observer->all<OperationEnded>();
    BOOST_TEST_REQUIRE(ops.size() == 2u);
    BOOST_TEST((ops[0].ec == net::error::operation_aborted));  // the cancelled one ends first
    BOOST_TEST(ops[0].attempts == 0u);
    BOOST_TEST(!ops[0].status.has_value());
    const auto m = client.metrics();
    BOOST_TEST(m.pool_wait.count() == 1u);
    BOOST_TEST(m.of(OperationKind::get_conference).failed_with(errc::cancelled) == 1u);
    BOOST_TEST(m.of(OperationKind::get_conference).failed_with(errc::timeout) == 1u);
}

// 9. The latency histogram against a known distribution: half the lookups
// held 10 ms by the server, half 80 ms. The delays are floors, exact; the
// upper bounds are generous (a loaded CI box, sanitizers).
BOOST_AUTO_TEST_CASE(the_latency_histogram_reads_the_servers_delays) {
    MockEnv env;
    constexpr int n = 40;
    std::vector<Action> script;
    for (int i = 0; i < n; ++i) {
        Action a;
        a.delay = i % 2 == 0 ? 10ms : 80ms;
        script.push_back(a);
    }
    env.server->script("conf-1", script);
    net::io_context ioc;
    ConferenceClient client(ioc, env.client_config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (int i = 0; i < n; ++i) {
            auto r = co_await lookup(client, "conf-1");
            BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        }
    });
    const auto latency = client.metrics().of(OperationKind::get_conference).latency;
    BOOST_TEST_REQUIRE(latency.count() == static_cast<std::uint64_t>(n));
    // The histogram reads a duration within 1.6 % (the middle of its bucket).
    const auto floor_of = [](std::chrono::nanoseconds d) { return d - d / 60; };
    const auto q25 = latency.quantile(0.25);
    const auto q50 = latency.quantile(0.5);
    const auto q90 = latency.quantile(0.9);
    const auto q100 = latency.quantile(1.0);
    BOOST_TEST_MESSAGE("p25 " << q25.count() << " ns, p50 " << q50.count() << " ns, p90 " << q90.count() << " ns, max "
                              << q100.count() << " ns");
    BOOST_TEST((q25 >= floor_of(10ms)));
    BOOST_TEST((q25 <= 10ms + 150ms));
    BOOST_TEST((q50 >= floor_of(10ms)));
    BOOST_TEST((q50 <= 10ms + 150ms));
    BOOST_TEST((q90 >= floor_of(80ms)));
    BOOST_TEST((q90 <= 80ms + 150ms));
    BOOST_TEST((q100 >= floor_of(80ms)));
    // Exact counts below the floors: none under 10 ms, at most the 10 ms half under 80 ms.
    BOOST_TEST(latency.count_at_most(floor_of(10ms) - 1ms) == 0u);
    BOOST_TEST(latency.count_at_most(floor_of(80ms) - 1ms) <= static_cast<std::uint64_t>(n / 2));
    BOOST_TEST((latency.sum() >= (n / 2) * 10ms + (n / 2) * 80ms));
}

// 10. Observers and log hooks that throw change nothing.
BOOST_AUTO_TEST_CASE(an_observer_that_throws_changes_nothing) {
    MockEnv env;
    env.server->script("conf-1", {Action::respond(429, {{"Retry-After", "0"}})});
    auto thrower = std::make_shared<ThrowingObserver>();
    net::io_context ioc;
    auto config = env.client_config();
    config.observer = thrower;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        for (const char* id : {"conf-1", "conf-2", "conf-3"}) {
            auto r = co_await lookup(client, id);
            BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
            BOOST_TEST((r.conference.id == id));
        }
    });
    // Told every event: 1 opened; 4 tries (started + ended); 1 retry; 2 reuses... and 3 operations.
    BOOST_TEST(thrower->calls.load() == 1 + 4 * 2 + 1 + 3 + 3);
    BOOST_TEST(client.metrics().of(OperationKind::get_conference).succeeded == 3u);
}

BOOST_AUTO_TEST_CASE(a_log_hook_that_throws_changes_nothing_and_an_observer_throwing_does_not_silence_it) {
    MockEnv env;
    net::io_context ioc;
    auto config = env.client_config();
    std::atomic<int> thrown{0};
    config.log_level = LogLevel::debug;
    config.log = [&](const LogRecord&) {
        ++thrown;
        throw std::runtime_error("log failure");
    };
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
        BOOST_TEST((r.conference == seeded_conference(env.options, 1)));
    });
    BOOST_TEST(thrown.load() == 4);  // opened, started, ended, operation ended

    // Both: the observer throws first, the log still gets every record.
    auto thrower = std::make_shared<ThrowingObserver>();
    LogSink sink;
    auto both = env.client_config();
    both.observer = thrower;
    both.log = sink.hook();
    both.log_level = LogLevel::debug;
    net::io_context ioc2;
    ConferenceClient client2(ioc2, both);
    run_coroutine(ioc2, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client2, "conf-2");
        BOOST_TEST_REQUIRE(!r.ec, r.diag.message);
    });
    BOOST_TEST(thrower->calls.load() == 4);
    BOOST_TEST(sink.all().size() == 4u);
}

// 11a. The log hook at debug: a record per event with the documented level
// and fields; none carries the password or the Basic credentials.
BOOST_AUTO_TEST_CASE(log_records_carry_the_documented_fields_and_no_secret) {
    mock::ServerOptions options;
    options.username = "api-user-7781";
    options.password = "pw-Zq81-never-logged";
    MockEnv env(options);
    env.server->script("conf-1", {Action::respond(429, {{"Retry-After", "0"}})});
    net::io_context ioc;
    LogSink sink;
    auto config = env.client_config();
    config.log = sink.hook();
    config.log_level = LogLevel::debug;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-1")).ec);
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-2")).ec);
    });
    client.close();
    std::vector<std::string> events;
    for (const auto& r : sink.all()) events.push_back(r.event);
    const std::vector<std::string> expected{"connection_opened", "request_started", "request_ended", "retry_scheduled",
                                            "connection_reused", "request_started", "request_ended", "operation_ended",
                                            "connection_reused", "request_started", "request_ended", "operation_ended",
                                            "connection_closed"};
    BOOST_TEST(events == expected, boost::test_tools::per_element());

    const auto has = [](const Record& r, std::string_view name, std::string_view value) {
        const std::string* v = r.field(name);
        BOOST_TEST(v != nullptr, r.text() << ": no field " << name);
        if (v) BOOST_TEST(*v == value, r.text() << ": field " << name);
    };
    const auto has_ms = [](const Record& r, std::string_view name) {
        const std::string* v = r.field(name);
        BOOST_TEST(v != nullptr, r.text() << ": no field " << name);
        // Milliseconds with microsecond precision: "12.345".
        if (v) BOOST_TEST((v->size() >= 5 && (*v)[v->size() - 4] == '.'), r.text());
    };
    const auto opened = sink.of("connection_opened");
    BOOST_TEST_REQUIRE(opened.size() == 1u);
    BOOST_TEST((opened[0].level == LogLevel::info));
    has(opened[0], "connection", "1");
    has(opened[0], "tls", "true");
    has(opened[0], "session_resumed", "false");
    for (auto name : {"resolve_ms", "connect_ms", "tls_handshake_ms"}) has_ms(opened[0], name);

    const auto started = sink.of("request_started");
    BOOST_TEST_REQUIRE(started.size() == 3u);
    BOOST_TEST((started[0].level == LogLevel::debug));
    has(started[0], "operation", "get_conference");
    has(started[0], "attempt", "1");
    has(started[0], "connection", "1");
    has(started[0], "reused", "false");
    has(started[1], "attempt", "2");
    has(started[1], "reused", "true");

    const auto ended = sink.of("request_ended");
    BOOST_TEST_REQUIRE(ended.size() == 3u);
    BOOST_TEST((ended[0].level == LogLevel::debug));  // a 429 is an answer, not a failed try
    has(ended[0], "status", "429");
    has(ended[1], "status", "200");
    has(ended[1], "attempt", "2");
    has_ms(ended[1], "duration_ms");
    BOOST_TEST(ended[1].field("bytes_out") != nullptr);
    BOOST_TEST(ended[1].field("bytes_in") != nullptr);
    BOOST_TEST(ended[1].field("error") == nullptr);

    const auto retry = sink.of("retry_scheduled");
    BOOST_TEST_REQUIRE(retry.size() == 1u);
    BOOST_TEST((retry[0].level == LogLevel::warning));
    has(retry[0], "operation", "get_conference");
    has(retry[0], "attempt", "1");
    has(retry[0], "reason", "rate_limited");
    has(retry[0], "backoff_ms", "0.000");

    const auto reused = sink.of("connection_reused");
    BOOST_TEST_REQUIRE(reused.size() == 2u);
    BOOST_TEST((reused[0].level == LogLevel::debug));
    has(reused[0], "connection", "1");
    has(reused[0], "exchanges", "1");
    has(reused[1], "exchanges", "2");

    const auto op = sink.of("operation_ended");
    BOOST_TEST_REQUIRE(op.size() == 2u);
    BOOST_TEST((op[0].level == LogLevel::debug));
    has(op[0], "operation", "get_conference");
    has(op[0], "outcome", "success");
    has(op[0], "attempts", "2");
    has(op[0], "status", "200");
    has_ms(op[0], "duration_ms");

    const auto closed = sink.of("connection_closed");
    BOOST_TEST_REQUIRE(closed.size() == 1u);
    BOOST_TEST((closed[0].level == LogLevel::info));
    has(closed[0], "connection", "1");
    has(closed[0], "reason", "client_closed");
    has(closed[0], "exchanges", "3");

    const std::string basic = detail::base64_encode(options.username + ":" + options.password);
    for (const auto& r : sink.all()) {
        const std::string text = r.text();
        BOOST_TEST(text.find(options.password) == std::string::npos, text);
        BOOST_TEST(text.find(basic) == std::string::npos, text);
        BOOST_TEST(text.find("conf-") == std::string::npos, text);  // no request target
    }
}

// 11b. At the default level (info) no debug record; failures are warnings and
// errors, but a not_found is an answer about the caller's data: info.
BOOST_AUTO_TEST_CASE(the_default_log_level_leaves_out_debug_records) {
    MockEnv env;
    env.server->script("conf-1", {Action::respond(429, {{"Retry-After", "0"}})});
    env.server->script("conf-9", {Action::respond(404)});
    env.server->script("conf-8", {Action::respond(403)});
    net::io_context ioc;
    LogSink sink;
    auto config = env.client_config();
    config.log = sink.hook();
    BOOST_TEST((config.log_level == LogLevel::info));
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-1")).ec);
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-2")).ec);
        BOOST_TEST_REQUIRE(((co_await lookup(client, "conf-9")).ec == errc::not_found));
        BOOST_TEST_REQUIRE(((co_await lookup(client, "conf-8")).ec == errc::forbidden));
    });
    client.close();
    std::vector<std::string> events;
    for (const auto& r : sink.all()) {
        events.push_back(r.event);
        BOOST_TEST((r.level != LogLevel::debug), r.text());
    }
    const std::vector<std::string> expected{"connection_opened", "retry_scheduled", "operation_ended",
                                            "operation_ended", "connection_closed"};
    BOOST_TEST(events == expected, boost::test_tools::per_element());
    const auto failed = sink.of("operation_ended");
    BOOST_TEST_REQUIRE(failed.size() == 2u);
    BOOST_TEST((failed[0].level == LogLevel::info));
    BOOST_TEST(*failed[0].field("outcome") == "not_found");
    BOOST_TEST(*failed[0].field("status") == "404");
    BOOST_TEST((failed[1].level == LogLevel::error));
    BOOST_TEST(*failed[1].field("outcome") == "forbidden");
}

// 11c. OAuth: a token fetched is told with its lifetime; no record carries
// the secret, the client's Basic credentials or the access token.
BOOST_AUTO_TEST_CASE(a_token_fetch_is_told_and_logged_without_secrets) {
    MockEnv env(oauth_server(std::chrono::seconds(3600)));
    net::io_context ioc;
    LogSink sink;
    auto observer = std::make_shared<RecordingObserver>();
    auto config = oauth_config(env);
    config.log = sink.hook();
    config.log_level = LogLevel::debug;
    config.observer = observer;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-1")).ec);
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-2")).ec);
    });
    client.close();
    const auto fetched = observer->all<TokenFetched>();
    BOOST_TEST_REQUIRE(fetched.size() == 1u);
    BOOST_TEST_REQUIRE(fetched[0].lifetime.has_value());
    BOOST_TEST(fetched[0].lifetime->count() == 3600);
    BOOST_TEST(fetched[0].duration.count() > 0);
    BOOST_TEST(observer->all<TokenRefused>().empty());
    // The fetch is an operation of its own kind, on its own connection.
    std::size_t token_ops = 0;
    for (const auto& op : observer->all<OperationEnded>())
        if (op.operation == OperationKind::token_fetch) ++token_ops;
    BOOST_TEST(token_ops == 1u);
    const auto m = client.metrics();
    BOOST_TEST(m.tokens_fetched == 1u);
    BOOST_TEST(m.tokens_refused == 0u);
    BOOST_TEST(m.of(OperationKind::token_fetch).succeeded == 1u);
    BOOST_TEST(m.of(OperationKind::get_conference).succeeded == 2u);

    const auto logged = sink.of("token_fetched");
    BOOST_TEST_REQUIRE(logged.size() == 1u);
    BOOST_TEST((logged[0].level == LogLevel::info));
    BOOST_TEST(*logged[0].field("lifetime_s") == "3600");

    std::vector<std::string> secrets{kOAuthSecret, detail::base64_encode(kOAuthClientId + ":" + kOAuthSecret)};
    for (const auto& req : env.server->requests()) {
        const auto space = req.authorization.find(' ');
        if (space != std::string::npos && req.authorization.compare(0, space, "Bearer") == 0)
            secrets.push_back(req.authorization.substr(space + 1));
    }
    BOOST_TEST_REQUIRE(secrets.size() == 4u);  // two API requests with the token
    BOOST_TEST(secrets[2] == secrets[3]);
    BOOST_TEST_REQUIRE(secrets[2].size() >= 20u);

    BOOST_TEST(sink.all().size() > 10u);
    for (const auto& r : sink.all())
        for (const auto& s : secrets) BOOST_TEST(r.text().find(s) == std::string::npos, r.event);
}

// 11d. A wrong client secret: the token endpoint's 401 is a TokenRefused.
BOOST_AUTO_TEST_CASE(a_refused_token_fetch_is_told_as_unauthorized) {
    MockEnv env(oauth_server());
    net::io_context ioc;
    LogSink sink;
    auto observer = std::make_shared<RecordingObserver>();
    auto config = oauth_config(env);
    const std::string wrong = "wrong-secret-Kd83-never-shown";
    config.client_secret = wrong;
    config.log = sink.hook();
    config.observer = observer;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::unauthorized), r.ec.message());
    });
    const auto refused = observer->all<TokenRefused>();
    BOOST_TEST_REQUIRE(refused.size() == 1u);
    BOOST_TEST((refused[0].ec == errc::unauthorized));
    BOOST_TEST(refused[0].status == std::optional<unsigned>(401));
    BOOST_TEST(observer->all<TokenFetched>().empty());
    const auto m = client.metrics();
    BOOST_TEST(m.tokens_refused == 1u);
    BOOST_TEST(m.tokens_fetched == 0u);
    BOOST_TEST(m.of(OperationKind::get_conference).failed_with(errc::unauthorized) == 1u);
    const auto logged = sink.of("token_refused");
    BOOST_TEST_REQUIRE(logged.size() == 1u);
    BOOST_TEST((logged[0].level == LogLevel::error));
    BOOST_TEST(*logged[0].field("error") == "unauthorized");
    BOOST_TEST(*logged[0].field("status") == "401");
    const std::string basic = detail::base64_encode(kOAuthClientId + ":" + wrong);
    for (const auto& r : sink.all()) {
        BOOST_TEST(r.text().find(wrong) == std::string::npos, r.text());
        BOOST_TEST(r.text().find(basic) == std::string::npos, r.text());
    }
}

// 12. Without observer or log hook, metrics() still count, per operation kind.
BOOST_AUTO_TEST_CASE(metrics_count_without_an_observer_for_every_operation_kind) {
    mock::ServerOptions options;
    options.conferences = 25;
    options.default_page_size = 10;
    MockEnv env(options);
    // A seeded conference with a member to update.
    std::string conference_id, member_id;
    for (std::size_t i = 0; i < options.conferences && member_id.empty(); ++i) {
        const Conference c = seeded_conference(options, i);
        if (!c.active_members.empty()) {
            conference_id = c.id;
            member_id = c.active_members.front().call_id;
        }
    }
    BOOST_TEST_REQUIRE(!member_id.empty());
    env.server->script("conf-3", {Action::respond(503)});
    net::io_context ioc;
    auto config = env.client_config();
    BOOST_TEST_REQUIRE(!config.observer);
    BOOST_TEST_REQUIRE(!config.log);
    ConferenceClient client(ioc, config);
    int pages = 0;
    error_code update_ec = make_error_code(errc::timeout);
    const MemberUpdate mute{.mute = true};
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-1")).ec);
        BOOST_TEST_REQUIRE(!(co_await lookup(client, "conf-3")).ec);  // after one retry
        BOOST_TEST_REQUIRE(((co_await lookup(client, "conf-404")).ec == errc::not_found));
        ConferencePager pager = client.list_conferences();
        while (!pager.done()) {
            auto [ec, page] = co_await pager.async_next(net::as_tuple(net::use_awaitable));
            BOOST_TEST_REQUIRE(!ec, ec.message());
            ++pages;
        }
        auto [ec] =
            co_await client.async_update_member(conference_id, member_id, mute, net::as_tuple(net::use_awaitable));
        update_ec = ec;
    });
    BOOST_TEST(pages == 3);
    BOOST_TEST(!update_ec, update_ec.message());
    const auto m = client.metrics();
    const auto& get = m.of(OperationKind::get_conference);
    BOOST_TEST(get.succeeded == 2u);
    BOOST_TEST(get.failed_with(errc::not_found) == 1u);
    BOOST_TEST(get.failures() == 1u);
    BOOST_TEST(get.latency.count() == 3u);
    BOOST_TEST(m.of(OperationKind::list_conferences).succeeded == 3u);
    BOOST_TEST(m.of(OperationKind::list_conferences).latency.count() == 3u);
    BOOST_TEST(m.of(OperationKind::update_member).succeeded == 1u);
    BOOST_TEST(m.of(OperationKind::update_member).latency.count() == 1u);
    BOOST_TEST(m.of(OperationKind::get_member).completed() == 0u);
    BOOST_TEST(m.of(OperationKind::update_conference).completed() == 0u);
    BOOST_TEST(m.of(OperationKind::token_fetch).completed() == 0u);
    BOOST_TEST(m.retries_for(RetryReason::server_unavailable) == 1u);
    BOOST_TEST(m.pool.lookups_completed == 7u);
    BOOST_TEST(m.bytes_sent > 0u);
    BOOST_TEST(m.bytes_received > 0u);
    BOOST_TEST(m.tls_handshake.count() == m.pool.handshakes);
    BOOST_TEST(m.connect.count() == m.pool.connections_opened);
}

// Events of one request come on its strand, in order: on four threads, the
// tries on one connection never overlap, and the totals match metrics().
BOOST_AUTO_TEST_CASE(events_of_one_request_never_interleave_on_many_threads) {
    Env env;
    net::io_context ioc;
    auto config = env.config();
    config.pool_size = 6;
    ConferenceClient client(ioc, config);
    constexpr int n = 200;
    std::atomic<int> ok{0};
    for (int i = 0; i < n; ++i) {
        const std::string id = "conf-" + std::to_string(i % 50);
        client.async_get_conference(id, [&ok, id](error_code ec, Conference c) { ok += !ec && c.id == id; });
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back([&] { ioc.run_for(60s); });
    for (auto& t : threads) t.join();
    BOOST_TEST(ok.load() == n);

    const auto ev = env.observer->events();
    // Per connection: opened first, then started/ended strictly alternating,
    // each pair of the same attempt, and a reuse right before every start but the first.
    struct Track {
        bool opened = false;
        bool in_request = false;
        unsigned attempt = 0;
        std::uint64_t starts = 0;
        std::uint64_t reuses = 0;
    };
    std::map<std::uint64_t, Track> tracks;
    std::uint64_t sent = 0, received = 0, started = 0, ended = 0, operations = 0;
    for (const auto& e : ev) {
        if (const auto* o = std::get_if<ConnectionOpened>(&e)) {
            BOOST_TEST(!tracks[o->connection].opened);
            tracks[o->connection].opened = true;
        } else if (const auto* u = std::get_if<ConnectionReused>(&e)) {
            auto& t = tracks[u->connection];
            BOOST_TEST(!t.in_request);
            BOOST_TEST(u->exchanges == t.starts);
            ++t.reuses;
        } else if (const auto* s = std::get_if<RequestStarted>(&e)) {
            auto& t = tracks[s->connection];
            BOOST_TEST(t.opened, "connection " << s->connection << " used before it was opened");
            BOOST_TEST(!t.in_request, "connection " << s->connection << ": two requests at once");
            BOOST_TEST(s->reused == (t.starts > 0));
            t.in_request = true;
            t.attempt = s->attempt;
            ++t.starts;
            ++started;
        } else if (const auto* d = std::get_if<RequestEnded>(&e)) {
            auto& t = tracks[d->connection];
            BOOST_TEST(t.in_request, "connection " << d->connection << ": an end without a start");
            BOOST_TEST(d->attempt == t.attempt);
            BOOST_TEST(d->status == std::optional<unsigned>(200));
            t.in_request = false;
            sent += d->bytes_out;
            received += d->bytes_in;
            ++ended;
        } else if (std::holds_alternative<OperationEnded>(e)) {
            ++operations;
        }
    }
    for (const auto& kv : tracks) {
        BOOST_TEST(!kv.second.in_request, "connection " << kv.first);
        BOOST_TEST(kv.second.reuses + 1 == kv.second.starts, "connection " << kv.first);
    }
    const auto m = client.metrics();
    BOOST_TEST(started == static_cast<std::uint64_t>(n));
    BOOST_TEST(ended == started);
    BOOST_TEST(operations == static_cast<std::uint64_t>(n));
    BOOST_TEST(m.of(OperationKind::get_conference).succeeded == static_cast<std::uint64_t>(n));
    BOOST_TEST(m.of(OperationKind::get_conference).latency.count() == static_cast<std::uint64_t>(n));
    BOOST_TEST(m.bytes_sent == sent);
    BOOST_TEST(m.bytes_received == received);
    BOOST_TEST(m.pool.connections_opened == tracks.size());
    BOOST_TEST(m.pool.reuses == static_cast<std::uint64_t>(n) - tracks.size());
    BOOST_TEST(count_of<PoolWaited>(ev) == m.pool_wait.count());
    BOOST_TEST(tracks.size() <= 6u);
}

// 14. A connection the client itself will not reuse (an error body over
// max_body_bytes left unread) is closed as an error, not as the server's
// close: the server asked for nothing.
BOOST_AUTO_TEST_CASE(a_connection_the_client_gives_up_is_not_told_as_closed_by_the_server) {
    Env env;
    Action big = Action::respond(404);
    big.body = std::string(70'000, 'x');
    env.mock.server->script("conf-1", {big});
    net::io_context ioc;
    auto config = env.config();
    config.max_body_bytes = 64 * 1024;
    ConferenceClient client(ioc, config);
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "conf-1");
        BOOST_TEST((r.ec == errc::not_found), r.diag.message);
    });
    const auto m = client.metrics();
    BOOST_TEST(m.closed_for(CloseReason::error) == 1u);
    BOOST_TEST(m.closed_for(CloseReason::server_closed) == 0u);
}

// 15. An operation refused before anything is sent (an empty ID, a second
// async_next while one runs) is counted and told like any other failure.
BOOST_AUTO_TEST_CASE(an_operation_refused_before_sending_is_counted_and_told) {
    Env env;
    net::io_context ioc;
    ConferenceClient client(ioc, env.config());
    run_coroutine(ioc, [&]() -> net::awaitable<void> {
        auto r = co_await lookup(client, "");
        BOOST_TEST((r.ec == errc::bad_request));
    });
    const auto m = client.metrics();
    BOOST_TEST(m.of(OperationKind::get_conference).failed_with(errc::bad_request) == 1u);
    BOOST_TEST(m.of(OperationKind::get_conference).latency.count() == 1u);
    BOOST_TEST(m.pool.lookups_completed == 1u);
    BOOST_TEST_REQUIRE(env.observer->trace() == "OperationEnded");
    const auto ended = std::get<OperationEnded>(env.observer->events()[0]);
    BOOST_TEST((ended.ec == errc::bad_request));
    BOOST_TEST(ended.attempts == 0u);
    BOOST_TEST(!ended.status.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
