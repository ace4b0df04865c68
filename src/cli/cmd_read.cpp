// bwconf member, recordings, recording: the reads besides `get` and `list`.
#include "cli/commands.hpp"
#include "cli/tasks.hpp"

#include <bwvoice/recording.hpp>

#include <boost/program_options.hpp>

namespace bwconf {
namespace {

namespace po = boost::program_options;

constexpr std::size_t kWindow = 64;

/// Get Conference Member for each member ID of one conference.
class MemberTask final : public ClientTask {
public:
    MemberTask(Session& s, std::string conference_id)
        : ClientTask(s, child_fields(conference_id, "memberId")), conference_id_(std::move(conference_id)) {}

    void start(const std::string& member_id, Done done) override {
        run_operation(
            member_id, std::move(done),
            [this, &member_id](bwvoice::Diagnostics& diag, auto handler) {
                client_.async_get_member(conference_id_, member_id, diag, std::move(handler));
            },
            [](const bwvoice::ConferenceMember& m) { return model_line(m); });
    }

private:
    std::string conference_id_;
};

/// List Conference Recordings: the key is the conference ID; one line per recording.
class RecordingsTask final : public ClientTask {
public:
    explicit RecordingsTask(Session& s) : ClientTask(s, child_fields_of_conference()) {}

    void start(const std::string& conference_id, Done done) override {
        run_operation(
            conference_id, std::move(done),
            [this, &conference_id](bwvoice::Diagnostics& diag, auto handler) {
                client_.async_list_recordings(conference_id, diag, std::move(handler));
            },
            [](const std::vector<bwvoice::RecordingMetadata>& list) {
                std::string lines;
                for (const auto& r : list) lines += model_line(r);
                return lines;
            });
    }

private:
    static KeyFields child_fields_of_conference() {
        return [](const std::string& key) { return boost::json::object{{"conferenceId", key}}; };
    }
};

/// Get Conference Recording Information.
class RecordingTask final : public ClientTask {
public:
    RecordingTask(Session& s, std::string conference_id)
        : ClientTask(s, child_fields(conference_id, "recordingId")), conference_id_(std::move(conference_id)) {}

    void start(const std::string& recording_id, Done done) override {
        run_operation(
            recording_id, std::move(done),
            [this, &recording_id](bwvoice::Diagnostics& diag, auto handler) {
                client_.async_get_recording(conference_id_, recording_id, diag, std::move(handler));
            },
            [](const bwvoice::RecordingMetadata& r) { return model_line(r); });
    }

private:
    std::string conference_id_;
};

po::options_description no_options() {
    return po::options_description("Options", kHelpWidth, kHelpWidth / 2 - 4);
}

std::string member_help() {
    return command_help("bwconf member [OPTIONS] CONFERENCE_ID MEMBER_ID ...",
                        "Get members of a conference (a member's ID is its call ID): one line per member ID,\n"
                        "in order: the member (callId, conferenceId, memberUrl, mute, hold, callIdsToCoach)\n"
                        "or {\"conferenceId\":...,\"memberId\":...,\"error\":{...}}.\n",
                        nullptr, "  bwconf member conf-1 c-86d7d3b2 c-1f0a9e71\n");
}

std::string recordings_help() {
    return command_help("bwconf recordings [OPTIONS] CONFERENCE_ID",
                        "List a conference's recordings: one line per recording's metadata (accountId,\n"
                        "conferenceId, name, recordingId, duration, channels, startTime, endTime, fileFormat,\n"
                        "status, mediaUrl, recordingName; absent or null fields omitted), nothing for a\n"
                        "conference without recordings, or one line {\"conferenceId\":...,\"error\":{...}}.\n",
                        nullptr, "  bwconf recordings conf-1\n");
}

std::string recording_help() {
    return command_help("bwconf recording [OPTIONS] CONFERENCE_ID RECORDING_ID",
                        "Get one recording's metadata: one line, the metadata (as 'bwconf recordings' prints\n"
                        "it) or {\"conferenceId\":...,\"recordingId\":...,\"error\":{...}}.\n",
                        nullptr, "  bwconf recording conf-1 r-5f2d9a01\n");
}

RunBuilder prepare_member(ParsedArgs& p, std::vector<std::string>&) {
    expect_positional(p, 2, 0, "CONFERENCE_ID MEMBER_ID ...");
    std::vector<std::string> members(p.positional.begin() + 1, p.positional.end());
    return [conference = p.positional[0], members](Session& s) -> std::shared_ptr<RunBase> {
        return std::make_shared<Runner>(s, std::make_shared<MemberTask>(s, conference), members, nullptr, kWindow, 1,
                                        "members", "read");
    };
}

RunBuilder prepare_recordings(ParsedArgs& p, std::vector<std::string>&) {
    expect_positional(p, 1, 1, "CONFERENCE_ID");
    return [conference = p.positional[0]](Session& s) -> std::shared_ptr<RunBase> {
        return std::make_shared<Runner>(s, std::make_shared<RecordingsTask>(s), std::vector<std::string>{conference},
                                        nullptr, 1, 1, "listings", "listed");
    };
}

RunBuilder prepare_recording(ParsedArgs& p, std::vector<std::string>&) {
    expect_positional(p, 2, 2, "CONFERENCE_ID RECORDING_ID");
    return [conference = p.positional[0], recording = p.positional[1]](Session& s) -> std::shared_ptr<RunBase> {
        return std::make_shared<Runner>(s, std::make_shared<RecordingTask>(s, conference),
                                        std::vector<std::string>{recording}, nullptr, 1, 1, "lookups", "looked up");
    };
}

}  // namespace

void add_read_commands(std::vector<CommandEntry>& out) {
    out.push_back({{"member", no_options, member_help, prepare_member}, "get conference members, one line each"});
    out.push_back({{"recordings", no_options, recordings_help, prepare_recordings},
                   "list a conference's recordings, one line each"});
    out.push_back({{"recording", no_options, recording_help, prepare_recording}, "get one recording's metadata"});
}

}  // namespace bwconf
