// What all connections of one server share: options, the store, scripts,
// counters and the record of requests.
#ifndef BWVOICE_MOCK_STATE_HPP
#define BWVOICE_MOCK_STATE_HPP

#include "mock/mock_server.hpp"
#include "mock/store.hpp"

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace bwvoice::mock::detail {

/// Options are fixed at construction; the rest is guarded by a mutex (held
/// only for a few assignments; the store has its own).
class ServerState {
public:
    explicit ServerState(ServerOptions options);

    const ServerOptions& options() const { return options_; }
    /// "https://127.0.0.1:PORT": set once the port is known, before any
    /// connection is served, and only read after that.
    void set_origin(std::string origin) { origin_ = std::move(origin); }
    const std::string& origin() const { return origin_; }
    ConferenceStore& store() { return store_; }
    const ConferenceStore& store() const { return store_; }
    /// The OAuth authority (shared or the server's own); nullptr when OAuth is off.
    const std::shared_ptr<TokenAuthority>& authority() const { return authority_; }

    /// The scripted action for the next request on route `key`, if any:
    /// that route's own queue first, then (if `cycle`) the script_all cycle.
    std::optional<Action> next_action(const std::string& key, bool cycle = true);
    void script(const std::string& key, std::vector<Action> actions);
    void script_all(std::vector<Action> actions);
    void clear_scripts();

    void connection_opened();
    void connection_closed();
    void handshake_done(bool resumed);
    /// Counts the request (per route and method too, when recording) and keeps it.
    void request_received(RecordedRequest request);
    void token_request_received();
    void bearer_rejected();

    ServerStats stats() const;
    std::vector<RecordedRequest> requests() const;
    void clear_requests();
    std::uint64_t request_count(const std::string& route, const std::string& method) const;

private:
    const ServerOptions options_;
    const std::shared_ptr<TokenAuthority> authority_;
    ConferenceStore store_;
    std::string origin_;
    mutable std::mutex mutex_;
    ServerStats stats_;
    std::vector<RecordedRequest> requests_;
    /// route -> method -> requests; only while record_requests, as it grows
    /// with every distinct route a benchmark would touch.
    std::unordered_map<std::string, std::map<std::string, std::uint64_t>> route_counts_;
    std::unordered_map<std::string, std::deque<Action>> scripts_;
    std::vector<Action> script_all_;
    std::size_t script_all_next_ = 0;
};

}  // namespace bwvoice::mock::detail

#endif
