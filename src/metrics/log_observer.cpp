// The log hook: each event as one record of text fields. Nothing here can
// reach a secret: the events carry none (no target, header or body).
#include "metrics/events.hpp"

#include <bwvoice/error.hpp>

#include <array>
#include <cstdio>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>

namespace bwvoice::detail {
namespace {

std::string ms(std::chrono::nanoseconds d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", static_cast<double>(d.count()) / 1e6);
    return text;
}

std::string error_text(const error_code& ec) {
    // The contract's code for the client's own errors, the transport's message otherwise.
    return ec.category() == client_category() ? std::string(to_string(static_cast<errc>(ec.value()))) : ec.message();
}

class LogObserver final : public ClientObserver {
public:
    LogObserver(LogHook hook, LogLevel level) : hook_(std::move(hook)), level_(level) {}

    void on_request_started(const RequestStarted& e) override {
        if (!wants(LogLevel::debug)) return;
        emit(LogLevel::debug, "request_started",
             {{"operation", std::string(to_string(e.operation))},
              {"attempt", std::to_string(e.attempt)},
              {"connection", std::to_string(e.connection)},
              {"reused", e.reused ? "true" : "false"}});
    }
    void on_request_ended(const RequestEnded& e) override {
        const LogLevel level = e.ec ? LogLevel::warning : LogLevel::debug;
        if (!wants(level)) return;
        std::array<LogField, 7> f{{{"operation", std::string(to_string(e.operation))},
                                   {"attempt", std::to_string(e.attempt)},
                                   {"connection", std::to_string(e.connection)},
                                   {"duration_ms", ms(e.duration)},
                                   {"bytes_out", std::to_string(e.bytes_out)},
                                   {"bytes_in", std::to_string(e.bytes_in)},
                                   {}}};
        if (e.status)
            f[6] = {"status", std::to_string(*e.status)};
        else
            f[6] = {"error", error_text(e.ec)};
        emit(level, "request_ended", f);
    }
    void on_retry_scheduled(const RetryScheduled& e) override {
        if (!wants(LogLevel::warning)) return;
        emit(LogLevel::warning, "retry_scheduled",
             {{"operation", std::string(to_string(e.operation))},
              {"attempt", std::to_string(e.attempt)},
              {"reason", std::string(to_string(e.reason))},
              {"backoff_ms", ms(e.backoff)}});
    }
    void on_stale_resend(const StaleResend& e) override {
        if (!wants(LogLevel::info)) return;
        emit(LogLevel::info, "stale_resend",
             {{"operation", std::string(to_string(e.operation))},
              {"attempt", std::to_string(e.attempt)},
              {"connection", std::to_string(e.connection)}});
    }
    void on_pool_waited(const PoolWaited& e) override {
        if (!wants(LogLevel::debug)) return;
        emit(LogLevel::debug, "pool_waited",
             {{"operation", std::string(to_string(e.operation))},
              {"waited_ms", ms(e.waited)},
              {"granted", e.granted ? "true" : "false"}});
    }
    void on_connection_opened(const ConnectionOpened& e) override {
        if (!wants(LogLevel::info)) return;
        emit(LogLevel::info, "connection_opened",
             {{"connection", std::to_string(e.connection)},
              {"resolve_ms", ms(e.resolve)},
              {"connect_ms", ms(e.connect)},
              {"tls_handshake_ms", ms(e.tls_handshake)},
              {"tls", e.tls ? "true" : "false"},
              {"session_resumed", e.session_resumed ? "true" : "false"}});
    }
    void on_connection_reused(const ConnectionReused& e) override {
        if (!wants(LogLevel::debug)) return;
        emit(LogLevel::debug, "connection_reused",
             {{"connection", std::to_string(e.connection)},
              {"operation", std::string(to_string(e.operation))},
              {"exchanges", std::to_string(e.exchanges)}});
    }
    void on_connection_closed(const ConnectionClosed& e) override {
        if (!wants(LogLevel::info)) return;
        emit(LogLevel::info, "connection_closed",
             {{"connection", std::to_string(e.connection)},
              {"reason", std::string(to_string(e.reason))},
              {"exchanges", std::to_string(e.exchanges)}});
    }
    void on_operation_ended(const OperationEnded& e) override {
        const LogLevel level = !e.ec                              ? LogLevel::debug
                               : to_errc(e.ec) == errc::cancelled ? LogLevel::info
                                                                  : LogLevel::error;
        if (!wants(level)) return;
        std::array<LogField, 5> f{{{"operation", std::string(to_string(e.operation))},
                                   {"outcome", e.ec ? std::string(to_string(to_errc(e.ec))) : "success"},
                                   {"attempts", std::to_string(e.attempts)},
                                   {"duration_ms", ms(e.duration)},
                                   {"status", e.status ? std::to_string(*e.status) : "none"}}};
        emit(level, "operation_ended", f);
    }
    void on_token_fetched(const TokenFetched& e) override {
        if (!wants(LogLevel::info)) return;
        emit(LogLevel::info, "token_fetched",
             {{"duration_ms", ms(e.duration)},
              {"lifetime_s", e.lifetime ? std::to_string(e.lifetime->count()) : "none"}});
    }
    void on_token_refused(const TokenRefused& e) override {
        if (!wants(LogLevel::error)) return;
        emit(LogLevel::error, "token_refused",
             {{"error", error_text(e.ec)}, {"status", e.status ? std::to_string(*e.status) : "none"}});
    }

private:
    bool wants(LogLevel level) const noexcept { return level >= level_; }
    void emit(LogLevel level, std::string_view event, std::span<const LogField> fields) {
        hook_(LogRecord{level, event, fields});
    }
    void emit(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
        emit(level, event, std::span<const LogField>(fields.begin(), fields.size()));
    }

    LogHook hook_;
    LogLevel level_;
};

}  // namespace

std::shared_ptr<ClientObserver> make_log_observer(LogHook hook, LogLevel level) {
    return std::make_shared<LogObserver>(std::move(hook), level);
}

}  // namespace bwvoice::detail
