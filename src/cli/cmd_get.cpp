// bwconf get: conferences by ID, streamed through the ordered Runner.
#include "cli/commands.hpp"
#include "cli/line_source.hpp"
#include "cli/output.hpp"
#include "cli/runner.hpp"

#include <boost/program_options.hpp>

namespace bwconf {
namespace {

namespace po = boost::program_options;

constexpr unsigned long long kMaxConcurrency = 100'000;

class GetTask final : public Task {
public:
    GetTask(bwvoice::ConferenceClient& client, std::vector<std::string> secrets)
        : client_(client), secrets_(std::move(secrets)) {}

    void start(const std::string& id, Done done) override {
        // The diagnostics outlive the run if it ends first (a signal), so
        // they travel with the handler.
        auto diag = std::make_shared<bwvoice::Diagnostics>();
        client_.async_get_conference(
            id, *diag,
            [this, id, diag, done = std::move(done)](bwvoice::error_code ec, bwvoice::Conference conference) {
                done(ec ? failure_line(id, ec, *diag, secrets_) : success_line(conference), static_cast<bool>(ec));
            });
    }

    std::string cancelled_line(const std::string& id, const std::string& message) const override {
        return failure_line(id, bwvoice::errc::cancelled, message);
    }

private:
    bwvoice::ConferenceClient& client_;
    std::vector<std::string> secrets_;
};

po::options_description get_options() {
    po::options_description d("Options", kHelpWidth, kHelpWidth / 2 - 4);
    // clang-format off
    d.add_options()
        ("ids-from", po::value<std::string>()->value_name("FILE"),
         "Read IDs one per line from FILE ('-': stdin), after the positional IDs. Blank lines "
         "are skipped, a trailing CR is removed. Read as the lookups go, so it may be endless.")
        ("concurrency", po::value<std::string>()->value_name("N"),
         "Lookups in flight at once, 1..100000. Default: 64.");
    // clang-format on
    return d;
}

std::string get_help() {
    const auto own = get_options();
    return command_help(
        "bwconf get [OPTIONS] [CONFERENCE_ID ...]\n"
        "       bwconf get [OPTIONS] --ids-from FILE|-",
        "Look up Bandwidth Voice API conferences and print each as one line of compact JSON\n"
        "on stdout, in the order the IDs were given (duplicates included), however the\n"
        "lookups finish. A failed lookup prints\n"
        "  {\"id\":\"ID\",\"error\":{\"code\":\"CODE\",\"status\":HTTP_STATUS|null,\"message\":\"TEXT\"}}\n"
        "At least one ID is required, as an argument or through --ids-from. On SIGINT or\n"
        "SIGTERM every ID given as an argument or already read from --ids-from whose lookup\n"
        "had not finished is printed with code 'cancelled'; lines not yet read are not.\n",
        &own,
        "  export BW_ACCOUNT_ID=9900000 BW_USERNAME=api-user BW_PASSWORD=...\n"
        "  bwconf get conf-1 conf-2\n"
        "  cut -f1 ids.tsv | bwconf get --ids-from - --concurrency 128 > conferences.jsonl\n");
}

RunBuilder prepare_get(ParsedArgs& p, std::vector<std::string>&) {
    std::size_t concurrency = 64;
    if (auto n = count_option(p, "concurrency", 1, kMaxConcurrency)) concurrency = static_cast<std::size_t>(*n);
    auto ids_from = string_option(p, "ids-from");
    if (ids_from) {
        if (ids_from->empty()) throw UsageError("--ids-from needs a file name, or '-' for stdin");
        if (*ids_from != "-") check_readable("--ids-from", *ids_from);
    }
    if (p.positional.empty() && !ids_from)
        throw UsageError("no conference IDs: give them as arguments or with --ids-from");
    return [ids = std::move(p.positional), ids_from, concurrency](Session& s) mutable -> std::shared_ptr<RunBase> {
        std::unique_ptr<LineSource> source;
        if (ids_from) source = std::make_unique<LineSource>(s.ioc.get_executor(), *ids_from);
        return std::make_shared<Runner>(s, std::make_shared<GetTask>(s.client, s.secrets), std::move(ids),
                                        std::move(source), concurrency);
    };
}

}  // namespace

void add_get_commands(std::vector<CommandEntry>& out) {
    out.push_back({{"get", get_options, get_help, prepare_get}, "look up conferences by ID, one JSON line each"});
}

}  // namespace bwconf
