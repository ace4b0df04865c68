// Fuzz target: arbitrary bytes as the server's answer to a lookup (issue 5,
// "Fuzzing").
//
// The bytes go through exactly the path a real response takes: a
// ConferenceClient connects over TCP to a server on loopback, writes its
// request, and reads with its own Beast parser, limits, interim-response loop,
// keep-alive decision, status mapping and JSON decoding. Only TLS is left out
// (insecure_allow_plain_http): a TLS record layer in front would hide the HTTP
// bytes from the fuzzer behind encryption.
//
// The server is a blocking thread started once per process: for every
// connection it reads the request head and writes the current input verbatim,
// then closes. So a response that asks for keep-alive still ends in a close,
// and the next lookup on that connection must notice and resend.
//
// Each input runs two lookups on a fresh client (a fresh pool, so the result
// depends on this input alone and a saved crash reproduces by itself). The
// second one takes the connection the first one left in the pool, if any,
// which covers reuse and the stale-connection resend. What must hold:
//  - each handler runs exactly once, within a bound well past request_timeout;
//  - an error is a bwvoice::errc a plain-HTTP lookup can produce (we never
//    cancel, close the client early or use TLS, so neither
//    operation_aborted, cancelled nor tls_error);
//  - an HTTP status error carries the status it was mapped from, a success
//    carries 200 and a conference that survives a JSON round trip;
//  - the diagnostics never contain the password or the Authorization value;
//  - the same bytes give the same answer twice (timeouts aside).
// Any broken property is __builtin_trap(), so libFuzzer records the input.
#include <bwvoice/client.hpp>

#include <boost/asio/io_context.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace {

using namespace std::chrono_literals;

constexpr std::string_view password = "fuzz-secret-pw";
// base64("fuzzer:fuzz-secret-pw"): what the Authorization header carries.
constexpr std::string_view basic_credentials = "ZnV6emVyOmZ1enotc2VjcmV0LXB3";

void check(bool ok) {
    if (!ok) __builtin_trap();
}

[[noreturn]] void die(const char* what) {
    std::perror(what);
    std::abort();
}

/// The loopback server. The fuzzing thread publishes each input under the
/// mutex; the server copies it when it answers, so an input is never read
/// while the next one is being written.
class Server {
public:
    Server() {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (listen_fd_ < 0) die("fuzz server: socket");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("fuzz server: bind");
        if (::listen(listen_fd_, 64) != 0) die("fuzz server: listen");
        socklen_t len = sizeof addr;
        if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) die("fuzz server: getsockname");
        port_ = ntohs(addr.sin_port);
        // Detached: it blocks in accept() for the life of the process, and the
        // process ends by exit() from libFuzzer or the replay main.
        std::thread([this] { serve(); }).detach();
    }

    std::uint16_t port() const { return port_; }

    void set_response(std::string_view bytes) {
        std::lock_guard lock(mutex_);
        response_.assign(bytes.data(), bytes.size());
    }

private:
    void serve() {
        for (;;) {
            const int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                die("fuzz server: accept");
            }
            answer(fd);
            ::close(fd);
        }
    }

    void answer(int fd) {
        // A client that connected and then went quiet must not stall every
        // later connection behind this one.
        timeval limit{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);

        // Read the whole request head: closing with unread bytes would send a
        // reset, which may discard the response before the client reads it.
        std::string head;
        char buf[4096];
        while (head.find("\r\n\r\n") == std::string::npos) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return;  // the client hung up or stalled: nobody to answer
            head.append(buf, static_cast<std::size_t>(n));
            if (head.size() > 65536) return;
        }
        // The request must never carry anything but the path and headers the
        // client builds; the ID is percent-encoded into one path segment.
        check(head.starts_with("GET /api/v2/accounts/9901234/conferences/conf-1 HTTP/1.1\r\n"));

        std::string response;
        {
            std::lock_guard lock(mutex_);
            response = response_;
        }
        std::size_t sent = 0;
        while (sent < response.size()) {
            const ssize_t n = ::send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;  // the client gave up (body over its limit, ...)
            sent += static_cast<std::size_t>(n);
        }
    }

    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::mutex mutex_;
    std::string response_;
};

Server* server = nullptr;
boost::asio::io_context* io = nullptr;

struct Outcome {
    int calls = 0;
    bwvoice::error_code ec;
    bwvoice::Conference conference;
    bwvoice::Diagnostics diag;
};

bool is_status_error(bwvoice::errc e) {
    using bwvoice::errc;
    return e == errc::bad_request || e == errc::unauthorized || e == errc::forbidden || e == errc::not_found ||
           e == errc::rate_limited || e == errc::server_error || e == errc::http_error;
}

/// The mapping of docs and error.hpp, restated so the client's own table is checked.
bwvoice::errc expected_for_status(unsigned status) {
    using bwvoice::errc;
    switch (status) {
    case 400: return errc::bad_request;
    case 401: return errc::unauthorized;
    case 403: return errc::forbidden;
    case 404: return errc::not_found;
    case 429: return errc::rate_limited;
    default: break;
    }
    if (status >= 500 && status <= 599) return errc::server_error;
    return errc::http_error;
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

Outcome look_up(bwvoice::ConferenceClient& client) {
    auto out = std::make_shared<Outcome>();
    client.async_get_conference("conf-1", out->diag, [out](bwvoice::error_code ec, bwvoice::Conference c) {
        // A second call is caught here, the moment it happens.
        check(++out->calls == 1);
        out->ec = ec;
        out->conference = std::move(c);
    });
    io->restart();
    // request_timeout is 500 ms; four times that is a lookup that hangs.
    const auto give_up = std::chrono::steady_clock::now() + 2s;
    while (out->calls == 0 && std::chrono::steady_clock::now() < give_up) io->run_one_until(give_up);
    check(out->calls == 1);
    return *out;
}

void check_outcome(const Outcome& o) {
    const bwvoice::Diagnostics& d = o.diag;
    check(!contains(d.message, password) && !contains(d.message, basic_credentials));
    check(!contains(d.api_error_description, password) && !contains(d.api_error_type, password));

    if (!o.ec) {
        check(d.http_status == 200u);
        check(d.message.empty());
        bwvoice::Conference again;
        check(!bwvoice::parse_conference(bwvoice::to_json(o.conference), again));
        check(again == o.conference);
        return;
    }
    check(o.conference == bwvoice::Conference{});
    check(o.ec.category() == bwvoice::client_category());
    const auto e = static_cast<bwvoice::errc>(o.ec.value());
    check(o.ec.value() >= static_cast<int>(bwvoice::errc::bad_request) &&
          o.ec.value() <= static_cast<int>(bwvoice::errc::cancelled));
    check(e != bwvoice::errc::tls_error && e != bwvoice::errc::cancelled);
    check(!d.message.empty());
    if (is_status_error(e)) {
        check(d.http_status.has_value());
        check(expected_for_status(*d.http_status) == e);
    }
    if (d.http_status && *d.http_status / 100 == 2 && *d.http_status != 200) check(e == bwvoice::errc::bad_response);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Leaked on purpose: the server thread uses them until the process exits.
    server = new Server();
    io = new boost::asio::io_context(1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    server->set_response({reinterpret_cast<const char*>(data), size});

    std::optional<bwvoice::ConferenceClient> client;
    client.emplace(*io, bwvoice::ClientConfig{
                            .base_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/api/v2",
                            .account_id = "9901234",
                            .username = "fuzzer",
                            .password = std::string(password),
                            .pool_size = 1,
                            .request_timeout = 500ms,
                            .retry = {.max_retries = 0},
                            // Small, so short inputs can cross both limits.
                            .max_body_bytes = 64u << 10,
                            .max_header_bytes = 8u << 10,
                            .insecure_allow_plain_http = true,
                        });

    const Outcome first = look_up(*client);
    check_outcome(first);
    const Outcome second = look_up(*client);
    check_outcome(second);

    const auto timed_out = [](const Outcome& o) { return o.ec == bwvoice::errc::timeout; };
    if (!timed_out(first) && !timed_out(second)) {
        check(first.ec == second.ec);
        check(first.conference == second.conference);
        check(first.diag.http_status == second.diag.http_status);
    }

    // Closing drops any pooled connection; run what that posted so nothing
    // from this input is left for the next one.
    client.reset();
    io->restart();
    io->poll();
    return 0;
}
