// bwconf: parsing of `bwconf get`'s options with Boost.Program_options.
//
// Every number is taken as text and checked here rather than by
// Program_options, whose lexical_cast quietly wraps "-1" into 4294967295 for
// an unsigned target. Files named by options are opened once up front so that
// an unreadable one is a usage error before anything reaches stdout.
#include "cli/options.hpp"

#include "cli/redact.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <cstdlib>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace bwconf {
namespace {

namespace po = boost::program_options;

constexpr unsigned kLineLength = 80;

// Upper bounds of the numeric options. They keep a typo from allocating a
// huge reorder window or opening thousands of sockets, and keep deadlines far
// from chrono overflow; each is far beyond any useful value.
constexpr unsigned long long kMaxConcurrency = 100'000;
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
    {"BW_VOICE_BASE_URL", "base-url"},
    {"BW_ACCOUNT_ID", "account"},
    {"BW_USERNAME", "user"},
    {"BW_PASSWORD", "password"},
};

po::options_description get_options() {
    const bwvoice::ClientConfig defaults;
    po::options_description d("Options", kLineLength, kLineLength / 2 - 4);
    // clang-format off
    d.add_options()
        ("base-url", po::value<std::string>()->value_name("URL"),
         ("API root. Env: BW_VOICE_BASE_URL. Default: " + defaults.base_url).c_str())
        ("account", po::value<std::string>()->value_name("ID"),
         "Account ID. Env: BW_ACCOUNT_ID. Required.")
        ("user", po::value<std::string>()->value_name("NAME"),
         "API user name. Env: BW_USERNAME. Required.")
        ("password", po::value<std::string>()->value_name("PASS"),
         "API password. Env: BW_PASSWORD (preferred: a flag is visible to other users in ps). "
         "Required. Never printed.")
        ("ca-file", po::value<std::string>()->value_name("PEM"),
         "Extra trust anchors (PEM), added to the system store. Default: none.")
        ("ids-from", po::value<std::string>()->value_name("FILE"),
         "Read IDs one per line from FILE ('-': stdin), after the positional IDs. Blank lines "
         "are skipped, a trailing CR is removed. Read as the lookups go, so it may be endless.")
        ("concurrency", po::value<std::string>()->value_name("N"),
         "Lookups in flight at once, 1..100000. Default: 64.")
        ("pool-size", po::value<std::string>()->value_name("N"),
         "Most connections open at once, 1..10000. Default: 16.")
        ("timeout-ms", po::value<std::string>()->value_name("N"),
         "Deadline of one lookup in milliseconds, retries included, 1..2147483647. Default: 30000.")
        ("retries", po::value<std::string>()->value_name("N"),
         "Most retries of a retryable failure (429, 502-504, connection reset), 0..1000. Default: 3.")
        ("allow-http", po::bool_switch(),
         "Permit an http:// base URL, which sends the credentials in clear (local test servers only).")
        ("progress", po::bool_switch(), "Draw progress and a summary on stderr.")
        ("no-progress", po::bool_switch(), "Do not. Default: progress only when stderr is a terminal.")
        ("help,h", po::bool_switch(), "Show this help and exit.");
    // clang-format on
    return d;
}

po::options_description hidden_options() {
    po::options_description d;
    d.add_options()("id", po::value<std::vector<std::string>>());
    return d;
}

// Exact option names only: guessing from prefixes would let "--pass" mean
// --password today and fail tomorrow when another option starts the same way.
constexpr int kStyle = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

std::string value_or_empty(const po::variables_map& vm, const char* name) {
    return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
}

std::optional<unsigned long long> count_option(const po::variables_map& vm, const char* name,
                                               unsigned long long min, unsigned long long max) {
    if (vm.count(name) == 0) return std::nullopt;
    return parse_count(std::string("--") + name, vm[name].as<std::string>(), min, max);
}

// Opens and closes `path` to learn now, not halfway through a run, that it can
// be read. A directory opens fine but cannot be read, so it is refused too.
void check_readable(const std::string& option, const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw UsageError("cannot read " + option + " " + path + ": " + std::strerror(errno));
    struct stat st {};
    const bool is_dir = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    ::close(fd);
    if (is_dir) throw UsageError("cannot read " + option + " " + path + ": it is a directory");
}

bool starts_with_http(const std::string& url) {
    constexpr std::string_view scheme = "http://";
    if (url.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(url[i])) != scheme[i]) return false;
    return true;
}

}  // namespace

unsigned long long parse_count(const std::string& option, const std::string& text, unsigned long long min,
                               unsigned long long max) {
    const auto fail = [&] {
        return UsageError(option + " takes a whole number from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", not '" + text + "'");
    };
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) throw fail();
    unsigned long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) throw fail();
    return value;
}

GetOptions parse_get(const std::vector<std::string>& args) {
    auto visible = get_options();
    po::options_description all;
    all.add(visible).add(hidden_options());
    po::positional_options_description positional;
    positional.add("id", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).style(kStyle).run(), vm);
        po::store(po::parse_environment(all,
                                        [](const std::string& var) -> std::string {
                                            for (const auto& e : kEnvVars)
                                                if (var == e.name) return e.option;
                                            return {};
                                        }),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }

    GetOptions out;
    out.help = vm["help"].as<bool>();
    if (out.help) return out;

    auto& c = out.client;
    if (vm.count("base-url") != 0) c.base_url = vm["base-url"].as<std::string>();
    c.account_id = value_or_empty(vm, "account");
    c.username = value_or_empty(vm, "user");
    c.password = value_or_empty(vm, "password");

    c.insecure_allow_plain_http = vm["allow-http"].as<bool>();
    if (starts_with_http(c.base_url) && !c.insecure_allow_plain_http)
        throw UsageError("refusing an http:// base URL, which would send the credentials in clear; "
                         "use https://, or --allow-http for a local test server");

    if (auto n = count_option(vm, "concurrency", 1, kMaxConcurrency)) out.concurrency = static_cast<std::size_t>(*n);
    if (auto n = count_option(vm, "pool-size", 1, kMaxPoolSize)) c.pool_size = static_cast<std::size_t>(*n);
    if (auto n = count_option(vm, "timeout-ms", 1, kMaxTimeoutMs))
        c.request_timeout = std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*n));
    if (auto n = count_option(vm, "retries", 0, kMaxRetries)) c.retry.max_retries = static_cast<unsigned>(*n);

    // Connecting and the handshake have their own deadlines in the client; a
    // lookup deadline shorter than them must still be the one that counts.
    c.connect_timeout = std::min(c.connect_timeout, c.request_timeout);
    c.handshake_timeout = std::min(c.handshake_timeout, c.request_timeout);

    if (vm.count("ca-file") != 0) {
        c.tls.extra_ca_file = vm["ca-file"].as<std::string>();
        if (c.tls.extra_ca_file.empty()) throw UsageError("--ca-file needs a file name");
        check_readable("--ca-file", c.tls.extra_ca_file);
    }
    c.tls.use_system_store = true;

    if (vm.count("id") != 0) out.ids = vm["id"].as<std::vector<std::string>>();
    if (vm.count("ids-from") != 0) {
        out.ids_from = vm["ids-from"].as<std::string>();
        if (out.ids_from->empty()) throw UsageError("--ids-from needs a file name, or '-' for stdin");
        if (*out.ids_from != "-") check_readable("--ids-from", *out.ids_from);
    }
    if (c.account_id.empty()) throw UsageError("an account ID is required: --account or BW_ACCOUNT_ID");
    if (c.username.empty()) throw UsageError("a user name is required: --user or BW_USERNAME");
    if (c.password.empty()) throw UsageError("a password is required: BW_PASSWORD or --password");
    if (out.ids.empty() && !out.ids_from)
        throw UsageError("no conference IDs: give them as arguments or with --ids-from");

    const bool on = vm["progress"].as<bool>();
    const bool off = vm["no-progress"].as<bool>();
    if (on && off) throw UsageError("--progress and --no-progress contradict each other");
    out.progress = on ? ProgressMode::on : off ? ProgressMode::off : ProgressMode::automatic;
    return out;
}

std::string get_help() {
    std::ostringstream s;
    s << "Usage: bwconf get [OPTIONS] [CONFERENCE_ID ...]\n"
         "       bwconf get [OPTIONS] --ids-from FILE|-\n"
         "\n"
         "Look up Bandwidth Voice API conferences and print each as one line of compact JSON\n"
         "on stdout, in the order the IDs were given (duplicates included), however the\n"
         "lookups finish. A failed lookup prints\n"
         "  {\"id\":\"ID\",\"error\":{\"code\":\"CODE\",\"status\":HTTP_STATUS|null,\"message\":\"TEXT\"}}\n"
         "with CODE one of bad_request, unauthorized, forbidden, not_found, rate_limited,\n"
         "server_error, http_error, timeout, connection_failed, tls_error, bad_response,\n"
         "cancelled. At least one ID is required, as an argument or through --ids-from.\n"
         "\n"
      << get_options()
      << "\n"
         "Exit status:\n"
         "  0    every lookup succeeded\n"
         "  1    at least one lookup failed (every ID still has its line)\n"
         "  2    usage or configuration error (message on stderr, nothing on stdout)\n"
         "  130  interrupted by SIGINT, 143 by SIGTERM: every ID given as an argument or\n"
         "       already read from --ids-from whose lookup had not finished is printed with\n"
         "       code 'cancelled'; lines not yet read from --ids-from are not\n"
         "\n"
         "Example:\n"
         "  export BW_ACCOUNT_ID=9900000 BW_USERNAME=api-user BW_PASSWORD=...\n"
         "  bwconf get conf-1 conf-2\n"
         "  cut -f1 ids.tsv | bwconf get --ids-from - --concurrency 128 > conferences.jsonl\n";
    return s.str();
}

std::string main_help() {
    return "Usage: bwconf COMMAND [OPTIONS] [ARGS]\n"
           "       bwconf --help | --version\n"
           "\n"
           "Command-line client of the Bandwidth Voice API conferences resource.\n"
           "\n"
           "Commands:\n"
           "  get    look up conferences by ID, one JSON line each (see 'bwconf get --help')\n"
           "  help   show this help, or 'bwconf help get' the help of get\n"
           "\n"
           "Options:\n"
           "  -h, --help   show this help and exit\n"
           "  --version    show the version and exit\n"
           "\n"
           "Exit status: 0 success, 1 some lookup failed, 2 usage error, 130/143 interrupted.\n";
}

}  // namespace bwconf
