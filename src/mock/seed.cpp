// The seeded store's content (see seed.hpp and seeded_conference_json): all of
// it computed from (seed, index), so a test can know what the server holds
// without asking it.
#include "mock/seed.hpp"

#include "mock/mock_server.hpp"
#include "mock/time.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <array>
#include <chrono>
#include <cstdio>

namespace bwvoice::mock {
namespace {

// splitmix64: tiny, fast and stable across platforms and library versions,
// which std::uniform_int_distribution is not.
class Rng {
public:
    Rng(std::uint64_t seed, std::size_t index)
        : state_(seed * 0xD1B54A32D192ED03ULL ^ (static_cast<std::uint64_t>(index) + 1) * 0x9E3779B97F4A7C15ULL) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    bool percent(unsigned p) { return below(100) < p; }

    template <std::size_t N>
    const char* pick(const std::array<const char*, N>& words) {
        return words[static_cast<std::size_t>(below(N))];
    }

private:
    std::uint64_t state_;
};

void append_hex(std::string& out, Rng& rng, int digits) {
    static constexpr char digit[] = "0123456789abcdef";
    for (int i = 0; i < digits; ++i) out += digit[rng.below(16)];
}

std::string hex(Rng& rng, int digits) {
    std::string out;
    append_hex(out, rng, digits);
    return out;
}

// Same layout as Bandwidth's call and recording IDs: p-8hex-8hex-4-4-4-12.
// Built by statements, not one expression, because the order in which the
// operands of `+` draw from the generator is unspecified.
std::string bandwidth_id(Rng& rng, const char* prefix) {
    std::string out = prefix;
    for (const int digits : {8, 8, 4, 4, 4, 12}) {
        append_hex(out, rng, digits);
        out += '-';
    }
    out.pop_back();
    return out;
}

constexpr std::array<const char*, 8> kKinds{"weekly", "daily",   "quarterly", "incident",
                                            "sales",  "support", "design",    "board"};
constexpr std::array<const char*, 8> kEvents{"standup",  "review", "bridge", "sync",
                                             "briefing", "retro",  "huddle", "call"};
constexpr std::array<const char*, 6> kTeams{"blue", "green", "red", "amber", "violet", "teal"};
/// Statuses of the recordings after the first, besides "complete".
constexpr std::array<const char*, 4> kUnfinished{"processing", "partial", "error", "deleted"};

// memberUrl names this account whatever the server's account is, so that a
// body depends on (seed, index) alone, as seeded_conference_json promises.
constexpr const char* kMemberUrlBase = "https://voice.bandwidth.com/api/v2/accounts/9900000/conferences/";

/// A separate stream for recordings, so adding them left every conference
/// body exactly as it was.
constexpr std::uint64_t kRecordingStream = 0x5245434F52444E47ULL;

using Millis = std::chrono::sys_time<std::chrono::milliseconds>;

/// "PT13.67S", "PT4M12.318S", "PT1H2M3S": the API's ISO 8601 durations.
std::string iso_duration(std::chrono::milliseconds d) {
    const long long total = d.count();
    const long long h = total / 3'600'000, m = total / 60'000 % 60, s = total / 1000 % 60, ms = total % 1000;
    std::string out = "PT";
    if (h > 0) out += std::to_string(h) + "H";
    if (m > 0) out += std::to_string(m) + "M";
    out += std::to_string(s);
    if (ms > 0) {
        char fraction[8];
        std::snprintf(fraction, sizeof fraction, ".%03lld", ms);
        std::string f = fraction;
        while (f.back() == '0') f.pop_back();
        out += f;
    }
    out += "S";
    return out;
}

std::optional<Millis> time_field(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    const auto t = detail::parse_time(std::string_view(v->get_string()));
    if (!t) return std::nullopt;
    return std::chrono::floor<std::chrono::milliseconds>(*t);
}

}  // namespace

std::string seeded_conference_json(std::uint64_t seed, std::size_t index) {
    using namespace std::chrono;
    Rng rng(seed, index);
    const std::string id = "conf-" + std::to_string(index);
    const std::string team = rng.pick(kTeams);

    boost::json::object conf;
    conf["id"] = id;
    std::string name = rng.pick(kKinds);
    name += '-';
    name += rng.pick(kEvents);
    conf["name"] = name + "-" + team;

    const sys_time<milliseconds> epoch = sys_days{year{2026} / January / 1};
    const auto created = epoch + milliseconds(rng.below(330ULL * 24 * 3600 * 1000));
    conf["createdTime"] = detail::format_time(created);
    const bool completed = rng.percent(20);
    if (completed)
        conf["completedTime"] = detail::format_time(created + milliseconds(60'000 + rng.below(3ULL * 3600 * 1000)));
    else
        conf["completedTime"] = nullptr;

    if (rng.percent(90))
        conf["conferenceEventUrl"] = "https://hooks.example.net/bw/conference-events?tenant=" + hex(rng, 8);
    else
        conf["conferenceEventUrl"] = nullptr;
    conf["conferenceEventMethod"] = rng.percent(75) ? "POST" : "GET";
    if (rng.percent(60))
        conf["tag"] = "team=" + team + ";ticket=" + std::to_string(1000 + rng.below(9000));
    else
        conf["tag"] = nullptr;

    boost::json::array members;
    // A completed conference has nobody left in it.
    std::uint64_t count = 0;
    if (!completed) {
        count = 1 + rng.below(3);
        if (rng.percent(10)) --count;
    }
    std::vector<std::string> call_ids;
    for (std::uint64_t m = 0; m < count; ++m) call_ids.push_back(bandwidth_id(rng, "c-"));
    for (std::uint64_t m = 0; m < count; ++m) {
        const std::string& call = call_ids[m];
        boost::json::object member;
        member["callId"] = call;
        member["conferenceId"] = id;
        member["memberUrl"] = kMemberUrlBase + id + "/members/" + call;
        member["mute"] = rng.percent(30);
        member["hold"] = rng.percent(10);
        const auto coach = rng.below(10);
        if (coach < 6) {
            member["callIdsToCoach"] = nullptr;
        } else if (coach < 8 || count < 2) {
            member["callIdsToCoach"] = boost::json::array{};
        } else {
            member["callIdsToCoach"] = boost::json::array{boost::json::string(call_ids[(m + 1) % count])};
        }
        members.emplace_back(std::move(member));
    }
    conf["activeMembers"] = std::move(members);
    return boost::json::serialize(conf);
}

namespace detail {

std::string path_segment(std::string_view s) {
    return boost::urls::encode(s, boost::urls::pchars);
}

std::vector<boost::json::object> seeded_recordings(std::uint64_t seed, std::size_t index,
                                                   const boost::json::object& conference, std::string_view account_id,
                                                   std::string_view base_url) {
    using namespace std::chrono;
    std::vector<boost::json::object> out;
    if (index % 4 == 3) return out;
    const auto created = time_field(conference, "createdTime");
    const auto* id = conference.if_contains("id");
    const auto* name = conference.if_contains("name");
    if (!created || id == nullptr || !id->is_string()) return out;
    const auto completed = time_field(conference, "completedTime");

    // The first starts within 30 s of the conference, which lasts at least
    // 60 s when completed: there is always room for it.
    Rng rng(seed ^ kRecordingStream, index);
    const std::uint64_t count = 1 + rng.below(3);
    Millis start = *created + milliseconds(2'000 + rng.below(28'000));
    for (std::uint64_t k = 0; k < count; ++k) {
        // Recordings end by the time the conference did.
        if (completed && start + seconds(1) >= *completed) break;
        auto length = milliseconds(5'000 + rng.below(20ULL * 60 * 1000));
        if (completed && start + length > *completed) length = duration_cast<milliseconds>(*completed - start);
        const std::string recording_id = bandwidth_id(rng, "r-");
        const bool first = k == 0;
        const char* format = first || rng.percent(50) ? "wav" : "mp3";
        const char* status = first || rng.percent(70) ? "complete" : rng.pick(kUnfinished);

        boost::json::object r;
        r["accountId"] = account_id;
        r["conferenceId"] = id->get_string();
        if (name != nullptr) r["name"] = *name;
        r["recordingId"] = recording_id;
        r["duration"] = iso_duration(length);
        r["channels"] = 1;
        r["startTime"] = format_time(start);
        r["endTime"] = format_time(start + length);
        r["fileFormat"] = format;
        r["status"] = status;
        if (std::string_view(status) == "complete")
            r["mediaUrl"] = std::string(base_url) + "/accounts/" + path_segment(account_id) + "/conferences/" +
                            path_segment(id->get_string()) + "/recordings/" + recording_id + "/media";
        else
            r["mediaUrl"] = nullptr;
        std::string recording_name = name != nullptr && name->is_string() ? std::string(name->get_string()) : "rec";
        r["recordingName"] = recording_name + "-part-" + std::to_string(k + 1);
        out.push_back(std::move(r));
        start += length + milliseconds(5'000 + rng.below(115'000));
    }
    return out;
}

}  // namespace detail
}  // namespace bwvoice::mock
