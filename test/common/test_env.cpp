#include "common/test_env.hpp"

#include <unistd.h>
#include <fstream>

namespace bwvoice::test {

const SharedPki& SharedPki::get() {
    static const SharedPki instance = [] {
        SharedPki s;
        s.pki = mock::generate_pki();
        s.ca_file = std::filesystem::temp_directory_path() / ("bwvoice-test-ca-" + std::to_string(::getpid()) + ".pem");
        std::ofstream(s.ca_file) << s.pki.ca_cert_pem;
        // Leave no file behind when the test process ends.
        static struct Remover {
            std::filesystem::path p;
            ~Remover() {
                std::error_code ec;
                std::filesystem::remove(p, ec);
            }
        } remover{s.ca_file};
        return s;
    }();
    return instance;
}

MockEnv::MockEnv(mock::ServerOptions opts) : options(std::move(opts)) {
    if (options.tls && options.cert_pem.empty()) {
        options.cert_pem = SharedPki::get().pki.server_cert_pem;
        options.key_pem = SharedPki::get().pki.server_key_pem;
    }
    server = std::make_unique<mock::MockServer>(options);
}

ClientConfig MockEnv::client_config() const {
    ClientConfig c;
    c.base_url = server->base_url();
    c.account_id = options.account_id;
    c.username = options.username;
    c.password = options.password;
    c.insecure_allow_plain_http = !options.tls;
    c.tls.use_system_store = false;
    c.tls.extra_ca_pem = SharedPki::get().pki.ca_cert_pem;
    c.request_timeout = std::chrono::seconds(10);
    c.retry.backoff_base = std::chrono::milliseconds(1);
    c.retry.backoff_cap = std::chrono::milliseconds(20);
    return c;
}

void run_to_completion(boost::asio::io_context& ioc, std::chrono::seconds limit) {
    ioc.run_for(limit);
    BOOST_REQUIRE_MESSAGE(ioc.stopped(), "the io_context still had work after the time limit: a hang");
}

}  // namespace bwvoice::test
