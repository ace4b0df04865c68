/// @file
/// Everything a user of the library needs: ConferenceClient and all it uses.
#ifndef BWVOICE_BWVOICE_HPP
#define BWVOICE_BWVOICE_HPP

#include <bwvoice/client.hpp>
#include <bwvoice/conference.hpp>
#include <bwvoice/config.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>
#include <bwvoice/error_with_diagnostics.hpp>
#include <bwvoice/with_diagnostics.hpp>

/// @namespace bwvoice
/// The client of the conferences resource of Bandwidth's Voice API:
/// ConferenceClient and ConferencePager, their configuration (ClientConfig),
/// the API's models (Conference, ConferenceMember, RecordingMetadata), the
/// changes (ConferenceUpdate, MemberUpdate), and the errors (errc, condition,
/// Diagnostics).

#endif
