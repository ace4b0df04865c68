// bwconf: formatting of result lines. Built with Boost.JSON so that any ID
// or message (quotes, control characters, invalid UTF-8 from a file) comes
// out as valid JSON.
#include "cli/output.hpp"

#include "cli/redact.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <optional>

namespace bwconf {
namespace {

namespace json = boost::json;

std::string error_line(const std::string& id, bwvoice::errc code, std::optional<unsigned> status,
                       const std::string& message) {
    json::object error;
    error["code"] = bwvoice::to_string(code);
    if (status)
        error["status"] = *status;
    else
        error["status"] = nullptr;
    error["message"] = message;
    json::object line;
    line["id"] = id;
    line["error"] = std::move(error);
    std::string text = json::serialize(line);
    text += '\n';
    return text;
}

}  // namespace

std::string success_line(const bwvoice::Conference& conference) {
    std::string text = bwvoice::to_json(conference);
    text += '\n';
    return text;
}

std::string failure_line(const std::string& id, const bwvoice::error_code& ec, const bwvoice::Diagnostics& diag,
                         const std::vector<std::string>& secrets) {
    const std::string& message = diag.message.empty() ? ec.message() : diag.message;
    return error_line(id, bwvoice::to_errc(ec), diag.http_status, redact(message, secrets));
}

std::string failure_line(const std::string& id, bwvoice::errc code, const std::string& message) {
    return error_line(id, code, std::nullopt, message);
}

}  // namespace bwconf
