// A local TCP port where every connection is refused, for as long as the
// object lives. A port merely closed again may be taken by any server that
// the tests running in parallel start (seen: a TLS server answered there);
// this one stays bound, not listening and without SO_REUSEADDR, so no other
// socket can bind it and a connect gets ECONNREFUSED.
#ifndef BWVOICE_TEST_COMMON_REFUSED_PORT_HPP
#define BWVOICE_TEST_COMMON_REFUSED_PORT_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace bwvoice::test {

class RefusedPort {
public:
    RefusedPort() : socket_(ioc_) {
        socket_.open(boost::asio::ip::tcp::v4());
        socket_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    }
    unsigned short port() const { return socket_.local_endpoint().port(); }
    /// "https://127.0.0.1:PORT" followed by `path`.
    std::string https_url(const std::string& path) const {
        return "https://127.0.0.1:" + std::to_string(port()) + path;
    }

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
};

}  // namespace bwvoice::test

#endif
