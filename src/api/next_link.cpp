#include "api/next_link.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <cctype>

namespace bwvoice::detail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

void skip_spaces(std::string_view& s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

/// The value of one link-param: a token or a quoted-string (unquoted, with
/// its escapes removed); consumes it from `s`.
std::string param_value(std::string_view& s) {
    std::string value;
    if (!s.empty() && s.front() == '"') {
        s.remove_prefix(1);
        while (!s.empty() && s.front() != '"') {
            if (s.front() == '\\' && s.size() > 1) s.remove_prefix(1);
            value.push_back(s.front());
            s.remove_prefix(1);
        }
        if (!s.empty()) s.remove_prefix(1);
        return value;
    }
    while (!s.empty() && s.front() != ';' && s.front() != ',') {
        value.push_back(s.front());
        s.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    return value;
}

/// Whether a rel value (space-separated relation types) includes "next".
bool has_next(std::string_view rel) {
    while (!rel.empty()) {
        const auto end = rel.find(' ');
        if (iequals(rel.substr(0, end), "next")) return true;
        if (end == std::string_view::npos) break;
        rel.remove_prefix(end + 1);
    }
    return false;
}

/// The URI-reference of the first link with rel "next"; nullopt when there
/// is none; "" with `malformed` set when the field cannot be read.
std::optional<std::string> next_reference(std::string_view s, bool& malformed) {
    for (;;) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == ',')) s.remove_prefix(1);
        if (s.empty()) return std::nullopt;
        if (s.front() != '<') break;
        const auto close = s.find('>');
        if (close == std::string_view::npos) break;
        const std::string_view reference = s.substr(1, close - 1);
        s.remove_prefix(close + 1);
        bool next = false;
        for (;;) {
            skip_spaces(s);
            if (s.empty() || s.front() == ',') break;
            if (s.front() != ';') {
                malformed = true;
                return std::string();
            }
            s.remove_prefix(1);
            skip_spaces(s);
            std::string_view name = s.substr(0, std::min(s.find_first_of("=;, \t"), s.size()));
            s.remove_prefix(name.size());
            skip_spaces(s);
            std::string value;
            if (!s.empty() && s.front() == '=') {
                s.remove_prefix(1);
                skip_spaces(s);
                value = param_value(s);
            }
            if (iequals(name, "rel") && has_next(value)) next = true;
        }
        if (next) return std::string(reference);
    }
    malformed = true;
    return std::string();
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

NextPage next_page(std::string_view link_values, const Endpoint& ep, std::string_view current_target) {
    NextPage page;
    bool malformed = false;
    const auto reference = next_reference(link_values, malformed);
    if (malformed) {
        page.refusal = "the Link header of the page cannot be read";
        return page;
    }
    if (!reference) return page;

    const auto ref = boost::urls::parse_uri_reference(*reference);
    const std::string base_text =
        std::string(ep.tls ? "https://" : "http://") + ep.host_header + std::string(current_target);
    const auto base = boost::urls::parse_uri(base_text);  // a view: base_text must outlive it
    if (!ref || !base) {
        page.refusal = "the next page's link is not a URL";
        return page;
    }
    boost::urls::url next;
    if (!boost::urls::resolve(*base, *ref, next)) {
        page.refusal = "the next page's link is not a URL";
        return page;
    }
    const bool same_scheme = iequals(next.scheme(), ep.tls ? "https" : "http");
    const std::string port = next.has_port() ? std::string(next.port()) : (same_scheme ? ep.port : std::string());
    if (!same_scheme || lower(next.host_address()) != lower(ep.host) || port != ep.port || next.has_userinfo()) {
        // The URL is the server's text: it names no credential of ours.
        page.refusal = "the next page's link points elsewhere (" + std::string(next.scheme()) + "://" +
                       std::string(next.encoded_host_and_port()) + "): not followed";
        return page;
    }
    // Dot segments are resolved by now: what is left must be the listing
    // itself, byte for byte, not another account, API version or (behind a
    // path-routed proxy) another backend of the same origin. A percent-encoded
    // dot segment is not this path either, so it is refused too.
    const std::string listing = ep.account_path + "/conferences";
    if (next.encoded_path() != listing) {
        page.refusal = "the next page's link leaves the listing (path '" + std::string(next.encoded_path()) +
                       "', not '" + listing + "'): not followed";
        return page;
    }
    std::string target(next.encoded_path());
    if (next.has_query()) target.append("?").append(next.encoded_query());
    if (target == current_target) {
        // Following it would fetch the same page again, and again.
        page.refusal = "the next page's link is the page just fetched (" + target + "): not followed";
        return page;
    }
    page.target = std::move(target);
    return page;
}

}  // namespace bwvoice::detail
