// Shared helpers for tests that run the client against the mock server over real TLS.
#ifndef BWVOICE_TEST_COMMON_TEST_ENV_HPP
#define BWVOICE_TEST_COMMON_TEST_ENV_HPP

#include <bwvoice/bwvoice.hpp>

#include "mock/mock_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace bwvoice::test {

/// One throw-away PKI per test process (key generation is the slow part),
/// with its CA also written to a temporary file for extra_ca_file.
struct SharedPki {
    mock::Pki pki;
    std::filesystem::path ca_file;
    static const SharedPki& get();
};

/// A mock server over TLS with the shared PKI, and a client configuration for it.
struct MockEnv {
    explicit MockEnv(mock::ServerOptions options = {});

    std::unique_ptr<mock::MockServer> server;
    mock::ServerOptions options;

    /// Pointed at the server, trusting only its CA, with short test-sized deadlines.
    ClientConfig client_config() const;
};

/// Runs `ioc` until it runs out of work, failing the test (instead of hanging
/// CI) if that takes longer than `limit`.
void run_to_completion(boost::asio::io_context& ioc, std::chrono::seconds limit = std::chrono::seconds(60));

}  // namespace bwvoice::test

#endif
