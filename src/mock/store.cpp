// The seeded conference store: deterministic bodies in the shape of the Voice
// API's `conference` model, built once so serving them costs a lookup.
#include "mock/detail.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

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

// Same layout as Bandwidth's call IDs: c-8hex-8hex-4-4-4-12. Built by
// statements, not one expression, because the order in which the operands of
// `+` draw from the generator is unspecified.
std::string call_id(Rng& rng) {
    std::string out = "c-";
    for (const int digits : {8, 8, 4, 4, 4, 12}) {
        append_hex(out, rng, digits);
        out += '-';
    }
    out.pop_back();
    return out;
}

std::string format_time(std::chrono::sys_time<std::chrono::milliseconds> t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    return text;
}

constexpr std::array<const char*, 8> kKinds{"weekly", "daily", "quarterly", "incident",
                                            "sales", "support", "design", "board"};
constexpr std::array<const char*, 8> kEvents{"standup", "review", "bridge", "sync",
                                             "briefing", "retro", "huddle", "call"};
constexpr std::array<const char*, 6> kTeams{"blue", "green", "red", "amber", "violet", "teal"};

// memberUrl names this account whatever the server's account is, so that a
// body depends on (seed, index) alone, as seeded_conference_json promises.
constexpr const char* kMemberUrlBase = "https://voice.bandwidth.com/api/v2/accounts/9900000/conferences/";

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
    conf["createdTime"] = format_time(created);
    const bool completed = rng.percent(20);
    if (completed)
        conf["completedTime"] = format_time(created + milliseconds(60'000 + rng.below(3ULL * 3600 * 1000)));
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
    for (std::uint64_t m = 0; m < count; ++m) call_ids.push_back(call_id(rng));
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

void ConferenceStore::seed(std::uint64_t seed, std::size_t count) {
    std::unordered_map<std::string, std::shared_ptr<const std::string>> bodies;
    bodies.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        bodies.emplace("conf-" + std::to_string(i),
                       std::make_shared<const std::string>(seeded_conference_json(seed, i)));
    const std::unique_lock lock(mutex_);
    bodies_ = std::move(bodies);
}

void ConferenceStore::put(const std::string& id, std::string json) {
    auto body = std::make_shared<const std::string>(std::move(json));
    const std::unique_lock lock(mutex_);
    bodies_[id] = std::move(body);
}

std::shared_ptr<const std::string> ConferenceStore::find(const std::string& id) const {
    const std::shared_lock lock(mutex_);
    const auto it = bodies_.find(id);
    return it == bodies_.end() ? nullptr : it->second;
}

}  // namespace detail
}  // namespace bwvoice::mock
