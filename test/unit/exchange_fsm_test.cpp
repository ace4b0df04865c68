// The exchange's decisions, event by event, with no socket, timer or
// io_context (as Boost.Redis tests its exec_fsm): every transition, the
// retry and resend rules, changes never sent twice, and which cancellation
// applies when.
#include "core/exchange_fsm.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <vector>

using namespace bwvoice;
using namespace bwvoice::detail;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace http = boost::beast::http;
namespace bdata = boost::unit_test::data;
using clock_type = ExchangeFsm::clock;
using ct = net::cancellation_type;

namespace {

bool ok_200(unsigned s) {
    return s == 200;
}
bool ok_204(unsigned s) {
    return s == 204;
}

/// max 2 counted retries, no jitter: the pauses are 100 ms then 200 ms.
RetryPolicy policy() {
    RetryPolicy p;
    p.max_retries = 2;
    p.backoff_base = 100ms;
    p.backoff_cap = 1000ms;
    p.jitter = false;
    return p;
}

const clock_type::time_point t0{};
const clock_type::time_point deadline = t0 + 10s;

struct Machine {
    RetryPolicy rp = policy();
    ExchangeFsm fsm;
    explicit Machine(bool change = false) : fsm(rp, change, deadline, change ? ok_204 : ok_200) {}
};

Decision step(Step s, Disposal d = Disposal::keep, std::chrono::milliseconds delay = 0ms) {
    return {.step = s, .disposal = d, .delay = delay};
}
Decision done(error_code ec, Disposal d, Ending e = Ending::normal) {
    return {.step = Step::finish, .disposal = d, .ec = ec, .ending = e};
}
error_code code(errc e) {
    return make_error_code(e);
}

ResponseOutcome status(unsigned s, bool keep_alive = true) {
    ResponseOutcome r;
    r.response_started = true;
    r.status = s;
    r.keep_alive = keep_alive;
    return r;
}
ResponseOutcome failure(error_code ec, bool response_started = false) {
    ResponseOutcome r;
    r.ec = ec;
    r.response_started = response_started;
    return r;
}

/// Drives a fresh machine to the given step on a new connection.
void to_reading(ExchangeFsm& f, bool reused = false) {
    BOOST_TEST_REQUIRE(f.start() == step(Step::acquire));
    if (reused) {
        BOOST_TEST_REQUIRE(f.granted(Grant::connection, true) == step(Step::write));
    } else {
        BOOST_TEST_REQUIRE(f.granted(Grant::connect_slot, false) == step(Step::connect));
        BOOST_TEST_REQUIRE(f.connected({}, t0, 0.5) == step(Step::write));
    }
    BOOST_TEST_REQUIRE(f.written({}, t0, 0.5) == step(Step::read));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exchange_fsm)

// ---- the way through -------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_read_on_a_new_connection_goes_acquire_connect_write_read_finish) {
    Machine m;
    BOOST_TEST(m.fsm.start() == step(Step::acquire));
    BOOST_TEST(m.fsm.granted(Grant::connect_slot, false) == step(Step::connect));
    BOOST_TEST(m.fsm.connected({}, t0, 0.5) == step(Step::write));
    BOOST_TEST(m.fsm.attempts() == 1u);
    BOOST_TEST(m.fsm.written({}, t0, 0.5) == step(Step::read));
    BOOST_TEST(m.fsm.on_the_wire());
    BOOST_TEST(m.fsm.received(status(200), t0, 0.5) == done({}, Disposal::release));
    BOOST_TEST(m.fsm.retries() == 0u);
    BOOST_TEST(!m.fsm.interrupt(Interruption::caller), "nothing to interrupt once done");
}

BOOST_AUTO_TEST_CASE(a_pooled_connection_skips_connect) {
    Machine m;
    m.fsm.start();
    BOOST_TEST(m.fsm.granted(Grant::connection, true) == step(Step::write));
    BOOST_TEST(m.fsm.written({}, t0, 0.5) == step(Step::read));
    BOOST_TEST(m.fsm.received(status(200), t0, 0.5) == done({}, Disposal::release));
}

BOOST_AUTO_TEST_CASE(a_queued_request_waits_then_takes_its_grant) {
    Machine m;
    m.fsm.start();
    BOOST_TEST(m.fsm.granted(Grant::queued, false) == step(Step::wait));
    BOOST_TEST(m.fsm.granted(Grant::queued, false) == step(Step::wait), "a spurious wake-up waits again");
    BOOST_TEST(m.fsm.granted(Grant::connect_slot, false) == step(Step::connect));
}

BOOST_AUTO_TEST_CASE(a_closed_pool_finishes_cancelled) {
    Machine m;
    m.fsm.start();
    BOOST_TEST(m.fsm.granted(Grant::closed, false) == done(code(errc::cancelled), Disposal::keep));
}

BOOST_AUTO_TEST_CASE(a_response_without_keep_alive_discards_the_connection) {
    Machine m;
    to_reading(m.fsm);
    BOOST_TEST(m.fsm.received(status(200, false), t0, 0.5) == done({}, Disposal::discard));
}

BOOST_AUTO_TEST_CASE(a_success_the_operation_cannot_accept_is_its_error_and_may_retire_the_connection) {
    Machine m;
    to_reading(m.fsm);
    ResponseOutcome r = status(200);
    r.accept_ec = code(errc::bad_response);
    r.retire = true;  // another ID's answer: the connection's responses are out of step
    BOOST_TEST(m.fsm.received(r, t0, 0.5) == done(code(errc::bad_response), Disposal::discard));
}

BOOST_AUTO_TEST_CASE(the_success_statuses_are_the_operations) {
    Machine change(true);
    to_reading(change.fsm);
    BOOST_TEST(change.fsm.received(status(204), t0, 0.5) == done({}, Disposal::release));
    Machine read;
    to_reading(read.fsm);
    BOOST_TEST(read.fsm.received(status(204), t0, 0.5) == done(code(errc::bad_response), Disposal::release),
               "a 2xx other than the operation's is not a success");
}

// ---- final statuses --------------------------------------------------------

BOOST_DATA_TEST_CASE(final_statuses_are_not_retried,
                     bdata::make({400u, 401u, 403u, 404u, 405u, 415u, 500u, 501u, 301u, 101u}), s) {
    for (bool change : {false, true}) {
        Machine m(change);
        to_reading(m.fsm);
        const Disposal d = s == 101 ? Disposal::discard : Disposal::release;
        BOOST_TEST(m.fsm.received(status(s, s != 101), t0, 0.5) == done(code(s == 500 || s == 501 ? errc::server_error
                                                                             : s == 400           ? errc::bad_request
                                                                             : s == 401           ? errc::unauthorized
                                                                             : s == 403           ? errc::forbidden
                                                                             : s == 404           ? errc::not_found
                                                                             : s == 101           ? errc::bad_response
                                                                                                  : errc::http_error),
                                                                        d),
                   "status " << s << (change ? " (change)" : ""));
        BOOST_TEST(m.fsm.retries() == 0u);
    }
}

// ---- counted retries -------------------------------------------------------

BOOST_DATA_TEST_CASE(reads_retry_429_and_502_to_504_with_backoff, bdata::make({429u, 502u, 503u, 504u}), s) {
    Machine m;
    to_reading(m.fsm);
    BOOST_TEST(m.fsm.received(status(s), t0, 0.5) == step(Step::sleep, Disposal::release, 100ms));
    BOOST_TEST((m.fsm.retry_reason() == (s == 429 ? RetryReason::rate_limited : RetryReason::server_unavailable)));
    BOOST_TEST(m.fsm.slept() == step(Step::acquire));
    BOOST_TEST(m.fsm.granted(Grant::connection, true) == step(Step::write));
    BOOST_TEST(m.fsm.written({}, t0, 0.5) == step(Step::read));
    BOOST_TEST(m.fsm.received(status(s), t0, 0.5) == step(Step::sleep, Disposal::release, 200ms));
    m.fsm.slept();
    m.fsm.granted(Grant::connection, true);
    m.fsm.written({}, t0, 0.5);
    const errc expected = s == 429 ? errc::rate_limited : errc::server_error;
    BOOST_TEST(m.fsm.received(status(s), t0, 0.5) ==
               done(code(expected), Disposal::release, Ending::retries_exhausted));
    BOOST_TEST(m.fsm.retries() == 2u);
    BOOST_TEST(m.fsm.attempts() == 3u);
}

BOOST_AUTO_TEST_CASE(retry_after_replaces_the_backoff_and_may_not_pass_the_deadline) {
    Machine m;
    to_reading(m.fsm);
    ResponseOutcome r = status(429);
    r.retry_after = 3s;
    BOOST_TEST(m.fsm.received(r, t0, 0.5) == step(Step::sleep, Disposal::release, 3s));
    m.fsm.slept();
    m.fsm.granted(Grant::connection, true);
    m.fsm.written({}, t0, 0.5);
    r.retry_after = 20s;
    Decision d = done(code(errc::rate_limited), Disposal::release, Ending::retry_would_pass_deadline);
    d.delay = 20s;
    BOOST_TEST(m.fsm.received(r, t0 + 3s, 0.5) == d);
    BOOST_TEST(m.fsm.retries() == 1u);
}

BOOST_AUTO_TEST_CASE(the_jittered_pause_is_drawn_from_the_random_input) {
    RetryPolicy rp = policy();
    rp.jitter = true;
    ExchangeFsm f(rp, false, deadline, ok_200);
    to_reading(f);
    BOOST_TEST(f.received(status(503), t0, 0.25) == step(Step::sleep, Disposal::release, 25ms));
}

BOOST_AUTO_TEST_CASE(no_retry_when_the_policy_allows_none) {
    RetryPolicy rp = policy();
    rp.max_retries = 0;
    ExchangeFsm f(rp, false, deadline, ok_200);
    to_reading(f);
    BOOST_TEST(f.received(status(503), t0, 0.5) ==
               done(code(errc::server_error), Disposal::release, Ending::retries_exhausted));
}

BOOST_AUTO_TEST_CASE(connection_failures_are_retried_tls_failures_are_not) {
    Machine m;
    m.fsm.start();
    m.fsm.granted(Grant::connect_slot, false);
    BOOST_TEST(m.fsm.connected(net::error::connection_refused, t0, 0.5) == step(Step::sleep, Disposal::discard, 100ms));
    BOOST_TEST((m.fsm.retry_reason() == RetryReason::connection_failed));
    m.fsm.slept();
    m.fsm.granted(Grant::connect_slot, false);
    BOOST_TEST(m.fsm.connected(net::error::timed_out, t0, 0.5) == step(Step::sleep, Disposal::discard, 200ms),
               "a connect or handshake limit that expired is a connection failure");
    m.fsm.slept();
    m.fsm.granted(Grant::connect_slot, false);
    const error_code tls(0x14000086, net::error::get_ssl_category());
    BOOST_TEST(m.fsm.connected(tls, t0, 0.5) == done(code(errc::tls_error), Disposal::discard));
    BOOST_TEST(m.fsm.attempts() == 3u, "a failed connect is a try, though no request was written");
    BOOST_TEST(m.fsm.retries() == 2u);
}

BOOST_AUTO_TEST_CASE(a_name_the_dns_says_does_not_exist_is_final) {
    Machine m;
    m.fsm.start();
    m.fsm.granted(Grant::connect_slot, false);
    BOOST_TEST(m.fsm.connected(net::error::host_not_found, t0, 0.5) ==
               done(code(errc::connection_failed), Disposal::discard));
    Machine again;
    again.fsm.start();
    again.fsm.granted(Grant::connect_slot, false);
    BOOST_TEST(again.fsm.connected(net::error::host_not_found_try_again, t0, 0.5) ==
                   step(Step::sleep, Disposal::discard, 100ms),
               "a temporary failure is retried");
}

BOOST_AUTO_TEST_CASE(a_response_cut_short_on_a_new_connection_is_a_counted_retry) {
    Machine m;
    to_reading(m.fsm);
    BOOST_TEST(m.fsm.received(failure(http::error::end_of_stream), t0, 0.5) ==
               step(Step::sleep, Disposal::discard, 100ms));
    BOOST_TEST(m.fsm.stale_resends() == 0u);
}

BOOST_AUTO_TEST_CASE(a_malformed_response_is_final) {
    Machine m;
    to_reading(m.fsm);
    BOOST_TEST(m.fsm.received(failure(http::error::bad_version, true), t0, 0.5) ==
               done(code(errc::bad_response), Disposal::discard));
}

// ---- dead pooled connections -------------------------------------------------

BOOST_AUTO_TEST_CASE(a_read_on_a_dead_pooled_connection_is_resent_at_once_not_counted) {
    Machine m;
    to_reading(m.fsm, true);
    BOOST_TEST(m.fsm.received(failure(http::error::end_of_stream), t0, 0.5) == step(Step::acquire, Disposal::discard));
    BOOST_TEST(m.fsm.stale_resends() == 1u);
    BOOST_TEST(m.fsm.retries() == 0u);
    // Written on a dead connection: the same.
    BOOST_TEST(m.fsm.granted(Grant::connection, true) == step(Step::write));
    BOOST_TEST(m.fsm.written(net::error::broken_pipe, t0, 0.5) == step(Step::acquire, Disposal::discard));
    BOOST_TEST(m.fsm.stale_resends() == 2u);
}

BOOST_AUTO_TEST_CASE(a_response_that_began_is_not_a_dead_connection) {
    Machine m;
    to_reading(m.fsm, true);
    BOOST_TEST(m.fsm.received(failure(http::error::partial_message, true), t0, 0.5) ==
               step(Step::sleep, Disposal::discard, 100ms));
    BOOST_TEST(m.fsm.stale_resends() == 0u);
}

// ---- changes -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_change_is_never_resent_once_it_may_have_reached_the_server) {
    const auto may_have_been_applied = [](errc e, Disposal d) {
        return done(code(e), d, Ending::change_may_have_been_applied);
    };
    {
        Machine m(true);  // writing failed on a pooled connection: its bytes may have left
        m.fsm.start();
        m.fsm.granted(Grant::connection, true);
        BOOST_TEST(m.fsm.written(net::error::broken_pipe, t0, 0.5) ==
                   may_have_been_applied(errc::connection_failed, Disposal::discard));
    }
    {
        Machine m(true);  // the pooled connection dropped before any response byte
        to_reading(m.fsm, true);
        BOOST_TEST(m.fsm.received(failure(http::error::end_of_stream), t0, 0.5) ==
                   may_have_been_applied(errc::connection_failed, Disposal::discard));
        BOOST_TEST(m.fsm.stale_resends() == 0u);
    }
    {
        Machine m(true);
        to_reading(m.fsm);
        BOOST_TEST(m.fsm.received(failure(net::error::connection_reset), t0, 0.5) ==
                   may_have_been_applied(errc::connection_failed, Disposal::discard));
    }
    for (unsigned s : {502u, 503u, 504u}) {
        Machine m(true);
        to_reading(m.fsm);
        BOOST_TEST(m.fsm.received(status(s), t0, 0.5) == may_have_been_applied(errc::server_error, Disposal::release),
                   s);
    }
}

BOOST_AUTO_TEST_CASE(a_change_is_retried_after_429_and_after_a_failed_connect) {
    Machine m(true);
    m.fsm.start();
    m.fsm.granted(Grant::connect_slot, false);
    BOOST_TEST(m.fsm.connected(net::error::connection_refused, t0, 0.5) == step(Step::sleep, Disposal::discard, 100ms),
               "nothing was written: safe to try again");
    m.fsm.slept();
    m.fsm.granted(Grant::connect_slot, false);
    m.fsm.connected({}, t0, 0.5);
    m.fsm.written({}, t0, 0.5);
    BOOST_TEST(m.fsm.received(status(429), t0, 0.5) == step(Step::sleep, Disposal::release, 200ms),
               "429: refused, not applied");
    m.fsm.slept();
    m.fsm.granted(Grant::connection, true);
    m.fsm.written({}, t0, 0.5);
    BOOST_TEST(m.fsm.received(status(204), t0, 0.5) == done({}, Disposal::release));
    BOOST_TEST(m.fsm.attempts() == 3u, "the failed connect, then two writes");
}

// ---- downloads ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(nothing_is_resent_once_a_body_byte_reached_the_sink) {
    Machine m;
    to_reading(m.fsm, true);
    ResponseOutcome r = failure(http::error::partial_message, true);
    r.body_delivered = true;
    BOOST_TEST(m.fsm.received(r, t0, 0.5) ==
               done(code(errc::connection_failed), Disposal::discard, Ending::body_already_delivered));
}

// MediaSink::write: "An error in `done` stops the download, which then
// completes with that error": the sink's own code, not a transport failure.
BOOST_AUTO_TEST_CASE(an_error_from_the_sink_finishes_with_that_error_and_is_not_retried) {
    Machine m;
    to_reading(m.fsm, true);
    const error_code disk_full = make_error_code(boost::system::errc::no_space_on_device);
    ResponseOutcome r = failure(disk_full, true);
    r.status = 200;
    r.body_delivered = true;
    r.sink_failed = true;
    BOOST_TEST(m.fsm.received(r, t0, 0.5) == done(disk_full, Disposal::discard));
}

// ---- interruptions -------------------------------------------------------------

namespace {

enum class Where { waiting, connecting, writing, reading, sleeping };

std::ostream& operator<<(std::ostream& os, Where w) {
    const char* names[] = {"waiting", "connecting", "writing", "reading", "sleeping"};
    return os << names[static_cast<int>(w)];
}

/// Brings a machine to `where` and returns the event that ends that step
/// once the shell has aborted it.
Decision interrupt_at(ExchangeFsm& f, Where where, Interruption why, ct type, bool& applied) {
    f.start();
    switch (where) {
    case Where::waiting:
        f.granted(Grant::queued, false);
        applied = f.interrupt(why, type);
        return f.granted(Grant::queued, false);
    case Where::connecting:
        f.granted(Grant::connect_slot, false);
        applied = f.interrupt(why, type);
        return f.connected(net::error::operation_aborted, t0, 0.5);
    case Where::writing:
        f.granted(Grant::connection, true);
        applied = f.interrupt(why, type);
        return applied ? f.written(net::error::operation_aborted, t0, 0.5) : f.written({}, t0, 0.5);
    case Where::reading:
        f.granted(Grant::connection, true);
        f.written({}, t0, 0.5);
        applied = f.interrupt(why, type);
        return applied ? f.received(failure(net::error::operation_aborted), t0, 0.5)
                       : f.received(status(f.is_change() ? 204 : 200), t0, 0.5);
    case Where::sleeping:
        f.granted(Grant::connection, true);
        f.written({}, t0, 0.5);
        f.received(status(429), t0, 0.5);  // retried by changes too
        applied = f.interrupt(why, type);
        return f.slept();
    }
    return {};
}

struct CancelCase {
    Where where;
    ct type;
    bool change;
};
std::ostream& operator<<(std::ostream& os, const CancelCase& c) {
    return os << c.where << " type " << static_cast<int>(c.type) << (c.change ? " change" : " read");
}

std::vector<CancelCase> cancel_cases() {
    std::vector<CancelCase> v;
    for (Where w : {Where::waiting, Where::connecting, Where::writing, Where::reading, Where::sleeping})
        for (ct t : {ct::terminal, ct::partial, ct::total, ct::all})
            for (bool change : {false, true}) v.push_back({w, t, change});
    return v;
}

}  // namespace

// Reads: every type of cancellation applies everywhere (nothing on the
// server changes). Changes: everywhere except on the wire, where only
// terminal applies, and the error then says the change may have been applied.
BOOST_DATA_TEST_CASE(which_cancellation_applies_when, bdata::make(cancel_cases()), c) {
    Machine m(c.change);
    bool applied = false;
    const Decision end = interrupt_at(m.fsm, c.where, Interruption::caller, c.type, applied);
    const bool on_the_wire = c.where == Where::writing || c.where == Where::reading;
    const bool terminal = (c.type & ct::terminal) != ct::none;
    const bool should_apply = !(c.change && on_the_wire && !terminal);
    BOOST_TEST(applied == should_apply);
    if (should_apply) {
        BOOST_TEST(end.step == Step::finish);
        BOOST_TEST((end.ec == net::error::operation_aborted));
        BOOST_TEST(end.ending == (c.change && on_the_wire ? Ending::change_may_have_been_applied : Ending::normal));
        BOOST_TEST(end.disposal ==
                   (c.where == Where::waiting || c.where == Where::sleeping ? Disposal::keep : Disposal::discard));
    } else {
        // Ignored: the change goes on to its answer.
        if (c.where == Where::writing) {
            BOOST_TEST(end == step(Step::read));
        } else {
            BOOST_TEST(end == done({}, Disposal::release));
        }
    }
}

BOOST_AUTO_TEST_CASE(the_deadline_and_a_close_apply_to_changes_on_the_wire_too) {
    for (auto [why, expected] : {std::pair{Interruption::deadline, code(errc::timeout)},
                                 std::pair{Interruption::closed, code(errc::cancelled)}}) {
        Machine m(true);
        bool applied = false;
        const Decision end = interrupt_at(m.fsm, Where::reading, why, ct::none, applied);
        BOOST_TEST(applied);
        BOOST_TEST(end == done(expected, Disposal::discard, Ending::change_may_have_been_applied));
    }
}

BOOST_AUTO_TEST_CASE(a_grant_that_arrives_with_the_interruption_is_given_back) {
    {
        Machine m;
        m.fsm.start();
        m.fsm.granted(Grant::queued, false);
        BOOST_TEST(m.fsm.interrupt(Interruption::caller, ct::total));
        BOOST_TEST(m.fsm.granted(Grant::connection, true) == done(net::error::operation_aborted, Disposal::release),
                   "an unused connection goes back reusable: the next waiter gets it (Boost.MySQL #509)");
    }
    {
        Machine m;
        m.fsm.start();
        m.fsm.granted(Grant::queued, false);
        m.fsm.interrupt(Interruption::deadline);
        BOOST_TEST(m.fsm.granted(Grant::connect_slot, false) == done(code(errc::timeout), Disposal::discard));
    }
}

BOOST_AUTO_TEST_CASE(an_interruption_before_the_start_finishes_at_once) {
    Machine m;
    BOOST_TEST(m.fsm.interrupt(Interruption::closed));
    BOOST_TEST(m.fsm.start() == done(code(errc::cancelled), Disposal::keep));
}

BOOST_AUTO_TEST_CASE(the_first_interruption_wins_and_none_is_empty) {
    Machine m;
    m.fsm.start();
    m.fsm.granted(Grant::queued, false);
    BOOST_TEST(!m.fsm.interrupt(Interruption::caller, ct::none));
    BOOST_TEST(m.fsm.interrupt(Interruption::deadline));
    BOOST_TEST(!m.fsm.interrupt(Interruption::caller, ct::terminal));
    BOOST_TEST(m.fsm.granted(Grant::queued, false) == done(code(errc::timeout), Disposal::keep));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- OAuth: a token before each try, one resend after a 401 ----------------------

namespace {

struct BearerMachine {
    RetryPolicy rp = policy();
    ExchangeFsm fsm;
    explicit BearerMachine(bool change = false) : fsm(rp, change, deadline, change ? ok_204 : ok_200, true) {}
};

Decision authorize_step(Disposal d = Disposal::keep, bool reject = false) {
    Decision x{.step = Step::authorize, .disposal = d};
    x.reject_token = reject;
    return x;
}

/// From a fresh bearer machine to reading a response on a reused connection.
void bearer_to_reading(ExchangeFsm& f) {
    BOOST_TEST_REQUIRE(f.start() == authorize_step());
    BOOST_TEST_REQUIRE(f.authorized({}) == step(Step::acquire));
    BOOST_TEST_REQUIRE(f.granted(Grant::connection, true) == step(Step::write));
    BOOST_TEST_REQUIRE(f.written({}, t0, 0.5) == step(Step::read));
}

}  // namespace

BOOST_DATA_TEST_CASE(a_401_to_a_token_condemns_it_and_the_request_goes_once_more, bdata::make({false, true}), change) {
    BearerMachine m(change);
    bearer_to_reading(m.fsm);
    // The 401 applied nothing: read, connection reusable, token condemned.
    BOOST_TEST(m.fsm.received(status(401), t0, 0.5) == authorize_step(Disposal::release, true));
    BOOST_TEST(m.fsm.authorized({}) == step(Step::acquire));
    BOOST_TEST(m.fsm.granted(Grant::connection, true) == step(Step::write));
    BOOST_TEST(m.fsm.written({}, t0, 0.5) == step(Step::read));
    // A second 401 is the answer.
    BOOST_TEST(m.fsm.received(status(401), t0, 0.5) == done(code(errc::unauthorized), Disposal::release));
    BOOST_TEST(m.fsm.attempts() == 2u);
    BOOST_TEST(m.fsm.retries() == 0u);
}

// A revocation racing a refresh: the token carried is refused, the one the
// refresh brought (fetched before the revocation) is refused too; it is
// condemned in turn and a token fetched after the 401 is tried. Bounded: at
// most kMaxTokenRefusals tries follow a 401.
BOOST_DATA_TEST_CASE(a_401_to_a_token_older_than_the_last_refusal_is_not_the_answer, bdata::make({false, true}),
                     change) {
    BearerMachine m(change);
    bearer_to_reading(m.fsm);
    BOOST_TEST(m.fsm.received(status(401), t0, 0.5) == authorize_step(Disposal::release, true));
    BOOST_TEST(m.fsm.authorized({}, false) == step(Step::acquire));  // the refresh's token, already there
    BOOST_TEST(m.fsm.granted(Grant::connection, true) == step(Step::write));
    BOOST_TEST(m.fsm.written({}, t0, 0.5) == step(Step::read));
    BOOST_TEST(m.fsm.received(status(401), t0, 0.5) == authorize_step(Disposal::release, true));
    BOOST_TEST(m.fsm.authorized({}, true) == step(Step::acquire));  // fetched after that 401
    BOOST_TEST(m.fsm.granted(Grant::connection, true) == step(Step::write));
    BOOST_TEST(m.fsm.written({}, t0, 0.5) == step(Step::read));
    BOOST_TEST(m.fsm.received(status(401), t0, 0.5) == done(code(errc::unauthorized), Disposal::release));
    BOOST_TEST(m.fsm.attempts() == 3u);

    BearerMachine bounded(change);
    bearer_to_reading(bounded.fsm);
    for (unsigned i = 0; i < ExchangeFsm::kMaxTokenRefusals; ++i) {
        BOOST_TEST(bounded.fsm.received(status(401), t0, 0.5) == authorize_step(Disposal::release, true));
        BOOST_TEST(bounded.fsm.authorized({}, false) == step(Step::acquire));
        BOOST_TEST(bounded.fsm.granted(Grant::connection, true) == step(Step::write));
        BOOST_TEST(bounded.fsm.written({}, t0, 0.5) == step(Step::read));
    }
    BOOST_TEST(bounded.fsm.received(status(401), t0, 0.5) == done(code(errc::unauthorized), Disposal::release));
}

BOOST_AUTO_TEST_CASE(a_basic_request_takes_a_401_as_the_answer) {
    Machine m;
    to_reading(m.fsm, true);
    BOOST_TEST(m.fsm.received(status(401), t0, 0.5) == done(code(errc::unauthorized), Disposal::release));
}

BOOST_AUTO_TEST_CASE(no_token_no_request) {
    BearerMachine m;
    BOOST_TEST(m.fsm.start() == authorize_step());
    BOOST_TEST(m.fsm.authorized(code(errc::unauthorized)) == done(code(errc::unauthorized), Disposal::keep));
    BOOST_TEST(m.fsm.attempts() == 0u);
}

BOOST_AUTO_TEST_CASE(every_try_after_a_pause_gets_its_token_again_but_a_stale_resend_keeps_it) {
    BearerMachine m;
    bearer_to_reading(m.fsm);
    BOOST_TEST(m.fsm.received(status(503), t0, 0.5) == step(Step::sleep, Disposal::release, 100ms));
    BOOST_TEST(m.fsm.slept() == authorize_step());
    BOOST_TEST(m.fsm.authorized({}) == step(Step::acquire));
    BOOST_TEST(m.fsm.granted(Grant::connection, true) == step(Step::write));
    BOOST_TEST(m.fsm.written({}, t0, 0.5) == step(Step::read));
    // A dead pooled connection: resent at once with the same token.
    BOOST_TEST(m.fsm.received(failure(net::error::eof), t0, 0.5) == step(Step::acquire, Disposal::discard));
}

BOOST_AUTO_TEST_CASE(waiting_for_a_token_ends_at_any_interruption) {
    for (const auto why : {Interruption::caller, Interruption::deadline, Interruption::closed}) {
        BearerMachine m(true);
        BOOST_TEST_REQUIRE(m.fsm.start() == authorize_step());
        // Nothing was written: even partial cancellation of a change applies.
        BOOST_TEST(m.fsm.interrupt(why, ct::partial));
        const Decision d = m.fsm.authorized(make_error_code(net::error::operation_aborted));
        BOOST_TEST((d.step == Step::finish));
        BOOST_TEST((d.ending == Ending::normal));
    }
}
