// Internals of the mock server shared between its translation units; not part
// of the interface other code is written against.
#ifndef BWVOICE_MOCK_DETAIL_HPP
#define BWVOICE_MOCK_DETAIL_HPP

#include "mock/mock_server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bwvoice::mock::detail {

// ---- store.cpp -------------------------------------------------------------

/// Conference bodies by ID. Bodies are immutable once stored, so a reader can
/// keep serving one while put() replaces it.
class ConferenceStore {
public:
    void seed(std::uint64_t seed, std::size_t count);
    void put(const std::string& id, std::string json);
    std::shared_ptr<const std::string> find(const std::string& id) const;

private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const std::string>> bodies_;
};

// ---- http.cpp --------------------------------------------------------------

enum class RouteKind { conference, other, malformed };

struct ParsedTarget {
    RouteKind kind = RouteKind::other;
    std::string account_id;     ///< Percent-decoded.
    std::string conference_id;  ///< Percent-decoded.
};

ParsedTarget parse_target(std::string_view target);

/// True when `authorization` is "Basic <base64(user:password)>" for exactly
/// these credentials.
bool basic_credentials_match(std::string_view authorization, std::string_view user,
                             std::string_view password);

/// The voiceApiError body Bandwidth sends for `status`.
std::string api_error_body(unsigned status, std::string_view conference_id);

struct Response {
    unsigned status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  ///< Override defaults of the same name.
};

enum class Framing { content_length, chunked, close_delimited };

/// Status line and header block, through the blank line.
std::string render_head(const Response& response, Framing framing, bool connection_close);

/// The body as a few chunks (each a separate piece to write) and the last-chunk.
std::vector<std::string> render_chunks(std::string_view body);

/// Statuses that never carry a body.
bool bodiless_status(unsigned status);

// ---- state.cpp -------------------------------------------------------------

/// Everything the connections share. Options are fixed at construction; the
/// rest is guarded by a mutex (the store has its own).
class ServerState {
public:
    explicit ServerState(ServerOptions options);

    const ServerOptions& options() const { return options_; }
    ConferenceStore& store() { return store_; }
    const ConferenceStore& store() const { return store_; }

    /// The scripted action for the next request for `conference_id`, if any.
    std::optional<Action> next_action(const std::string& conference_id);
    void script(const std::string& id, std::vector<Action> actions);
    void script_all(std::vector<Action> actions);
    void clear_scripts();

    void connection_opened();
    void connection_closed();
    void handshake_done(bool resumed);
    void request_received(RecordedRequest request);

    ServerStats stats() const;
    std::vector<RecordedRequest> requests() const;
    void clear_requests();

private:
    const ServerOptions options_;
    ConferenceStore store_;
    mutable std::mutex mutex_;
    ServerStats stats_;
    std::vector<RecordedRequest> requests_;
    std::unordered_map<std::string, std::deque<Action>> scripts_;
    std::vector<Action> script_all_;
    std::size_t script_all_next_ = 0;
};

// ---- session.cpp -----------------------------------------------------------

/// One accepted connection, from TLS handshake (when `tls` is set) to close.
boost::asio::awaitable<void> serve_connection(ServerState& state, boost::asio::ssl::context* tls,
                                              boost::asio::ip::tcp::socket socket,
                                              std::uint64_t connection_id);

}  // namespace bwvoice::mock::detail

#endif
