// The spellings of the observability enumerations: metric labels and log
// fields use them, so they never change once published.
#include <bwvoice/log.hpp>
#include <bwvoice/observer.hpp>

namespace bwvoice {

std::string_view to_string(OperationKind k) noexcept {
    switch (k) {
    case OperationKind::get_conference: return "get_conference";
    case OperationKind::list_conferences: return "list_conferences";
    case OperationKind::update_conference: return "update_conference";
    case OperationKind::update_conference_bxml: return "update_conference_bxml";
    case OperationKind::get_member: return "get_member";
    case OperationKind::update_member: return "update_member";
    case OperationKind::list_recordings: return "list_recordings";
    case OperationKind::get_recording: return "get_recording";
    case OperationKind::download_recording: return "download_recording";
    case OperationKind::token_fetch: return "token_fetch";
    }
    return "unknown";
}

std::string_view to_string(RetryReason r) noexcept {
    switch (r) {
    case RetryReason::rate_limited: return "rate_limited";
    case RetryReason::server_unavailable: return "server_unavailable";
    case RetryReason::connection_failed: return "connection_failed";
    }
    return "unknown";
}

std::string_view to_string(CloseReason r) noexcept {
    switch (r) {
    case CloseReason::idle_expired: return "idle_expired";
    case CloseReason::server_closed: return "server_closed";
    case CloseReason::error: return "error";
    case CloseReason::interrupted: return "interrupted";
    case CloseReason::client_closed: return "client_closed";
    }
    return "unknown";
}

std::string_view to_string(LogLevel level) noexcept {
    switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
    }
    return "unknown";
}

}  // namespace bwvoice
