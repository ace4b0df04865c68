// bwvoice: the changes the API accepts: a conference update (`updateConference`)
// and a member update (`updateConferenceMember`), with their JSON bodies.
#ifndef BWVOICE_CHANGES_HPP
#define BWVOICE_CHANGES_HPP

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bwvoice {

/// `conferenceStateEnum`.
enum class ConferenceStatus { active, completed };
/// `redirectMethodEnum`.
enum class RedirectMethod { get, post };

std::string_view to_string(ConferenceStatus s) noexcept;  ///< "active", "completed"
std::string_view to_string(RedirectMethod m) noexcept;    ///< "GET", "POST"

/// Update Conference (POST). Only the fields set are sent, and no default is
/// filled in: `{.status = ConferenceStatus::completed}` sends
/// `{"status":"completed"}` and nothing else.
///
/// The API's rules, checked before anything is sent (a violation is
/// errc::bad_request with nothing sent): while the conference stays active
/// (status absent or `active`, the API's default) `redirect_url` is required;
/// with status `completed`, none of `redirect_url`, `redirect_method`,
/// `redirect_fallback_url` may be set. The four credentials are at most 1024
/// characters each.
struct ConferenceUpdate {
    std::optional<ConferenceStatus> status;
    std::optional<std::string> redirect_url;
    std::optional<RedirectMethod> redirect_method;
    /// Basic credentials Bandwidth uses for the redirect webhook. Never
    /// appear in errors, Diagnostics or logs.
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::optional<std::string> redirect_fallback_url;
    std::optional<RedirectMethod> redirect_fallback_method;
    std::optional<std::string> fallback_username;
    std::optional<std::string> fallback_password;

    friend bool operator==(const ConferenceUpdate&, const ConferenceUpdate&) = default;
};

/// Why `u` breaks the API's rules (named after the JSON fields), or "" if it does not.
std::string check_update(const ConferenceUpdate& u);

/// The JSON body: exactly the fields set, with the API's names.
std::string to_json(const ConferenceUpdate& u);

/// Update Conference Member (PUT). Only the fields set are sent; an omitted
/// field is left unchanged by the API. `call_ids_to_coach` set to an empty
/// list clears it. At least one field must be set (else errc::bad_request,
/// nothing sent).
struct MemberUpdate {
    std::optional<bool> mute;
    std::optional<bool> hold;
    std::optional<std::vector<std::string>> call_ids_to_coach;

    friend bool operator==(const MemberUpdate&, const MemberUpdate&) = default;
};

/// Why `u` cannot be sent, or "" if it can.
std::string check_update(const MemberUpdate& u);

/// The JSON body: exactly the fields set.
std::string to_json(const MemberUpdate& u);

}  // namespace bwvoice

#endif
