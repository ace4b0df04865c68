#include "cli/cli_fixture.hpp"

#include <bwvoice/conference.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bwconf_test {
namespace {

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

std::string base64(const std::string& in) {
    static constexpr char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned val = 0;
    int bits = -6;
    for (unsigned char c : in) {
        val = (val << 8) + c;
        bits += 8;
        while (bits >= 0) {
            out += a[(val >> bits) & 0x3F];
            bits -= 6;
        }
    }
    if (bits > -6) out += a[((val << 8) >> (bits + 8)) & 0x3F];
    while (out.size() % 4 != 0) out += '=';
    return out;
}

std::string bwconf_path() {
    return BWCONF_PATH;
}

const Certs& certs() {
    static const struct Holder {
        Certs c;
        Holder() {
            char tmpl[] = "/tmp/bwconf-cli-test-XXXXXX";
            if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
            c.dir = tmpl;
            auto r = run({"/bin/bash", std::string(BWVOICE_SCRIPTS_DIR) + "/gen-certs.sh", c.dir.string()});
            if (r.exit_code != 0) throw std::runtime_error("gen-certs.sh failed: " + r.err);
            c.ca_file = (c.dir / "ca.crt").string();
            c.cert_pem = read_all(c.dir / "server.crt");
            c.key_pem = read_all(c.dir / "server.key");
        }
        ~Holder() {
            std::error_code ec;
            std::filesystem::remove_all(c.dir, ec);
        }
    } holder;
    return holder.c;
}

MockProcess::MockProcess(bool plain) {
    std::vector<std::string> argv{BWVOICE_MOCK_PATH, "--port",  "0",         "--user", kUser,
                                  "--password",      kPassword, "--account", kAccount};
    if (plain) {
        argv.push_back("--plain");
    } else {
        argv.insert(argv.end(),
                    {"--cert", (certs().dir / "server.crt").string(), "--key", (certs().dir / "server.key").string()});
    }
    process = std::make_unique<Process>(argv);
    const bool up =
        process->pump_until([&] { return process->out().find('\n') != std::string::npos; }, std::chrono::seconds(10));
    const std::string prefix = "listening on ";
    if (!up || process->out().rfind(prefix, 0) != 0)
        throw std::runtime_error("bwvoice-mock did not start: " + process->out() + process->err());
    url = process->out().substr(prefix.size(), process->out().find('\n') - prefix.size());
}

MockProcess::~MockProcess() {
    process->send_signal(SIGTERM);
    process->wait(std::chrono::seconds(5));
}

const MockProcess& tls_mock() {
    static const MockProcess m(false);
    return m;
}

const MockProcess& plain_mock() {
    static const MockProcess m(true);
    return m;
}

std::unique_ptr<bwvoice::mock::MockServer> make_server(bwvoice::mock::ServerOptions options) {
    if (options.tls) {
        options.cert_pem = certs().cert_pem;
        options.key_pem = certs().key_pem;
    }
    options.account_id = kAccount;
    options.username = kUser;
    options.password = kPassword;
    return std::make_unique<bwvoice::mock::MockServer>(std::move(options));
}

std::vector<std::string> bare_args(const std::vector<std::string>& extra) {
    std::vector<std::string> v{bwconf_path(), "get"};
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
}

std::vector<std::string> get_args(const std::string& url, const std::vector<std::string>& extra) {
    std::vector<std::string> v{bwconf_path(), "get",    "--base-url", url,   "--ca-file",  certs().ca_file,
                               "--account",   kAccount, "--user",     kUser, "--password", kPassword};
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
}

std::vector<std::string> command_args(const std::string& command, const std::string& url,
                                      const std::vector<std::string>& extra) {
    auto v = get_args(url, extra);
    v[1] = command;
    return v;
}

void check_no_secret(const ProcessResult& r) {
    for (const std::string& secret : {kPassword, base64(kUser + ":" + kPassword)}) {
        BOOST_TEST(r.out.find(secret) == std::string::npos, "the password is on stdout");
        BOOST_TEST(r.err.find(secret) == std::string::npos, "the password is on stderr");
    }
}

void check_usage_error(const ProcessResult& r) {
    BOOST_TEST(r.exit_code == 2, "exit status " << r.exit_code << ", stderr: " << r.err);
    BOOST_TEST(r.out.empty(), "stdout: " << r.out);
    BOOST_TEST(!r.err.empty());
    check_no_secret(r);
}

boost::json::object parse_line(const std::string& line) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    BOOST_TEST_REQUIRE(!ec, "not JSON: " << line);
    BOOST_TEST_REQUIRE(v.is_object(), "not an object: " << line);
    return v.as_object();
}

std::string expected_line(std::size_t index, std::uint64_t seed) {
    bwvoice::Conference c;
    auto ec = bwvoice::parse_conference(bwvoice::mock::seeded_conference_json(seed, index), c);
    BOOST_TEST_REQUIRE(!ec);
    return bwvoice::to_json(c);
}

void check_error(const std::string& line, const std::string& id, const std::string& code,
                 std::optional<unsigned> status) {
    auto o = parse_line(line);
    BOOST_TEST_CONTEXT("line: " << line) {
        BOOST_TEST(o.size() == 2u);
        BOOST_TEST_REQUIRE(o.contains("id"));
        BOOST_TEST(o.at("id").as_string() == id);
        BOOST_TEST_REQUIRE(o.contains("error"));
        const auto& e = o.at("error").as_object();
        BOOST_TEST(e.size() == 3u);
        BOOST_TEST(e.at("code").as_string() == code);
        if (status)
            BOOST_TEST(e.at("status").as_int64() == static_cast<std::int64_t>(*status));
        else
            BOOST_TEST(e.at("status").is_null());
        BOOST_TEST(e.at("message").is_string());
        BOOST_TEST(!e.at("message").as_string().empty());
    }
}

void check_error_fields(const std::string& line, const boost::json::object& fields, const std::string& code,
                        std::optional<unsigned> status) {
    auto o = parse_line(line);
    BOOST_TEST_CONTEXT("line: " << line) {
        BOOST_TEST_REQUIRE(o.size() == fields.size() + 1);
        auto it = o.begin();
        for (const auto& f : fields) {
            BOOST_TEST(it->key() == f.key());
            BOOST_TEST(it->value() == f.value());
            ++it;
        }
        BOOST_TEST_REQUIRE(it->key() == "error");
        const auto& e = it->value().as_object();
        BOOST_TEST(e.size() == 3u);
        BOOST_TEST(e.at("code").as_string() == code);
        if (status)
            BOOST_TEST(e.at("status").as_int64() == static_cast<std::int64_t>(*status));
        else
            BOOST_TEST(e.at("status").is_null());
        BOOST_TEST(e.at("message").is_string());
        BOOST_TEST(!e.at("message").as_string().empty());
    }
}

}  // namespace bwconf_test
