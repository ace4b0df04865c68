#include "core/exchange_fsm.hpp"

#include "core/error_mapping.hpp"
#include "core/retry_policy.hpp"

#include <boost/asio/error.hpp>

namespace bwvoice::detail {
namespace net = boost::asio;

Decision ExchangeFsm::start() noexcept {
    if (interruption_) return finish_interrupted(Disposal::keep);
    return begin_try(Disposal::keep);
}

Decision ExchangeFsm::begin_try(Disposal disposal) noexcept {
    if (bearer_) {
        // Before each try, not once: a pause may have outlived the token.
        state_ = State::authorizing;
        return {.step = Step::authorize, .disposal = disposal};
    }
    state_ = State::acquiring;
    return {.step = Step::acquire, .disposal = disposal};
}

Decision ExchangeFsm::authorized(error_code ec, bool fetched_since_refusal) noexcept {
    token_fetched_since_refusal_ = fetched_since_refusal;
    if (interruption_) return finish_interrupted(Disposal::keep);
    if (ec) return finish(ec, Disposal::keep);
    state_ = State::acquiring;
    return {.step = Step::acquire};
}

Decision ExchangeFsm::granted(Grant grant, bool reused) noexcept {
    if (interruption_) {
        // Interrupted while waiting, but something was handed over meanwhile:
        // give it back, so the next in line does not lose its turn
        // (Boost.MySQL #509). An unused connection goes back reusable.
        if (grant == Grant::connection) return finish_interrupted(Disposal::release);
        if (grant == Grant::connect_slot) return finish_interrupted(Disposal::discard);
        return finish_interrupted(Disposal::keep);
    }
    switch (grant) {
    case Grant::connection:
        reused_ = reused;
        state_ = State::writing;
        ++attempts_;
        return {.step = Step::write};
    case Grant::connect_slot: state_ = State::connecting; return {.step = Step::connect};
    case Grant::queued: state_ = State::waiting; return {.step = Step::wait};
    case Grant::closed: return finish(make_error_code(errc::cancelled), Disposal::keep);
    }
    return finish(make_error_code(errc::cancelled), Disposal::keep);
}

Decision ExchangeFsm::connected(error_code ec, clock::time_point now, double unit_random) noexcept {
    if (interruption_) return finish_interrupted(Disposal::discard);
    if (!ec) {
        reused_ = false;
        state_ = State::writing;
        ++attempts_;
        return {.step = Step::write};
    }
    // A try, though no request could be written. Nothing was written, so a
    // connection failure may be retried, changes included; but a name the
    // DNS says does not exist will not exist a moment later.
    ++attempts_;
    const errc code = errc_for_transport(ec);
    if (!is_retryable_transport(code) || ec == net::error::host_not_found)
        return finish(make_error_code(code), Disposal::discard);
    return retry_or_finish(make_error_code(code), Disposal::discard, std::nullopt, now, unit_random);
}

Decision ExchangeFsm::written(error_code ec, clock::time_point now, double unit_random) noexcept {
    if (interruption_) return finish_interrupted(Disposal::discard);
    if (!ec) {
        state_ = State::reading;
        return {.step = Step::read};
    }
    const errc code = errc_for_transport(ec);
    // A change whose writing began may have reached the server, whatever the
    // error says: TLS records or TCP segments can have left before it.
    if (change_) return finish(make_error_code(code), Disposal::discard, Ending::change_may_have_been_applied);
    if (is_stale_connection_failure(ec, reused_, false)) return resend_now(Disposal::discard);
    if (!is_retryable_transport(code)) return finish(make_error_code(code), Disposal::discard);
    return retry_or_finish(make_error_code(code), Disposal::discard, std::nullopt, now, unit_random);
}

Decision ExchangeFsm::received(const ResponseOutcome& r, clock::time_point now, double unit_random) noexcept {
    if (interruption_) return finish_interrupted(Disposal::discard);
    if (r.ec) {
        // The caller's own sink refused a piece: not a transport failure, not
        // retried, and the caller gets its own error back.
        if (r.sink_failed) return finish(r.ec, Disposal::discard);
        const errc code = errc_for_transport(r.ec);
        if (r.body_delivered) return finish(make_error_code(code), Disposal::discard, Ending::body_already_delivered);
        if (change_) return finish(make_error_code(code), Disposal::discard, Ending::change_may_have_been_applied);
        if (is_stale_connection_failure(r.ec, reused_, r.response_started)) return resend_now(Disposal::discard);
        if (!is_retryable_transport(code)) return finish(make_error_code(code), Disposal::discard);
        return retry_or_finish(make_error_code(code), Disposal::discard, std::nullopt, now, unit_random);
    }
    const Disposal disposal = r.keep_alive && !r.retire ? Disposal::release : Disposal::discard;
    if (success_(r.status)) return finish(r.accept_ec, disposal);
    if (r.status == 401 && bearer_ && token_refusals_ < kMaxTokenRefusals &&
        (token_refusals_ == 0 || !token_fetched_since_refusal_)) {
        // The token looked valid (it would not have been carried otherwise)
        // and was refused: revoked or expired early. A 401 applied nothing,
        // so the request goes again, with another token. A 401 to a token
        // fetched after the previous 401 is the answer.
        ++token_refusals_;
        Decision d = begin_try(disposal);
        d.reject_token = true;
        return d;
    }
    const error_code ec = make_error_code(errc_for_status(r.status));
    // 429 says the request was refused, not applied: a change may go again.
    if (r.status == 429) return retry_or_finish(ec, disposal, r.retry_after, now, unit_random);
    if (is_retryable_status(r.status)) {
        if (change_) return finish(ec, disposal, Ending::change_may_have_been_applied);
        return retry_or_finish(ec, disposal, r.retry_after, now, unit_random);
    }
    return finish(ec, disposal);
}

Decision ExchangeFsm::slept() noexcept {
    if (interruption_) return finish_interrupted(Disposal::keep);
    return begin_try(Disposal::keep);
}

bool ExchangeFsm::interrupt(Interruption why, net::cancellation_type type) noexcept {
    if (state_ == State::done || interruption_) return false;
    if (why == Interruption::caller) {
        if ((type & net::cancellation_type::all) == net::cancellation_type::none) return false;
        // A change on the wire: partial and total cancellation promise no
        // side effect, which stopping now cannot keep; only terminal applies.
        if (change_ && on_the_wire() && (type & net::cancellation_type::terminal) == net::cancellation_type::none)
            return false;
    }
    interruption_ = why;
    interrupted_on_the_wire_ = on_the_wire();
    return true;
}

Decision ExchangeFsm::finish(error_code ec, Disposal disposal, Ending ending) noexcept {
    state_ = State::done;
    return {.step = Step::finish, .disposal = disposal, .ec = ec, .ending = ending};
}

Decision ExchangeFsm::finish_interrupted(Disposal disposal) noexcept {
    error_code ec;
    switch (*interruption_) {
    case Interruption::caller: ec = net::error::operation_aborted; break;
    case Interruption::deadline: ec = make_error_code(errc::timeout); break;
    case Interruption::closed: ec = make_error_code(errc::cancelled); break;
    }
    return finish(ec, disposal,
                  change_ && interrupted_on_the_wire_ ? Ending::change_may_have_been_applied : Ending::normal);
}

Decision ExchangeFsm::retry_or_finish(error_code ec, Disposal disposal, std::optional<std::chrono::milliseconds> hint,
                                      clock::time_point now, double unit_random) noexcept {
    if (retries_ >= policy_.max_retries) return finish(ec, disposal, Ending::retries_exhausted);
    const auto delay = hint ? *hint : backoff_delay(policy_, retries_, unit_random);
    if (now + delay >= deadline_) {
        Decision d = finish(ec, disposal, Ending::retry_would_pass_deadline);
        d.delay = delay;
        return d;
    }
    ++retries_;
    retry_reason_ = ec == errc::rate_limited   ? RetryReason::rate_limited
                    : ec == errc::server_error ? RetryReason::server_unavailable
                                               : RetryReason::connection_failed;
    state_ = State::sleeping;
    return {.step = Step::sleep, .disposal = disposal, .delay = delay};
}

Decision ExchangeFsm::resend_now(Disposal disposal) noexcept {
    ++stale_resends_;
    state_ = State::acquiring;
    return {.step = Step::acquire, .disposal = disposal};
}

std::ostream& operator<<(std::ostream& os, Step s) {
    switch (s) {
    case Step::authorize: return os << "authorize";
    case Step::acquire: return os << "acquire";
    case Step::wait: return os << "wait";
    case Step::connect: return os << "connect";
    case Step::write: return os << "write";
    case Step::read: return os << "read";
    case Step::sleep: return os << "sleep";
    case Step::finish: return os << "finish";
    }
    return os << "?";
}

std::ostream& operator<<(std::ostream& os, Disposal d) {
    switch (d) {
    case Disposal::keep: return os << "keep";
    case Disposal::release: return os << "release";
    case Disposal::discard: return os << "discard";
    }
    return os << "?";
}

std::ostream& operator<<(std::ostream& os, Ending e) {
    switch (e) {
    case Ending::normal: return os << "normal";
    case Ending::retry_would_pass_deadline: return os << "retry_would_pass_deadline";
    case Ending::retries_exhausted: return os << "retries_exhausted";
    case Ending::change_may_have_been_applied: return os << "change_may_have_been_applied";
    case Ending::body_already_delivered: return os << "body_already_delivered";
    }
    return os << "?";
}

std::ostream& operator<<(std::ostream& os, const Decision& d) {
    os << "{" << d.step << ", " << d.disposal;
    if (d.step == Step::sleep || d.delay.count() != 0) os << ", " << d.delay.count() << " ms";
    if (d.step == Step::finish) os << ", " << (d.ec ? d.ec.message() : "success") << ", " << d.ending;
    if (d.reject_token) os << ", reject token";
    return os << "}";
}

}  // namespace bwvoice::detail
