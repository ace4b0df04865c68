// What every example shares, so that each program shows only its own point:
// the client's settings from the environment (the variables bwconf reads, plus
// BW_CA_FILE) and a tiny reader of the command line.
//
// Nothing here is part of the library: a real service reads its settings its
// own way and fills a bwvoice::ClientConfig.
#ifndef BWVOICE_EXAMPLES_SETTINGS_HPP
#define BWVOICE_EXAMPLES_SETTINGS_HPP

#include <bwvoice/bwvoice.hpp>

#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace example {

/// A missing setting or a malformed argument: main prints it with the usage
/// line and exits with 2, as bwconf does.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Exit statuses shared by the examples (bwconf's): 0 success, 1 an operation
/// failed, 2 a usage or configuration error.
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

/// The variable's value, or "" when it is unset (an empty one counts as unset).
inline std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

/// The client's settings from the environment:
///
///   BW_VOICE_BASE_URL   the API root (default: Bandwidth's own,
///                       https://voice.bandwidth.com/api/v2)
///   BW_ACCOUNT_ID       the account ID (required)
///   BW_USERNAME, BW_PASSWORD                     Basic credentials, or
///   BW_CLIENT_ID, BW_CLIENT_SECRET, BW_TOKEN_URL OAuth 2.0 client credentials
///   BW_CA_FILE          a PEM file of extra CAs to trust, for example the
///                       ca.crt that scripts/gen-certs.sh wrote for bwvoice-mock
///
/// The secrets come from the environment rather than the command line, where
/// every user of the machine could read them in `ps`.
inline bwvoice::ClientConfig config_from_env() {
    bwvoice::ClientConfig config;
    if (std::string url = env("BW_VOICE_BASE_URL"); !url.empty()) config.base_url = url;
    config.account_id = env("BW_ACCOUNT_ID");
    if (config.account_id.empty()) throw UsageError("set BW_ACCOUNT_ID to the account ID");

    config.client_id = env("BW_CLIENT_ID");
    if (config.client_id.empty()) {
        config.username = env("BW_USERNAME");
        config.password = env("BW_PASSWORD");
        if (config.username.empty() || config.password.empty())
            throw UsageError("set BW_USERNAME and BW_PASSWORD (or BW_CLIENT_ID and BW_CLIENT_SECRET)");
    } else {
        config.client_secret = env("BW_CLIENT_SECRET");
        if (config.client_secret.empty()) throw UsageError("set BW_CLIENT_SECRET beside BW_CLIENT_ID");
        if (std::string url = env("BW_TOKEN_URL"); !url.empty()) config.token_url = url;
    }

    // The operating system's store stays trusted too; the file adds to it.
    config.tls.extra_ca_file = env("BW_CA_FILE");
    return config;
}

/// The command line as positional arguments and `--name VALUE` options, the
/// names fixed by each example (an unknown one is a UsageError).
class Args {
public:
    Args(int argc, char** argv, std::initializer_list<std::string_view> option_names) {
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            if (arg.size() < 2 || arg.substr(0, 2) != "--") {
                positional_.emplace_back(arg);
                continue;
            }
            bool known = false;
            for (std::string_view name : option_names) known = known || name == arg.substr(2);
            if (!known) throw UsageError("unknown option " + std::string(arg));
            if (i + 1 == argc) throw UsageError(std::string(arg) + " needs a value");
            options_[std::string(arg.substr(2))] = argv[++i];
        }
    }

    /// The i-th positional argument (from 0), or `fallback` when there are fewer.
    std::string positional(std::size_t i, std::string fallback) const {
        return i < positional_.size() ? positional_[i] : fallback;
    }
    const std::vector<std::string>& positionals() const { return positional_; }

    /// `--name VALUE`, or `fallback` when absent.
    std::string option(const std::string& name, std::string fallback) const {
        auto it = options_.find(name);
        return it != options_.end() ? it->second : fallback;
    }

    /// `--name N`, a whole number from 1 up, or `fallback` when absent.
    unsigned long count(const std::string& name, unsigned long fallback) const {
        auto it = options_.find(name);
        if (it == options_.end()) return fallback;
        const std::string& text = it->second;
        unsigned long n = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || end != text.data() + text.size() || n == 0)
            throw UsageError("--" + name + " needs a whole number from 1 up, not '" + text + "'");
        return n;
    }

private:
    std::vector<std::string> positional_;
    std::map<std::string, std::string> options_;
};

}  // namespace example

#endif
