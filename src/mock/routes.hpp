// The normal (unscripted) answers of the nine conference operations and of
// the OAuth token endpoint.
#ifndef BWVOICE_MOCK_ROUTES_HPP
#define BWVOICE_MOCK_ROUTES_HPP

#include "mock/http.hpp"
#include "mock/router.hpp"
#include "mock/state.hpp"

#include <boost/json/object.hpp>

#include <string_view>
#include <variant>

namespace bwvoice::mock::detail {

struct Context {
    ServerState& state;
    const Request& request;
    const Route& route;
    bool tls;
};

/// Credentials, path, method and account checked in that order (401, 404 or
/// 400, 405, 403), then the route family's handler. Changes happen here.
/// The token path goes to token_endpoint, which checks its own.
Response handle(const Context& ctx);

// routes_conferences.cpp
Response list_conferences(const Context& ctx);
Response get_conference(const Context& ctx);
Response update_conference(const Context& ctx);
Response update_conference_bxml(const Context& ctx);
// routes_members.cpp
Response get_member(const Context& ctx);
Response update_member(const Context& ctx);
// routes_recordings.cpp
Response list_recordings(const Context& ctx);
Response get_recording(const Context& ctx);
Response download_media(const Context& ctx);
// routes_token.cpp
/// POST /api/v1/oauth2/token: client credentials in, a Bearer token out
/// (see ServerOptions::client_id); a 404 where OAuth is off or !token_endpoint.
Response token_endpoint(const Context& ctx);
/// What a scripted status without a body sends on the token route: an OAuth
/// error body ({"error":...}) rather than the API's.
Response token_error_response(unsigned status);
/// Whether the Authorization header carries credentials the API paths take:
/// Basic username/password (when accept_basic) or a Bearer token the
/// server's authority finds valid. Counts a refused Bearer token.
bool api_credentials_ok(const Context& ctx);

/// A JSON request body that must be an object: 415 unless Content-Type is
/// application/json, 400 unless the body parses as an object.
std::variant<boost::json::object, Response> json_object_body(const Request& request);

/// 200 with a JSON body.
Response json_ok(std::string body);

}  // namespace bwvoice::mock::detail

#endif
