// bwconf mute, unmute, hold, unhold, coach: member updates, exactly one field each.
#include "cli/commands.hpp"
#include "cli/tasks.hpp"

#include <bwvoice/changes.hpp>

#include <boost/program_options.hpp>

namespace bwconf {
namespace {

namespace po = boost::program_options;

constexpr std::size_t kWindow = 64;

RunBuilder member_changes(std::vector<std::string> positional, bwvoice::MemberUpdate update) {
    const std::string conference = positional[0];
    std::vector<std::string> members(positional.begin() + 1, positional.end());
    return [conference, members, update](Session& s) -> std::shared_ptr<RunBase> {
        auto initiate = [conference, update](bwvoice::ConferenceClient& client, const std::string& member,
                                             bwvoice::Diagnostics& diag,
                                             std::function<void(bwvoice::error_code)> handler) {
            client.async_update_member(conference, member, update, diag, std::move(handler));
        };
        return std::make_shared<Runner>(s,
                                        std::make_shared<ChangeTask>(s, child_fields(conference, "memberId"), initiate),
                                        members, nullptr, kWindow, 1, "updates", "updated");
    };
}

po::options_description no_options() {
    return po::options_description("Options", kHelpWidth, kHelpWidth / 2 - 4);
}

struct Flag {
    const char* name;
    const char* field;
    bool value;
};
constexpr Flag kFlags[] = {
    {"mute", "mute", true},
    {"unmute", "mute", false},
    {"hold", "hold", true},
    {"unhold", "hold", false},
};

std::string flag_help(const Flag& f) {
    return command_help(std::string("bwconf ") + f.name + " [OPTIONS] CONFERENCE_ID MEMBER_ID ...",
                        std::string("PUT updateConferenceMember with exactly {\"") + f.field +
                            "\":" + (f.value ? "true" : "false") +
                            "} for each member (a member's ID\n"
                            "is its call ID). One line per member, in order:\n"
                            "{\"conferenceId\":...,\"memberId\":...,\"updated\":true} or\n"
                            "{\"conferenceId\":...,\"memberId\":...,\"error\":{...}}.\n",
                        nullptr, std::string("  bwconf ") + f.name + " conf-1 c-86d7d3b2 c-1f0a9e71\n");
}

RunBuilder prepare_flag(const Flag& f, ParsedArgs& p) {
    expect_positional(p, 2, 0, "CONFERENCE_ID MEMBER_ID ...");
    bwvoice::MemberUpdate u;
    (std::string_view(f.field) == "mute" ? u.mute : u.hold) = f.value;
    return member_changes(std::move(p.positional), std::move(u));
}

po::options_description coach_options() {
    po::options_description d("Options", kHelpWidth, kHelpWidth / 2 - 4);
    d.add_options()("calls", po::value<std::string>()->value_name("CALL_ID[,CALL_ID...]"),
                    "The calls the member coaches, comma-separated; '' clears the list. Required.");
    return d;
}

std::string coach_help() {
    const auto own = coach_options();
    return command_help("bwconf coach [OPTIONS] CONFERENCE_ID MEMBER_ID --calls CALL_ID[,CALL_ID...]",
                        "PUT updateConferenceMember with exactly {\"callIdsToCoach\":[...]}: the calls the\n"
                        "member coaches (--calls '' clears the list). One line per member:\n"
                        "{\"conferenceId\":...,\"memberId\":...,\"updated\":true} or\n"
                        "{\"conferenceId\":...,\"memberId\":...,\"error\":{...}}.\n",
                        &own, "  bwconf coach conf-1 c-86d7d3b2 --calls c-1f0a9e71,c-77aa01c3\n");
}

RunBuilder prepare_coach(ParsedArgs& p, std::vector<std::string>&) {
    expect_positional(p, 2, 0, "CONFERENCE_ID MEMBER_ID");
    const auto calls = string_option(p, "calls");
    if (!calls) throw UsageError("--calls is required: CALL_ID[,CALL_ID...], or '' to clear the list");
    std::vector<std::string> ids;
    if (!calls->empty()) {
        std::size_t start = 0;
        for (;;) {
            const auto comma = calls->find(',', start);
            ids.push_back(calls->substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (ids.back().empty()) throw UsageError("--calls has an empty call ID: '" + *calls + "'");
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    bwvoice::MemberUpdate u{.call_ids_to_coach = std::move(ids)};
    if (auto why = bwvoice::check_update(u); !why.empty()) throw UsageError(why);
    return member_changes(std::move(p.positional), std::move(u));
}

}  // namespace

void add_member_commands(std::vector<CommandEntry>& out) {
    for (const Flag& f : kFlags) {
        out.push_back({{f.name, no_options, [&f] { return flag_help(f); },
                        [&f](ParsedArgs& p, std::vector<std::string>&) { return prepare_flag(f, p); }},
                       f.value ? (std::string_view(f.field) == "mute" ? "mute conference members"
                                                                      : "put conference members on hold")
                               : (std::string_view(f.field) == "mute" ? "unmute conference members"
                                                                      : "take conference members off hold")});
    }
    out.push_back({{"coach", coach_options, coach_help, prepare_coach}, "set the calls a member coaches"});
}

}  // namespace bwconf
