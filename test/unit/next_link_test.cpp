// The next page's Link, with no I/O: which links the pager follows, and which
// it refuses (bad_response) because they lead out of the account's listing or
// back to the page just fetched.
#include "api/next_link.hpp"
#include "client/config_check.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace bwvoice;
using namespace bwvoice::detail;

namespace {

Endpoint endpoint(const std::string& base_url = "https://voice.bandwidth.com/api/v2") {
    ClientConfig c;
    c.account_id = "9900000";
    c.username = "u";
    c.password = "p";
    c.base_url = base_url;
    return check_config(c).api;
}

const std::string kListing = "/api/v2/accounts/9900000/conferences";
const std::string kFirst = kListing + "?pageSize=2";

std::string next(const std::string& reference) {
    return "<" + reference + ">; rel=\"next\"";
}

/// The target followed; fails the test when the link is refused.
std::string followed(const std::string& link, const Endpoint& ep = endpoint(), const std::string& current = kFirst) {
    const NextPage page = next_page(link, ep, current);
    BOOST_TEST(page.refusal == "", link);
    BOOST_TEST_REQUIRE(page.target.has_value(), link);
    return *page.target;
}

/// The refusal; fails the test when the link is followed.
std::string refused(const std::string& link, const Endpoint& ep = endpoint(), const std::string& current = kFirst) {
    const NextPage page = next_page(link, ep, current);
    BOOST_TEST(!page.target.has_value(), link << " followed as " << page.target.value_or(""));
    BOOST_TEST(page.refusal != "", link);
    return page.refusal;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(next_link)

BOOST_AUTO_TEST_CASE(a_link_within_the_listing_is_followed) {
    BOOST_TEST(followed(next("https://voice.bandwidth.com" + kListing + "?pageSize=2&pageToken=abc")) ==
               kListing + "?pageSize=2&pageToken=abc");
    BOOST_TEST(followed(next(kListing + "?pageToken=abc")) == kListing + "?pageToken=abc");
    BOOST_TEST(followed(next("?pageToken=abc")) == kListing + "?pageToken=abc", "relative to the page fetched");
    BOOST_TEST(followed(next("conferences?pageToken=abc")) == kListing + "?pageToken=abc");
    BOOST_TEST(followed("<https://voice.bandwidth.com:443" + kListing + "?pageToken=abc>; rel=\"prev next\"") ==
               kListing + "?pageToken=abc");
    // Dot segments that resolve back into the listing: the resolved path is sent.
    BOOST_TEST(followed(next("/api/v2/accounts/1234567/../9900000/conferences?pageToken=abc")) ==
               kListing + "?pageToken=abc");
    BOOST_TEST(followed(next("./conferences?pageToken=abc")) == kListing + "?pageToken=abc");
    // A fragment is not sent.
    BOOST_TEST(followed(next("?pageToken=abc#top")) == kListing + "?pageToken=abc");
    // No next link: the last page.
    const NextPage last = next_page("<" + kListing + "?pageToken=a>; rel=\"prev\"", endpoint(), kFirst);
    BOOST_TEST(!last.target.has_value());
    BOOST_TEST(last.refusal == "");
    BOOST_TEST(!next_page("", endpoint(), kFirst).target.has_value());
}

BOOST_AUTO_TEST_CASE(dot_segments_out_of_the_listing_are_refused) {
    // Review item 9's two links: another account, another API version.
    auto why = refused(next("../1234567/conferences"));
    BOOST_TEST(contains(why, "/api/v2/accounts/1234567/conferences"), why);
    BOOST_TEST(contains(why, "not followed"), why);
    why = refused(next("https://voice.bandwidth.com/api/v2/accounts/9900000/../../../v1/accounts/1234567/conferences"));
    BOOST_TEST(contains(why, "/api/v1/accounts/1234567/conferences"), why);
    refused(next("/api/v2/accounts/9900000/conferences/../../1234567/conferences?pageToken=abc"));
    refused(next("../../../v1/accounts/9900000/conferences"));
    refused(next("/api/v2/accounts/9900000/conferences/.."));
    refused(next("/api/v2/accounts/9900000/conferences/."), endpoint(), kListing);  // ".../conferences/"
}

BOOST_AUTO_TEST_CASE(percent_encoded_dot_segments_are_resolved_then_checked) {
    // Servers decode %2E before resolving dot segments, and so does
    // Boost.URL's resolve: an encoded dot segment that leaves the listing is
    // refused like a plain one.
    for (const std::string& link :
         std::vector<std::string>{"/api/v2/accounts/9900000/%2E%2E/1234567/conferences",
                                  "/api/v2/accounts/9900000/%2e%2e/1234567/conferences?pageToken=abc",
                                  "/api/v2/accounts/9900000/.%2E/1234567/conferences", "%2E%2E/1234567/conferences",
                                  "%2E%2E/%2E%2E/%2E%2E/v1/accounts/9900000/conferences",
                                  "/api/v2/accounts/9900000/conferences/%2E%2E/%2E%2E/1234567/conferences"}) {
        BOOST_TEST_CONTEXT(link) {
            const auto why = refused(next(link));
            BOOST_TEST(contains(why, "leaves the listing"), why);
        }
    }
    // One that resolves back into the listing is sent resolved: the target
    // is the listing's path itself, with no dot segment, encoded or not, for
    // the server to resolve otherwise.
    for (const std::string& link :
         std::vector<std::string>{"/api/v2/accounts/1234567/%2E%2E/9900000/conferences?pageToken=abc",
                                  "/api/v2/accounts/9900000/%2E/conferences?pageToken=abc"}) {
        BOOST_TEST_CONTEXT(link) {
            BOOST_TEST(followed(next(link)) == kListing + "?pageToken=abc");
        }
    }
}

BOOST_AUTO_TEST_CASE(another_account_version_or_resource_is_refused) {
    for (const std::string& link : std::vector<std::string>{
             "/api/v2/accounts/1234567/conferences?pageToken=abc",
             "https://voice.bandwidth.com/api/v2/accounts/1234567/conferences", "/api/v1/accounts/9900000/conferences",
             "/api/v2/accounts/99000001/conferences", "/api/v2/accounts/9900000/conferences/conf-1",
             "/api/v2/accounts/9900000/conferences/", "/api/v2/accounts/9900000/Conferences",
             "/api/v2/accounts/9900000/conferences;x", "/api/v2/accounts/9900000/recordings", "/", ""}) {
        BOOST_TEST_CONTEXT(link) {
            refused(next(link), endpoint(), kFirst);
        }
    }
    // "" resolves to the page just fetched; from the listing's first page
    // without a query, "conferences" is the same page.
    BOOST_TEST(contains(refused(next(""), endpoint(), kListing), "page just fetched"));
}

BOOST_AUTO_TEST_CASE(a_base_url_with_a_path_prefix_keeps_its_prefix) {
    // Behind a path-routed proxy, a link without the prefix would reach
    // another backend of the same origin with the credentials.
    const Endpoint ep = endpoint("https://proxy.example.net/bw/api/v2/");
    BOOST_TEST_REQUIRE(ep.account_path == "/bw/api/v2/accounts/9900000");
    const std::string listing = "/bw/api/v2/accounts/9900000/conferences";
    const std::string first = listing + "?pageSize=2";
    BOOST_TEST(followed(next(listing + "?pageToken=abc"), ep, first) == listing + "?pageToken=abc");
    BOOST_TEST(followed(next("https://proxy.example.net" + listing + "?pageToken=abc"), ep, first) ==
               listing + "?pageToken=abc");
    BOOST_TEST(followed(next("?pageToken=abc"), ep, first) == listing + "?pageToken=abc");
    auto why = refused(next(kListing + "?pageToken=abc"), ep, first);  // the prefix left out
    BOOST_TEST(contains(why, "'" + kListing + "'"), why);
    BOOST_TEST(contains(why, "'" + listing + "'"), why);
    refused(next("/other/api/v2/accounts/9900000/conferences?pageToken=abc"), ep, first);
    refused(next("../../../../../api/v2/accounts/9900000/conferences"), ep, first);  // out of /bw
    refused(next("/bw/%2E%2E/api/v2/accounts/9900000/conferences"), ep, first);
    refused(next("/bw/api/v2/accounts/9900000/conferences/../../../../x/api/v2/accounts/9900000/conferences"), ep,
            first);
}

BOOST_AUTO_TEST_CASE(a_link_to_the_page_just_fetched_is_refused) {
    const std::string current = kListing + "?pageSize=2&pageToken=abc";
    for (const std::string& link : std::vector<std::string>{
             current, "https://voice.bandwidth.com" + current, "https://voice.bandwidth.com:443" + current,
             std::string("?pageSize=2&pageToken=abc"), std::string(""), current + "#again",
             "/api/v2/accounts/9900000/x/../conferences?pageSize=2&pageToken=abc"}) {
        BOOST_TEST_CONTEXT(link) {
            const auto why = refused(next(link), endpoint(), current);
            BOOST_TEST(contains(why, "page just fetched"), why);
        }
    }
    // The first page, too.
    BOOST_TEST(contains(refused(next(kFirst)), "page just fetched"));
    // The same path with another token is the next page.
    BOOST_TEST(followed(next(kListing + "?pageSize=2&pageToken=abd"), endpoint(), current) ==
               kListing + "?pageSize=2&pageToken=abd");
}

BOOST_AUTO_TEST_CASE(another_origin_is_still_refused_first) {
    for (const std::string& link :
         std::vector<std::string>{"https://voice.example.net" + kListing, "http://voice.bandwidth.com" + kListing,
                                  "https://voice.bandwidth.com:8443" + kListing,
                                  "https://u:p@voice.bandwidth.com" + kListing, "//voice.example.net" + kListing}) {
        BOOST_TEST_CONTEXT(link) {
            const auto why = refused(next(link));
            BOOST_TEST(contains(why, "points elsewhere"), why);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
