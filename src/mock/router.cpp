// Request-target to route (see router.hpp).
#include "mock/router.hpp"

#include "mock/token_authority.hpp"

#include <boost/url/parse.hpp>

#include <array>
#include <vector>

namespace bwvoice::mock::detail {

Route parse_route(std::string_view target) {
    Route out;
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) {
        out.kind = RouteKind::malformed;
        return out;
    }
    // segments() yields each segment percent-decoded, without splitting on an
    // encoded "/", which is what lets an ID like "a/b?c" travel as one segment.
    std::vector<std::string> s;
    for (std::string segment : url->segments()) s.push_back(std::move(segment));
    // The token path of Bandwidth's OAuth server, whatever the query.
    if (s.size() == 4 && s[0] == "api" && s[1] == "v1" && s[2] == "oauth2" && s[3] == "token") {
        out.kind = RouteKind::token;
        out.key = kTokenRoute;
        return out;
    }
    if (s.size() < 5 || s.size() > 9) return out;
    static constexpr std::array<std::string_view, 5> fixed{"api", "v2", "accounts", "", "conferences"};
    for (std::size_t i = 0; i < fixed.size(); ++i)
        if (i != 3 && s[i] != fixed[i]) return out;
    out.account_id = s[3];

    // An empty ID names nothing ("conferences/" is not the list).
    const auto id = [&](std::size_t i) { return !s[i].empty(); };
    RouteKind kind = RouteKind::unknown;
    switch (s.size()) {
    case 5: kind = RouteKind::list; break;
    case 6: kind = id(5) ? RouteKind::conference : RouteKind::unknown; break;
    case 7:
        if (id(5) && s[6] == "bxml") kind = RouteKind::bxml;
        if (id(5) && s[6] == "recordings") kind = RouteKind::recordings;
        break;
    case 8:
        if (id(5) && s[6] == "members" && id(7)) kind = RouteKind::member;
        if (id(5) && s[6] == "recordings" && id(7)) kind = RouteKind::recording;
        break;
    case 9:
        if (id(5) && s[6] == "recordings" && id(7) && s[8] == "media") kind = RouteKind::media;
        break;
    default: break;
    }
    if (kind == RouteKind::unknown) {
        out.account_id.clear();
        return out;
    }
    out.kind = kind;
    if (s.size() > 5) out.conference_id = s[5];
    if (kind == RouteKind::member) out.member_id = s[7];
    if (kind == RouteKind::recording || kind == RouteKind::media) out.recording_id = s[7];
    for (std::size_t i = 4; i < s.size(); ++i) {
        if (i > 4) out.key += '/';
        out.key += s[i];
    }
    return out;
}

std::string_view allowed_methods(RouteKind kind) {
    switch (kind) {
    case RouteKind::conference: return "GET, POST";
    case RouteKind::bxml: return "PUT";
    case RouteKind::member: return "GET, PUT";
    case RouteKind::list:
    case RouteKind::recordings:
    case RouteKind::recording:
    case RouteKind::media: return "GET";
    case RouteKind::token: return "POST";
    case RouteKind::unknown:
    case RouteKind::malformed: break;
    }
    return "";
}

}  // namespace bwvoice::mock::detail
