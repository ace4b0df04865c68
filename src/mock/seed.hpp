// The seeded store's content: deterministic conferences (members included) and
// their recordings' metadata, in the shapes of the Voice API's models.
#ifndef BWVOICE_MOCK_SEED_HPP
#define BWVOICE_MOCK_SEED_HPP

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bwvoice::mock::detail {

/// `conferenceRecordingMetadata` objects for seeded conference `index`, whose
/// body is `conference`: none for every fourth conference (index % 4 == 3),
/// else one to three, the first always a complete wav. `mediaUrl` points at
/// `base_url` (the serving mock's own), or is null unless status is complete.
std::vector<boost::json::object> seeded_recordings(std::uint64_t seed, std::size_t index,
                                                   const boost::json::object& conference, std::string_view account_id,
                                                   std::string_view base_url);

/// `s` percent-encoded as one path segment.
std::string path_segment(std::string_view s);

}  // namespace bwvoice::mock::detail

#endif
