// Where the next page of a listing is, from a response's Link header.
#ifndef BWVOICE_SRC_API_NEXT_LINK_HPP
#define BWVOICE_SRC_API_NEXT_LINK_HPP

#include "client/config_check.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace bwvoice::detail {

struct NextPage {
    /// The origin-form target of the next page; empty when there is none.
    std::optional<std::string> target;
    /// Why the link cannot be followed (then target is empty): it points at
    /// another scheme, host or port, or outside the listing's path, or to the
    /// page just fetched, or it is malformed. A bad_response.
    std::string refusal;
};

/// Reads `link_values` (RFC 8288: `<URI-reference>; rel="next", ...`) for the
/// link whose relation types include "next" and turns it into a target on
/// the client's own origin. A relative reference is resolved against the
/// request that got it (`current_target`). The URL is followed as given, but
/// only when it has the base URL's scheme, host and port (the credentials
/// never go to another host) and, once dot segments are resolved, exactly the
/// listing's path (`ep.account_path + "/conferences"`; the query is the
/// server's): never another account, API version or path prefix. A link to
/// `current_target` itself is refused too, as the listing would never end.
NextPage next_page(std::string_view link_values, const Endpoint& ep, std::string_view current_target);

}  // namespace bwvoice::detail

#endif
