/// @file
/// The changes the API accepts: a conference update (`updateConference`)
/// and a member update (`updateConferenceMember`), with their JSON bodies.
#ifndef BWVOICE_CHANGES_HPP
#define BWVOICE_CHANGES_HPP

#include <bwvoice/export.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bwvoice {

/// `conferenceStateEnum`: the status ConferenceUpdate::status sets.
enum class ConferenceStatus {
    active,     ///< `active`: the conference goes on (the API's default).
    completed,  ///< `completed`: ends the conference and ejects every member.
};
/// `redirectMethodEnum`: the HTTP method of the redirect webhook (the API's
/// default is POST).
enum class RedirectMethod {
    get,   ///< `GET`
    post,  ///< `POST`
};

BWVOICE_API std::string_view to_string(ConferenceStatus s) noexcept;  ///< "active", "completed"
BWVOICE_API std::string_view to_string(RedirectMethod m) noexcept;    ///< "GET", "POST"

/// Update Conference (POST). Only the fields set are sent, and no default is
/// filled in: `{.status = ConferenceStatus::completed}` sends
/// `{"status":"completed"}` and nothing else. (Every member has a default
/// member initializer so that designated initializers naming only some
/// fields compile without -Wmissing-field-initializers warnings.)
///
/// The API's rules, checked before anything is sent (a violation is
/// errc::bad_request with nothing sent). check_update checks exactly these,
/// in this order, and reports the first one broken:
///  1. with status `completed`, none of `redirect_url`, `redirect_method`,
///     `redirect_fallback_url`, `redirect_fallback_method` may be set (the
///     last because it is a `redirectMethodEnum`, which the spec says is
///     "not allowed if state is completed");
///  2. while the conference stays active (status absent or `active`, the
///     API's default) `redirect_url` is required;
///  3. `redirect_url` and `redirect_fallback_url`, when set, are URIs with a
///     scheme (RFC 3986 `URI`, the schema's `format: uri`);
///  4. the four credentials are at most 1024 characters (Unicode code
///     points, as the schema's maxLength counts) each;
///  5. every string is well-formed UTF-8 (JSON text must be).
/// Not checked, because the spec does not forbid them: a fallback method or
/// fallback credentials without a fallback URL, credentials without a
/// redirect URL or with status `completed`, an empty credential.
struct ConferenceUpdate {
    /// `status`: `completed` ends the conference; absent, or `active`, keeps
    /// it going (and then redirect_url is required).
    std::optional<ConferenceStatus> status{};
    /// `redirectUrl`: where Bandwidth sends the `conferenceRedirect` webhook
    /// that answers with new BXML. Required while the conference stays
    /// active, not allowed with status `completed`.
    std::optional<std::string> redirect_url{};
    /// `redirectMethod`: the method of that webhook.
    std::optional<RedirectMethod> redirect_method{};
    /// `username`: Basic credentials Bandwidth uses for the redirect webhook.
    /// Never appear in errors, Diagnostics or logs (nor does password).
    std::optional<std::string> username{};
    /// `password`: see username.
    std::optional<std::string> password{};
    /// `redirectFallbackUrl`: tried when redirect_url does not answer.
    std::optional<std::string> redirect_fallback_url{};
    /// `redirectFallbackMethod`: the method of the fallback webhook.
    std::optional<RedirectMethod> redirect_fallback_method{};
    /// `fallbackUsername`: Basic credentials for the fallback webhook, never
    /// shown either (nor is fallback_password).
    std::optional<std::string> fallback_username{};
    /// `fallbackPassword`: see fallback_username.
    std::optional<std::string> fallback_password{};

    /// Field by field.
    friend bool operator==(const ConferenceUpdate&, const ConferenceUpdate&) = default;
};

/// Why `u` breaks the API's rules, or "" if it does not: the first rule
/// broken, as "<JSON field>: <rule>" ("redirectUrl: required unless status
/// is completed", "password: longer than 1024 characters"). The message
/// never contains a value (the passwords, or a URL's own credentials).
BWVOICE_API std::string check_update(const ConferenceUpdate& u);

/// The JSON body: exactly the fields set, with the API's names, in the
/// schema's order. It does not call check_update.
BWVOICE_API std::string to_json(const ConferenceUpdate& u);

/// Update Conference Member (PUT). Only the fields set are sent; an omitted
/// field is left unchanged by the API. `call_ids_to_coach` set to an empty
/// list clears it. At least one field must be set, and the call IDs must be
/// well-formed UTF-8 (else errc::bad_request, nothing sent).
struct MemberUpdate {
    /// `mute`: a muted member still hears the others.
    std::optional<bool> mute{};
    /// `hold`: a member on hold neither hears nor speaks.
    std::optional<bool> hold{};
    /// `callIdsToCoach`: the calls this member coaches (replaces the list;
    /// it does not add those calls to the conference).
    std::optional<std::vector<std::string>> call_ids_to_coach{};

    /// Field by field.
    friend bool operator==(const MemberUpdate&, const MemberUpdate&) = default;
};

/// Why `u` cannot be sent, or "" if it can ("nothing to update: set mute,
/// hold or callIdsToCoach", "callIdsToCoach[2]: not valid UTF-8").
BWVOICE_API std::string check_update(const MemberUpdate& u);

/// The JSON body: exactly the fields set.
BWVOICE_API std::string to_json(const MemberUpdate& u);

}  // namespace bwvoice

#endif
