// The conferences the server holds, with state: what GET serves, the list
// order, members, recordings, and the last change of each kind for tests.
#ifndef BWVOICE_MOCK_STORE_HPP
#define BWVOICE_MOCK_STORE_HPP

#include "mock/paging.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bwvoice::mock::detail {

/// What a lookup below a conference found.
enum class Found { yes, no_conference, no_item };

/// The media of one recording, as the media route serves it.
struct MediaInfo {
    bool available = false;  ///< Only a complete recording (or one without a status) has media.
    std::string content_type;
    std::uint64_t size = 0;
};

/// Thread-safe. A GET of a conference is a lookup and a copy of a shared
/// pointer: its body is serialized again only when the conference changes.
class ConferenceStore {
public:
    ConferenceStore(std::string account_id, std::uint64_t default_media_size);

    /// conf-0 .. conf-(count-1), replacing everything; recordings' mediaUrl
    /// starts with `base_url`.
    void seed(std::uint64_t seed, std::size_t count, const std::string& base_url);

    /// Adds or replaces a conference. A JSON object becomes structured state
    /// (its activeMembers the members; listed when createdTime is a valid
    /// date-time) but is served as the very text given until a change;
    /// anything else is served verbatim and has no members.
    void put(const std::string& id, std::string text);
    std::shared_ptr<const std::string> find(const std::string& id) const;

    struct Page {
        std::string body;            ///< JSON array of conferences without activeMembers.
        std::optional<Cursor> next;  ///< Set when more conferences match after this page.
    };
    Page list(const ListQuery& query) const;

    /// Records `body` as the last update and, when `complete`, ends the
    /// conference: completedTime set (kept if already set), activeMembers emptied.
    bool update(const std::string& id, bool complete, std::string body);
    bool put_bxml(const std::string& id, std::string document);
    std::optional<std::string> last_update(const std::string& id) const;
    std::optional<std::string> last_bxml(const std::string& id) const;

    Found member(const std::string& conference_id, const std::string& member_id, std::string* json) const;
    /// Sets each of mute, hold and callIdsToCoach present in `fields` (validated by the caller).
    Found update_member(const std::string& conference_id, const std::string& member_id,
                        const boost::json::object& fields);

    /// The JSON array of a conference's recordings' metadata.
    std::optional<std::string> recordings(const std::string& conference_id) const;
    Found recording(const std::string& conference_id, const std::string& recording_id, std::string* json) const;
    Found media(const std::string& conference_id, const std::string& recording_id, MediaInfo* info) const;
    /// Adds or replaces (by recordingId) a recording; false if no such conference.
    bool put_recording(const std::string& conference_id, boost::json::object metadata,
                       std::optional<std::uint64_t> media_size);
    bool set_media_size(const std::string& conference_id, const std::string& recording_id, std::uint64_t size);

private:
    struct Recording {
        std::string id;
        boost::json::object metadata;
        std::uint64_t media_size = 0;
    };
    struct Conference {
        std::shared_ptr<const std::string> body;  ///< What GET serves.
        std::optional<boost::json::object> doc;   ///< The body parsed, when an object.
        std::optional<Instant> created;           ///< Listed when set.
        std::vector<Recording> recordings;
        std::optional<std::string> last_update;
        std::optional<std::string> last_bxml;
    };
    using ListKey = std::pair<Instant, std::string>;

    static Conference make_conference(std::string text);
    void insert(const std::string& id, Conference conference);  // caller holds the lock
    Conference* get(const std::string& id);
    const Conference* get(const std::string& id) const;

    const std::string account_id_;
    const std::uint64_t default_media_size_;
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, Conference> conferences_;
    std::set<ListKey> list_order_;  ///< Listable conferences, oldest first.
};

}  // namespace bwvoice::mock::detail

#endif
