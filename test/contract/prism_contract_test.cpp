// The contract tier: the library's requests and decoders judged by an
// independent implementation of Bandwidth's own OpenAPI document, Stoplight
// Prism (installed by scripts/install-deps.sh; see docs/reliability.md,
// "Contract with the OpenAPI document").
//
// Two Prism servers serve the document for the whole test process (global
// fixture): one answers with the document's examples, one (`--dynamic`) with
// random data valid for each response schema. The client reaches each through
// a JudgeTap, which records Prism's verdict on every exchange; conforms()
// asserts that Prism found no violation, and the negative suite shows the
// same helper failing requests that break the document.
//
// Decisions this tier rests on (also in docs/reliability.md):
//  - Prism 5 generates dynamic data with json-schema-faker set to
//    alwaysFakeOptionals and optionalsProbability 1: every property the
//    schema declares is present (nullable ones are sometimes null), so the
//    library's required fields (a conference's id, name and createdTime, a
//    member's callId, a recording's recordingId), which the document does not
//    mark required, are always there. A schema-valid answer without them is
//    refused by design (bad_response naming the field); the unit tests and
//    the fuzz corpus cover absent fields.
//  - `duration` of conferenceRecordingMetadata is a plain string in the
//    schema ("in ISO-8601 format" says only its description), so Prism's
//    random durations are lorem ipsum. The library keeps a duration as the
//    text sent (RecordingMetadata::duration; parse_iso8601_duration reads
//    it): it once refused such answers, and this tier showed that 85 % of
//    random listings failed for that one field.
//  - ID-keyed reads check that the answer names the ID asked for, and a
//    member, a recording and every recording of a list that name a
//    conference (conferenceId) must name the one asked for. The static tests
//    ask for the document's example IDs, so the examples match; in dynamic
//    mode the IDs are random, and such a read (a recording list holding a
//    recording) must fail with exactly the library's own ID check.
#include "contract/judge_tap.hpp"
#include "contract/prism_server.hpp"

#include "common/lookup_helpers.hpp"

#include <bwvoice/bwvoice.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

namespace bwvoice::contract {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;
using namespace std::chrono;
using namespace std::chrono_literals;
constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);

// The document's example IDs: the path parameters' and the response schemas'
// examples, so that static mode answers for the IDs asked for. (The
// recordingId *parameter's* example, r-15ac29a2-..., differs from the
// recording schema's; the schema's is the one Prism answers with.)
const std::string conference_id = "conf-fe23a767-a75a5b77-20c5-4cca-b581-cbbf0776eca9";
const std::string member_id = "c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85";
const std::string recording_id = "r-fbe05094-9fd2afe9-bf5b-4c68-820a-41a01c1c5833";

// Random answers per model in dynamic mode.
constexpr int random_answers = 100;

// ---- the two servers, for the whole test process ----------------------------

/// The configured Prism and document (CMake's BWVOICE_PRISM and
/// BWVOICE_OPENAPI_SPEC), or the environment variables of the same names.
std::string setting(const char* name, const char* configured) {
    const char* v = std::getenv(name);
    return v && *v ? v : configured;
}
const std::string prism_path = setting("BWVOICE_PRISM", BWVOICE_PRISM_PATH);
const std::string spec_path = setting("BWVOICE_OPENAPI_SPEC", BWVOICE_OPENAPI_SPEC_PATH);

struct Servers {
    PrismServer examples{{prism_path, spec_path, PrismMode::examples}};
    PrismServer dynamic{{prism_path, spec_path, PrismMode::dynamic}};
    std::unique_ptr<JudgeTap> examples_tap, dynamic_tap;
};
Servers* servers = nullptr;

struct PrismFixture {
    void setup() {
        const auto started = steady_clock::now();
        auto s = std::make_unique<Servers>();  // both start side by side
        // Parsing the whole document takes Prism ~7 s on an idle machine;
        // far longer while CI compiles or runs sanitizer builds beside it.
        s->examples.wait_until_ready(300s);
        s->dynamic.wait_until_ready(300s);
        s->examples_tap = std::make_unique<JudgeTap>(s->examples.port());
        s->dynamic_tap = std::make_unique<JudgeTap>(s->dynamic.port());
        BOOST_TEST_MESSAGE("Prism " << prism_path << " serving " << spec_path << ": examples on port "
                                    << s->examples.port() << ", --dynamic on port " << s->dynamic.port()
                                    << ", ready after "
                                    << duration_cast<milliseconds>(steady_clock::now() - started).count() << " ms");
        servers = s.release();
    }
    void teardown() {
        delete servers;
        servers = nullptr;
    }
};
BOOST_TEST_GLOBAL_FIXTURE(PrismFixture);

// ---- a client behind a tap ---------------------------------------------------

/// What one operation ended with (its value: std::monostate for a change),
/// and the one exchange that carried it.
template <class T>
struct Outcome {
    error_code ec;
    T value{};
    Diagnostics diag;
    Exchange x;
};

/// A ConferenceClient talking to one Prism through its tap. Every operation
/// is one exchange (no retries), judged by judged().
struct Session {
    explicit Session(JudgeTap& t) : tap(t), client(ioc, config(t)) { tap.take(); }

    static ClientConfig config(const JudgeTap& t) {
        ClientConfig c;
        c.base_url = t.base_url();  // Prism serves the paths at its root
        c.account_id = account_id;
        c.username = api_user;
        c.password = api_password;
        c.insecure_allow_plain_http = true;
        c.pool_size = 2;
        c.request_timeout = 30s;
        c.retry.max_retries = 0;  // one exchange per operation, each judged
        return c;
    }

    template <class MakeAwaitable>
    void run(MakeAwaitable make) {
        ioc.restart();
        test::run_coroutine(ioc, make);
    }

    /// Runs `start(diag)`, an operation started with tuple_awaitable, and
    /// judges its exchange (judged()). The client copies the operation's
    /// arguments when it starts, so `start` may pass temporaries.
    template <class Start>
    auto call(Start start) {
        using Result = typename decltype(start(std::declval<Diagnostics&>()))::value_type;
        constexpr bool has_value = std::tuple_size_v<Result> == 2;
        Outcome<typename std::conditional_t<has_value, std::tuple_element<1, Result>,
                                            std::type_identity<std::monostate>>::type>
            out;
        run([&]() -> net::awaitable<void> {
            Result result = co_await start(out.diag);
            out.ec = std::get<0>(result);
            if constexpr (has_value) out.value = std::move(std::get<1>(result));
        });
        out.x = judged();
        return out;
    }

    /// The one exchange the last operation made, asserted free of violations.
    Exchange judged() {
        auto recorded = tap.take();
        BOOST_TEST_REQUIRE(recorded.size() == 1u, "one exchange per operation, got " << recorded.size());
        BOOST_TEST(conforms(recorded.front()));
        return std::move(recorded.front());
    }

    JudgeTap& tap;
    net::io_context ioc;
    ConferenceClient client;
};

/// Keeps a download's bytes.
class CollectingSink final : public MediaSink {
public:
    void start(std::string_view type, std::optional<std::uint64_t> length) override {
        started = true;
        content_type = type;
        content_length = length;
    }
    void write(net::const_buffer data, std::function<void(error_code)> done) override {
        bytes.append(static_cast<const char*>(data.data()), data.size());
        done({});
    }
    void finish(bool all) override {
        finished = true;
        whole = all;
    }

    bool started = false, finished = false, whole = false;
    std::string content_type;
    std::optional<std::uint64_t> content_length;
    std::string bytes;
};

Timestamp utc(year_month_day day, milliseconds time_of_day) {
    return sys_days(day) + time_of_day;
}

// ---- checks of decoded values against the raw JSON Prism sent ---------------

template <class T>
std::string show(const std::optional<T>& v) {
    if (!v) return "(absent)";
    std::ostringstream s;
    s << std::boolalpha << *v;
    return s.str();
}

/// An optional field, decoded, against what was sent (or expected).
template <class T, class U>
void expect_field(const std::optional<T>& decoded, const std::optional<U>& sent, std::string_view what) {
    BOOST_TEST((decoded == sent), what << ": decoded " << show(decoded) << ", sent " << show(sent));
}
template <class T, class U>
void expect_field(const std::optional<T>& decoded, const U& sent, std::string_view what) {
    expect_field(decoded, std::optional<T>(sent), what);
}

/// The value of `key` as a string, or nullopt if absent or null (the library's rule).
std::optional<std::string> text_of(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    return std::string(v->as_string());
}

/// The date and time (to the second) of an RFC 3339 text in `Z`, as
/// format_timestamp writes them: json-schema-faker writes "1942-03-20T05:43:48.0Z".
void check_time(const std::optional<Timestamp>& decoded, const std::optional<std::string>& sent,
                std::string_view what) {
    BOOST_TEST_CONTEXT(what) {
        BOOST_TEST_REQUIRE(decoded.has_value() == sent.has_value());
        if (!sent || sent->empty() || sent->back() != 'Z') return;
        BOOST_TEST(format_timestamp(*decoded).substr(0, 19) == sent->substr(0, 19));
    }
}

void check_member(const ConferenceMember& m, const json::value& sent) {
    const json::object& o = sent.as_object();
    BOOST_TEST(m.call_id == *text_of(o, "callId"));
    expect_field(m.conference_id, text_of(o, "conferenceId"), "conferenceId");
    expect_field(m.member_url, text_of(o, "memberUrl"), "memberUrl");
    auto flag = [&](std::string_view key) -> std::optional<bool> {
        const json::value* v = o.if_contains(key);
        return v && !v->is_null() ? std::optional<bool>(v->as_bool()) : std::nullopt;
    };
    expect_field(m.mute, flag("mute"), "mute");
    expect_field(m.hold, flag("hold"), "hold");
    std::vector<std::string> coached;
    if (const json::value* v = o.if_contains("callIdsToCoach"); v && !v->is_null())
        for (const json::value& id : v->as_array()) coached.emplace_back(id.as_string());
    BOOST_TEST(m.call_ids_to_coach == coached, boost::test_tools::per_element());
}

void check_conference(const Conference& c, const json::value& sent) {
    const json::object& o = sent.as_object();
    BOOST_TEST_CONTEXT("conference " << json::serialize(sent)) {
        BOOST_TEST(c.id == *text_of(o, "id"));
        BOOST_TEST(c.name == *text_of(o, "name"));
        check_time(c.created_time, text_of(o, "createdTime"), "createdTime");
        check_time(c.completed_time, text_of(o, "completedTime"), "completedTime");
        expect_field(c.conference_event_url, text_of(o, "conferenceEventUrl"), "conferenceEventUrl");
        const auto method = text_of(o, "conferenceEventMethod");
        BOOST_TEST(c.conference_event_method.has_value() == method.has_value());
        if (method && c.conference_event_method) BOOST_TEST(to_string(*c.conference_event_method) == *method);
        expect_field(c.tag, text_of(o, "tag"), "tag");
        const json::value* members = o.if_contains("activeMembers");
        const std::size_t sent_members = members && !members->is_null() ? members->as_array().size() : 0;
        BOOST_TEST_REQUIRE(c.active_members.size() == sent_members);
        for (std::size_t i = 0; i < sent_members; ++i) check_member(c.active_members[i], members->as_array()[i]);
    }
}

void check_recording(const RecordingMetadata& r, const json::value& sent) {
    const json::object& o = sent.as_object();
    BOOST_TEST_CONTEXT("recording " << json::serialize(sent)) {
        expect_field(r.account_id, text_of(o, "accountId"), "accountId");
        expect_field(r.conference_id, text_of(o, "conferenceId"), "conferenceId");
        expect_field(r.name, text_of(o, "name"), "name");
        BOOST_TEST(r.recording_id == *text_of(o, "recordingId"));
        expect_field(r.duration, text_of(o, "duration"), "duration");
        const json::value* channels = o.if_contains("channels");
        BOOST_TEST(r.channels.has_value() == (channels && !channels->is_null()));
        if (r.channels && channels && !channels->is_null()) BOOST_TEST(*r.channels == channels->as_int64());
        check_time(r.start_time, text_of(o, "startTime"), "startTime");
        check_time(r.end_time, text_of(o, "endTime"), "endTime");
        const auto format = text_of(o, "fileFormat");
        BOOST_TEST(r.file_format.has_value() == format.has_value());
        if (format && r.file_format) BOOST_TEST(to_string(*r.file_format) == *format);
        expect_field(r.status, text_of(o, "status"), "status");
        expect_field(r.media_url, text_of(o, "mediaUrl"), "mediaUrl");
        expect_field(r.recording_name, text_of(o, "recordingName"), "recordingName");
    }
}

/// The ID check on a read whose answer is for `what` `id` (of `conference`,
/// when it names one), `asked` having been asked for in conference_id: it is
/// taken if both are the ones asked for, else refused as bad_response with
/// exactly the library's message. Returns whether it was taken.
bool taken_only_if_for_the_ids_asked(const error_code& ec, const Diagnostics& diag, const std::string& what,
                                     const std::string& id, const std::string& asked,
                                     const std::optional<std::string>& conference) {
    if (id != asked) {
        BOOST_TEST((ec == errc::bad_response), ec.message());
        BOOST_TEST(diag.message == "the response is for " + what + " '" + id + "', not the one requested");
        return false;
    }
    if (conference && *conference != conference_id) {
        BOOST_TEST((ec == errc::bad_response), ec.message());
        BOOST_TEST(diag.message == "the response is for " + what + " '" + id + "' of conference '" + *conference +
                                       "', not the conference requested");
        return false;
    }
    BOOST_TEST(!ec);
    return true;
}

}  // namespace

// ============================================================================
// Static mode: the document's examples, every operation.
// ============================================================================

BOOST_AUTO_TEST_SUITE(examples)

BOOST_AUTO_TEST_CASE(get_conference_decodes_the_documents_example) {
    Session s(*servers->examples_tap);
    const auto [ec, c, diag, x] =
        s.call([&](Diagnostics& d) { return s.client.async_get_conference(conference_id, d, tuple_awaitable); });
    BOOST_TEST_REQUIRE(!ec, ec.message() << ": " << diag.message);
    BOOST_TEST(x.method == "GET");
    BOOST_TEST(x.target == "/accounts/9900000/conferences/" + conference_id);
    BOOST_TEST(c.id == conference_id);
    BOOST_TEST(c.name == "my-conference-name");
    BOOST_TEST((c.created_time == utc(2022y / 6 / 17, 22h + 19min + 40s + 375ms)));
    BOOST_TEST((c.completed_time == utc(2022y / 6 / 17, 22h + 20min)));
    expect_field(c.conference_event_url, std::string("https://myServer.example/bandwidth/webhooks/conferenceEvent"),
                 "conferenceEventUrl");
    BOOST_TEST((c.conference_event_method == EventMethod::post));
    expect_field(c.tag, std::string("my custom tag"), "tag");
    BOOST_TEST_REQUIRE(c.active_members.size() == 1u);
    BOOST_TEST(c.active_members[0].call_id == member_id);
    check_conference(c, json::parse(x.response_body));
}

BOOST_AUTO_TEST_CASE(list_conferences_with_every_filter_and_a_page_size) {
    Session s(*servers->examples_tap);
    ConferenceQuery queries[3];
    queries[1].page_size = 1000;
    queries[2].name = "my-conference-name";
    queries[2].min_created_time = "2022-06-01T00:00:00Z";
    queries[2].max_created_time = "2022-06-30T23:59:59.999Z";
    queries[2].page_size = 1;
    for (const ConferenceQuery& q : queries) {
        ConferencePager pager = s.client.list_conferences(q);
        const auto [ec, page, diag, x] = s.call([&](Diagnostics& d) { return pager.async_next(d, tuple_awaitable); });
        const bool done = pager.done();
        BOOST_TEST_CONTEXT(x.target) {
            BOOST_TEST_REQUIRE(!ec, ec.message() << ": " << diag.message);
            // The document declares no Link header on this answer, so the
            // first page is the last.
            BOOST_TEST(done);
            BOOST_TEST_REQUIRE(page.size() == 1u);
            BOOST_TEST(page[0].id == conference_id);
            BOOST_TEST(page[0].active_members.empty());
            check_conference(page[0], json::parse(x.response_body).as_array().at(0));
        }
    }
}

BOOST_AUTO_TEST_CASE(update_conference_active_with_a_redirect_and_completed) {
    Session s(*servers->examples_tap);
    const ConferenceUpdate updates[] = {
        {.redirect_url = "https://myServer.example/bandwidth/webhooks/conferenceRedirect"},
        {.status = ConferenceStatus::active,
         .redirect_url = "https://myServer.example/bandwidth/webhooks/conferenceRedirect",
         .redirect_method = RedirectMethod::post,
         .username = "mySecretUsername",
         .password = "mySecretPassword1!",
         .redirect_fallback_url = "https://myFallbackServer.example/bandwidth/webhooks/conferenceRedirect",
         .redirect_fallback_method = RedirectMethod::get,
         .fallback_username = "mySecretUsername",
         .fallback_password = std::string(1024, 'p')},
        {.status = ConferenceStatus::completed},
    };
    for (const ConferenceUpdate& u : updates) {
        const auto [ec, none, diag, x] = s.call(
            [&](Diagnostics& d) { return s.client.async_update_conference(conference_id, u, d, tuple_awaitable); });
        BOOST_TEST_CONTEXT(x.request_body) {
            BOOST_TEST(!ec, ec.message() << ": " << diag.message);
            BOOST_TEST(x.method == "POST");
            BOOST_TEST(x.request_content_type == "application/json");
            BOOST_TEST(x.status == 204u);
        }
    }
}

BOOST_AUTO_TEST_CASE(update_conference_bxml) {
    Session s(*servers->examples_tap);
    const auto [ec, none, diag, x] = s.call([&](Diagnostics& d) {
        return s.client.async_update_conference_bxml(
            conference_id,
            R"(<?xml version="1.0" encoding="UTF-8"?><Bxml><StartRecording/><PlayAudio>https://myServer.example/hold.wav</PlayAudio></Bxml>)",
            d, tuple_awaitable);
    });
    BOOST_TEST(!ec, ec.message() << ": " << diag.message);
    BOOST_TEST(x.method == "PUT");
    BOOST_TEST(x.target == "/accounts/9900000/conferences/" + conference_id + "/bxml");
    BOOST_TEST(x.request_content_type == "application/xml");
    BOOST_TEST(x.status == 204u);
}

BOOST_AUTO_TEST_CASE(get_member_decodes_the_documents_example) {
    Session s(*servers->examples_tap);
    const auto [ec, m, diag, x] =
        s.call([&](Diagnostics& d) { return s.client.async_get_member(conference_id, member_id, d, tuple_awaitable); });
    BOOST_TEST_REQUIRE(!ec, ec.message() << ": " << diag.message);
    BOOST_TEST(m.call_id == member_id);
    expect_field(m.conference_id, conference_id, "conferenceId");
    expect_field(m.mute, false, "mute");
    expect_field(m.hold, false, "hold");
    BOOST_TEST_REQUIRE(m.call_ids_to_coach.size() == 1u);
    BOOST_TEST(m.call_ids_to_coach[0] == "c-25ac29a2-1331029c-2cb0-4a07-b215-b22865662d85");
    check_member(m, json::parse(x.response_body));
}

BOOST_AUTO_TEST_CASE(update_member) {
    Session s(*servers->examples_tap);
    const MemberUpdate updates[] = {
        {.mute = true},
        {.hold = false},
        {.mute = false,
         .hold = true,
         .call_ids_to_coach = std::vector<std::string>{"c-25ac29a2-1331029c-2cb0-4a07-b215-b22865662d85"}},
        {.call_ids_to_coach = std::vector<std::string>{}},
    };
    for (const MemberUpdate& u : updates) {
        const auto [ec, none, diag, x] = s.call([&](Diagnostics& d) {
            return s.client.async_update_member(conference_id, member_id, u, d, tuple_awaitable);
        });
        BOOST_TEST_CONTEXT(x.request_body) {
            BOOST_TEST(!ec, ec.message() << ": " << diag.message);
            BOOST_TEST(x.method == "PUT");
            BOOST_TEST(x.request_content_type == "application/json");
            BOOST_TEST(x.status == 204u);
        }
    }
}

BOOST_AUTO_TEST_CASE(list_and_get_recordings_decode_the_documents_example) {
    Session s(*servers->examples_tap);
    const auto [list_ec, list, list_diag, list_x] =
        s.call([&](Diagnostics& d) { return s.client.async_list_recordings(conference_id, d, tuple_awaitable); });
    const auto [get_ec, one, get_diag, get_x] = s.call(
        [&](Diagnostics& d) { return s.client.async_get_recording(conference_id, recording_id, d, tuple_awaitable); });
    BOOST_TEST_REQUIRE(!list_ec, list_ec.message() << ": " << list_diag.message);
    BOOST_TEST_REQUIRE(!get_ec, get_ec.message() << ": " << get_diag.message);
    BOOST_TEST_REQUIRE(list.size() == 1u);
    BOOST_TEST((list[0] == one));
    BOOST_TEST(one.recording_id == recording_id);
    expect_field(one.account_id, std::string("9900000"), "accountId");
    expect_field(one.conference_id, conference_id, "conferenceId");
    BOOST_TEST(one.duration.value() == "PT13.67S");
    BOOST_TEST((parse_iso8601_duration(*one.duration) == 13'670ms));
    expect_field(one.channels, 1, "channels");
    BOOST_TEST((one.start_time == utc(2022y / 6 / 17, 22h + 19min + 40s + 375ms)));
    BOOST_TEST((one.file_format == FileFormat::mp3));
    expect_field(one.status, std::string("completed"), "status");
    expect_field(one.recording_name, std::string("my-recording-name"), "recordingName");
    check_recording(list[0], json::parse(list_x.response_body).as_array().at(0));
    check_recording(one, json::parse(get_x.response_body));
}

BOOST_AUTO_TEST_CASE(download_recording_media) {
    Session s(*servers->examples_tap);
    CollectingSink sink;
    const auto [ec, result, diag, x] = s.call([&](Diagnostics& d) {
        return s.client.async_download_recording(conference_id, recording_id, sink, d, tuple_awaitable);
    });
    BOOST_TEST_REQUIRE(!ec, ec.message() << ": " << diag.message);
    BOOST_TEST(x.target == "/accounts/9900000/conferences/" + conference_id + "/recordings/" + recording_id + "/media");
    BOOST_TEST((result.content_type == "audio/vnd.wave" || result.content_type == "audio/mpeg"), result.content_type);
    BOOST_TEST(result.bytes == x.response_body.size());
    BOOST_TEST(sink.bytes == x.response_body);
    BOOST_TEST(sink.finished);
    BOOST_TEST(sink.whole);
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================
// Dynamic mode: random schema-valid answers.
// ============================================================================

BOOST_AUTO_TEST_SUITE(dynamic)

BOOST_AUTO_TEST_CASE(every_change_and_the_download_succeed_on_random_answers) {
    Session s(*servers->dynamic_tap);
    // Runs `start` (see Session::call) and asserts that it succeeded.
    auto succeeds = [&](const char* what, auto start) {
        const auto r = s.call(start);
        BOOST_TEST(!r.ec, what << ": " << r.ec.message() << ": " << r.diag.message << " (" << describe(r.x) << ")");
        return r;
    };
    const ConferenceUpdate redirect{.redirect_url = "https://myServer.example/redirect"};
    const ConferenceUpdate complete{.status = ConferenceStatus::completed};
    const MemberUpdate mute_and_hold{.mute = true, .hold = true};
    succeeds("update conference (active)", [&](Diagnostics& d) {
        return s.client.async_update_conference(conference_id, redirect, d, tuple_awaitable);
    });
    succeeds("update conference (completed)", [&](Diagnostics& d) {
        return s.client.async_update_conference(conference_id, complete, d, tuple_awaitable);
    });
    succeeds("update BXML", [&](Diagnostics& d) {
        return s.client.async_update_conference_bxml(conference_id, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Bxml/>",
                                                     d, tuple_awaitable);
    });
    succeeds("update member", [&](Diagnostics& d) {
        return s.client.async_update_member(conference_id, member_id, mute_and_hold, d, tuple_awaitable);
    });
    for (int i = 0; i < 10; ++i) {
        CollectingSink sink;
        const auto download = succeeds("download", [&](Diagnostics& d) {
            return s.client.async_download_recording(conference_id, recording_id, sink, d, tuple_awaitable);
        });
        BOOST_TEST(sink.whole);
        BOOST_TEST(download.value.bytes == sink.bytes.size());
    }
}

BOOST_AUTO_TEST_CASE(list_conferences_decodes_every_random_page) {
    Session s(*servers->dynamic_tap);
    std::size_t conferences = 0, members = 0;
    ConferenceQuery query;
    query.name = "my-conference-name";
    query.page_size = 500;
    for (int i = 0; i < random_answers; ++i) {
        ConferencePager pager = s.client.list_conferences(query);
        const auto [ec, page, diag, x] = s.call([&](Diagnostics& d) { return pager.async_next(d, tuple_awaitable); });
        BOOST_TEST_CONTEXT("answer " << i << ": " << x.response_body) {
            BOOST_TEST_REQUIRE(!ec, ec.message() << ": " << diag.message);
            const json::value parsed = json::parse(x.response_body);
            const json::array& sent = parsed.as_array();
            BOOST_TEST_REQUIRE(page.size() == sent.size());
            for (std::size_t k = 0; k < sent.size(); ++k) {
                check_conference(page[k], sent[k]);
                members += page[k].active_members.size();
            }
            conferences += page.size();
        }
    }
    BOOST_TEST_MESSAGE("list conferences: " << random_answers << " random pages, " << conferences
                                            << " conferences with " << members << " members, all decoded");
    BOOST_TEST(conferences > 0u);
    BOOST_TEST(members > 0u);
}

BOOST_AUTO_TEST_CASE(every_random_recording_list_decodes) {
    Session s(*servers->dynamic_tap);
    std::size_t recordings = 0, taken = 0;
    for (int i = 0; i < random_answers; ++i) {
        const auto [ec, list, diag, x] =
            s.call([&](Diagnostics& d) { return s.client.async_list_recordings(conference_id, d, tuple_awaitable); });
        BOOST_TEST_CONTEXT("answer " << i << ": " << x.response_body) {
            const json::value sent = json::parse(x.response_body);
            const json::array& items = sent.as_array();
            // Every answer decodes; the client takes it only when no
            // recording in it names another conference than the one asked
            // for (random conferenceIds rarely are that one).
            std::vector<RecordingMetadata> decoded;
            std::string why;
            BOOST_TEST_REQUIRE(!parse_recording_list(x.response_body, decoded, &why), why);
            BOOST_TEST_REQUIRE(decoded.size() == items.size());
            for (std::size_t k = 0; k < items.size(); ++k) check_recording(decoded[k], items[k]);
            recordings += decoded.size();
            const auto other = std::find_if(decoded.begin(), decoded.end(), [](const RecordingMetadata& r) {
                return r.conference_id && *r.conference_id != conference_id;
            });
            if (other == decoded.end()) {
                ++taken;
                BOOST_TEST_REQUIRE(!ec, ec.message() << ": " << diag.message);
                BOOST_TEST((list == decoded));
            } else {
                BOOST_TEST((ec == errc::bad_response), ec.message());
                BOOST_TEST(list.empty());
                BOOST_TEST(diag.message == "the list holds recording '" + other->recording_id + "' of conference '" +
                                               *other->conference_id + "', not the conference requested");
            }
        }
    }
    BOOST_TEST_MESSAGE("list recordings: " << random_answers << " random lists, " << recordings
                                           << " recordings, all decoded; " << taken
                                           << " lists named no other conference and were taken");
    BOOST_TEST(recordings > 0u);
}

BOOST_AUTO_TEST_CASE(id_keyed_reads_fail_only_by_the_id_check) {
    Session s(*servers->dynamic_tap);
    int matched = 0;
    for (int i = 0; i < random_answers; ++i) {
        // Get Conference: the answer decodes; a random ID is refused as another's.
        {
            const auto [ec, c, diag, x] = s.call(
                [&](Diagnostics& d) { return s.client.async_get_conference(conference_id, d, tuple_awaitable); });
            BOOST_TEST_CONTEXT("conference answer " << i << ": " << x.response_body) {
                const json::value sent = json::parse(x.response_body);
                Conference decoded;
                std::string why;
                BOOST_TEST_REQUIRE(!parse_conference(x.response_body, decoded, &why), why);
                check_conference(decoded, sent);
                matched += taken_only_if_for_the_ids_asked(ec, diag, "conference", *text_of(sent.as_object(), "id"),
                                                           conference_id, std::nullopt);
            }
        }
        // Get Conference Member.
        {
            const auto [ec, m, diag, x] = s.call([&](Diagnostics& d) {
                return s.client.async_get_member(conference_id, member_id, d, tuple_awaitable);
            });
            BOOST_TEST_CONTEXT("member answer " << i << ": " << x.response_body) {
                const json::value sent = json::parse(x.response_body);
                ConferenceMember decoded;
                std::string why;
                BOOST_TEST_REQUIRE(!parse_member(x.response_body, decoded, &why), why);
                check_member(decoded, sent);
                matched += taken_only_if_for_the_ids_asked(ec, diag, "member", *text_of(sent.as_object(), "callId"),
                                                           member_id, decoded.conference_id);
            }
        }
        // Get Conference Recording.
        {
            const auto [ec, r, diag, x] = s.call([&](Diagnostics& d) {
                return s.client.async_get_recording(conference_id, recording_id, d, tuple_awaitable);
            });
            BOOST_TEST_CONTEXT("recording answer " << i << ": " << x.response_body) {
                const json::value sent = json::parse(x.response_body);
                RecordingMetadata decoded;
                std::string why;
                BOOST_TEST_REQUIRE(!parse_recording_metadata(x.response_body, decoded, &why), why);
                check_recording(decoded, sent);
                matched +=
                    taken_only_if_for_the_ids_asked(ec, diag, "recording", *text_of(sent.as_object(), "recordingId"),
                                                    recording_id, decoded.conference_id);
            }
        }
    }
    BOOST_TEST_MESSAGE("ID-keyed reads: " << 3 * random_answers << " random answers decoded, " << matched
                                          << " happened to carry the IDs asked for");
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================================================
// The tier can fail: requests that break the document, sent raw, are
// violations by the same helper.
// ============================================================================

BOOST_AUTO_TEST_SUITE(violations)

BOOST_AUTO_TEST_CASE(a_member_update_with_mute_yes_is_a_violation) {
    JudgeTap& tap = *servers->examples_tap;
    const Exchange x =
        tap.send_raw(http::verb::put, "/accounts/9900000/conferences/" + conference_id + "/members/" + member_id,
                     "application/json", R"({"mute":"yes"})");
    const auto verdict = conforms(x);
    BOOST_TEST(!verdict);
    BOOST_TEST_MESSAGE("the judge on {\"mute\":\"yes\"}: " << verdict.message());
    BOOST_TEST(x.status == 400u);
    BOOST_TEST(x.violations.find("\"mute\"") != std::string::npos, x.violations);
    // The same body, well typed, is clean: the verdict is about the value.
    BOOST_TEST(conforms(tap.send_raw(http::verb::put,
                                     "/accounts/9900000/conferences/" + conference_id + "/members/" + member_id,
                                     "application/json", R"({"mute":true})")));
}

BOOST_AUTO_TEST_CASE(an_update_conference_that_is_not_json_is_a_violation) {
    JudgeTap& tap = *servers->examples_tap;
    const Exchange x = tap.send_raw(http::verb::post, "/accounts/9900000/conferences/" + conference_id, "text/plain",
                                    R"({"status":"completed"})");
    BOOST_TEST(!conforms(x));
    BOOST_TEST(x.status == 415u);
    BOOST_TEST(x.violations.find("application/json") != std::string::npos, x.violations);
}

BOOST_AUTO_TEST_CASE(a_request_without_credentials_is_a_violation) {
    const Exchange x = servers->examples_tap->send_raw(
        http::verb::get, "/accounts/9900000/conferences/" + conference_id, {}, {}, /*authorized=*/false);
    BOOST_TEST(!conforms(x));
    BOOST_TEST(x.status == 401u);
}

BOOST_AUTO_TEST_CASE(a_path_or_method_the_document_lacks_is_a_violation) {
    JudgeTap& tap = *servers->examples_tap;
    const Exchange no_path = tap.send_raw(http::verb::get, "/accounts/9900000/conference/" + conference_id);
    BOOST_TEST(!conforms(no_path));
    BOOST_TEST(no_path.status == 404u);
    const Exchange no_method = tap.send_raw(http::verb::delete_, "/accounts/9900000/conferences/" + conference_id);
    BOOST_TEST(!conforms(no_method));
    BOOST_TEST(no_method.status == 405u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace bwvoice::contract
