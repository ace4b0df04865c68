// bwvoice-mock: an in-memory Voice API conferences server for tests, demos and
// benchmarks, over TLS (or plain HTTP) on loopback, with misbehaviour on demand.
// It serves the nine conference operations with state: updates show in later
// reads, and recordings' media is generated while it is sent. With OAuth
// client credentials it also serves a token endpoint and takes Bearer tokens.
#ifndef BWVOICE_MOCK_MOCK_SERVER_HPP
#define BWVOICE_MOCK_MOCK_SERVER_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock/token_authority.hpp"

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
                 const std::vector<std::string>& ip_addresses = {"127.0.0.1"}, int valid_days = 30,
                 int not_before_days_ago = 1);

/// One scripted reaction of the server to one request on a route (see
/// MockServer::script_route).
///
/// "The normal response" below is what the route answers unscripted: for
/// status 200 without `body` the route runs as usual, so a POST or PUT makes
/// its change; any other status or a `body` replaces the answer and the change
/// is not made unless `apply` is set. drop, silent, raw and flood make no
/// change unless `apply` is set either.
struct Action {
    enum class Kind {
        respond,  ///< Send `status` with `body` (default: the normal response, or an API error body) and `headers`.
        drop,     ///< Close the TCP connection without sending anything (after reading the request).
        silent,   ///< Never answer; keep the connection open until the client gives up.
        partial_headers,  ///< Send the first half of the status line and headers, then close.
        partial_body,     ///< Send full headers (Content-Length of the whole body) and `partial_bytes`
                          ///< (default: half) of the body, then close. A media download cut in the middle.
        raw,              ///< Send `body` bytes as they are (no HTTP framing added), then close.
        trickle,          ///< Send the normal response `trickle_bytes` bytes (default 1) every `delay`.
        chunked,          ///< Send the normal response with Transfer-Encoding: chunked (chunks of at most
                          ///< 64 KiB, at least three for a body of three bytes or more).
        close_delimited,  ///< Send the normal response with no Content-Length, ending it by closing.
        flood,            ///< Send `body` as it is (a response head, or any prefix), then `filler` over and
                          ///< over, until the client closes or `flood_limit` filler bytes have gone; then close.
        stall,            ///< Like partial_body, but then keep the connection open, silent, until the
                          ///< client gives up: a download that stops in the middle.
    };
    Kind kind = Kind::respond;
    unsigned status = 200;
    std::optional<std::string> body;                           ///< Overrides the body.
    std::vector<std::pair<std::string, std::string>> headers;  ///< Extra response headers.
    std::chrono::milliseconds delay{0};                        ///< Wait before acting (before each step for trickle).
    bool close_after = false;  ///< Send `Connection: close` and close after the response.
    /// Bytes nobody asked for, sent `unsolicited_after` the response on the
    /// same connection, which then stays open (a late or duplicated response).
    std::optional<std::string> unsolicited;
    std::chrono::milliseconds unsolicited_after{0};
    std::string filler = "x";  ///< What flood repeats after `body`.
    /// Filler bytes after which flood stops by itself, so a client that never
    /// gives up cannot keep the server (and a test) busy forever.
    std::size_t flood_limit = std::size_t{256} << 20;
    /// partial_body and stall: body bytes sent before stopping (capped at the
    /// body's size). Default: half the body.
    std::optional<std::uint64_t> partial_bytes;
    /// trickle: bytes per step; 1 is the classic slow server, more makes a
    /// slow media download finish in reasonable time.
    std::size_t trickle_bytes = 1;
    /// Make the request's change (POST, PUT) even though the action does not
    /// send the normal response: a server that did the work and then failed
    /// to answer (drop, silent, a 500, ...).
    bool apply = false;
    /// respond with a `body`: every "{authorization}" in it becomes the
    /// request's Authorization header value, as a careless server quoting
    /// the credentials in its error. For tests that the client never repeats them.
    bool echo_authorization = false;

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
    std::string target;  ///< The raw request-target, exactly as received.
    /// The raw Authorization header value ("" if none). For OAuth that is the
    /// client secret (token requests) or a token (API requests): the mock
    /// never prints it, and a test should not either.
    std::string authorization;
    std::string user_agent;
    std::uint64_t connection_id;  ///< Which accepted connection carried it (1-based).
    bool tls;                     ///< Whether it came over TLS.
    /// The route key (see MockServer::script_route): kTokenRoute for the
    /// token path, "" for a path that is none of the conference operations'.
    std::string route = {};
    std::string content_type = {};  ///< The raw Content-Type header value ("" if none).
    /// The request body's first ServerOptions::recorded_body_limit bytes, exactly as received.
    std::string body = {};
    std::size_t body_size = 0;  ///< The whole body's size.
};

/// Counters; all monotonic.
struct ServerStats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t handshakes = 0;          ///< TLS handshakes completed.
    std::uint64_t sessions_resumed = 0;    ///< Of those, resumed sessions.
    std::uint64_t requests = 0;            ///< Requests parsed (all paths).
    std::size_t open_connections = 0;      ///< Open now (gauge, not monotonic).
    std::size_t max_open_connections = 0;  ///< Most open at once.
    /// Requests on the token path (kTokenPath), whatever their method or
    /// answer: refused, malformed and dropped ones included.
    std::uint64_t token_requests = 0;
    /// API requests with Bearer credentials answered 401: a token unknown
    /// here, expired, revoked, or OAuth off.
    std::uint64_t bearer_rejections = 0;
};

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;         ///< 0: an ephemeral port.
    bool tls = true;                ///< false: plain HTTP (for the --allow-http path).
    std::string cert_pem, key_pem;  ///< Required when tls.
    std::string account_id = "9900000";
    std::string username = "user";
    std::string password = "pass";
    std::size_t conferences = 1000;  ///< Seeded store: conf-0 .. conf-(N-1).
    std::uint64_t seed = 1;          ///< Makes the seeded store deterministic.
    unsigned threads = 1;            ///< Threads running the server's own io_context.
    /// Wait this long after accepting a connection before the TLS handshake
    /// (a slow or distant server), for tests of what happens meanwhile.
    std::chrono::milliseconds handshake_delay{0};
    /// Close a keep-alive connection after this long without a request, without
    /// telling the client (no Connection: close). 0: never.
    std::chrono::milliseconds idle_drop{0};
    /// Close a connection after this many responses, without Connection: close. 0: never.
    std::size_t max_requests_per_connection = 0;
    /// Drop this fraction (0..1) of connections at random right after a request
    /// is read, without answering (for soak tests).
    double random_drop_rate = 0.0;
    /// Keep every request for requests() and request_count(). Turn off for
    /// long benchmark runs, where the record would grow without bound;
    /// stats() still counts them.
    bool record_requests = true;
    /// How much of each request body requests() keeps.
    std::size_t recorded_body_limit = 64 * 1024;
    /// listConferences' pageSize when a request gives none (the API's is
    /// 1000, also the most a request may ask for). 1..1000.
    std::size_t default_page_size = 1000;
    /// Media size of every seeded recording (and of put_recording's by
    /// default), in bytes; set_media_size changes one.
    std::uint64_t media_size = 32 * 1024;
    /// scheme://host[:port] of the next-page URL in listConferences' Link
    /// header. Empty: the scheme the request came over and its Host header,
    /// as a server behind its own name would; a test of a client that must
    /// refuse to follow a link to another origin sets another one here.
    std::string link_origin;

    // OAuth 2.0 client credentials. The server has OAuth on when it has a
    // TokenAuthority: its own, made from client_id, client_secret and
    // token_lifetime, or a shared one in token_authority. Then it serves
    // POST /api/v1/oauth2/token (unless !token_endpoint) and accepts, on the
    // API paths, `Authorization: Bearer <t>` for a t the authority issued,
    // not expired and not revoked. Giving client_id without client_secret or
    // the reverse, or both with token_authority, is std::invalid_argument.
    //
    // The token endpoint wants `Authorization: Basic base64(id:secret)` for
    // the client (else 401 invalid_client), Content-Type
    // application/x-www-form-urlencoded (else 400 invalid_request) and a
    // form body with grant_type=client_credentials (missing or repeated: 400
    // invalid_request; another grant: 400 unsupported_grant_type; other
    // parameters are ignored). It answers 200 with Cache-Control: no-store and
    // {"access_token":"<43 random base64url characters>","token_type":"Bearer",
    // "expires_in":<seconds>}. A Bearer token that is not good is a 401 with the
    // API's error body, as bad Basic credentials are.

    std::string client_id;
    std::string client_secret;
    /// expires_in of the tokens the server's own authority issues; nullopt:
    /// no expires_in, and they never expire. Ignored with token_authority.
    std::optional<std::chrono::seconds> token_lifetime = TokenAuthority::default_lifetime;
    /// An authority shared with other servers: e.g. one server with the
    /// token endpoint and another, on another port, with the API and
    /// token_endpoint false, both given the same authority.
    std::shared_ptr<TokenAuthority> token_authority;
    /// Serve the token endpoint (when OAuth is on). false: its path is a 404,
    /// as on an API host that is not the token host.
    bool token_endpoint = true;
    /// Accept Basic username/password on the API paths. false: only Bearer tokens.
    bool accept_basic = true;
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
    /// "https://127.0.0.1:PORT/api/v1/oauth2/token" (or http:// when !tls),
    /// whether or not this server serves it.
    std::string token_url() const;
    /// The same with host name "localhost".
    std::string token_url_localhost() const;

    /// Adds or replaces a conference; `json` is the body served for it,
    /// byte for byte, until a change (update, member update) makes the server
    /// write it anew. A JSON object's activeMembers are its members, and it
    /// is listed when its createdTime is an ISO 8601 date-time with an
    /// offset; any other text is served as it is, unlisted, without members.
    /// A replaced conference loses its recordings and last update/BXML.
    void put_conference(const std::string& id, std::string json);
    /// The body the server serves for a seeded or put conference now, if any.
    std::optional<std::string> conference_json(const std::string& id) const;
    /// What a GET of this member serves now; nullopt if no such conference or member.
    std::optional<std::string> member_json(const std::string& conference_id, const std::string& member_id) const;
    /// The body of the last Update Conference the server accepted (answered
    /// 204, or made under Action::apply), exactly as received.
    std::optional<std::string> last_conference_update(const std::string& conference_id) const;
    /// The last BXML document the server accepted for the conference, byte for byte.
    std::optional<std::string> last_bxml(const std::string& conference_id) const;

    /// The JSON array List Conference Recordings serves; nullopt if no such conference.
    std::optional<std::string> recordings_json(const std::string& conference_id) const;
    /// What Get Conference Recording serves; nullopt if unknown.
    std::optional<std::string> recording_json(const std::string& conference_id, const std::string& recording_id) const;
    /// Adds or replaces (by its recordingId) a recording of an existing
    /// conference. `json` must be a JSON object with a string recordingId
    /// (else std::invalid_argument); it is served as metadata (re-serialized).
    /// Its media is served while its status is "complete" or absent, as
    /// audio/vnd.wave for fileFormat wav, audio/mpeg for mp3 (else
    /// application/octet-stream), `media_size` bytes (default ServerOptions::media_size).
    /// False if there is no such conference.
    bool put_recording(const std::string& conference_id, const std::string& json,
                       std::optional<std::uint64_t> media_size = std::nullopt);
    /// Changes the size of one recording's media; false if unknown.
    bool set_media_size(const std::string& conference_id, const std::string& recording_id, std::uint64_t bytes);

    /// Queues reactions for the next requests on one route, consumed in
    /// order; once used up the server answers normally again. A route is the
    /// request's path relative to /api/v2/accounts/{accountId}/, its segments
    /// percent-decoded, without the query, whatever the method and account:
    /// "conferences" (the list, every page), "conferences/conf-1" (get and
    /// update), "conferences/conf-1/bxml", "conferences/conf-1/members/c-1",
    /// "conferences/conf-1/recordings", "conferences/conf-1/recordings/r-1",
    /// "conferences/conf-1/recordings/r-1/media"; kTokenRoute ("oauth2/token")
    /// for the token endpoint, where status 200 without a body issues a token.
    void script_route(const std::string& route, std::vector<Action> actions);
    /// script_route("conferences/" + conference_id, actions): Get and Update Conference.
    void script(const std::string& conference_id, std::vector<Action> actions);
    /// Reactions for every request on any of the routes above (any ID) until
    /// cleared, applied after per-route scripts; not for unknown paths, nor
    /// for the token endpoint (script it with script_route(kTokenRoute, ...)).
    /// Requests take the actions in turn, starting over after the last one;
    /// an empty vector clears.
    void script_all(std::vector<Action> actions);
    /// Forgets all per-route scripts and the script_all actions.
    void clear_scripts();

    ServerStats stats() const;
    std::vector<RecordedRequest> requests() const;
    /// Forgets the recorded requests and the per-route counts.
    void clear_requests();
    /// Requests that reached the server on `route` (see script_route) with
    /// this method ("" for any), counted once read, whatever the answer (a
    /// dropped one included), since the last clear_requests(). Counted only
    /// while ServerOptions::record_requests.
    std::uint64_t request_count(const std::string& route, const std::string& method = "") const;

    // OAuth 2.0 (see ServerOptions::client_id). The controls act on the
    // server's authority, shared or not, and throw std::logic_error when
    // OAuth is off.

    /// The server's authority; nullptr when OAuth is off.
    std::shared_ptr<TokenAuthority> token_authority() const;
    /// TokenAuthority::revoke_tokens: every token issued so far becomes invalid.
    void revoke_tokens();
    /// TokenAuthority::set_token_lifetime, for tokens issued from now on;
    /// nullopt: no expires_in.
    void set_token_lifetime(std::optional<std::chrono::seconds> lifetime);
    /// TokenAuthority::refuse_client_credentials: the token endpoint answers
    /// 401 invalid_client while true.
    void refuse_client_credentials(bool refuse);
    /// stats().token_requests: requests on this server's token path.
    std::uint64_t token_requests() const;
    /// stats().bearer_rejections: API requests this server answered 401 for their Bearer token.
    std::uint64_t bearer_rejections() const;

private:
    TokenAuthority& authority() const;  ///< std::logic_error when OAuth is off.

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The deterministic seeded body of conference `conf-<index>` for a given seed
/// (what a MockServer with that seed serves for it until changed). Its
/// recordings depend on the seed and index too: none when index % 4 == 3,
/// else one to three, the first always a complete wav.
std::string seeded_conference_json(std::uint64_t seed, std::size_t index);

/// The bytes of a recording's media from `offset`: a pattern that depends
/// only on the recording ID and the offset, whatever the media's size, so a
/// test can check any part of a download (what the server sends for
/// recording `recording_id` is bytes [0, size) of it).
void fill_media(std::string_view recording_id, std::uint64_t offset, char* out, std::size_t length);
std::string media_bytes(std::string_view recording_id, std::uint64_t offset, std::size_t length);

}  // namespace bwvoice::mock

#endif
