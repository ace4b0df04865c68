// The changes the API accepts: the JSON bodies of Update Conference and
// Update Conference Member, and the rules checked before either is sent.
#include <bwvoice/changes.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

namespace json = boost::json;
using bwvoice::check_update;
using bwvoice::ConferenceStatus;
using bwvoice::ConferenceUpdate;
using bwvoice::MemberUpdate;
using bwvoice::RedirectMethod;
using bwvoice::to_json;

constexpr std::string_view secret = "S3cr3t-p4ss!";
constexpr std::string_view fallback_secret = "F4llb4ck-s3cr3t";

ConferenceUpdate full_active() {
    return ConferenceUpdate{
        .status = ConferenceStatus::active,
        .redirect_url = "https://hooks.example.net/redirect",
        .redirect_method = RedirectMethod::get,
        .username = "user",
        .password = std::string(secret),
        .redirect_fallback_url = "https://fallback.example.net/redirect",
        .redirect_fallback_method = RedirectMethod::post,
        .fallback_username = "fallback-user",
        .fallback_password = std::string(fallback_secret),
    };
}

std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out.append(s);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(changes)

BOOST_AUTO_TEST_CASE(enum_text) {
    BOOST_TEST(bwvoice::to_string(ConferenceStatus::active) == "active");
    BOOST_TEST(bwvoice::to_string(ConferenceStatus::completed) == "completed");
    BOOST_TEST(bwvoice::to_string(RedirectMethod::get) == "GET");
    BOOST_TEST(bwvoice::to_string(RedirectMethod::post) == "POST");
}

BOOST_AUTO_TEST_SUITE(conference_update_json)

BOOST_AUTO_TEST_CASE(completed_sends_status_and_nothing_else) {
    BOOST_TEST(to_json(ConferenceUpdate{.status = ConferenceStatus::completed}) == R"({"status":"completed"})");
}

BOOST_AUTO_TEST_CASE(no_default_is_filled_in) {
    BOOST_TEST(to_json(ConferenceUpdate{}) == "{}");
    BOOST_TEST(to_json(ConferenceUpdate{.redirect_url = "https://x/r"}) == R"({"redirectUrl":"https://x/r"})");
    BOOST_TEST(to_json(ConferenceUpdate{.status = ConferenceStatus::active, .redirect_url = "https://x/r"}) ==
               R"({"status":"active","redirectUrl":"https://x/r"})");
    BOOST_TEST(to_json(ConferenceUpdate{.redirect_fallback_method = RedirectMethod::get}) ==
               R"({"redirectFallbackMethod":"GET"})");
}

BOOST_AUTO_TEST_CASE(every_field_in_the_schemas_order) {
    BOOST_TEST(to_json(full_active()) ==
               R"({"status":"active","redirectUrl":"https://hooks.example.net/redirect","redirectMethod":"GET",)"
               R"("username":"user","password":"S3cr3t-p4ss!",)"
               R"("redirectFallbackUrl":"https://fallback.example.net/redirect","redirectFallbackMethod":"POST",)"
               R"("fallbackUsername":"fallback-user","fallbackPassword":"F4llb4ck-s3cr3t"})");
}

BOOST_AUTO_TEST_CASE(each_field_alone) {
    const ConferenceUpdate full = full_active();
    const std::vector<std::pair<std::string_view, ConferenceUpdate>> cases{
        {"status", {.status = full.status}},
        {"redirectUrl", {.redirect_url = full.redirect_url}},
        {"redirectMethod", {.redirect_method = full.redirect_method}},
        {"username", {.username = full.username}},
        {"password", {.password = full.password}},
        {"redirectFallbackUrl", {.redirect_fallback_url = full.redirect_fallback_url}},
        {"redirectFallbackMethod", {.redirect_fallback_method = full.redirect_fallback_method}},
        {"fallbackUsername", {.fallback_username = full.fallback_username}},
        {"fallbackPassword", {.fallback_password = full.fallback_password}},
    };
    const json::object all = json::parse(to_json(full)).as_object();
    for (const auto& [key, update] : cases) {
        const json::object one = json::parse(to_json(update)).as_object();
        BOOST_TEST_CONTEXT(key) {
            BOOST_TEST(one.size() == 1u);
            BOOST_TEST(one.contains(key));
            BOOST_TEST((one.at(key) == all.at(key)));
        }
    }
}

BOOST_AUTO_TEST_CASE(strings_are_escaped_by_boost_json) {
    const std::string awkward = "a\"b\\c/d\n\t\x01\x1f caf\xc3\xa9 \xf0\x9f\x8e\xa7 </script>";
    ConferenceUpdate u = full_active();
    u.username = awkward;
    u.password = awkward + "\x7f";
    u.redirect_url = "https://x/r?a=\"1\"&b=\\";
    const json::value v = json::parse(to_json(u));
    BOOST_TEST(v.at("username").as_string() == awkward);
    BOOST_TEST(v.at("password").as_string() == awkward + "\x7f");
    BOOST_TEST(v.at("redirectUrl").as_string() == "https://x/r?a=\"1\"&b=\\");
    BOOST_TEST(to_json(ConferenceUpdate{.username = "\"\n"}) == R"({"username":"\"\n"})");
}

BOOST_AUTO_TEST_CASE(empty_strings_are_sent_as_set) {
    BOOST_TEST(to_json(ConferenceUpdate{.username = "", .password = ""}) == R"({"username":"","password":""})");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(member_update_json)

BOOST_AUTO_TEST_CASE(exactly_the_fields_set) {
    BOOST_TEST(to_json(MemberUpdate{.mute = true}) == R"({"mute":true})");
    BOOST_TEST(to_json(MemberUpdate{.mute = false}) == R"({"mute":false})");
    BOOST_TEST(to_json(MemberUpdate{.hold = true}) == R"({"hold":true})");
    BOOST_TEST(to_json(MemberUpdate{.hold = false}) == R"({"hold":false})");
    // The spec's example update (payload C).
    BOOST_TEST(to_json(MemberUpdate{.mute = false, .hold = true}) == R"({"mute":false,"hold":true})");
    BOOST_TEST(to_json(MemberUpdate{}) == "{}");
    BOOST_TEST(
        to_json(MemberUpdate{.mute = true, .hold = false, .call_ids_to_coach = std::vector<std::string>{"c-1"}}) ==
        R"({"mute":true,"hold":false,"callIdsToCoach":["c-1"]})");
}

BOOST_AUTO_TEST_CASE(coach_list_empty_clears_absent_is_left_alone) {
    BOOST_TEST(to_json(MemberUpdate{.call_ids_to_coach = std::vector<std::string>{}}) == R"({"callIdsToCoach":[]})");
    BOOST_TEST(to_json(MemberUpdate{.call_ids_to_coach = std::vector<std::string>{"c-1", "c-\"2\""}}) ==
               R"({"callIdsToCoach":["c-1","c-\"2\""]})");
    BOOST_TEST(to_json(MemberUpdate{.mute = true}).find("callIdsToCoach") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(conference_update_rules)

BOOST_AUTO_TEST_CASE(valid_updates) {
    const std::vector<ConferenceUpdate> valid{
        {.status = ConferenceStatus::completed},
        {.redirect_url = "https://x/r"},
        {.status = ConferenceStatus::active, .redirect_url = "https://x/r"},
        full_active(),
        // The spec forbids none of these.
        {.status = ConferenceStatus::completed, .username = "u", .password = "p"},
        {.status = ConferenceStatus::completed, .fallback_username = "u", .fallback_password = "p"},
        {.redirect_url = "https://x/r", .redirect_fallback_method = RedirectMethod::get},
        {.redirect_url = "https://x/r", .fallback_username = "u"},
        {.redirect_url = "https://x/r", .username = "", .password = ""},
        {.redirect_url = "http://[::1]:8080/r?a=b#frag"},
        {.redirect_url = "https://x/r", .redirect_fallback_url = "https://user:pw@y/r"},
    };
    for (const auto& u : valid) BOOST_TEST(check_update(u) == "", to_json(u));
}

BOOST_AUTO_TEST_CASE(completed_allows_no_redirect) {
    const ConferenceUpdate base{.status = ConferenceStatus::completed};
    ConferenceUpdate u = base;
    u.redirect_url = "https://x/r";
    BOOST_TEST(check_update(u) == "redirectUrl: not allowed when status is completed");
    u = base;
    u.redirect_method = RedirectMethod::post;
    BOOST_TEST(check_update(u) == "redirectMethod: not allowed when status is completed");
    u = base;
    u.redirect_fallback_url = "https://y/r";
    BOOST_TEST(check_update(u) == "redirectFallbackUrl: not allowed when status is completed");
    u = base;
    u.redirect_fallback_method = RedirectMethod::post;
    BOOST_TEST(check_update(u) == "redirectFallbackMethod: not allowed when status is completed");
}

BOOST_AUTO_TEST_CASE(active_requires_a_redirect_url) {
    for (const auto& u : std::vector<ConferenceUpdate>{
             {},
             {.status = ConferenceStatus::active},
             {.redirect_method = RedirectMethod::get},
             {.status = ConferenceStatus::active, .redirect_fallback_url = "https://y/r"},
             {.username = "u", .password = "p"},
         })
        BOOST_TEST(check_update(u) == "redirectUrl: required unless status is completed", to_json(u));
}

BOOST_AUTO_TEST_CASE(urls_need_a_scheme) {
    for (std::string_view bad :
         {"", "/relative/path", "hooks.example.net/r", "not a url", "https://x/ r", "://x", "https://x/\xff"}) {
        ConferenceUpdate u = full_active();
        u.redirect_url = std::string(bad);
        BOOST_TEST_CONTEXT("\"" << bad << "\"") {
            const std::string why = check_update(u);
            BOOST_TEST((why == "redirectUrl: not an absolute URI" || why == "redirectUrl: not valid UTF-8"), why);
        }
        u = full_active();
        u.redirect_fallback_url = std::string(bad);
        const std::string why = check_update(u);
        BOOST_TEST((why == "redirectFallbackUrl: not an absolute URI" || why == "redirectFallbackUrl: not valid UTF-8"),
                   why);
    }
}

BOOST_AUTO_TEST_CASE(credentials_at_most_1024_characters) {
    struct Field {
        std::string_view name;
        std::optional<std::string> ConferenceUpdate::*member;
    };
    const Field fields[] = {{"username", &ConferenceUpdate::username},
                            {"password", &ConferenceUpdate::password},
                            {"fallbackUsername", &ConferenceUpdate::fallback_username},
                            {"fallbackPassword", &ConferenceUpdate::fallback_password}};
    for (const auto& f : fields) {
        BOOST_TEST_CONTEXT(f.name) {
            ConferenceUpdate u = full_active();
            u.*f.member = std::string(1024, 'a');
            BOOST_TEST(check_update(u) == "");
            u.*f.member = std::string(1025, 'a');
            BOOST_TEST(check_update(u) == std::string(f.name) + ": longer than 1024 characters");
            // Characters, not bytes: 1024 two-byte and four-byte characters are fine.
            u.*f.member = repeat("\xc3\xa9", 1024);
            BOOST_TEST(check_update(u) == "");
            u.*f.member = repeat("\xf0\x9f\x8e\xa7", 1024);
            BOOST_TEST(check_update(u) == "");
            u.*f.member = repeat("\xe2\x82\xac", 1025);
            BOOST_TEST(check_update(u) == std::string(f.name) + ": longer than 1024 characters");
        }
    }
}

BOOST_AUTO_TEST_CASE(strings_must_be_utf8) {
    for (std::string_view bad : {
             "\xff", "\x80", "a\xc3", "\xc0\x80", "\xc1\xbf",  // stray, truncated, overlong 2-byte
             "\xe0\x80\x80", "\xe2\x82",                       // overlong 3-byte, truncated
             "\xed\xa0\x80", "\xed\xbf\xbf",                   // surrogates
             "\xf0\x80\x80\x80", "\xf4\x90\x80\x80",           // overlong 4-byte, past U+10FFFF
             "\xf8\x88\x80\x80\x80", "\xe2\x28\xa1",           // 5-byte form, bad continuation
         }) {
        ConferenceUpdate u = full_active();
        u.username = std::string(bad);
        BOOST_TEST(check_update(u) == "username: not valid UTF-8");
        u = full_active();
        u.fallback_password = std::string(bad);
        BOOST_TEST(check_update(u) == "fallbackPassword: not valid UTF-8");
    }
    for (std::string_view good : std::initializer_list<std::string_view>{
             "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",
             "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", std::string_view("\0", 1)}) {
        ConferenceUpdate u = full_active();
        u.password = std::string(good);
        BOOST_TEST(check_update(u) == "");
    }
}

BOOST_AUTO_TEST_CASE(the_first_rule_broken_is_reported) {
    ConferenceUpdate u{.status = ConferenceStatus::completed,
                       .redirect_method = RedirectMethod::get,
                       .password = std::string(2000, 'x')};
    BOOST_TEST(check_update(u) == "redirectMethod: not allowed when status is completed");
    u = full_active();
    u.redirect_url = "relative";
    u.password = std::string(2000, 'x');
    BOOST_TEST(check_update(u) == "redirectUrl: not an absolute URI");
}

BOOST_AUTO_TEST_CASE(messages_never_contain_a_value) {
    const std::string long_secret = repeat(secret, 100);
    const std::string bad_utf8_secret = std::string(secret) + "\xff";
    std::vector<ConferenceUpdate> broken;
    ConferenceUpdate u = full_active();
    u.status = ConferenceStatus::completed;
    broken.push_back(u);
    u = full_active();
    u.redirect_url.reset();
    broken.push_back(u);
    u = full_active();
    u.redirect_url = std::string(secret);  // not a URI
    broken.push_back(u);
    u = full_active();
    u.redirect_fallback_url = "https://user:" + std::string(secret) + "@y/\xff";
    broken.push_back(u);
    for (auto member : {&ConferenceUpdate::username, &ConferenceUpdate::password, &ConferenceUpdate::fallback_username,
                        &ConferenceUpdate::fallback_password}) {
        u = full_active();
        u.*member = long_secret;
        broken.push_back(u);
        u = full_active();
        u.*member = bad_utf8_secret;
        broken.push_back(u);
    }
    for (const auto& b : broken) {
        const std::string why = check_update(b);
        BOOST_TEST(!why.empty());
        BOOST_TEST(why.find(secret) == std::string::npos, why);
        BOOST_TEST(why.find(fallback_secret) == std::string::npos, why);
        BOOST_TEST(why.find("S3cr") == std::string::npos, why);
        BOOST_TEST(why.find("F4ll") == std::string::npos, why);
        BOOST_TEST(why.find("hooks.example.net") == std::string::npos, why);
        BOOST_TEST(why.size() < 80u, why);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(member_update_rules)

BOOST_AUTO_TEST_CASE(at_least_one_field) {
    BOOST_TEST(check_update(MemberUpdate{}) == "nothing to update: set mute, hold or callIdsToCoach");
    for (const auto& u : std::vector<MemberUpdate>{{.mute = true},
                                                   {.mute = false},
                                                   {.hold = false},
                                                   {.call_ids_to_coach = std::vector<std::string>{}},
                                                   {.call_ids_to_coach = std::vector<std::string>{"c-1", ""}},
                                                   {.mute = true, .hold = true}})
        BOOST_TEST(check_update(u) == "", to_json(u));
}

BOOST_AUTO_TEST_CASE(call_ids_must_be_utf8) {
    MemberUpdate u{.call_ids_to_coach = std::vector<std::string>{"c-0", "c-\xff", "\xc0\x80"}};
    BOOST_TEST(check_update(u) == "callIdsToCoach[1]: not valid UTF-8");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
