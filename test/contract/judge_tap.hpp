// The judge's verdicts, made visible. Prism reports what breaks the OpenAPI
// document in a response header (`sl-violations`, a JSON list) and, for what
// it cannot route at all, in an `application/problem+json` answer; the
// library rightly exposes neither to its callers. So the client talks to
// Prism through JudgeTap, a small HTTP/1.1 relay on 127.0.0.1 that forwards
// each request unchanged (Beast re-serialises the head with the same fields
// in the same order, and the body byte for byte) and records every exchange
// with Prism's verdict. conforms() is the one assertion helper: the tests
// that expect a clean request and the negative tests that expect a violation
// both judge an Exchange with it.
#ifndef BWVOICE_TEST_CONTRACT_JUDGE_TAP_HPP
#define BWVOICE_TEST_CONTRACT_JUDGE_TAP_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/test/tools/assertion_result.hpp>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bwvoice::contract {

/// One request and Prism's answer to it, as they crossed the relay.
struct Exchange {
    std::string method;
    std::string target;
    std::string request_content_type;  ///< Empty when the request had none.
    bool request_authorized = false;   ///< An Authorization header was sent.
    std::string request_body;
    unsigned status = 0;
    std::string response_content_type;
    /// Prism's `sl-violations` header, verbatim: a JSON array of
    /// {location, severity, code, message}; empty when Prism found none.
    std::string violations;
    std::string response_body;
    /// Set when the relay could not get an answer from Prism (the client
    /// then got a 502 from the relay).
    std::string relay_error;
};

/// "PUT /accounts/.../members/... (application/json) -> 400".
std::string describe(const Exchange& x);

/// True when Prism found nothing wrong with the exchange: no `sl-violations`
/// header (request or response violations, of any severity: errors,
/// warnings and notices alike), no problem+json answer of Prism's own (no
/// route, no method, not acceptable, unprocessable), and an answer at all.
/// Otherwise false, with a message quoting Prism's verdict.
boost::test_tools::assertion_result conforms(const Exchange& x);

/// The relay. Runs on a thread of its own until destroyed.
class JudgeTap {
public:
    explicit JudgeTap(unsigned short upstream_port);
    ~JudgeTap();
    JudgeTap(const JudgeTap&) = delete;
    JudgeTap& operator=(const JudgeTap&) = delete;

    /// Where the client connects: http://127.0.0.1:port().
    unsigned short port() const noexcept { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    /// The exchanges recorded since the last take(), oldest first. Each is
    /// recorded before its response is written back, so an operation that
    /// has completed is always among them.
    std::vector<Exchange> take();

    /// A request sent straight to the relay (not through the library), with
    /// the client's Basic credentials if `authorized`; returns its exchange.
    /// Throws if the relay records anything other than exactly that one.
    Exchange send_raw(boost::beast::http::verb method, const std::string& target, const std::string& content_type = {},
                      const std::string& body = {}, bool authorized = true);

private:
    void record(Exchange x);

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    unsigned short upstream_port_;
    std::mutex mutex_;
    std::vector<Exchange> exchanges_;
    std::thread thread_;

    friend struct TapSession;
};

/// The credentials every contract test uses (Prism checks only that an
/// Authorization header of a declared scheme is there).
inline constexpr const char* account_id = "9900000";
inline constexpr const char* api_user = "contract-user";
inline constexpr const char* api_password = "contract-password";

}  // namespace bwvoice::contract

#endif
