// bwvoice: the JSON bodies of Update Conference and Update Conference Member.
//
// Exactly the fields the caller set, in the schema's order, and nothing
// else: no schema default is filled in (the Python SDK sends status "active"
// and both methods "POST" unasked; a completed conference then carries a
// redirectMethod the API forbids). Boost.JSON writes the text, escapes
// included. Whether the update obeys the API's rules is check_update's
// business (changes_check.cpp), not this file's.
#include <bwvoice/changes.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace bwvoice {
namespace {

namespace json = boost::json;

void put(json::object& o, std::string_view key, const std::optional<std::string>& s) {
    if (s) o.emplace(key, *s);
}

template <class Enum>
void put(json::object& o, std::string_view key, const std::optional<Enum>& e) {
    if (e) o.emplace(key, to_string(*e));
}

}  // namespace

std::string to_json(const ConferenceUpdate& u) {
    json::object o;
    put(o, "status", u.status);
    put(o, "redirectUrl", u.redirect_url);
    put(o, "redirectMethod", u.redirect_method);
    put(o, "username", u.username);
    put(o, "password", u.password);
    put(o, "redirectFallbackUrl", u.redirect_fallback_url);
    put(o, "redirectFallbackMethod", u.redirect_fallback_method);
    put(o, "fallbackUsername", u.fallback_username);
    put(o, "fallbackPassword", u.fallback_password);
    return json::serialize(o);
}

std::string to_json(const MemberUpdate& u) {
    json::object o;
    if (u.mute) o.emplace("mute", *u.mute);
    if (u.hold) o.emplace("hold", *u.hold);
    if (u.call_ids_to_coach) {
        json::array& calls = o.emplace("callIdsToCoach", json::array()).first->value().get_array();
        calls.reserve(u.call_ids_to_coach->size());
        for (const auto& id : *u.call_ids_to_coach) calls.emplace_back(id);
    }
    return json::serialize(o);
}

}  // namespace bwvoice
