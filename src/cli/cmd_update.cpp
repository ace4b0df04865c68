// bwconf update, end, bxml: the changes of a conference.
#include "cli/commands.hpp"
#include "cli/tasks.hpp"

#include <bwvoice/changes.hpp>

#include <boost/program_options.hpp>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace bwconf {
namespace {

namespace po = boost::program_options;

constexpr std::size_t kWindow = 64;

// The options that only make sense while the conference stays active: any of
// them with --status completed is a usage error.
constexpr const char* kRedirectOptions[] = {
    "redirect-url",      "redirect-method",   "redirect-fallback-url", "redirect-fallback-method",
    "redirect-username", "redirect-password", "fallback-username",     "fallback-password",
};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::optional<bwvoice::RedirectMethod> method_option(const ParsedArgs& p, const char* name) {
    auto text = string_option(p, name);
    if (!text) return std::nullopt;
    if (iequals(*text, "GET")) return bwvoice::RedirectMethod::get;
    if (iequals(*text, "POST")) return bwvoice::RedirectMethod::post;
    throw UsageError(std::string("--") + name + " takes GET or POST, not '" + *text + "'");
}

ChangeTask::Initiate update_with(bwvoice::ConferenceUpdate update) {
    return [update = std::move(update)](bwvoice::ConferenceClient& client, const std::string& id,
                                        bwvoice::Diagnostics& diag, std::function<void(bwvoice::error_code)> handler) {
        client.async_update_conference(id, update, diag, std::move(handler));
    };
}

RunBuilder changes_of(std::vector<std::string> ids, ChangeTask::Initiate initiate) {
    return [ids = std::move(ids), initiate = std::move(initiate)](Session& s) -> std::shared_ptr<RunBase> {
        return std::make_shared<Runner>(s, std::make_shared<ChangeTask>(s, conference_fields(), initiate), ids, nullptr,
                                        kWindow, 1, "updates", "updated");
    };
}

// ---- update ---------------------------------------------------------------

po::options_description update_options() {
    po::options_description d("Options", kHelpWidth, kHelpWidth / 2 - 4);
    // clang-format off
    d.add_options()
        ("status", po::value<std::string>()->value_name("STATUS"),
         "active or completed. Required.")
        ("redirect-url", po::value<std::string>()->value_name("URL"),
         "Where Bandwidth fetches the conference's next BXML (redirectUrl). Required with --status active.")
        ("redirect-method", po::value<std::string>()->value_name("GET|POST"), "redirectMethod.")
        ("redirect-fallback-url", po::value<std::string>()->value_name("URL"), "redirectFallbackUrl.")
        ("redirect-fallback-method", po::value<std::string>()->value_name("GET|POST"), "redirectFallbackMethod.")
        ("redirect-username", po::value<std::string>()->value_name("U"), "username: Basic credentials of the redirect.")
        ("redirect-password", po::value<std::string>()->value_name("P"), "password of the redirect. Never printed.")
        ("fallback-username", po::value<std::string>()->value_name("U"), "fallbackUsername.")
        ("fallback-password", po::value<std::string>()->value_name("P"), "fallbackPassword. Never printed.");
    // clang-format on
    return d;
}

std::string update_help() {
    const auto own = update_options();
    return command_help("bwconf update [OPTIONS] CONFERENCE_ID ... --status active|completed [REDIRECT OPTIONS]",
                        "Update conferences (POST updateConference) with exactly the fields given on the\n"
                        "command line and no others: no default is filled in. --status active needs\n"
                        "--redirect-url; with --status completed no redirect option may be given. One line\n"
                        "per ID: {\"id\":...,\"updated\":true} or {\"id\":...,\"error\":{...}}. A change is never\n"
                        "resent once any byte of it may have reached the server: after a connection failure,\n"
                        "a timeout or a 5xx it reports that error, and the change may have been applied.\n",
                        &own,
                        "  bwconf update conf-1 --status active --redirect-url https://example.com/next.xml\n"
                        "  bwconf update conf-1 --status completed\n");
}

RunBuilder prepare_update(ParsedArgs& p, std::vector<std::string>& secrets) {
    expect_positional(p, 1, 0, "CONFERENCE_ID");
    bwvoice::ConferenceUpdate u;
    const auto status = string_option(p, "status");
    if (!status) throw UsageError("--status is required: active or completed");
    if (*status == "active")
        u.status = bwvoice::ConferenceStatus::active;
    else if (*status == "completed")
        u.status = bwvoice::ConferenceStatus::completed;
    else
        throw UsageError("--status takes active or completed, not '" + *status + "'");
    if (*u.status == bwvoice::ConferenceStatus::completed) {
        for (const char* option : kRedirectOptions)
            if (p.own.count(option) != 0)
                throw UsageError(std::string("--") + option + " cannot go with --status completed");
    } else if (p.own.count("redirect-url") == 0) {
        throw UsageError("--status active needs --redirect-url");
    }
    u.redirect_url = string_option(p, "redirect-url");
    u.redirect_method = method_option(p, "redirect-method");
    u.redirect_fallback_url = string_option(p, "redirect-fallback-url");
    u.redirect_fallback_method = method_option(p, "redirect-fallback-method");
    u.username = string_option(p, "redirect-username");
    u.password = string_option(p, "redirect-password");
    u.fallback_username = string_option(p, "fallback-username");
    u.fallback_password = string_option(p, "fallback-password");
    for (const auto& secret : {u.password, u.fallback_password})
        if (secret && !secret->empty()) secrets.push_back(*secret);
    // The API's other rules (absolute URLs, credentials of at most 1024
    // characters, UTF-8): the message names the field, never a value.
    if (auto why = bwvoice::check_update(u); !why.empty()) throw UsageError(why);
    return changes_of(std::move(p.positional), update_with(std::move(u)));
}

// ---- end ------------------------------------------------------------------

po::options_description no_options() {
    return po::options_description("Options", kHelpWidth, kHelpWidth / 2 - 4);
}

std::string end_help() {
    return command_help("bwconf end [OPTIONS] CONFERENCE_ID ...",
                        "End conferences: 'bwconf update ID --status completed' for each ID, which sends\n"
                        "{\"status\":\"completed\"} and nothing else. One line per ID: {\"id\":...,\"updated\":true}\n"
                        "or {\"id\":...,\"error\":{...}}.\n",
                        nullptr, "  bwconf end conf-1 conf-2\n");
}

RunBuilder prepare_end(ParsedArgs& p, std::vector<std::string>&) {
    expect_positional(p, 1, 0, "CONFERENCE_ID");
    return changes_of(std::move(p.positional), update_with({.status = bwvoice::ConferenceStatus::completed}));
}

// ---- bxml -----------------------------------------------------------------

po::options_description bxml_options() {
    po::options_description d("Options", kHelpWidth, kHelpWidth / 2 - 4);
    d.add_options()("file", po::value<std::string>()->value_name("FILE"),
                    "The BXML document ('-': stdin), sent byte for byte. Required.");
    return d;
}

std::string bxml_help() {
    const auto own = bxml_options();
    return command_help("bwconf bxml [OPTIONS] CONFERENCE_ID --file FILE|-",
                        "Replace a conference's BXML (PUT, Content-Type: application/xml) with the document\n"
                        "read from FILE or stdin, byte for byte. An empty document is a usage error. One\n"
                        "line: {\"id\":...,\"updated\":true} or {\"id\":...,\"error\":{...}}.\n",
                        &own, "  bwconf bxml conf-1 --file next.xml\n");
}

// Reads all of `fd`. SIGINT and SIGTERM are held while a subcommand is
// prepared, so a read that waits (a terminal, a pipe) would not see Ctrl-C:
// it waits with poll(2) in short steps and looks at the pending signals.
// Returns the signal that came first, if one did.
std::optional<int> read_all(int fd, const std::string& name, std::string& out) {
    char buffer[64 * 1024];
    for (;;) {
        sigset_t pending;
        sigemptyset(&pending);
        ::sigpending(&pending);
        for (int signo : {SIGINT, SIGTERM})
            if (sigismember(&pending, signo) == 1) return signo;
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, 100);
        if (ready < 0 && errno != EINTR) throw UsageError("cannot read --file " + name + ": " + std::strerror(errno));
        if (ready <= 0) continue;
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n == 0) return std::nullopt;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw UsageError("cannot read --file " + name + ": " + std::strerror(errno));
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
}

RunBuilder prepare_bxml(ParsedArgs& p, std::vector<std::string>&) {
    expect_positional(p, 1, 1, "CONFERENCE_ID");
    const auto file = string_option(p, "file");
    if (!file) throw UsageError("--file is required: a file name, or '-' for stdin");
    if (file->empty()) throw UsageError("--file needs a file name, or '-' for stdin");
    const std::string& id = p.positional[0];

    std::string document;
    std::optional<int> signo;
    if (*file == "-") {
        signo = read_all(STDIN_FILENO, "-", document);
    } else {
        check_readable("--file", *file);
        const int fd = ::open(file->c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw UsageError("cannot read --file " + *file + ": " + std::strerror(errno));
        try {
            signo = read_all(fd, *file, document);
        } catch (...) {
            ::close(fd);
            throw;
        }
        ::close(fd);
    }
    if (signo) {
        throw Interrupted{*signo,
                          error_line({{"id", id}}, error_object(bwvoice::errc::cancelled,
                                                                std::string("interrupted by ") + signal_name(*signo) +
                                                                    " before the operation started"))};
    }
    if (document.empty()) throw UsageError("the BXML document in --file " + *file + " is empty");
    auto shared = std::make_shared<const std::string>(std::move(document));
    return changes_of({id}, [shared](bwvoice::ConferenceClient& client, const std::string& conference_id,
                                     bwvoice::Diagnostics& diag, std::function<void(bwvoice::error_code)> handler) {
        client.async_update_conference_bxml(conference_id, *shared, diag, std::move(handler));
    });
}

}  // namespace

void add_update_commands(std::vector<CommandEntry>& out) {
    out.push_back({{"update", update_options, update_help, prepare_update}, "update conferences (status, redirect)"});
    out.push_back({{"end", no_options, end_help, prepare_end}, "end conferences (update --status completed)"});
    out.push_back({{"bxml", bxml_options, bxml_help, prepare_bxml}, "replace a conference's BXML"});
}

}  // namespace bwconf
