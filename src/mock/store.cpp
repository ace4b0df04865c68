// The conference store with state (see store.hpp).
#include "mock/store.hpp"

#include "mock/mock_server.hpp"
#include "mock/seed.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <mutex>

namespace bwvoice::mock::detail {
namespace {

namespace json = boost::json;

std::shared_ptr<const std::string> serialized(const json::object& o) {
    return std::make_shared<const std::string>(json::serialize(o));
}

std::optional<Instant> created_of(const json::object& doc) {
    const auto* v = doc.if_contains("createdTime");
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return parse_time(std::string_view(v->get_string()));
}

bool string_is(const json::object& o, std::string_view key, std::string_view value) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() && v->get_string() == value;
}

std::string content_type_of(const json::object& metadata) {
    if (string_is(metadata, "fileFormat", "wav")) return "audio/vnd.wave";
    if (string_is(metadata, "fileFormat", "mp3")) return "audio/mpeg";
    return "application/octet-stream";
}

/// The member with this callId in a conference body's activeMembers; const
/// or not as the body is.
template <class Doc>
auto* member_in(Doc& doc, const std::string& member_id) {
    decltype(&doc->at("").as_object()) none = nullptr;
    if (!doc) return none;
    auto* members = doc->if_contains("activeMembers");
    if (members == nullptr || !members->is_array()) return none;
    for (auto& m : members->get_array())
        if (m.is_object() && string_is(m.get_object(), "callId", member_id)) return &m.get_object();
    return none;
}

}  // namespace

ConferenceStore::ConferenceStore(std::string account_id, std::uint64_t default_media_size)
    : account_id_(std::move(account_id)), default_media_size_(default_media_size) {}

ConferenceStore::Conference ConferenceStore::make_conference(std::string text) {
    Conference c;
    boost::system::error_code ec;
    json::value parsed = json::parse(text, ec);
    if (!ec && parsed.is_object()) {
        c.doc = std::move(parsed.as_object());
        c.created = created_of(*c.doc);
    }
    c.body = std::make_shared<const std::string>(std::move(text));
    return c;
}

void ConferenceStore::insert(const std::string& id, Conference conference) {
    if (auto it = conferences_.find(id); it != conferences_.end() && it->second.created)
        list_order_.erase({*it->second.created, id});
    if (conference.created) list_order_.insert({*conference.created, id});
    conferences_.insert_or_assign(id, std::move(conference));
}

void ConferenceStore::seed(std::uint64_t seed, std::size_t count, const std::string& base_url) {
    std::vector<std::pair<std::string, Conference>> made;
    made.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        Conference c = make_conference(seeded_conference_json(seed, i));
        for (json::object& metadata : seeded_recordings(seed, i, *c.doc, account_id_, base_url)) {
            std::string id(metadata.at("recordingId").as_string());
            c.recordings.push_back(Recording{std::move(id), std::move(metadata), default_media_size_});
        }
        made.emplace_back("conf-" + std::to_string(i), std::move(c));
    }
    const std::unique_lock lock(mutex_);
    conferences_.clear();
    list_order_.clear();
    conferences_.reserve(count);
    for (auto& [id, c] : made) insert(id, std::move(c));
}

void ConferenceStore::put(const std::string& id, std::string text) {
    Conference c = make_conference(std::move(text));
    const std::unique_lock lock(mutex_);
    insert(id, std::move(c));
}

ConferenceStore::Conference* ConferenceStore::get(const std::string& id) {
    const auto it = conferences_.find(id);
    return it == conferences_.end() ? nullptr : &it->second;
}

const ConferenceStore::Conference* ConferenceStore::get(const std::string& id) const {
    const auto it = conferences_.find(id);
    return it == conferences_.end() ? nullptr : &it->second;
}

std::shared_ptr<const std::string> ConferenceStore::find(const std::string& id) const {
    const std::shared_lock lock(mutex_);
    const Conference* c = get(id);
    return c == nullptr ? nullptr : c->body;
}

ConferenceStore::Page ConferenceStore::list(const ListQuery& query) const {
    const std::shared_lock lock(mutex_);
    // Both bounds are positions in the same ordered set: start at the later.
    const auto later = [this](auto a, auto b) {
        if (a == list_order_.end() || b == list_order_.end()) return list_order_.end();
        return *a < *b ? b : a;
    };
    auto it = list_order_.begin();
    if (query.after) it = list_order_.upper_bound({query.after->created, query.after->id});
    if (query.min_created) it = later(it, list_order_.lower_bound({*query.min_created, std::string()}));
    Page page;
    page.body = "[";
    std::size_t listed = 0;
    const ListKey* last = nullptr;
    for (; it != list_order_.end(); ++it) {
        if (query.max_created && it->first > *query.max_created) break;
        const Conference& c = conferences_.at(it->second);
        if (query.name && !string_is(*c.doc, "name", *query.name)) continue;
        if (listed == query.page_size) {
            page.next = Cursor{last->first, last->second};
            break;
        }
        // List items omit activeMembers, as the API's do.
        json::object item = *c.doc;
        item.erase("activeMembers");
        if (listed > 0) page.body += ',';
        page.body += json::serialize(item);
        ++listed;
        last = &*it;
    }
    page.body += ']';
    return page;
}

bool ConferenceStore::update(const std::string& id, bool complete, std::string body) {
    const std::unique_lock lock(mutex_);
    Conference* c = get(id);
    if (c == nullptr) return false;
    c->last_update = std::move(body);
    if (complete && c->doc) {
        json::object& doc = *c->doc;
        const auto* completed = doc.if_contains("completedTime");
        if (completed == nullptr || !completed->is_string()) {
            using namespace std::chrono;
            // Never before it started, whatever this machine's clock says.
            auto now = floor<milliseconds>(system_clock::now());
            if (c->created) now = std::max(now, ceil<milliseconds>(*c->created));
            doc["completedTime"] = format_time(now);
        }
        doc["activeMembers"] = json::array{};  // everyone is ejected
        c->body = serialized(doc);
    }
    return true;
}

bool ConferenceStore::put_bxml(const std::string& id, std::string document) {
    const std::unique_lock lock(mutex_);
    Conference* c = get(id);
    if (c == nullptr) return false;
    c->last_bxml = std::move(document);
    return true;
}

std::optional<std::string> ConferenceStore::last_update(const std::string& id) const {
    const std::shared_lock lock(mutex_);
    const Conference* c = get(id);
    return c == nullptr ? std::nullopt : c->last_update;
}

std::optional<std::string> ConferenceStore::last_bxml(const std::string& id) const {
    const std::shared_lock lock(mutex_);
    const Conference* c = get(id);
    return c == nullptr ? std::nullopt : c->last_bxml;
}

Found ConferenceStore::member(const std::string& conference_id, const std::string& member_id,
                              std::string* json_out) const {
    const std::shared_lock lock(mutex_);
    const Conference* c = get(conference_id);
    if (c == nullptr) return Found::no_conference;
    const json::object* m = member_in(c->doc, member_id);
    if (m == nullptr) return Found::no_item;
    if (json_out != nullptr) *json_out = json::serialize(*m);
    return Found::yes;
}

Found ConferenceStore::update_member(const std::string& conference_id, const std::string& member_id,
                                     const json::object& fields) {
    const std::unique_lock lock(mutex_);
    Conference* c = get(conference_id);
    if (c == nullptr) return Found::no_conference;
    json::object* m = member_in(c->doc, member_id);
    if (m == nullptr) return Found::no_item;
    for (const char* key : {"mute", "hold", "callIdsToCoach"})
        if (const auto* v = fields.if_contains(key)) (*m)[key] = *v;
    c->body = serialized(*c->doc);
    return Found::yes;
}

std::optional<std::string> ConferenceStore::recordings(const std::string& conference_id) const {
    const std::shared_lock lock(mutex_);
    const Conference* c = get(conference_id);
    if (c == nullptr) return std::nullopt;
    json::array all;
    for (const Recording& r : c->recordings) all.emplace_back(r.metadata);
    return json::serialize(all);
}

Found ConferenceStore::recording(const std::string& conference_id, const std::string& recording_id,
                                 std::string* json_out) const {
    const std::shared_lock lock(mutex_);
    const Conference* c = get(conference_id);
    if (c == nullptr) return Found::no_conference;
    for (const Recording& r : c->recordings) {
        if (r.id != recording_id) continue;
        if (json_out != nullptr) *json_out = json::serialize(r.metadata);
        return Found::yes;
    }
    return Found::no_item;
}

Found ConferenceStore::media(const std::string& conference_id, const std::string& recording_id, MediaInfo* info) const {
    const std::shared_lock lock(mutex_);
    const Conference* c = get(conference_id);
    if (c == nullptr) return Found::no_conference;
    for (const Recording& r : c->recordings) {
        if (r.id != recording_id) continue;
        if (info != nullptr) {
            const auto* status = r.metadata.if_contains("status");
            info->available = status == nullptr || status->is_null() || string_is(r.metadata, "status", "complete");
            info->content_type = content_type_of(r.metadata);
            info->size = r.media_size;
        }
        return Found::yes;
    }
    return Found::no_item;
}

bool ConferenceStore::put_recording(const std::string& conference_id, json::object metadata,
                                    std::optional<std::uint64_t> media_size) {
    std::string id(metadata.at("recordingId").as_string());
    const std::unique_lock lock(mutex_);
    Conference* c = get(conference_id);
    if (c == nullptr) return false;
    Recording r{std::move(id), std::move(metadata), media_size.value_or(default_media_size_)};
    const auto it =
        std::find_if(c->recordings.begin(), c->recordings.end(), [&](const Recording& x) { return x.id == r.id; });
    if (it != c->recordings.end())
        *it = std::move(r);
    else
        c->recordings.push_back(std::move(r));
    return true;
}

bool ConferenceStore::set_media_size(const std::string& conference_id, const std::string& recording_id,
                                     std::uint64_t size) {
    const std::unique_lock lock(mutex_);
    Conference* c = get(conference_id);
    if (c == nullptr) return false;
    for (Recording& r : c->recordings) {
        if (r.id != recording_id) continue;
        r.media_size = size;
        return true;
    }
    return false;
}

}  // namespace bwvoice::mock::detail
