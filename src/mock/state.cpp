// Shared server state (see state.hpp).
#include "mock/state.hpp"

#include <algorithm>
#include <stdexcept>

namespace bwvoice::mock::detail {
namespace {

/// The shared authority, or one of the server's own, or none (OAuth off).
std::shared_ptr<TokenAuthority> authority_of(const ServerOptions& options) {
    const bool id = !options.client_id.empty();
    const bool secret = !options.client_secret.empty();
    if (id != secret) throw std::invalid_argument("ServerOptions: client_id and client_secret go together");
    if (options.token_authority) {
        if (id) throw std::invalid_argument("ServerOptions: client_id/client_secret or token_authority, not both");
        return options.token_authority;
    }
    if (!id) return nullptr;
    return std::make_shared<TokenAuthority>(options.client_id, options.client_secret, options.token_lifetime);
}

}  // namespace

ServerState::ServerState(ServerOptions options)
    : options_(std::move(options)),
      authority_(authority_of(options_)),
      store_(options_.account_id, options_.media_size) {}

std::optional<Action> ServerState::next_action(const std::string& key, bool cycle) {
    const std::lock_guard lock(mutex_);
    if (!scripts_.empty()) {
        const auto it = scripts_.find(key);
        if (it != scripts_.end()) {
            Action action = std::move(it->second.front());
            it->second.pop_front();
            if (it->second.empty()) scripts_.erase(it);
            return action;
        }
    }
    if (!cycle || script_all_.empty()) return std::nullopt;
    const Action& action = script_all_[script_all_next_];
    script_all_next_ = (script_all_next_ + 1) % script_all_.size();
    return action;
}

void ServerState::script(const std::string& key, std::vector<Action> actions) {
    if (actions.empty()) return;
    const std::lock_guard lock(mutex_);
    auto& queue = scripts_[key];
    std::move(actions.begin(), actions.end(), std::back_inserter(queue));
}

void ServerState::script_all(std::vector<Action> actions) {
    const std::lock_guard lock(mutex_);
    script_all_ = std::move(actions);
    script_all_next_ = 0;
}

void ServerState::clear_scripts() {
    const std::lock_guard lock(mutex_);
    scripts_.clear();
    script_all_.clear();
    script_all_next_ = 0;
}

void ServerState::connection_opened() {
    const std::lock_guard lock(mutex_);
    ++stats_.connections_accepted;
    ++stats_.open_connections;
    stats_.max_open_connections = std::max(stats_.max_open_connections, stats_.open_connections);
}

void ServerState::connection_closed() {
    const std::lock_guard lock(mutex_);
    --stats_.open_connections;
}

void ServerState::handshake_done(bool resumed) {
    const std::lock_guard lock(mutex_);
    ++stats_.handshakes;
    if (resumed) ++stats_.sessions_resumed;
}

void ServerState::request_received(RecordedRequest request) {
    const std::lock_guard lock(mutex_);
    ++stats_.requests;
    if (!options_.record_requests) return;
    if (!request.route.empty()) ++route_counts_[request.route][request.method];
    requests_.push_back(std::move(request));
}

void ServerState::token_request_received() {
    const std::lock_guard lock(mutex_);
    ++stats_.token_requests;
}

void ServerState::bearer_rejected() {
    const std::lock_guard lock(mutex_);
    ++stats_.bearer_rejections;
}

ServerStats ServerState::stats() const {
    const std::lock_guard lock(mutex_);
    return stats_;
}

std::vector<RecordedRequest> ServerState::requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
}

void ServerState::clear_requests() {
    const std::lock_guard lock(mutex_);
    requests_.clear();
    route_counts_.clear();
}

std::uint64_t ServerState::request_count(const std::string& route, const std::string& method) const {
    const std::lock_guard lock(mutex_);
    const auto it = route_counts_.find(route);
    if (it == route_counts_.end()) return 0;
    if (!method.empty()) {
        const auto m = it->second.find(method);
        return m == it->second.end() ? 0 : m->second;
    }
    std::uint64_t total = 0;
    for (const auto& [name, count] : it->second) total += count;
    return total;
}

}  // namespace bwvoice::mock::detail
