// The mock server over real TLS on loopback, driven by a small synchronous
// Beast client, so the client library's own tests can trust what it serves.
#include "mock/mock_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using bwvoice::mock::Action;
using bwvoice::mock::MockServer;
using bwvoice::mock::Pki;
using bwvoice::mock::ServerOptions;

constexpr std::uint64_t kSeed = 7;
constexpr const char* kConferences = "/api/v2/accounts/9900000/conferences/";

std::string basic(const std::string& user, const std::string& password) {
    const std::string plain = user + ":" + password;
    std::string encoded(beast::detail::base64::encoded_size(plain.size()), '\0');
    encoded.resize(beast::detail::base64::encode(encoded.data(), plain.data(), plain.size()));
    return "Basic " + encoded;
}

const std::string kGoodAuth = basic("user", "pass");

struct Reply {
    beast::error_code ec;
    http::response<http::string_body> response;
};

/// One client connection, TLS (verifying the mock's CA and "localhost") or plain.
class Client {
public:
    Client(std::uint16_t port, const std::string* ca_pem, SSL_SESSION* resume = nullptr) {
        tcp::socket socket(ioc_);
        socket.connect({asio::ip::make_address("127.0.0.1"), port});
        if (ca_pem == nullptr) {
            plain_ = std::make_unique<tcp::socket>(std::move(socket));
            return;
        }
        ctx_.add_certificate_authority(asio::buffer(*ca_pem));
        ctx_.set_verify_mode(ssl::verify_peer);
        tls_ = std::make_unique<ssl::stream<tcp::socket>>(std::move(socket), ctx_);
        tls_->set_verify_callback(ssl::host_name_verification("localhost"));
        SSL_set_tlsext_host_name(tls_->native_handle(), "localhost");
        if (resume != nullptr) SSL_set_session(tls_->native_handle(), resume);
        tls_->handshake(ssl::stream_base::client, handshake_error_);
    }

    /// TLS close_notify both ways. OpenSSL will not resume a session whose
    /// connection was dropped without one.
    void shutdown() {
        beast::error_code ignored;
        if (tls_) tls_->shutdown(ignored);
    }

    beast::error_code handshake_error() const { return handshake_error_; }
    SSL* native() { return tls_->native_handle(); }

    Reply send(http::verb method, const std::string& target, const std::string& auth = kGoodAuth,
               bool keep_alive = true) {
        http::request<http::empty_body> request{method, target, 11};
        request.set(http::field::host, "localhost");
        request.set(http::field::user_agent, "mock-server-test/1");
        if (!auth.empty()) request.set(http::field::authorization, auth);
        request.keep_alive(keep_alive);
        Reply reply;
        with_stream([&](auto& stream) {
            http::write(stream, request, reply.ec);
            if (!reply.ec) http::read(stream, buffer_, reply.response, reply.ec);
        });
        return reply;
    }

    Reply get(const std::string& target, const std::string& auth = kGoodAuth) {
        return send(http::verb::get, target, auth);
    }

    /// Tries to read one more byte; what a pooled client would hit next.
    beast::error_code read_more() {
        beast::error_code ec;
        char byte = 0;
        with_stream([&](auto& stream) { stream.read_some(asio::buffer(&byte, 1), ec); });
        return ec;
    }

private:
    template <class F>
    void with_stream(F&& f) {
        if (tls_)
            f(*tls_);
        else
            f(*plain_);
    }

    asio::io_context ioc_;
    ssl::context ctx_{ssl::context::tls_client};
    std::unique_ptr<ssl::stream<tcp::socket>> tls_;
    std::unique_ptr<tcp::socket> plain_;
    beast::flat_buffer buffer_;
    beast::error_code handshake_error_;
};

ServerOptions options_for(const Pki& pki) {
    ServerOptions options;
    options.cert_pem = pki.server_cert_pem;
    options.key_pem = pki.server_key_pem;
    options.seed = kSeed;
    options.conferences = 50;
    return options;
}

struct Fixture {
    Fixture() : pki(bwvoice::mock::generate_pki()), server(options_for(pki)) {}

    Client connect() { return Client(server.port(), &pki.ca_cert_pem); }

    Pki pki;
    MockServer server;
};



}  // namespace

BOOST_AUTO_TEST_SUITE(mock_server)

BOOST_FIXTURE_TEST_CASE(serves_a_seeded_conference, Fixture) {
    auto client = connect();
    BOOST_TEST(!client.handshake_error(), client.handshake_error().message());
    const Reply reply = client.get(std::string(kConferences) + "conf-3");
    BOOST_TEST(!reply.ec, reply.ec.message());
    BOOST_TEST(reply.response.result_int() == 200U);
    BOOST_TEST(reply.response[http::field::content_type] == "application/json;charset=UTF-8");
    BOOST_TEST(reply.response.body() == bwvoice::mock::seeded_conference_json(kSeed, 3));
    BOOST_TEST(server.conference_json("conf-3").value_or("") == reply.response.body());
    BOOST_TEST(server.base_url() == "https://127.0.0.1:" + std::to_string(server.port()) + "/api/v2");
    BOOST_TEST(server.base_url_localhost() == "https://localhost:" + std::to_string(server.port()) + "/api/v2");
}

BOOST_AUTO_TEST_CASE(seeded_bodies_are_deterministic_and_api_shaped) {
    using bwvoice::mock::seeded_conference_json;
    std::size_t total = 0;
    for (std::size_t i = 0; i < 200; ++i) {
        const std::string text = seeded_conference_json(kSeed, i);
        BOOST_TEST(text == seeded_conference_json(kSeed, i));
        total += text.size();
        const json::object conf = json::parse(text).as_object();
        BOOST_TEST(conf.at("id").as_string() == "conf-" + std::to_string(i));
        BOOST_TEST(conf.at("name").is_string());
        const json::string& created = conf.at("createdTime").as_string();
        BOOST_TEST(created.size() == 24U);  // 2026-01-01T00:00:00.000Z
        BOOST_TEST(created.back() == 'Z');
        BOOST_TEST((conf.at("completedTime").is_null() || conf.at("completedTime").is_string()));
        BOOST_TEST((conf.at("conferenceEventUrl").is_null() || conf.at("conferenceEventUrl").is_string()));
        const json::string& method = conf.at("conferenceEventMethod").as_string();
        BOOST_TEST((method == "POST" || method == "GET"));
        BOOST_TEST((conf.at("tag").is_null() || conf.at("tag").is_string()));
        const json::array& members = conf.at("activeMembers").as_array();
        BOOST_TEST(members.size() <= 3U);
        for (const json::value& m : members) {
            const json::object& member = m.as_object();
            BOOST_TEST(member.at("callId").as_string().starts_with("c-"));
            BOOST_TEST(member.at("conferenceId").as_string() == conf.at("id").as_string());
            BOOST_TEST(member.at("memberUrl").as_string().ends_with("/members/" +
                                                                     std::string(member.at("callId").as_string())));
            BOOST_TEST(member.at("mute").is_bool());
            BOOST_TEST(member.at("hold").is_bool());
            BOOST_TEST((member.at("callIdsToCoach").is_null() || member.at("callIdsToCoach").is_array()));
        }
    }
    BOOST_TEST(total / 200 > 500U);
    BOOST_TEST(total / 200 < 1000U);
    BOOST_TEST(seeded_conference_json(kSeed, 1) != seeded_conference_json(kSeed + 1, 1));
}

BOOST_FIXTURE_TEST_CASE(rejects_bad_credentials, Fixture) {
    auto client = connect();
    const std::string expected =
        R"({"type":"authentication-error","description":"The credentials provided were invalid","id":null})";
    for (const std::string& auth : {basic("user", "wrong"), basic("userpass", ""), std::string("Basic !!!!"),
                                    std::string("Bearer abc"), std::string()}) {
        const Reply reply = client.get(std::string(kConferences) + "conf-1", auth);
        BOOST_TEST(!reply.ec, reply.ec.message());
        BOOST_TEST(reply.response.result_int() == 401U, auth);
        BOOST_TEST(reply.response.body() == expected);
        BOOST_TEST(reply.response[http::field::content_type] == "application/json;charset=UTF-8");
    }
}

BOOST_FIXTURE_TEST_CASE(wrong_account_is_forbidden, Fixture) {
    auto client = connect();
    const Reply reply = client.get("/api/v2/accounts/1234567/conferences/conf-1");
    BOOST_TEST(reply.response.result_int() == 403U);
    BOOST_TEST(json::parse(reply.response.body()).at("type").as_string() == "authorization-error");
}

BOOST_FIXTURE_TEST_CASE(unknown_ids_paths_and_methods, Fixture) {
    auto client = connect();
    Reply reply = client.get(std::string(kConferences) + "nope");
    BOOST_TEST(reply.response.result_int() == 404U);
    BOOST_TEST(reply.response.body() == R"({"type":"validation","description":"Conference [nope] not found","id":null})");

    reply = client.get("/api/v2/accounts/9900000/calls");
    BOOST_TEST(reply.response.result_int() == 404U);
    reply = client.get("/elsewhere");
    BOOST_TEST(reply.response.result_int() == 404U);

    reply = client.send(http::verb::delete_, std::string(kConferences) + "conf-1");
    BOOST_TEST(reply.response.result_int() == 405U);
    BOOST_TEST(reply.response[http::field::allow] == "GET, POST");
    BOOST_TEST(json::parse(reply.response.body()).at("type").as_string() == "validation");
}

BOOST_FIXTURE_TEST_CASE(conference_id_segment_is_percent_decoded, Fixture) {
    const std::string body = R"({"id":"a/b?c","name":"odd"})";
    server.put_conference("a/b?c", body);
    auto client = connect();
    const Reply reply = client.get(std::string(kConferences) + "a%2Fb%3Fc");
    BOOST_TEST(reply.response.result_int() == 200U);
    BOOST_TEST(reply.response.body() == body);
    // Unencoded, the "/" makes it another path and the "?" starts a query.
    BOOST_TEST(client.get(std::string(kConferences) + "a/b?c").response.result_int() == 404U);
    const auto requests = server.requests();
    BOOST_TEST_REQUIRE(requests.size() == 2U);
    BOOST_TEST(requests[0].target == std::string(kConferences) + "a%2Fb%3Fc");
}

BOOST_FIXTURE_TEST_CASE(scripted_503_then_normal_answer, Fixture) {
    server.script("conf-1", {Action::respond(503, {{"Retry-After", "2"}})});
    auto client = connect();
    Reply reply = client.get(std::string(kConferences) + "conf-1");
    BOOST_TEST(reply.response.result_int() == 503U);
    BOOST_TEST(reply.response["Retry-After"] == "2");
    BOOST_TEST(json::parse(reply.response.body()).at("type").as_string() == "system-overloaded");
    BOOST_TEST(reply.response.keep_alive());

    reply = client.get(std::string(kConferences) + "conf-1");
    BOOST_TEST(reply.response.result_int() == 200U);
    BOOST_TEST(reply.response.body() == bwvoice::mock::seeded_conference_json(kSeed, 1));
    BOOST_TEST(server.stats().connections_accepted == 1U);
}

BOOST_FIXTURE_TEST_CASE(script_all_cycles_until_cleared, Fixture) {
    server.script_all({Action::respond(429, {{"Retry-After", "1"}}), Action{}});
    auto client = connect();
    BOOST_TEST(client.get(std::string(kConferences) + "conf-1").response.result_int() == 429U);
    BOOST_TEST(client.get(std::string(kConferences) + "conf-2").response.result_int() == 200U);
    const Reply reply = client.get(std::string(kConferences) + "whatever");
    BOOST_TEST(reply.response.result_int() == 429U);
    BOOST_TEST(reply.response.body() == R"({"type":"error","description":"Account call creation rate limit exceeded","id":""})");
    server.script_all({});
    BOOST_TEST(client.get(std::string(kConferences) + "conf-1").response.result_int() == 200U);
}

BOOST_FIXTURE_TEST_CASE(drop_closes_without_answer, Fixture) {
    server.script("conf-2", {Action::of(Action::Kind::drop)});
    {
        auto client = connect();
        const Reply reply = client.get(std::string(kConferences) + "conf-2");
        BOOST_TEST(reply.ec.failed());
    }
    auto client = connect();
    BOOST_TEST(client.get(std::string(kConferences) + "conf-2").response.result_int() == 200U);
    BOOST_TEST(server.stats().connections_accepted == 2U);
}

BOOST_FIXTURE_TEST_CASE(close_after_sends_connection_close_and_closes, Fixture) {
    Action close;
    close.close_after = true;
    server.script("conf-4", {close});
    auto client = connect();
    const Reply reply = client.get(std::string(kConferences) + "conf-4");
    BOOST_TEST(reply.response.result_int() == 200U);
    BOOST_TEST(!reply.response.keep_alive());
    BOOST_TEST(reply.response[http::field::connection] == "close");
    BOOST_TEST(reply.response.body() == bwvoice::mock::seeded_conference_json(kSeed, 4));
    BOOST_TEST(client.read_more() == asio::error::eof);  // close_notify, then FIN
}

BOOST_FIXTURE_TEST_CASE(reframed_and_broken_responses, Fixture) {
    const std::string expected = bwvoice::mock::seeded_conference_json(kSeed, 5);
    server.script("conf-5", {Action::of(Action::Kind::chunked), Action::of(Action::Kind::close_delimited)});
    {
        auto client = connect();
        Reply reply = client.get(std::string(kConferences) + "conf-5");
        BOOST_TEST(reply.response.chunked());
        BOOST_TEST(reply.response.body() == expected);
        reply = client.get(std::string(kConferences) + "conf-5");
        BOOST_TEST(!reply.ec, reply.ec.message());
        BOOST_TEST(!reply.response.has_content_length());
        BOOST_TEST(reply.response.body() == expected);
    }
    Action trickle = Action::of(Action::Kind::trickle);
    trickle.status = 404;
    server.script("conf-5", {Action::of(Action::Kind::partial_body), Action::of(Action::Kind::partial_headers), trickle});
    for (int i = 0; i < 2; ++i) {
        auto client = connect();
        BOOST_TEST(client.get(std::string(kConferences) + "conf-5").ec.failed());
    }
    auto client = connect();
    const Reply reply = client.get(std::string(kConferences) + "conf-5");
    BOOST_TEST(reply.response.result_int() == 404U);
    BOOST_TEST(reply.response.body() == R"({"type":"validation","description":"Conference [conf-5] not found","id":null})");
}

BOOST_FIXTURE_TEST_CASE(records_requests_and_counts, Fixture) {
    {
        auto client = connect();
        client.get(std::string(kConferences) + "conf-1");
        client.get(std::string(kConferences) + "conf-2?x=1");
    }
    const auto requests = server.requests();
    BOOST_TEST_REQUIRE(requests.size() == 2U);
    BOOST_TEST(requests[0].method == "GET");
    BOOST_TEST(requests[0].target == std::string(kConferences) + "conf-1");
    BOOST_TEST(requests[1].target == std::string(kConferences) + "conf-2?x=1");
    BOOST_TEST(requests[0].authorization == kGoodAuth);
    BOOST_TEST(requests[0].user_agent == "mock-server-test/1");
    BOOST_TEST(requests[0].tls);
    BOOST_TEST(requests[0].connection_id == 1U);
    BOOST_TEST(requests[1].connection_id == 1U);

    const auto stats = server.stats();
    BOOST_TEST(stats.connections_accepted == 1U);
    BOOST_TEST(stats.handshakes == 1U);
    BOOST_TEST(stats.requests == 2U);
    BOOST_TEST(stats.max_open_connections == 1U);
    server.clear_requests();
    BOOST_TEST(server.requests().empty());
}

BOOST_FIXTURE_TEST_CASE(resumes_tls_sessions, Fixture) {
    SSL_SESSION* session = nullptr;
    {
        auto client = connect();
        // TLS 1.3 tickets arrive after the handshake; a response reads them.
        BOOST_TEST(client.get(std::string(kConferences) + "conf-1").response.result_int() == 200U);
        client.shutdown();
        session = SSL_get1_session(client.native());
    }
    BOOST_TEST_REQUIRE(session != nullptr);
    Client again(server.port(), &pki.ca_cert_pem, session);
    SSL_SESSION_free(session);
    BOOST_TEST(!again.handshake_error(), again.handshake_error().message());
    BOOST_TEST(SSL_session_reused(again.native()) == 1);
    BOOST_TEST(again.get(std::string(kConferences) + "conf-1").response.result_int() == 200U);
    BOOST_TEST(server.stats().handshakes == 2U);
    BOOST_TEST(server.stats().sessions_resumed == 1U);
}

BOOST_AUTO_TEST_CASE(plain_http_when_tls_is_off) {
    ServerOptions options;
    options.tls = false;
    options.seed = kSeed;
    options.conferences = 10;
    MockServer server(options);
    BOOST_TEST(server.base_url() == "http://127.0.0.1:" + std::to_string(server.port()) + "/api/v2");
    Client client(server.port(), nullptr);
    const Reply reply = client.get(std::string(kConferences) + "conf-9");
    BOOST_TEST(reply.response.body() == bwvoice::mock::seeded_conference_json(kSeed, 9));
    BOOST_TEST(!server.requests().at(0).tls);
}

/// Sends a GET for conf-1 on a plain socket and returns it, for tests that
/// read the raw bytes of a reply no HTTP parser would accept.
tcp::socket raw_get(asio::io_context& ioc, std::uint16_t port) {
    tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    const std::string request = std::string("GET ") + kConferences + "conf-1 HTTP/1.1\r\nHost: localhost\r\n" +
                                "Authorization: " + kGoodAuth + "\r\n\r\n";
    asio::write(socket, asio::buffer(request));
    return socket;
}

ServerOptions plain_options() {
    ServerOptions options;
    options.tls = false;
    options.seed = kSeed;
    options.conferences = 10;
    return options;
}

BOOST_AUTO_TEST_CASE(flood_sends_the_prefix_then_the_filler_up_to_its_limit) {
    MockServer server(plain_options());
    Action flood = Action::of(Action::Kind::flood);
    flood.body = "HTTP/1.1 200 OK\r\nX-Endless: ";
    flood.filler = "abc";
    flood.flood_limit = 100'001;  // not a multiple of the filler: the last one is cut
    server.script("conf-1", {flood});
    asio::io_context ioc;
    tcp::socket socket = raw_get(ioc, server.port());
    std::string received;
    beast::error_code ec;
    asio::read(socket, asio::dynamic_buffer(received), ec);
    BOOST_TEST(ec == asio::error::eof);
    BOOST_REQUIRE_EQUAL(received.size(), flood.body->size() + flood.flood_limit);
    BOOST_TEST(received.compare(0, flood.body->size(), *flood.body) == 0);
    bool pattern_ok = true;
    for (std::size_t i = flood.body->size(), k = 0; i < received.size(); ++i, ++k)
        pattern_ok = pattern_ok && received[i] == flood.filler[k % flood.filler.size()];
    BOOST_TEST(pattern_ok);
}

BOOST_AUTO_TEST_CASE(flood_stops_when_the_client_closes) {
    MockServer server(plain_options());
    server.script("conf-1", {Action::of(Action::Kind::flood)});  // default limit: 256 MiB
    {
        asio::io_context ioc;
        tcp::socket socket = raw_get(ioc, server.port());
        std::string some(1 << 20, '\0');
        asio::read(socket, asio::buffer(some));
        BOOST_TEST(some.find_first_not_of('x') == std::string::npos);
    }  // closed after 1 MiB
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (server.stats().open_connections != 0 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    BOOST_TEST(server.stats().open_connections == 0U, "the server still floods a closed connection");
}

BOOST_AUTO_TEST_CASE(idle_drop_and_request_limit_close_silently) {
    const Pki pki = bwvoice::mock::generate_pki();
    ServerOptions options = options_for(pki);
    options.idle_drop = std::chrono::milliseconds(100);
    options.max_requests_per_connection = 2;
    MockServer server(options);
    {
        Client client(server.port(), &pki.ca_cert_pem);
        BOOST_TEST(client.get(std::string(kConferences) + "conf-1").response.keep_alive());
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        BOOST_TEST(client.read_more().failed());
    }
    Client client(server.port(), &pki.ca_cert_pem);
    BOOST_TEST(client.get(std::string(kConferences) + "conf-1").response.keep_alive());
    const Reply second = client.get(std::string(kConferences) + "conf-1");
    BOOST_TEST(second.response.result_int() == 200U);
    BOOST_TEST(second.response.keep_alive());  // no warning given
    BOOST_TEST(client.read_more().failed());
}

BOOST_AUTO_TEST_CASE(expired_certificate_fails_verification) {
    const Pki pki = bwvoice::mock::generate_pki({"localhost"}, {"127.0.0.1"}, 0, 10);
    MockServer server(options_for(pki));
    Client client(server.port(), &pki.ca_cert_pem);
    BOOST_TEST(client.handshake_error().failed());
}

BOOST_AUTO_TEST_CASE(serves_concurrent_clients_on_several_threads) {
    const Pki pki = bwvoice::mock::generate_pki();
    ServerOptions options = options_for(pki);
    options.threads = 3;
    MockServer server(options);
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&, c] {
            Client client(server.port(), &pki.ca_cert_pem);
            for (int i = 0; i < 10; ++i) {
                const auto index = static_cast<std::size_t>(c * 10 + i);
                const Reply reply = client.get(std::string(kConferences) + "conf-" + std::to_string(index));
                if (reply.response.body() == bwvoice::mock::seeded_conference_json(kSeed, index)) ++ok;
            }
        });
    }
    for (auto& t : clients) t.join();
    BOOST_TEST(ok.load() == 40);
    BOOST_TEST(server.stats().requests == 40U);
    BOOST_TEST(server.stats().connections_accepted == 4U);
}

BOOST_AUTO_TEST_CASE(stops_with_requests_in_flight) {
    const Pki pki = bwvoice::mock::generate_pki();
    ServerOptions options = options_for(pki);
    options.threads = 2;
    auto server = std::make_unique<MockServer>(options);
    Action slow;
    slow.delay = std::chrono::seconds(30);
    server->script("conf-1", {Action::of(Action::Kind::silent), slow});
    std::vector<std::thread> clients;
    std::atomic<int> failed{0};
    for (int c = 0; c < 2; ++c) {
        clients.emplace_back([&, port = server->port()] {
            Client client(port, &pki.ca_cert_pem);
            if (client.get(std::string(kConferences) + "conf-1").ec.failed()) ++failed;
        });
    }
    while (server->stats().requests < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.reset();  // must neither hang nor leak the two suspended connections
    for (auto& t : clients) t.join();
    BOOST_TEST(failed.load() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
