// bwvoice-mock: runs the mock Voice API server until SIGINT or SIGTERM.
// Scripts and tests wait for the single "listening on URL" line on stdout.
#include "mock/mock_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/program_options.hpp>
#include <boost/system/system_error.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

namespace po = boost::program_options;

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    // A directory opens fine and reads as nothing; so does an empty file.
    if (in.bad() || text.str().empty()) return false;
    out = text.str();
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    bwvoice::mock::ServerOptions options;
    // The record of requests only serves in-process tests; here it would grow
    // for as long as a benchmark runs.
    options.record_requests = false;
    std::string cert_path, key_path;
    unsigned port = 0;

    po::options_description described("bwvoice-mock: a Bandwidth Voice API conferences mock server\nOptions");
    described.add_options()
        ("help,h", "show this help and exit")
        ("port", po::value(&port)->default_value(0), "TCP port to listen on (0: any free port)")
        ("address", po::value(&options.address)->default_value(options.address), "address to listen on")
        ("cert", po::value(&cert_path), "server certificate chain, PEM (required unless --plain)")
        ("key", po::value(&key_path), "server private key, PEM (required unless --plain)")
        ("user", po::value(&options.username)->required(), "Basic auth user name to accept")
        ("password", po::value(&options.password)->required(), "Basic auth password to accept")
        ("account", po::value(&options.account_id)->default_value(options.account_id), "account ID to serve")
        ("seed", po::value(&options.seed)->default_value(options.seed), "seed of the generated conferences")
        ("conferences", po::value(&options.conferences)->default_value(options.conferences),
         "number of seeded conferences, conf-0 .. conf-(N-1)")
        ("threads", po::value(&options.threads)->default_value(options.threads), "server threads")
        ("page-size", po::value(&options.default_page_size)->default_value(options.default_page_size),
         "conferences per list page when a request gives no pageSize (1..1000)")
        ("media-size", po::value(&options.media_size)->default_value(options.media_size),
         "bytes of every recording's media (generated while sent, never held in memory)")
        ("plain", "serve plain HTTP instead of HTTPS");

    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, described), vm);
        if (vm.count("help") != 0) {
            std::cout << described << "\n";
            return 0;
        }
        po::notify(vm);
        if (port > 65535) throw po::error("--port must be at most 65535");
        if (options.default_page_size < 1 || options.default_page_size > 1000)
            throw po::error("--page-size must be from 1 to 1000");
    } catch (const po::error& e) {
        std::cerr << "bwvoice-mock: " << e.what() << "\n" << described << "\n";
        return kExitUsage;
    }
    options.port = static_cast<std::uint16_t>(port);
    options.tls = vm.count("plain") == 0;

    if (options.tls) {
        if (cert_path.empty() || key_path.empty()) {
            std::cerr << "bwvoice-mock: --cert and --key are required unless --plain\n";
            return kExitUsage;
        }
        if (!read_file(cert_path, options.cert_pem)) {
            std::cerr << "bwvoice-mock: cannot read certificate file " << cert_path << "\n";
            return kExitUsage;
        }
        if (!read_file(key_path, options.key_pem)) {
            std::cerr << "bwvoice-mock: cannot read key file " << key_path << "\n";
            return kExitUsage;
        }
    }

    // Installed before the "listening" line exists, so a SIGTERM sent the
    // moment a script sees it is always a clean shutdown, never a kill.
    boost::asio::io_context signals_context;
    boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);

    try {
        const bwvoice::mock::MockServer server(std::move(options));
        std::cout << "listening on " << server.base_url() << std::endl;
        signals.async_wait([](const boost::system::error_code&, int) {});
        signals_context.run();
    } catch (const boost::system::system_error& e) {
        std::cerr << "bwvoice-mock: " << e.what() << "\n";
        // A certificate or key OpenSSL will not load is a usage error like a missing one.
        return e.code().category() == boost::asio::error::get_ssl_category() ? kExitUsage : kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "bwvoice-mock: " << e.what() << "\n";
        return kExitFailure;
    }
    return 0;
}
