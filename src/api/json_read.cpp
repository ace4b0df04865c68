// bwvoice: the field readers every DOM decoder shares (json_read.hpp).
#include "api/json_read.hpp"

#include <boost/json/parse.hpp>

#include <limits>

namespace bwvoice::json_read {

namespace json = boost::json;

void Path::append_to(std::string& out) const {
    if (parent) parent->append_to(out);
    if (!key.empty()) {
        if (!out.empty()) out += '.';
        out.append(key);
    } else if (parent) {
        out += '[';
        out += std::to_string(index);
        out += ']';
    }
}

error_code fail(std::string* why, const Path& at, std::string_view problem) {
    if (why) {
        why->clear();
        at.append_to(*why);
        if (why->empty()) why->assign("top level");
        why->append(": ").append(problem);
    }
    return errc::bad_response;
}

error_code required_string(const json::object& o, const Path& at, std::string_view key, std::string& out,
                           std::string* why) {
    const json::value* v = o.if_contains(key);
    if (!v) return fail(why, field(at, key), "missing");
    if (!v->is_string()) return fail(why, field(at, key), "expected a string");
    const json::string& s = v->get_string();
    out.assign(s.data(), s.size());
    return {};
}

error_code optional_string(const json::object& o, const Path& at, std::string_view key, std::optional<std::string>& out,
                           std::string* why) {
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_string()) return fail(why, field(at, key), "expected a string");
    const json::string& s = v->get_string();
    out.emplace(s.data(), s.size());
    return {};
}

error_code optional_bool(const json::object& o, const Path& at, std::string_view key, std::optional<bool>& out,
                         std::string* why) {
    const json::value* v = present(o, key);
    if (!v) return {};
    if (!v->is_bool()) return fail(why, field(at, key), "expected a boolean");
    out = v->get_bool();
    return {};
}

error_code optional_int32(const json::object& o, const Path& at, std::string_view key, std::optional<std::int32_t>& out,
                          std::string* why) {
    const json::value* v = present(o, key);
    if (!v) return {};
    constexpr std::int64_t lowest = std::numeric_limits<std::int32_t>::min();
    constexpr std::int64_t highest = std::numeric_limits<std::int32_t>::max();
    if (v->is_int64()) {
        const std::int64_t n = v->get_int64();
        if (n < lowest || n > highest) return fail(why, field(at, key), "out of range");
        out = static_cast<std::int32_t>(n);
        return {};
    }
    // Boost.JSON keeps integers above INT64_MAX as uint64: out of range too.
    if (v->is_uint64()) return fail(why, field(at, key), "out of range");
    return fail(why, field(at, key), "expected an integer");
}

namespace {
error_code timestamp_value(const json::value& v, const Path& at, Timestamp& out, std::string* why) {
    if (!v.is_string()) return fail(why, at, "expected a string");
    const json::string& s = v.get_string();
    const auto t = parse_timestamp({s.data(), s.size()});
    if (!t) return fail(why, at, "not a valid date-time");
    out = *t;
    return {};
}
}  // namespace

error_code required_timestamp(const json::object& o, const Path& at, std::string_view key, Timestamp& out,
                              std::string* why) {
    const json::value* v = o.if_contains(key);
    if (!v) return fail(why, field(at, key), "missing");
    return timestamp_value(*v, field(at, key), out, why);
}

error_code optional_timestamp(const json::object& o, const Path& at, std::string_view key,
                              std::optional<Timestamp>& out, std::string* why) {
    const json::value* v = present(o, key);
    if (!v) return {};
    Timestamp t{};
    if (auto ec = timestamp_value(*v, field(at, key), t, why)) return ec;
    out = t;
    return {};
}

error_code parse_document(std::string_view text, json::value& out, std::string* why) {
    // Not the throwing parse: a syntax error is an answer, not an exception
    // to unwind through a lookup. Same storage, so the assignment moves.
    json::error_code ec;
    out = json::parse(text, ec, out.storage());
    if (ec) {
        if (why) *why = "invalid JSON: " + ec.message();
        return errc::bad_response;
    }
    return {};
}

}  // namespace bwvoice::json_read
