// bwvoice-mock: runs the mock Voice API server until SIGINT or SIGTERM.
// Scripts and tests wait for the single "listening on URL" line on stdout.
// With --client-id it is also an OAuth token endpoint (same origin,
// /api/v1/oauth2/token); the client secret and the tokens are never printed.
#include "mock/mock_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/program_options.hpp>
#include <boost/system/system_error.hpp>

#include <charconv>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
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

/// --token-lifetime: whole seconds, or "none" for tokens without expires_in.
std::optional<std::chrono::seconds> parse_lifetime(const std::string& text) {
    if (text == "none") return std::nullopt;
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || seconds < 0)
        throw po::error("--token-lifetime must be a number of seconds or \"none\"");
    return std::chrono::seconds(seconds);
}

}  // namespace

int main(int argc, char** argv) {
    bwvoice::mock::ServerOptions options;
    // The record of requests only serves in-process tests; here it would grow
    // for as long as a benchmark runs.
    options.record_requests = false;
    // No built-in Basic credentials: only those given are accepted.
    options.username.clear();
    options.password.clear();
    std::string cert_path, key_path;
    std::string token_lifetime = std::to_string(bwvoice::mock::TokenAuthority::default_lifetime.count());
    unsigned port = 0;

    po::options_description described("bwvoice-mock: a Bandwidth Voice API conferences mock server\nOptions");
    described.add_options()("help,h", "show this help and exit")("port", po::value(&port)->default_value(0),
                                                                 "TCP port to listen on (0: any free port)")(
        "address", po::value(&options.address)->default_value(options.address), "address to listen on")(
        "cert", po::value(&cert_path), "server certificate chain, PEM (required unless --plain)")(
        "key", po::value(&key_path), "server private key, PEM (required unless --plain)")(
        "user", po::value(&options.username),
        "Basic auth user name to accept (with --password; required "
        "unless --client-id and --client-secret)")("password", po::value(&options.password),
                                                   "Basic auth password to accept")
        // No default_value for the secret: --help prints defaults.
        ("client-id", po::value(&options.client_id),
         "OAuth 2.0 client ID: serve POST /api/v1/oauth2/token and accept its Bearer tokens")(
            "client-secret", po::value(&options.client_secret), "OAuth 2.0 client secret (with --client-id)")(
            "token-lifetime", po::value(&token_lifetime)->default_value(token_lifetime),
            "seconds a token lasts (its expires_in), or \"none\": no expires_in, tokens never expire")(
            "account", po::value(&options.account_id)->default_value(options.account_id), "account ID to serve")(
            "seed", po::value(&options.seed)->default_value(options.seed), "seed of the generated conferences")(
            "conferences", po::value(&options.conferences)->default_value(options.conferences),
            "number of seeded conferences, conf-0 .. conf-(N-1)")(
            "threads", po::value(&options.threads)->default_value(options.threads), "server threads")(
            "page-size", po::value(&options.default_page_size)->default_value(options.default_page_size),
            "conferences per list page when a request gives no pageSize (1..1000)")(
            "media-size", po::value(&options.media_size)->default_value(options.media_size),
            "bytes of every recording's media (generated while sent, never held in memory)")(
            "plain", "serve plain HTTP instead of HTTPS");

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
        if (options.username.empty() != options.password.empty()) throw po::error("--user and --password go together");
        if (options.client_id.empty() != options.client_secret.empty())
            throw po::error("--client-id and --client-secret go together");
        if (options.username.empty() && options.client_id.empty())
            throw po::error("give --user and --password, or --client-id and --client-secret, or both");
        if (vm.count("token-lifetime") != 0 && !vm["token-lifetime"].defaulted() && options.client_id.empty())
            throw po::error("--token-lifetime needs --client-id and --client-secret");
        options.token_lifetime = parse_lifetime(token_lifetime);
        // Without Basic credentials only Bearer tokens open the API.
        options.accept_basic = !options.username.empty();
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
