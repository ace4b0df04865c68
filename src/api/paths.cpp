#include "api/paths.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <initializer_list>

namespace bwvoice::detail {
namespace {

/// The account's path followed by "/conferences" and the given segments,
/// each percent-encoded whole.
template <class String = OperationString>
String target(const Endpoint& ep, std::initializer_list<std::string_view> segments) {
    std::size_t size = ep.account_path.size() + 12;
    for (std::string_view s : segments) size += 1 + boost::urls::encoded_size(s, boost::urls::unreserved_chars);
    String out;
    out.reserve(size);
    out.append(ep.account_path).append("/conferences");
    for (std::string_view s : segments) {
        out.push_back('/');
        boost::urls::encode(s, boost::urls::unreserved_chars, {}, boost::urls::string_token::append_to(out));
    }
    return out;
}

}  // namespace

std::string refusal_of_segment(std::string_view id, std::string_view what) {
    if (id.empty()) return "the " + std::string(what) + " ID is empty; nothing was sent";
    if (id == "." || id == "..") return "'.' and '..' are not " + std::string(what) + " IDs; nothing was sent";
    return {};
}

std::string refusal_of_query(const ConferenceQuery& query) {
    if (query.page_size && (*query.page_size < 1 || *query.page_size > 1000))
        return "pageSize must be 1 to 1000; nothing was sent";
    return {};
}

std::string conferences_target(const Endpoint& ep, const ConferenceQuery& query) {
    // Every value percent-encoded but for unreserved characters and ':'. A
    // '+' above all must be encoded: servers (the mock, form decoders) read a
    // raw '+' in a query as a space, and "...T10:00:00+01:00" must arrive as given.
    constexpr boost::urls::grammar::lut_chars value_chars = boost::urls::unreserved_chars + ':';
    std::string out = target<std::string>(ep, {});
    char separator = '?';
    const auto add = [&](std::string_view key, std::string_view value) {
        out.push_back(separator);
        separator = '&';
        out.append(key).push_back('=');
        boost::urls::encode(value, value_chars, {}, boost::urls::string_token::append_to(out));
    };
    if (query.name) add("name", *query.name);
    if (query.min_created_time) add("minCreatedTime", *query.min_created_time);
    if (query.max_created_time) add("maxCreatedTime", *query.max_created_time);
    if (query.page_size) add("pageSize", std::to_string(*query.page_size));
    return out;
}

OperationString conference_target(const Endpoint& ep, std::string_view conference_id) {
    return target(ep, {conference_id});
}

OperationString bxml_target(const Endpoint& ep, std::string_view conference_id) {
    return target(ep, {conference_id, "bxml"});
}

OperationString member_target(const Endpoint& ep, std::string_view conference_id, std::string_view member_id) {
    return target(ep, {conference_id, "members", member_id});
}

OperationString recordings_target(const Endpoint& ep, std::string_view conference_id) {
    return target(ep, {conference_id, "recordings"});
}

OperationString recording_target(const Endpoint& ep, std::string_view conference_id, std::string_view recording_id) {
    return target(ep, {conference_id, "recordings", recording_id});
}

OperationString media_target(const Endpoint& ep, std::string_view conference_id, std::string_view recording_id) {
    return target(ep, {conference_id, "recordings", recording_id, "media"});
}

}  // namespace bwvoice::detail
