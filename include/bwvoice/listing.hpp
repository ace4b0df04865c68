/// @file
/// The filters of List Conferences.
#ifndef BWVOICE_LISTING_HPP
#define BWVOICE_LISTING_HPP

#include <optional>
#include <string>

namespace bwvoice {

/// List Conferences' query. Every field is optional; only those set are sent.
/// (Every member has a default member initializer so that designated
/// initializers naming only some fields, `{.page_size = 100}`, compile without
/// -Wmissing-field-initializers warnings.)
struct ConferenceQuery {
    std::optional<std::string> name{};              ///< `name`: conferences with this name.
    std::optional<std::string> min_created_time{};  ///< `minCreatedTime`, ISO 8601, sent as given.
    std::optional<std::string> max_created_time{};  ///< `maxCreatedTime`, ISO 8601, sent as given.
    /// `pageSize`: conferences per page, 1 to 1000 (the API's default is 1000).
    std::optional<unsigned> page_size{};
};

}  // namespace bwvoice

#endif
