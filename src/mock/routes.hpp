// The normal (unscripted) answers of the nine conference operations.
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

/// A JSON request body that must be an object: 415 unless Content-Type is
/// application/json, 400 unless the body parses as an object.
std::variant<boost::json::object, Response> json_object_body(const Request& request);

/// 200 with a JSON body.
Response json_ok(std::string body);

}  // namespace bwvoice::mock::detail

#endif
