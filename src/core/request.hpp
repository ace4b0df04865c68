// A request as data: what the engine sends and how it may be repeated.
#ifndef BWVOICE_SRC_CORE_REQUEST_HPP
#define BWVOICE_SRC_CORE_REQUEST_HPP

#include <bwvoice/detail/operation_memory.hpp>
#include <bwvoice/observer.hpp>

#include <boost/beast/http/verb.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bwvoice::detail {

/// Whom a request is for, and so which origin and credentials it uses.
enum class Audience {
    api,             ///< The Voice API: Basic credentials or the OAuth token.
    token_endpoint,  ///< The OAuth token endpoint: the client credentials.
};

/// A request's body and what goes with it: only changes (and the token
/// fetch) have one.
struct RequestContent {
    /// The Content-Type.
    std::string_view type{};
    std::string body{};
    /// Secrets of the body (an update's webhook passwords): a server may echo
    /// them in its error, so they are redacted from Diagnostics like the
    /// client's own credentials.
    std::vector<std::string> secrets{};
};

struct Request {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    /// origin-form: path and query, already percent-encoded.
    OperationString target{};
    /// The Accept header's value.
    std::string_view accept = "application/json";
    /// Null for a read: a queued read holds a pointer, not room for a body.
    std::unique_ptr<RequestContent> content{};
    /// A change (POST, PUT): never sent twice once any byte of it may have
    /// reached the server (see ExchangeFsm).
    bool change = false;
    /// The final statuses that complete the request (200 for reads, 204 for
    /// changes); any other is an error of errc_for_status.
    bool (*success)(unsigned status) = nullptr;
    Audience audience = Audience::api;
    /// What the metrics and the observer call it.
    OperationKind kind = OperationKind::get_conference;
};

inline bool status_is_200(unsigned s) noexcept {
    return s == 200;
}
inline bool status_is_204(unsigned s) noexcept {
    return s == 204;
}

}  // namespace bwvoice::detail

#endif
