// See subcommand_table.hpp.
#include "cli/subcommand_table.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>

namespace bwconf_test {

using bwvoice::mock::Action;
namespace fs = std::filesystem;
namespace json = boost::json;

Action status(unsigned s, std::optional<std::string> body, std::vector<std::pair<std::string, std::string>> headers) {
    Action a;
    a.status = s;
    a.body = std::move(body);
    a.headers = std::move(headers);
    return a;
}

Action of_kind(Action::Kind kind, bool apply) {
    Action a = Action::of(kind);
    a.apply = apply;
    return a;
}

bwvoice::mock::ServerOptions small_store(bool tls) {
    bwvoice::mock::ServerOptions o;
    o.conferences = 16;
    o.tls = tls;
    return o;
}

const Seeded& seeded() {
    static const Seeded s = [] {
        Seeded out;
        for (std::size_t i = 0;; ++i) {
            if (i % 4 == 3) continue;  // no recordings
            const auto conf = json::parse(bwvoice::mock::seeded_conference_json(kMockSeed, i)).as_object();
            const auto& members = conf.at("activeMembers").as_array();
            if (members.size() < 2) continue;
            out.conference = "conf-" + std::to_string(i);
            out.other = i == 0 ? "conf-1" : "conf-0";
            out.member0 = std::string(members.at(0).at("callId").as_string());
            out.member1 = std::string(members.at(1).at("callId").as_string());
            break;
        }
        auto server = make_server(small_store());
        const auto list = json::parse(*server->recordings_json(out.conference)).as_array();
        out.recordings = list.size();
        out.recording = std::string(list.at(0).at("recordingId").as_string());
        return out;
    }();
    return s;
}

fs::path work_dir() {
    static const fs::path dir = [] {
        const fs::path d = certs().dir / "contract";
        fs::create_directories(d);
        std::ofstream(d / "next.xml", std::ios::binary) << "<Bxml><SpeakSentence>Hi</SpeakSentence></Bxml>";
        return d;
    }();
    return dir;
}

/// Where `download` writes; emptied before each run.
fs::path download_dir() {
    return work_dir() / "download";
}

std::vector<Sub> subcommands(const Seeded& s) {
    const std::string& c = s.conference;
    const json::object conference{{"id", c}};
    const auto member = [&](const std::string& m) { return json::object{{"conferenceId", c}, {"memberId", m}}; };
    const json::object recording{{"conferenceId", c}, {"recordingId", s.recording}};
    const std::string member_route = "conferences/" + c + "/members/" + s.member0;
    const std::string recording_route = "conferences/" + c + "/recordings/" + s.recording;
    const std::vector<std::string> members{c, s.member0, s.member1};
    const std::vector<json::object> member_keys{member(s.member0), member(s.member1)};

    std::vector<Sub> v;
    v.push_back({"get", false, {c, s.other}, {conference, {{"id", s.other}}}, 2, "conferences/" + c, "GET"});
    v.push_back({"list", false, {"--page-size", "2", "--limit", "3"}, {json::object{}}, 3, "conferences", "GET"});
    v.push_back({"member", false, members, member_keys, 2, member_route, "GET"});
    v.push_back(
        {"recordings", false, {c}, {{{"conferenceId", c}}}, s.recordings, "conferences/" + c + "/recordings", "GET"});
    v.push_back({"recording", false, {c, s.recording}, {recording}, 1, recording_route, "GET"});
    v.push_back({"download",
                 false,
                 {c, s.recording, "--output", (download_dir() / "out.wav").string()},
                 {recording},
                 1,
                 recording_route + "/media",
                 "GET"});
    v.push_back({"update",
                 true,
                 {c, "--status", "active", "--redirect-url", "https://hooks.example.com/next"},
                 {conference},
                 1,
                 "conferences/" + c,
                 "POST"});
    v.push_back({"end", true, {c, s.other}, {conference, {{"id", s.other}}}, 2, "conferences/" + c, "POST"});
    v.push_back({"bxml",
                 true,
                 {c, "--file", (work_dir() / "next.xml").string()},
                 {conference},
                 1,
                 "conferences/" + c + "/bxml",
                 "PUT"});
    for (const char* name : {"mute", "unmute", "hold", "unhold"})
        v.push_back({name, true, members, member_keys, 2, member_route, "PUT"});
    v.push_back({"coach", true, {c, s.member0, "--calls", s.member1}, {member(s.member0)}, 1, member_route, "PUT"});
    return v;
}

std::vector<Sub> reads() {
    std::vector<Sub> out;
    for (auto& s : subcommands())
        if (!s.change) out.push_back(std::move(s));
    return out;
}

std::vector<Sub> changes() {
    std::vector<Sub> out;
    for (auto& s : subcommands())
        if (s.change) out.push_back(std::move(s));
    return out;
}

/// Empties the download folder (every test starts with no FILE there).
void prepare(const Sub&) {
    fs::remove_all(download_dir());
    fs::create_directories(download_dir());
}

std::vector<std::string> download_entries() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(download_dir())) names.push_back(e.path().filename().string());
    return names;
}

/// download: after a failed run neither FILE nor a temporary file is there.
void check_nothing_downloaded(const Sub& s) {
    if (s.name != "download") return;
    BOOST_TEST(download_entries().empty(), "left in the download folder: " << download_entries().size());
}

std::vector<std::string> check_every_key_failed(const Sub& s, const ProcessResult& r, const std::string& code,
                                                std::optional<unsigned> status) {
    auto lines = r.lines();
    BOOST_TEST_REQUIRE(lines.size() == s.keys.size(), r.out);
    for (std::size_t i = 0; i < lines.size(); ++i) check_error_fields(lines[i], s.keys[i], code, status);
    return lines;
}

ProcessResult check_signal_cancels_every_key(const Sub& s, const std::vector<std::string>& args,
                                             const std::function<bool()>& in_flight, int signo, int exit_status) {
    using namespace std::chrono_literals;
    prepare(s);
    Process p(args);
    BOOST_TEST_REQUIRE(p.pump_until(in_flight, 10s));
    p.send_signal(signo);
    auto r = p.wait(10s);
    BOOST_TEST(!r.timed_out);
    check_no_secret(r);
    BOOST_TEST(r.exit_code == exit_status, r.err);
    check_every_key_failed(s, r, "cancelled", std::nullopt);
    check_nothing_downloaded(s);
    return r;
}

/// bwconf SUB with the connection options as flags, the subcommand's
/// arguments, then `extra`.
std::vector<std::string> args_of(const Sub& s, const std::string& url, const std::vector<std::string>& extra) {
    auto v = command_args(s.name, url, s.args);
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
}

/// bwconf SUB, `connection` as given, the subcommand's arguments.
std::vector<std::string> with_connection(const Sub& s, const std::vector<std::string>& connection) {
    std::vector<std::string> v{bwconf_path(), s.name};
    v.insert(v.end(), connection.begin(), connection.end());
    v.insert(v.end(), s.args.begin(), s.args.end());
    return v;
}

bool has_error(const std::string& line) {
    return parse_line(line).contains("error");
}

std::string error_code(const std::string& line) {
    const auto o = parse_line(line);
    return o.contains("error") ? std::string(o.at("error").at("code").as_string()) : std::string();
}

void check_no_client_secret(const ProcessResult& r) {
    BOOST_TEST(r.out.find(kClientSecret) == std::string::npos, "the client secret is on stdout");
    BOOST_TEST(r.err.find(kClientSecret) == std::string::npos, "the client secret is on stderr: " << r.err);
}

}  // namespace bwconf_test
