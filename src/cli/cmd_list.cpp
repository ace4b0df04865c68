// bwconf list: the conferences, page after page, one line each.
#include "cli/commands.hpp"
#include "cli/output.hpp"

#include <boost/program_options.hpp>

#include <limits>
#include <optional>

namespace bwconf {
namespace {

namespace po = boost::program_options;

/// Fetches one page at a time and prints it before asking for the next, so
/// memory holds one page whatever the listing's length. With a limit, no
/// page is asked for once that many lines are out. A failed page ends the
/// listing: the lines printed stay, one {"error":{...}} line follows.
class ListRun final : public RunBase {
public:
    ListRun(Session& session, bwvoice::ConferenceQuery query, std::optional<std::uint64_t> limit)
        : RunBase(session, 1, Progress(session.progress, limit, "conferences", "listed")),
          query_(std::move(query)),
          limit_(limit) {}

private:
    void begin() override {
        pager_.emplace(client_.list_conferences(query_));
        next();
    }

    void next() {
        auto diag = std::make_shared<bwvoice::Diagnostics>();
        pager_->async_next(
            *diag, [self = self<ListRun>(), diag](bwvoice::error_code ec, std::vector<bwvoice::Conference> page) {
                self->on_page(ec, page, *diag);
            });
    }

    void on_page(const bwvoice::error_code& ec, const std::vector<bwvoice::Conference>& page,
                 const bwvoice::Diagnostics& diag) {
        if (finished()) return;  // a signal already printed the cancelled line
        if (ec) {
            progress_.finished(true);
            emit_now(error_line({}, error_object(ec, diag, secrets_)));
            finish(1);
            return;
        }
        std::string out;
        for (const auto& conference : page) {
            if (limit_ && printed_ == *limit_) break;
            out += success_line(conference);
            ++printed_;
            progress_.finished(false);
        }
        if ((limit_ && printed_ == *limit_) || pager_->done()) {
            emit_now(out);
            finish(0);
            return;
        }
        emit(out);
        next();
    }

    void interrupted(const std::string& why) override {
        emit_now(error_line({}, error_object(bwvoice::errc::cancelled, why + " before the listing finished")));
    }

    bwvoice::ConferenceQuery query_;
    std::optional<std::uint64_t> limit_;
    std::optional<bwvoice::ConferencePager> pager_;
    std::uint64_t printed_ = 0;
};

po::options_description list_options() {
    po::options_description d("Options", kHelpWidth, kHelpWidth / 2 - 4);
    // clang-format off
    d.add_options()
        ("name", po::value<std::string>()->value_name("NAME"), "Only conferences with this name.")
        ("min-created-time", po::value<std::string>()->value_name("T"),
         "Only conferences created at or after T (ISO 8601, sent as given).")
        ("max-created-time", po::value<std::string>()->value_name("T"),
         "Only conferences created at or before T (ISO 8601, sent as given).")
        ("page-size", po::value<std::string>()->value_name("N"),
         "Conferences per page, 1..1000, sent as pageSize. Default: the API's (1000).")
        ("limit", po::value<std::string>()->value_name("N"),
         "Stop after N lines; no page is fetched that is not needed. Default: no limit.");
    // clang-format on
    return d;
}

std::string list_help() {
    const auto own = list_options();
    return command_help("bwconf list [OPTIONS]",
                        "List conferences, oldest first as the API returns them, one conference a line,\n"
                        "following the Link: <URL>; rel=\"next\" header page after page. A next page on\n"
                        "another scheme, host or port than the base URL is not followed (bad_response).\n"
                        "A failure on any page: the lines printed stay and one line\n"
                        "  {\"error\":{\"code\":CODE,\"status\":HTTP_STATUS|null,\"message\":TEXT}}\n"
                        "follows (exit status 1).\n",
                        &own, "  bwconf list --name standup --min-created-time 2026-01-01T00:00:00Z --limit 100\n");
}

RunBuilder prepare_list(ParsedArgs& p, std::vector<std::string>&) {
    if (!p.positional.empty()) throw UsageError("unexpected argument '" + p.positional[0] + "'");
    bwvoice::ConferenceQuery query;
    query.name = string_option(p, "name");
    query.min_created_time = string_option(p, "min-created-time");
    query.max_created_time = string_option(p, "max-created-time");
    if (auto n = count_option(p, "page-size", 1, 1000)) query.page_size = static_cast<unsigned>(*n);
    std::optional<std::uint64_t> limit;
    if (auto n = count_option(p, "limit", 1, std::numeric_limits<std::uint64_t>::max())) limit = *n;
    return
        [query, limit](Session& s) -> std::shared_ptr<RunBase> { return std::make_shared<ListRun>(s, query, limit); };
}

}  // namespace

void add_list_commands(std::vector<CommandEntry>& out) {
    out.push_back({{"list", list_options, list_help, prepare_list}, "list conferences, page after page"});
}

}  // namespace bwconf
