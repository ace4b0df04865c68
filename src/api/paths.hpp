// The request targets of the conferences resource, built from the client's
// endpoint and the caller's IDs.
#ifndef BWVOICE_SRC_API_PATHS_HPP
#define BWVOICE_SRC_API_PATHS_HPP

#include "client/config_check.hpp"

#include <bwvoice/detail/operation_memory.hpp>
#include <bwvoice/listing.hpp>

#include <string>
#include <string_view>

namespace bwvoice::detail {

/// Why `id` cannot be sent as a path segment ("" when it can): empty, or "."
/// or "..", which servers resolve even when percent-encoded, so the request
/// would reach another resource with the caller's credentials.
std::string refusal_of_segment(std::string_view id, std::string_view what);

/// `.../conferences` with the query's fields that are set, percent-encoded
/// (Boost.URL). pageSize must be 1 to 1000: refusal_of_query says why not.
std::string conferences_target(const Endpoint& ep, const ConferenceQuery& query);
std::string refusal_of_query(const ConferenceQuery& query);

/// Each ID is one path segment: every byte outside RFC 3986's unreserved set
/// becomes %XX, so '/', '?', '#', '%', space, CR and LF cannot change the
/// path or the request line.
OperationString conference_target(const Endpoint& ep, std::string_view conference_id);
OperationString bxml_target(const Endpoint& ep, std::string_view conference_id);
OperationString member_target(const Endpoint& ep, std::string_view conference_id, std::string_view member_id);
OperationString recordings_target(const Endpoint& ep, std::string_view conference_id);
OperationString recording_target(const Endpoint& ep, std::string_view conference_id, std::string_view recording_id);
OperationString media_target(const Endpoint& ep, std::string_view conference_id, std::string_view recording_id);

}  // namespace bwvoice::detail

#endif
