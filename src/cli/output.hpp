// bwconf: the JSON lines `bwconf get` prints.
#ifndef BWVOICE_CLI_OUTPUT_HPP
#define BWVOICE_CLI_OUTPUT_HPP

#include <bwvoice/conference.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>

#include <string>
#include <vector>

namespace bwconf {

/// The line of a found conference: bwvoice::to_json, then '\n'.
std::string success_line(const bwvoice::Conference& conference);

/// The line of a failed lookup, then '\n':
/// {"id":ID,"error":{"code":CODE,"status":STATUS|null,"message":TEXT}}.
/// CODE is the contract's spelling of to_errc(ec); STATUS the last HTTP status
/// received, if any; TEXT diag.message, else ec.message(), with `secrets`
/// redacted (a server may echo what it was sent).
std::string failure_line(const std::string& id, const bwvoice::error_code& ec, const bwvoice::Diagnostics& diag,
                         const std::vector<std::string>& secrets);

/// A failure line with an explicit code, status null and `message`, for
/// lookups bwconf itself abandons (an interrupt).
std::string failure_line(const std::string& id, bwvoice::errc code, const std::string& message);

}  // namespace bwconf

#endif
