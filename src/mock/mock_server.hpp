// bwvoice-mock: an in-memory Voice API conferences server for tests, demos and
// benchmarks, over TLS (or plain HTTP) on loopback, with misbehaviour on demand.
#ifndef BWVOICE_MOCK_MOCK_SERVER_HPP
#define BWVOICE_MOCK_MOCK_SERVER_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bwvoice::mock {

/// A throw-away certificate authority and a server certificate it signed,
/// all PEM text. Generated in memory with the OpenSSL API, never stored.
struct Pki {
    std::string ca_cert_pem;
    std::string server_cert_pem;
    std::string server_key_pem;
};

/// Makes a fresh CA (EC P-256, valid `valid_days` from `not_before_days_ago`
/// days ago) and a server certificate signed by it with the given subject
/// alternative names. Pass valid_days <= 0 with not_before_days_ago > 0 to get
/// an expired certificate.
Pki generate_pki(const std::vector<std::string>& dns_names = {"localhost"},
                 const std::vector<std::string>& ip_addresses = {"127.0.0.1"},
                 int valid_days = 30, int not_before_days_ago = 1);

/// One scripted reaction of the server to one request for a given conference ID.
struct Action {
    enum class Kind {
        respond,            ///< Send `status` with `body` (default: the stored conference or an API error body) and `headers`.
        drop,               ///< Close the TCP connection without sending anything.
        silent,             ///< Never answer; keep the connection open until the client gives up.
        partial_headers,    ///< Send the first half of the status line and headers, then close.
        partial_body,       ///< Send full headers (Content-Length of the whole body) and half the body, then close.
        raw,                ///< Send `body` bytes as they are (no HTTP framing added), then close.
        trickle,            ///< Send the normal response one byte every `delay`.
        chunked,            ///< Send the normal response with Transfer-Encoding: chunked.
        close_delimited,    ///< Send the normal response with no Content-Length, ending it by closing.
        flood,              ///< Send `body` as it is (a response head, or any prefix), then `filler` over and
                            ///< over, until the client closes or `flood_limit` filler bytes have gone; then close.
    };
    Kind kind = Kind::respond;
    unsigned status = 200;
    std::optional<std::string> body;                       ///< Overrides the body.
    std::vector<std::pair<std::string, std::string>> headers;  ///< Extra response headers.
    std::chrono::milliseconds delay{0};                    ///< Wait before acting (per byte for trickle).
    bool close_after = false;                              ///< Send `Connection: close` and close after the response.
    /// Bytes nobody asked for, sent `unsolicited_after` the response on the
    /// same connection, which then stays open (a late or duplicated response).
    std::optional<std::string> unsolicited;
    std::chrono::milliseconds unsolicited_after{0};
    std::string filler = "x";                              ///< What flood repeats after `body`.
    /// Filler bytes after which flood stops by itself, so a client that never
    /// gives up cannot keep the server (and a test) busy forever.
    std::size_t flood_limit = std::size_t{256} << 20;

    /// A `respond` action with this status and extra headers (body: the default for the status).
    static Action respond(unsigned status, std::vector<std::pair<std::string, std::string>> headers = {}) {
        Action a;
        a.status = status;
        a.headers = std::move(headers);
        return a;
    }
    /// An action of this kind with everything else default.
    static Action of(Kind kind) {
        Action a;
        a.kind = kind;
        return a;
    }
};

/// What the server saw of one request (for assertions in tests).
struct RecordedRequest {
    std::string method;
    std::string target;           ///< The raw request-target, exactly as received.
    std::string authorization;    ///< The raw Authorization header value ("" if none).
    std::string user_agent;
    std::uint64_t connection_id;  ///< Which accepted connection carried it (1-based).
    bool tls;                     ///< Whether it came over TLS.
};

/// Counters; all monotonic.
struct ServerStats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t handshakes = 0;          ///< TLS handshakes completed.
    std::uint64_t sessions_resumed = 0;    ///< Of those, resumed sessions.
    std::uint64_t requests = 0;            ///< Requests parsed (all paths).
    std::size_t open_connections = 0;      ///< Open now (gauge, not monotonic).
    std::size_t max_open_connections = 0;  ///< Most open at once.
};

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;                 ///< 0: an ephemeral port.
    bool tls = true;                        ///< false: plain HTTP (for the --allow-http path).
    std::string cert_pem, key_pem;          ///< Required when tls.
    std::string account_id = "9900000";
    std::string username = "user";
    std::string password = "pass";
    std::size_t conferences = 1000;         ///< Seeded store: conf-0 .. conf-(N-1).
    std::uint64_t seed = 1;                 ///< Makes the seeded store deterministic.
    unsigned threads = 1;                   ///< Threads running the server's own io_context.
    /// Close a keep-alive connection after this long without a request, without
    /// telling the client (no Connection: close). 0: never.
    std::chrono::milliseconds idle_drop{0};
    /// Close a connection after this many responses, without Connection: close. 0: never.
    std::size_t max_requests_per_connection = 0;
    /// Drop this fraction (0..1) of connections at random right after a request
    /// is read, without answering (for soak tests).
    double random_drop_rate = 0.0;
    /// Keep every request for requests(). Turn off for long benchmark runs,
    /// where the record would grow without bound; stats() still counts them.
    bool record_requests = true;
};

/// The server. Starts listening in the constructor and serves on its own
/// threads; the destructor stops it and joins them. All member functions are
/// thread-safe.
class MockServer {
public:
    explicit MockServer(ServerOptions options);
    ~MockServer();
    MockServer(const MockServer&) = delete;
    MockServer& operator=(const MockServer&) = delete;

    std::uint16_t port() const;
    /// "https://127.0.0.1:PORT/api/v2" (or http:// when !tls).
    std::string base_url() const;
    /// The same with host name "localhost" instead of the IP address.
    std::string base_url_localhost() const;

    /// Adds or replaces a conference; `json` is the body served for it.
    void put_conference(const std::string& id, std::string json);
    /// The body the server serves for a seeded or put conference, if any.
    std::optional<std::string> conference_json(const std::string& id) const;
    /// Queues reactions for the next requests for conference `id`, consumed in
    /// order; once used up the server answers normally again.
    void script(const std::string& id, std::vector<Action> actions);
    /// Reactions for every request (any ID) until cleared, applied after per-ID scripts.
    /// Requests take the actions in turn, starting over after the last one;
    /// an empty vector clears.
    void script_all(std::vector<Action> actions);
    /// Forgets all per-ID scripts and the script_all actions.
    void clear_scripts();

    ServerStats stats() const;
    std::vector<RecordedRequest> requests() const;
    void clear_requests();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The deterministic seeded body of conference `conf-<index>` for a given seed
/// (what a MockServer with that seed serves for it).
std::string seeded_conference_json(std::uint64_t seed, std::size_t index);

}  // namespace bwvoice::mock

#endif
