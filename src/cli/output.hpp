// bwconf: the JSON lines every subcommand prints. Models are written by the
// library's own to_json; the small objects around them (error objects, the
// "updated" and "download" lines) are built with Boost.JSON, so any ID or
// message (quotes, control characters, invalid UTF-8) comes out as valid JSON.
#ifndef BWVOICE_CLI_OUTPUT_HPP
#define BWVOICE_CLI_OUTPUT_HPP

#include <bwvoice/conference.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace bwconf {

/// A model's compact JSON (the library's to_json), then '\n'.
template <class Model>
std::string model_line(const Model& m) {
    std::string text = to_json(m);
    text += '\n';
    return text;
}

/// The line of a found conference: bwvoice::to_json, then '\n'.
inline std::string success_line(const bwvoice::Conference& conference) {
    return model_line(conference);
}

/// {"code":CODE,"status":STATUS|null,"message":TEXT} of a failed operation:
/// CODE is the contract's spelling of to_errc(ec); STATUS the last HTTP
/// status received, if any; TEXT diag.message, else ec.message(), with
/// `secrets` redacted (a server may echo what it was sent).
boost::json::object error_object(const bwvoice::error_code& ec, const bwvoice::Diagnostics& diag,
                                 const std::vector<std::string>& secrets);

/// An error object with an explicit code, status null and `message`, for
/// operations bwconf itself abandons (an interrupt).
boost::json::object error_object(bwvoice::errc code, const std::string& message);

/// `fields` (the IDs the line is about, in order) followed by "error", then '\n'.
std::string error_line(boost::json::object fields, boost::json::object error);

/// Any object as one compact line, then '\n'.
std::string json_line(const boost::json::object& o);

/// The line of a failed `get`, then '\n':
/// {"id":ID,"error":{"code":CODE,"status":STATUS|null,"message":TEXT}}.
std::string failure_line(const std::string& id, const bwvoice::error_code& ec, const bwvoice::Diagnostics& diag,
                         const std::vector<std::string>& secrets);

/// A `get` failure line with an explicit code, status null and `message`.
std::string failure_line(const std::string& id, bwvoice::errc code, const std::string& message);

}  // namespace bwconf

#endif
