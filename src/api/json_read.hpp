// bwvoice: what every DOM decoder of the API's models shares: where a field
// is (for the message), and reading one field of an object by its rules.
//
// The rules, for every model: a required field must be present and not null;
// an optional one may be absent or null (the same thing); a field that is
// present must have the right type. A failure returns errc::bad_response and,
// if `why` is given, replaces it with "<path>: <problem>", for example
// "activeMembers[1].callId: missing" or "[3].createdTime: not a valid
// date-time" ("top level: ..." for the document itself).
#ifndef BWVOICE_API_JSON_READ_HPP
#define BWVOICE_API_JSON_READ_HPP

#include <bwvoice/conference.hpp>
#include <bwvoice/error.hpp>

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bwvoice::json_read {

/// Where a field lives, built into a message only when something is wrong,
/// so the successful path never allocates for it.
struct Path {
    const Path* parent = nullptr;
    std::string_view key;  // empty for an array element
    std::size_t index = 0;

    void append_to(std::string& out) const;
};

inline Path field(const Path& parent, std::string_view key) noexcept {
    return {&parent, key, 0};
}
inline Path element(const Path& parent, std::size_t index) noexcept {
    return {&parent, {}, index};
}

/// Reports a decoding failure at `at`; always returns errc::bad_response.
error_code fail(std::string* why, const Path& at, std::string_view problem);

/// A present, non-null field, or nullptr for absent and null alike.
inline const boost::json::value* present(const boost::json::object& o, std::string_view key) noexcept {
    const boost::json::value* v = o.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

error_code required_string(const boost::json::object& o, const Path& at, std::string_view key, std::string& out,
                           std::string* why);
error_code optional_string(const boost::json::object& o, const Path& at, std::string_view key,
                           std::optional<std::string>& out, std::string* why);
error_code optional_bool(const boost::json::object& o, const Path& at, std::string_view key, std::optional<bool>& out,
                         std::string* why);
/// A JSON integer (not 1.0, not 1e0) within std::int32_t.
error_code optional_int32(const boost::json::object& o, const Path& at, std::string_view key,
                          std::optional<std::int32_t>& out, std::string* why);
/// A string that parse_timestamp accepts.
error_code required_timestamp(const boost::json::object& o, const Path& at, std::string_view key, Timestamp& out,
                              std::string* why);
error_code optional_timestamp(const boost::json::object& o, const Path& at, std::string_view key,
                              std::optional<Timestamp>& out, std::string* why);

/// Parses the whole text as one JSON document into `out`, with out's memory
/// resource. A syntax error is errc::bad_response with "invalid JSON: <reason>".
error_code parse_document(std::string_view text, boost::json::value& out, std::string* why);

/// Decodes a JSON array whose every element decodes with
/// `decode(const json::value&, const Path&, T&, std::string*)`; an element's
/// failure names it ("[3].createdTime: ..."). `out` is untouched on failure.
template <class T, class Decode>
error_code array_of(const boost::json::value& v, std::vector<T>& out, std::string* why, Decode decode) {
    const Path root{};
    if (!v.is_array()) return fail(why, root, "expected an array");
    const boost::json::array& a = v.get_array();
    std::vector<T> items(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        if (auto ec = decode(a[i], element(root, i), items[i], why)) return ec;
    out = std::move(items);
    return {};
}

}  // namespace bwvoice::json_read

#endif
