// bwconf: formatting of result lines.
#include "cli/output.hpp"

#include "cli/redact.hpp"

#include <boost/json/serialize.hpp>

namespace bwconf {

namespace json = boost::json;

json::object error_object(const bwvoice::error_code& ec, const bwvoice::Diagnostics& diag,
                          const std::vector<std::string>& secrets) {
    const std::string& message = diag.message.empty() ? ec.message() : diag.message;
    json::object error;
    error["code"] = bwvoice::to_string(bwvoice::to_errc(ec));
    if (diag.http_status)
        error["status"] = *diag.http_status;
    else
        error["status"] = nullptr;
    error["message"] = redact(message, secrets);
    return error;
}

json::object error_object(bwvoice::errc code, const std::string& message) {
    json::object error;
    error["code"] = bwvoice::to_string(code);
    error["status"] = nullptr;
    error["message"] = message;
    return error;
}

std::string error_line(json::object fields, json::object error) {
    fields["error"] = std::move(error);
    return json_line(fields);
}

std::string json_line(const json::object& o) {
    std::string text = json::serialize(o);
    text += '\n';
    return text;
}

std::string failure_line(const std::string& id, const bwvoice::error_code& ec, const bwvoice::Diagnostics& diag,
                         const std::vector<std::string>& secrets) {
    return error_line({{"id", id}}, error_object(ec, diag, secrets));
}

std::string failure_line(const std::string& id, bwvoice::errc code, const std::string& message) {
    return error_line({{"id", id}}, error_object(code, message));
}

}  // namespace bwconf
