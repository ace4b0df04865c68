// bwconf: parsing of the command line with Boost.Program_options.
//
// Every number is taken as text and checked here rather than by
// Program_options, whose lexical_cast quietly wraps "-1" into 4294967295 for
// an unsigned target. Files named by options are opened once up front so that
// an unreadable one is a usage error before anything reaches stdout.
#include "cli/options.hpp"

#include <boost/program_options.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>

namespace bwconf {
namespace {

namespace po = boost::program_options;

// Upper bounds of the numeric options. They keep a typo from opening
// thousands of sockets, and keep deadlines far from chrono overflow; each is
// far beyond any useful value.
constexpr unsigned long long kMaxPoolSize = 10'000;
constexpr unsigned long long kMaxTimeoutMs = 2'147'483'647;  // about 24.8 days
constexpr unsigned long long kMaxRetries = 1'000;

struct EnvVar {
    const char* name;
    const char* option;
};
// The only options settable from the environment; the command line wins
// because it is stored into the variables_map first.
constexpr EnvVar kEnvVars[] = {
    {"BW_VOICE_BASE_URL", "base-url"}, {"BW_ACCOUNT_ID", "account"},  {"BW_USERNAME", "user"},
    {"BW_PASSWORD", "password"},       {"BW_CLIENT_ID", "client-id"}, {"BW_CLIENT_SECRET", "client-secret"},
    {"BW_TOKEN_URL", "token-url"},
};

// Options whose values are secrets, and the variables that may hold one.
constexpr const char* kSecretFlags[] = {"--password", "--redirect-password", "--fallback-password", "--client-secret"};
constexpr const char* kSecretEnv[] = {"BW_PASSWORD", "BW_CLIENT_SECRET"};

std::string value_or_empty(const po::variables_map& vm, const char* name) {
    return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
}

bool starts_with_http(const std::string& url) {
    constexpr std::string_view scheme = "http://";
    if (url.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(url[i])) != scheme[i]) return false;
    return true;
}

std::optional<unsigned long long> count_in(const po::variables_map& vm, const char* name, unsigned long long min,
                                           unsigned long long max) {
    if (vm.count(name) == 0) return std::nullopt;
    return parse_count(std::string("--") + name, vm[name].as<std::string>(), min, max);
}

// The options given, each named as on the command line with its variable:
// "--user (or BW_USERNAME)".
std::string given(const po::variables_map& vm, std::initializer_list<const char*> options) {
    std::string names;
    for (const char* option : options) {
        if (value_or_empty(vm, option).empty()) continue;
        names += names.empty() ? "" : ", ";
        names += std::string("--") + option;
        for (const auto& e : kEnvVars)
            if (std::string_view(e.option) == option) names += std::string(" (or ") + e.name + ")";
    }
    return names;
}

// One kind of credentials, complete: Basic (user and password) or OAuth 2.0
// client credentials (client ID and secret). Both kinds, from flags or the
// environment alike, is a usage error rather than a silent choice: the user
// would believe the other kind is in use.
void apply_credentials(const po::variables_map& vm, const std::set<std::string>& from_command_line,
                       bwvoice::ClientConfig& c) {
    const std::string basic = given(vm, {"user", "password"});
    const std::string oauth = given(vm, {"client-id", "client-secret"});
    if (!basic.empty() && !oauth.empty())
        throw UsageError("both Basic credentials (" + basic + ") and OAuth 2.0 client credentials (" + oauth +
                         ") are given; give one kind only");
    if (basic.empty() && oauth.empty())
        throw UsageError(
            "credentials are required: --user and --password (or BW_USERNAME and BW_PASSWORD), "
            "or --client-id and --client-secret (or BW_CLIENT_ID and BW_CLIENT_SECRET)");
    if (!basic.empty()) {
        c.username = value_or_empty(vm, "user");
        c.password = value_or_empty(vm, "password");
        if (c.username.empty()) throw UsageError("a user name is required: --user or BW_USERNAME");
        if (c.password.empty()) throw UsageError("a password is required: BW_PASSWORD or --password");
        // BW_TOKEN_URL may be set for other commands of the same shell; a
        // --token-url flag beside Basic credentials is a mistake worth saying.
        if (from_command_line.count("token-url") != 0)
            throw UsageError(
                "--token-url is for OAuth 2.0 client credentials (--client-id and --client-secret); "
                "Basic credentials need no token");
        return;
    }
    c.client_id = value_or_empty(vm, "client-id");
    c.client_secret = value_or_empty(vm, "client-secret");
    if (c.client_id.empty())
        throw UsageError("a client ID is required with a client secret: --client-id or BW_CLIENT_ID");
    if (c.client_secret.empty())
        throw UsageError("a client secret is required with a client ID: BW_CLIENT_SECRET or --client-secret");
    // An empty variable is an unset one, as for every other variable.
    if (const std::string url = value_or_empty(vm, "token-url"); !url.empty())
        c.token_url = url;
    else if (from_command_line.count("token-url") != 0)
        throw UsageError("--token-url needs a URL");
}

// The connection options into a ClientConfig, and their checks.
void apply_connection_options(const po::variables_map& vm, const std::set<std::string>& from_command_line,
                              CommonOptions& out) {
    auto& c = out.client;
    if (vm.count("base-url") != 0) c.base_url = vm["base-url"].as<std::string>();
    c.account_id = value_or_empty(vm, "account");

    c.insecure_allow_plain_http = vm["allow-http"].as<bool>();
    if (starts_with_http(c.base_url) && !c.insecure_allow_plain_http)
        throw UsageError(
            "refusing an http:// base URL, which would send the credentials in clear; "
            "use https://, or --allow-http for a local test server");

    if (auto n = count_in(vm, "pool-size", 1, kMaxPoolSize)) c.pool_size = static_cast<std::size_t>(*n);
    if (auto n = count_in(vm, "timeout-ms", 1, kMaxTimeoutMs))
        c.request_timeout = std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*n));
    if (auto n = count_in(vm, "retries", 0, kMaxRetries)) c.retry.max_retries = static_cast<unsigned>(*n);

    // Connecting and the handshake have their own deadlines in the client; an
    // operation's deadline shorter than them must still be the one that counts.
    c.connect_timeout = std::min(c.connect_timeout, c.request_timeout);
    c.handshake_timeout = std::min(c.handshake_timeout, c.request_timeout);

    if (vm.count("ca-file") != 0) {
        c.tls.extra_ca_file = vm["ca-file"].as<std::string>();
        if (c.tls.extra_ca_file.empty()) throw UsageError("--ca-file needs a file name");
        check_readable("--ca-file", c.tls.extra_ca_file);
    }
    c.tls.use_system_store = true;

    if (c.account_id.empty()) throw UsageError("an account ID is required: --account or BW_ACCOUNT_ID");
    apply_credentials(vm, from_command_line, c);
    if (!c.client_id.empty() && starts_with_http(c.token_url) && !c.insecure_allow_plain_http)
        throw UsageError(
            "refusing an http:// token URL, which would send the client secret in clear; "
            "use https://, or --allow-http for a local test server");

    const bool on = vm["progress"].as<bool>();
    const bool off = vm["no-progress"].as<bool>();
    if (on && off) throw UsageError("--progress and --no-progress contradict each other");
    out.progress = on ? ProgressMode::on : off ? ProgressMode::off : ProgressMode::automatic;
    out.stats = vm["stats"].as<bool>();
}

}  // namespace

po::options_description connection_options() {
    const bwvoice::ClientConfig defaults;
    po::options_description d("Connection options", kHelpWidth, kHelpWidth / 2 - 4);
    // clang-format off
    d.add_options()
        ("base-url", po::value<std::string>()->value_name("URL"),
         ("API root. Env: BW_VOICE_BASE_URL. Default: " + defaults.base_url).c_str())
        ("account", po::value<std::string>()->value_name("ID"),
         "Account ID. Env: BW_ACCOUNT_ID. Required.")
        ("user", po::value<std::string>()->value_name("NAME"),
         "API user name. Env: BW_USERNAME. Required unless --client-id is given.")
        ("password", po::value<std::string>()->value_name("PASS"),
         "API password. Env: BW_PASSWORD (preferred: a flag is visible to other users in ps). "
         "Required with --user. Never printed.")
        ("client-id", po::value<std::string>()->value_name("ID"),
         "OAuth 2.0 client ID, instead of --user and --password: requests then carry a token "
         "of the client credentials grant. Env: BW_CLIENT_ID.")
        ("client-secret", po::value<std::string>()->value_name("S"),
         "OAuth 2.0 client secret. Env: BW_CLIENT_SECRET (preferred, as for --password). Never printed.")
        ("token-url", po::value<std::string>()->value_name("URL"),
         ("OAuth 2.0 token endpoint, under the base URL's rules (https unless --allow-http; "
          "--ca-file applies). Env: BW_TOKEN_URL. Default: " + defaults.token_url).c_str())
        ("ca-file", po::value<std::string>()->value_name("PEM"),
         "Extra trust anchors (PEM), added to the system store. Default: none.")
        ("pool-size", po::value<std::string>()->value_name("N"),
         "Most connections open at once, 1..10000. Default: 16.")
        ("timeout-ms", po::value<std::string>()->value_name("N"),
         "Deadline of one operation in milliseconds, retries included, 1..2147483647. Default: 30000.")
        ("retries", po::value<std::string>()->value_name("N"),
         "Most retries of a retryable failure (429, 502-504, connection reset), 0..1000. Default: 3.")
        ("allow-http", po::bool_switch(),
         "Permit an http:// base URL, which sends the credentials in clear (local test servers only).")
        ("progress", po::bool_switch(), "Draw progress and a summary on stderr.")
        ("no-progress", po::bool_switch(), "Do not. Default: progress only when stderr is a terminal.")
        ("stats", po::bool_switch(),
         "At the end, print the client's counters (operations by outcome, latencies, retries, "
         "connections, bytes) as one JSON line {\"stats\":...} on stderr. Stdout and the exit "
         "status are unchanged.")
        ("help,h", po::bool_switch(), "Show this help and exit.");
    // clang-format on
    return d;
}

unsigned long long parse_count(const std::string& option, const std::string& text, unsigned long long min,
                               unsigned long long max) {
    const auto fail = [&] {
        return UsageError(option + " takes a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                          ", not '" + text + "'");
    };
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) throw fail();
    unsigned long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) throw fail();
    return value;
}

void check_readable(const std::string& option, const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw UsageError("cannot read " + option + " " + path + ": " + std::strerror(errno));
    struct stat st {};
    const bool is_dir = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    ::close(fd);
    if (is_dir) throw UsageError("cannot read " + option + " " + path + ": it is a directory");
}

ParsedArgs parse_args(const std::vector<std::string>& args, const po::options_description& own) {
    po::options_description all;
    all.add(connection_options()).add(own);
    all.add_options()("arg", po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    positional.add("arg", -1);

    ParsedArgs out;
    std::set<std::string> from_command_line;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).style(kOptionStyle).run(), out.own);
        for (const auto& [name, value] : out.own) from_command_line.insert(name);
        po::store(po::parse_environment(all,
                                        [](const std::string& var) -> std::string {
                                            for (const auto& e : kEnvVars)
                                                if (var == e.name) return e.option;
                                            return {};
                                        }),
                  out.own);
        po::notify(out.own);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    out.help = out.own["help"].as<bool>();
    if (out.help) return out;
    if (out.own.count("arg") != 0) out.positional = out.own["arg"].as<std::vector<std::string>>();
    apply_connection_options(out.own, from_command_line, out.common);
    return out;
}

std::vector<std::string> early_secrets(const std::vector<std::string>& args) {
    std::vector<std::string> secrets;
    for (const char* var : kSecretEnv)
        if (const char* env = std::getenv(var); env != nullptr && *env != '\0') secrets.emplace_back(env);
    for (const std::string flag : kSecretFlags) {
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (args[i] == flag && i + 1 < args.size()) secrets.push_back(args[i + 1]);
            if (args[i].rfind(flag + "=", 0) == 0) secrets.push_back(args[i].substr(flag.size() + 1));
        }
    }
    secrets.erase(std::remove(secrets.begin(), secrets.end(), std::string()), secrets.end());
    return secrets;
}

std::optional<std::string> string_option(const ParsedArgs& p, const char* name) {
    if (p.own.count(name) == 0) return std::nullopt;
    return p.own[name].as<std::string>();
}

std::optional<unsigned long long> count_option(const ParsedArgs& p, const char* name, unsigned long long min,
                                               unsigned long long max) {
    return count_in(p.own, name, min, max);
}

bool switch_option(const ParsedArgs& p, const char* name) {
    return p.own[name].as<bool>();
}

std::string command_help(const std::string& usage, const std::string& description, const po::options_description* own,
                         const std::string& example) {
    std::ostringstream s;
    s << "Usage: " << usage << "\n\n" << description << "\n";
    if (own != nullptr) s << *own << "\n";
    s << connection_options()
      << "\n"
         "Output: compact JSON, one object a line, with the API's own field names. A failure\n"
         "prints an error object {\"code\":CODE,\"status\":HTTP_STATUS|null,\"message\":TEXT}, CODE\n"
         "one of bad_request, unauthorized, forbidden, not_found, rate_limited, server_error,\n"
         "http_error, timeout, connection_failed, tls_error, bad_response, cancelled.\n"
         "\n"
         "Exit status:\n"
         "  0    every operation succeeded\n"
         "  1    at least one failed (its error line printed, the others still done)\n"
         "  2    usage or configuration error (message on stderr, nothing on stdout)\n"
         "  130  interrupted by SIGINT, 143 by SIGTERM: operations not finished are printed\n"
         "       with code 'cancelled'\n";
    if (!example.empty()) s << "\nExample:\n" << example;
    return s.str();
}

}  // namespace bwconf
