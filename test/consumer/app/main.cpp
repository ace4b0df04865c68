// A first lookup through the public headers only, as a user writes it. The
// preprocessor checks make sure none of bwvoice's own build settings reached
// this target.
#include <bwvoice/bwvoice.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#if defined(BOOST_ASIO_NO_DEPRECATED) || defined(BOOST_ASIO_DISABLE_BOOST_COROUTINE)
#error "bwvoice's own compile definitions leaked into a consumer's target"
#endif

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

/// Run only if BWVOICE_CONSUMER_NEVER is set (referenced, so it is compiled): the consumer's own Asio and Beast code,
/// instantiating templates the library instantiates too (a socket's read and connect). Were the library built with
/// other Asio settings (BOOST_ASIO_NO_DEPRECATED changes some of Asio's types), the linker would keep one of two
/// different instantiations and the lookup below would crash in the library's connect.
[[maybe_unused]] boost::asio::awaitable<void> own_asio_code(boost::asio::ip::tcp::socket socket) {
    boost::asio::ip::tcp::resolver resolver(socket.get_executor());
    const auto endpoints = co_await resolver.async_resolve("localhost", "443", boost::asio::use_awaitable);
    co_await boost::asio::async_connect(socket, endpoints, boost::asio::use_awaitable);
    boost::beast::tcp_stream stream(std::move(socket));
    char byte = 0;
    co_await stream.async_read_some(boost::asio::buffer(&byte, 1), boost::asio::use_awaitable);
}

}  // namespace

int main() {
    // A double narrowed to int without a cast: -Wconversion (ours, with
    // -Werror) would refuse it; this project asked for neither.
    const double ratio = 1.5;
    int whole = ratio;
    (void)whole;

    boost::asio::io_context ioc;
    if (std::getenv("BWVOICE_CONSUMER_NEVER"))
        boost::asio::co_spawn(ioc, own_asio_code(boost::asio::ip::tcp::socket(ioc)), boost::asio::detached);
    bwvoice::ClientConfig config;
    config.base_url = env("BW_VOICE_BASE_URL");
    config.account_id = env("BW_ACCOUNT_ID");
    config.username = env("BW_USERNAME");
    config.password = env("BW_PASSWORD");
    config.tls.extra_ca_file = env("BW_CA_FILE");
    bwvoice::ConferenceClient client(ioc.get_executor(), config);

    int status = 1;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
            const std::string id = "conf-0";
            bwvoice::Conference c = co_await client.async_get_conference(id);
            std::cout << "bwvoice " << BWVOICE_VERSION_STRING << ": " << c.id << " " << c.name << "\n";
            status = c.id == id ? 0 : 1;
            client.close();
        },
        [&](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::cerr << "consumer: " << x.what() << "\n";
            }
            client.close();
        });
    ioc.run();
    return status;
}
