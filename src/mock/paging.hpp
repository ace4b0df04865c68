// listConferences' query: filters, page size, the opaque page token and the
// next page's URL for the Link header.
#ifndef BWVOICE_MOCK_PAGING_HPP
#define BWVOICE_MOCK_PAGING_HPP

#include "mock/time.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace bwvoice::mock::detail {

/// Where a page ended: the last conference listed, in list order
/// (createdTime, then ID for ties).
struct Cursor {
    Instant created;
    std::string id;
};

/// The page token: the cursor, base64url-encoded. Opaque to clients; a
/// cursor rather than an offset so that a conference added meanwhile neither
/// repeats nor skips one.
std::string encode_page_token(const Cursor& cursor);
std::optional<Cursor> decode_page_token(std::string_view token);

struct ListQuery {
    std::optional<std::string> name;     ///< Exact match.
    std::optional<Instant> min_created;  ///< Inclusive.
    std::optional<Instant> max_created;  ///< Inclusive.
    std::size_t page_size = 1000;
    std::optional<Cursor> after;
};

/// The query of a listConferences request-target, or why it is invalid (a
/// 400). Unknown parameters are ignored; a repeated one counts once (the first).
std::variant<ListQuery, std::string> parse_list_query(std::string_view target, std::size_t default_page_size);

/// `origin` (scheme://host[:port]) + the request's path and query, its
/// pageToken replaced by `token`: the URL of the page after this one.
std::string next_page_url(std::string_view origin, std::string_view target, std::string_view token);

}  // namespace bwvoice::mock::detail

#endif
