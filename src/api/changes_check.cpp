// bwvoice: check_update, the API's rules for an update checked before
// anything is sent (the list is in changes.hpp).
//
// Messages name the JSON field and the rule, never a value: the values
// include the redirect webhooks' passwords, and a URL may carry credentials
// of its own.
#include <bwvoice/changes.hpp>

#include <boost/url/parse.hpp>

#include <cstddef>
#include <cstdint>

namespace bwvoice {
namespace {

/// The number of characters (Unicode scalar values) of well-formed UTF-8
/// text (RFC 3629: no overlong forms, no surrogates, nothing past
/// U+10FFFF), or nullopt if the text is not well-formed.
std::optional<std::size_t> utf8_length(std::string_view s) noexcept {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size(); ++count) {
        const auto lead = static_cast<unsigned char>(s[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        struct Form {
            unsigned char mask, bits;  // the lead byte's marker
            std::size_t extra;         // continuation bytes
            std::uint32_t lowest;      // the least code point this length may encode
        };
        static constexpr Form forms[] = {{0xe0, 0xc0, 1, 0x80}, {0xf0, 0xe0, 2, 0x800}, {0xf8, 0xf0, 3, 0x10000}};
        const Form* form = nullptr;
        for (const Form& f : forms)
            if ((lead & f.mask) == f.bits) form = &f;
        if (!form) return std::nullopt;  // a continuation byte, or 0xf8..0xff
        const std::size_t extra = form->extra;
        std::uint32_t cp = lead & static_cast<unsigned char>(~form->mask);
        const std::uint32_t lowest = form->lowest;
        if (s.size() - i <= extra) return std::nullopt;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xc0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (c & 0x3fu);
        }
        if (cp < lowest || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
        i += extra + 1;
    }
    return count;
}

constexpr std::size_t max_credential_chars = 1024;  // the schema's maxLength

/// "" or "<field>: <problem>" for a string the API receives as JSON text.
std::string check_text(std::string_view field, const std::optional<std::string>& value) {
    if (value && !utf8_length(*value)) return std::string(field) + ": not valid UTF-8";
    return {};
}

std::string check_credential(std::string_view field, const std::optional<std::string>& value) {
    if (!value) return {};
    const auto length = utf8_length(*value);
    if (!length) return std::string(field) + ": not valid UTF-8";
    if (*length > max_credential_chars) return std::string(field) + ": longer than 1024 characters";
    return {};
}

/// `format: uri`: an RFC 3986 URI, so with a scheme ("https://..."); not a
/// relative reference, not empty.
std::string check_uri(std::string_view field, const std::optional<std::string>& value) {
    if (!value) return {};
    if (auto problem = check_text(field, value); !problem.empty()) return problem;
    if (!boost::urls::parse_uri(*value)) return std::string(field) + ": not an absolute URI";
    return {};
}

}  // namespace

std::string check_update(const ConferenceUpdate& u) {
    const bool completed = u.status == ConferenceStatus::completed;
    if (completed) {
        // redirectFallbackMethod too: it is a redirectMethodEnum, whose
        // definition says "Not allowed if state is completed".
        constexpr std::string_view why = ": not allowed when status is completed";
        if (u.redirect_url) return std::string("redirectUrl").append(why);
        if (u.redirect_method) return std::string("redirectMethod").append(why);
        if (u.redirect_fallback_url) return std::string("redirectFallbackUrl").append(why);
        if (u.redirect_fallback_method) return std::string("redirectFallbackMethod").append(why);
    } else if (!u.redirect_url) {
        return "redirectUrl: required unless status is completed";
    }
    for (auto problem :
         {check_uri("redirectUrl", u.redirect_url), check_credential("username", u.username),
          check_credential("password", u.password), check_uri("redirectFallbackUrl", u.redirect_fallback_url),
          check_credential("fallbackUsername", u.fallback_username),
          check_credential("fallbackPassword", u.fallback_password)})
        if (!problem.empty()) return problem;
    return {};
}

std::string check_update(const MemberUpdate& u) {
    if (!u.mute && !u.hold && !u.call_ids_to_coach) return "nothing to update: set mute, hold or callIdsToCoach";
    if (u.call_ids_to_coach) {
        const auto& calls = *u.call_ids_to_coach;
        for (std::size_t i = 0; i < calls.size(); ++i)
            if (!utf8_length(calls[i])) return "callIdsToCoach[" + std::to_string(i) + "]: not valid UTF-8";
    }
    return {};
}

}  // namespace bwvoice
