// bwvoice-peer: ConferenceClient behind the client contract of
// ../shared/bench-peers (N lookups, at most C in flight over at most C
// keep-alive TLS connections, one JSON line per result on stdout).
//
//   bwvoice-peer --url BASE --user U --password P --ca CAFILE --connections C --requests N [--observer]
//
// The client is configured as a user would configure it: the public API with
// its default settings, apart from the pool size (C) and the server's CA as
// the only trust anchor (issue 13). --observer installs a ClientObserver that
// counts every event (the cost of observation, docs/performance.md).
#include "counting_observer.hpp"

#include <bwvoice/bwvoice.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <string>

namespace po = boost::program_options;

namespace {

struct Options {
    std::string url, user, password, ca;
    std::size_t connections = 64;
    std::size_t requests = 20000;
    bool observer = false;
};

/// Issues request i, and on completion the next unissued one, keeping C in flight.
class Driver {
public:
    Driver(bwvoice::ConferenceClient& client, std::size_t total) : client_(client), total_(total) {
        out_.reserve(1 << 20);
    }

    void start(std::size_t in_flight) {
        for (std::size_t k = 0; k < in_flight && next_ < total_; ++k) issue();
    }

    std::size_t ok = 0, failed = 0;

    void flush() {
        std::fwrite(out_.data(), 1, out_.size(), stdout);
        out_.clear();
    }

private:
    void issue() {
        const std::size_t i = next_++;
        std::string id = "conf-" + std::to_string(i % 1000);
        client_.async_get_conference(id, [this, i, id](bwvoice::error_code ec, bwvoice::Conference c) {
            record(i, id, ec, c);
            if (next_ < total_) issue();
        });
    }

    void record(std::size_t i, const std::string& id, const bwvoice::error_code& ec, const bwvoice::Conference& c) {
        out_ += "{\"i\":";
        out_ += std::to_string(i);
        if (!ec && c.id == id) {
            ++ok;
            out_ += ",\"id\":\"";
            out_ += c.id;  // conf-<n>: nothing to escape
            out_ += "\",\"activeMembers\":";
            out_ += std::to_string(c.active_members.size());
            out_ += "}\n";
        } else {
            ++failed;
            out_ += ",\"error\":\"";
            out_ += ec ? bwvoice::to_string(bwvoice::to_errc(ec)) : std::string_view("id mismatch");
            out_ += "\"}\n";
        }
        if (out_.size() > (1 << 20) - 256) flush();
    }

    bwvoice::ConferenceClient& client_;
    std::size_t total_;
    std::size_t next_ = 0;
    std::string out_;
};

}  // namespace

int main(int argc, char** argv) {
    Options o;
    po::options_description desc("bwvoice-peer options");
    desc.add_options()("url", po::value(&o.url)->required(), "https://HOST:PORT (no trailing slash)")(
        "user", po::value(&o.user)->required(), "Basic auth user")(
        "password", po::value(&o.password)->required(), "Basic auth password")("ca", po::value(&o.ca)->required(),
                                                                               "CA file; the only trust anchor")(
        "connections", po::value(&o.connections)->default_value(64), "pool size and lookups in flight")(
        "requests", po::value(&o.requests)->default_value(20000), "lookups in all")(
        "observer", po::bool_switch(&o.observer), "install an observer that counts every event");
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
        if (o.connections == 0) throw std::invalid_argument("--connections must be at least 1");
    } catch (const std::exception& e) {
        std::cerr << "bwvoice-peer: " << e.what() << "\n" << desc;
        return 2;
    }

    boost::asio::io_context ioc(1);
    bwvoice::ClientConfig config;
    config.base_url = o.url + "/api/v2";
    config.account_id = "9900000";
    config.username = o.user;
    config.password = o.password;
    config.pool_size = o.connections;
    config.tls.use_system_store = false;
    config.tls.extra_ca_file = o.ca;
    if (o.observer) config.observer = std::make_shared<CountingObserver>();

    try {
        bwvoice::ConferenceClient client(ioc, config);
        Driver driver(client, o.requests);
        driver.start(o.connections);
        ioc.run();
        driver.flush();
        std::fflush(stdout);
        const auto st = client.stats();
        std::fprintf(stderr, "connections=%llu handshakes=%llu resumed=%llu reused=%llu retries=%llu stale=%llu\n",
                     static_cast<unsigned long long>(st.connections_opened),
                     static_cast<unsigned long long>(st.handshakes),
                     static_cast<unsigned long long>(st.sessions_resumed), static_cast<unsigned long long>(st.reuses),
                     static_cast<unsigned long long>(st.retries), static_cast<unsigned long long>(st.stale_resends));
        std::fprintf(stderr, "ok=%zu failed=%zu\n", driver.ok, driver.failed);
        return driver.failed == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "bwvoice-peer: " << e.what() << "\n";
        return 2;
    }
}
