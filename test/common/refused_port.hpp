// Local TCP ports kept bound, not listening, for as long as the object
// lives, so that a connect gets ECONNREFUSED. A port merely closed again may
// be taken by any server that the tests running in parallel start (seen: a
// TLS server answered there).
//  - RefusedPort: bound without SO_REUSEADDR, so no other socket can bind
//    it: every connection is refused.
//  - ReservedPort: for a server the test starts there itself (a test that
//    must know the port first, mock::ServerOptions::port). Bound with
//    SO_REUSEADDR: on Linux a socket that asks for this port by number with
//    SO_REUSEADDR too (the mock's acceptor does) may bind and listen there,
//    while a socket bound to port 0 is never given it. Connections are
//    refused whenever that server is not running.
#ifndef BWVOICE_TEST_COMMON_REFUSED_PORT_HPP
#define BWVOICE_TEST_COMMON_REFUSED_PORT_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace bwvoice::test {

class RefusedPort {
public:
    RefusedPort() : RefusedPort(false) {}
    unsigned short port() const { return socket_.local_endpoint().port(); }
    /// "https://127.0.0.1:PORT" followed by `path`.
    std::string https_url(const std::string& path) const {
        return "https://127.0.0.1:" + std::to_string(port()) + path;
    }

protected:
    explicit RefusedPort(bool reuse_address) : socket_(ioc_) {
        socket_.open(boost::asio::ip::tcp::v4());
        if (reuse_address) socket_.set_option(boost::asio::socket_base::reuse_address(true));
        socket_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    }

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
};

/// Refused too until the test's own server binds it (see above).
class ReservedPort : public RefusedPort {
public:
    ReservedPort() : RefusedPort(true) {}
};

}  // namespace bwvoice::test

#endif
