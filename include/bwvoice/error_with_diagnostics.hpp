// bwvoice: the exception a failed operation throws through with_diagnostics.
#ifndef BWVOICE_ERROR_WITH_DIAGNOSTICS_HPP
#define BWVOICE_ERROR_WITH_DIAGNOSTICS_HPP

#include <bwvoice/detail/control_escape.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>

#include <boost/config.hpp>
#include <boost/system/system_error.hpp>

#include <string>
#include <utility>

namespace bwvoice {

/// A boost::system::system_error that also carries the failed operation's
/// Diagnostics: what a ConferenceClient operation throws when its completion
/// token is wrapped in with_diagnostics (the default token is). Code that
/// catches boost::system::system_error (or std::exception) still catches it,
/// and code() is the same bwvoice::errc (or asio::error::operation_aborted).
///
/// what() is Boost.System's "<details>: <message> [bwvoice:<value>]", where the
/// details are the client's Diagnostics::message, then whatever of the HTTP
/// status, the API's error type and its description the message does not
/// already say. For example, for an unknown conference:
/// @code
/// HTTP 404: Conference [conf-x] not found; API error type "validation":
///     no such conference, member or recording (HTTP 404) [bwvoice:4]
/// @endcode
/// (one line: the server's control characters written as escapes, as in
/// Diagnostics::message). Like Diagnostics, it never holds credentials, tokens or
/// request headers.
///
/// @par Thread-safety
/// Distinct objects: safe. Shared objects: const members are safe.
class BOOST_SYMBOL_VISIBLE error_with_diagnostics : public boost::system::system_error {
public:
    /// `ec` must be a failure (not a success code).
    error_with_diagnostics(const error_code& ec, Diagnostics diag)
        : boost::system::system_error(make_base(ec, diag)), diag_(std::move(diag)) {}

    /// What the operation knew about its failure: HTTP status, the API's
    /// error body, the client's message, attempts and retries.
    const Diagnostics& diagnostics() const noexcept { return diag_; }

private:
    static std::string details(const Diagnostics& d) {
        std::string out = d.message;
        auto add = [&out](const std::string& part) {
            if (!out.empty()) out += "; ";
            out += part;
        };
        // The client's message for an HTTP error already names the status and
        // the API's description ("HTTP 404: ..."): say each thing once.
        if (d.http_status) {
            const std::string status = "HTTP " + std::to_string(*d.http_status);
            if (d.message.find(status) == std::string::npos) add(status);
        }
        // The API's strings are the server's: a line break or escape in them
        // must not split or colour a log line that prints what(). Escaped as
        // the client's message quotes them, so the message is found in it.
        std::string type = d.api_error_type;
        std::string description = d.api_error_description;
        detail::escape_control_characters(type);
        detail::escape_control_characters(description);
        if (!type.empty()) add("API error type \"" + type + "\"");
        if (!description.empty() && d.message.find(description) == std::string::npos) add("API error: " + description);
        detail::escape_control_characters(out);  // a message made by hand
        return out;
    }

    static boost::system::system_error make_base(const error_code& ec, const Diagnostics& d) {
        std::string text = details(d);
        return text.empty() ? boost::system::system_error(ec) : boost::system::system_error(ec, text);
    }

    Diagnostics diag_;
};

}  // namespace bwvoice

#endif
