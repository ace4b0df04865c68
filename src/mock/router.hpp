// Which of the nine conference operations' paths (or the OAuth token path) a
// request-target names, and the key that scripts, counters and records use for it.
#ifndef BWVOICE_MOCK_ROUTER_HPP
#define BWVOICE_MOCK_ROUTER_HPP

#include <string>
#include <string_view>

namespace bwvoice::mock::detail {

/// The path families under /api/v2/accounts/{accountId}/conferences.
enum class RouteKind {
    unknown,     ///< Not one of the paths below: 404.
    malformed,   ///< Not an origin-form request-target at all: 400.
    list,        ///< conferences
    conference,  ///< conferences/{c}
    bxml,        ///< conferences/{c}/bxml
    member,      ///< conferences/{c}/members/{m}
    recordings,  ///< conferences/{c}/recordings
    recording,   ///< conferences/{c}/recordings/{r}
    media,       ///< conferences/{c}/recordings/{r}/media
    token,       ///< /api/v1/oauth2/token (not under the account), key "oauth2/token"
};

struct Route {
    RouteKind kind = RouteKind::unknown;
    std::string account_id;  ///< Percent-decoded, as are the IDs.
    std::string conference_id;
    std::string member_id;
    std::string recording_id;
    /// The path relative to /api/v2/accounts/{accountId}/, segments
    /// percent-decoded and joined by "/", no query: "conferences/conf-1/members/c-1".
    /// kTokenRoute for the token path. Empty for unknown and malformed targets.
    std::string key;
};

Route parse_route(std::string_view target);

/// The methods a path family answers, for Allow; the request's method is
/// checked against it.
std::string_view allowed_methods(RouteKind kind);

}  // namespace bwvoice::mock::detail

#endif
