// Helpers for tests of all nine operations against the mock: finding seeded
// data of the right shape, calling any operation by kind, a MediaSink that
// checks what it is told, a counting allocator, and waiting for the server
// to see a request.
#ifndef BWVOICE_TEST_COMMON_OPERATION_HELPERS_HPP
#define BWVOICE_TEST_COMMON_OPERATION_HELPERS_HPP

#include "common/lookup_helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// Optionals in BOOST_TEST comparisons print their value, or "nullopt".
namespace boost::test_tools::tt_detail {
template <class T>
struct print_log_value<std::optional<T>> {
    void operator()(std::ostream& os, const std::optional<T>& v) {
        if (v)
            print_log_value<T>()(os, *v);
        else
            os << "nullopt";
    }
};
}  // namespace boost::test_tools::tt_detail

namespace bwvoice::test {

/// IDs of seeded data to run every operation against: an active conference
/// with at least two members and at least one recording (whose first is a
/// complete wav, so downloadable).
struct Subject {
    std::string conference;
    std::string member;        ///< Its first member.
    std::string other_member;  ///< Its second member.
    std::string recording;     ///< Its first recording (complete).
    std::string route_conference() const { return "conferences/" + conference; }
    std::string route_bxml() const { return route_conference() + "/bxml"; }
    std::string route_member() const { return route_conference() + "/members/" + member; }
    std::string route_recordings() const { return route_conference() + "/recordings"; }
    std::string route_recording() const { return route_recordings() + "/" + recording; }
    std::string route_media() const { return route_recording() + "/media"; }
};

/// The first seeded conference (of `options`' seed) that fits a Subject.
inline Subject find_subject(const mock::MockServer& server, const mock::ServerOptions& options) {
    for (std::size_t i = 0; i < options.conferences; ++i) {
        if (i % 4 == 3) continue;  // no recordings
        Conference c = seeded_conference(options, i);
        if (c.completed_time || c.active_members.size() < 2) continue;
        std::vector<RecordingMetadata> recordings;
        BOOST_REQUIRE(!parse_recording_list(server.recordings_json(c.id).value_or("[]"), recordings));
        if (recordings.empty()) continue;
        return {c.id, c.active_members[0].call_id, c.active_members[1].call_id, recordings[0].recording_id};
    }
    BOOST_FAIL("no seeded conference with two members and a recording");
    return {};
}

/// The requests the server saw on `route` with `method`.
inline std::vector<mock::RecordedRequest> requests_on(const mock::MockServer& server, const std::string& route,
                                                      const std::string& method) {
    std::vector<mock::RecordedRequest> out;
    for (auto& r : server.requests())
        if (r.route == route && r.method == method) out.push_back(std::move(r));
    return out;
}

/// The subject's first member as the mock serves it now.
inline ConferenceMember member_now(const mock::MockServer& server, const Subject& s) {
    ConferenceMember m;
    BOOST_REQUIRE(!parse_member(server.member_json(s.conference, s.member).value_or(""), m));
    return m;
}

/// A conference's recording list as the mock serves it now.
inline std::vector<RecordingMetadata> recordings_now(const mock::MockServer& server, const std::string& conference) {
    std::vector<RecordingMetadata> out;
    BOOST_REQUIRE(!parse_recording_list(server.recordings_json(conference).value_or(""), out));
    return out;
}

/// A recording's metadata as the mock serves it now.
inline RecordingMetadata recording_now(const mock::MockServer& server, const std::string& conference,
                                       const std::string& id) {
    RecordingMetadata out;
    BOOST_REQUIRE(!parse_recording_metadata(server.recording_json(conference, id).value_or(""), out));
    return out;
}

/// find_subject, with its first member made unmuted (mute: true is then a visible change).
inline Subject unmuted_subject(mock::MockServer& server, const mock::ServerOptions& options) {
    Subject s = find_subject(server, options);
    if (member_now(server, s).mute == true) {
        auto c = boost::json::parse(*server.conference_json(s.conference)).as_object();
        for (auto& x : c.at("activeMembers").as_array())
            if (x.at("callId").as_string() == s.member) x.as_object()["mute"] = false;
        server.put_conference(s.conference, boost::json::serialize(c));
    }
    BOOST_REQUIRE(member_now(server, s).mute == false);
    return s;
}

/// The nine operations, by kind, so a test can run one check over all of them.
enum class Op {
    get_conference,
    list_page,
    update_conference,
    update_bxml,
    get_member,
    update_member,
    list_recordings,
    get_recording,
    download,
};

inline const std::vector<Op>& all_ops() {
    static const std::vector<Op> ops{Op::get_conference,  Op::list_page,     Op::update_conference,
                                     Op::update_bxml,     Op::get_member,    Op::update_member,
                                     Op::list_recordings, Op::get_recording, Op::download};
    return ops;
}

inline const char* name_of(Op op) {
    switch (op) {
    case Op::get_conference: return "get_conference";
    case Op::list_page: return "list_page";
    case Op::update_conference: return "update_conference";
    case Op::update_bxml: return "update_bxml";
    case Op::get_member: return "get_member";
    case Op::update_member: return "update_member";
    case Op::list_recordings: return "list_recordings";
    case Op::get_recording: return "get_recording";
    case Op::download: return "download";
    }
    return "?";
}

constexpr bool is_change(Op op) {
    return op == Op::update_conference || op == Op::update_bxml || op == Op::update_member;
}

/// The mock's route key of the operation on `s` (see MockServer::script_route).
inline std::string route_of(Op op, const Subject& s) {
    switch (op) {
    case Op::get_conference:
    case Op::update_conference: return s.route_conference();
    case Op::list_page: return "conferences";
    case Op::update_bxml: return s.route_bxml();
    case Op::get_member:
    case Op::update_member: return s.route_member();
    case Op::list_recordings: return s.route_recordings();
    case Op::get_recording: return s.route_recording();
    case Op::download: return s.route_media();
    }
    return {};
}

inline const char* method_of(Op op) {
    switch (op) {
    case Op::update_conference: return "POST";
    case Op::update_bxml:
    case Op::update_member: return "PUT";
    default: return "GET";
    }
}

/// A change each update operation sends (valid by the API's rules).
inline ConferenceUpdate a_conference_update() {
    return {.redirect_url = "https://hooks.example.net/redirect", .redirect_method = RedirectMethod::post};
}
inline const std::string kBxml =
    R"(<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>hi</SpeakSentence></Bxml>)";

/// What a MediaSink was told, and whether the bytes were the mock's pattern.
/// Thread-safe: the client calls the sink from its strand, the test reads it
/// from wherever.
class CheckingSink final : public MediaSink {
    template <class F>
    auto locked(F f) const {
        std::lock_guard lock(mutex_);
        return f();
    }

public:
    enum class Done { inline_call, after_timer, from_thread };

    /// Checks the pattern of `recording_id`: every byte when `check_all`,
    /// else the first and last 16 bytes of every piece and the windows given.
    explicit CheckingSink(std::string recording_id, bool check_all = true)
        : id_(std::move(recording_id)), check_all_(check_all) {}
    ~CheckingSink() override {
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(mutex_);
            threads.swap(threads_);
        }
        for (auto& t : threads) t.join();
    }
    CheckingSink(const CheckingSink&) = delete;
    CheckingSink& operator=(const CheckingSink&) = delete;

    /// How `done` is called: at once from write(), after `delay` on `timer_executor`, or from another thread.
    void pace(Done how, boost::asio::any_io_executor timer_executor = {}, std::chrono::microseconds delay = {}) {
        how_ = how;
        timer_executor_ = std::move(timer_executor);
        delay_ = delay;
    }
    /// Byte ranges [offset, offset + length) to capture and compare in full.
    void watch(std::uint64_t offset, std::size_t length) { windows_.push_back({offset, length, {}}); }
    /// Called after each write with the bytes received so far (for example to cancel).
    std::function<void(std::uint64_t)> on_write;
    /// When set, `done` of the write that reaches this many bytes carries this error.
    std::optional<std::pair<std::uint64_t, error_code>> fail_at;

    void start(std::string_view content_type, std::optional<std::uint64_t> content_length) override {
        std::lock_guard lock(mutex_);
        ++starts_;
        if (finishes_ > 0) order_error_ = "start after finish";
        if (writes_ > 0) order_error_ = "start after write";
        events_.push_back("start");
        content_type_ = content_type;
        content_length_ = content_length;
    }

    void write(boost::asio::const_buffer data, std::function<void(error_code)> done) override {
        std::uint64_t total = 0;
        error_code result;
        {
            std::lock_guard lock(mutex_);
            if (starts_ == 0) order_error_ = "write before start";
            if (finishes_ > 0) order_error_ = "write after finish";
            if (pending_) order_error_ = "write while the previous piece was not done";
            if (data.size() == 0) order_error_ = "empty write";
            if (events_.empty() || events_.back() != "write") events_.push_back("write");
            pending_ = true;
            ++writes_;
            largest_piece_ = std::max(largest_piece_, data.size());
            check(static_cast<const char*>(data.data()), data.size());
            bytes_ += data.size();
            total = bytes_;
            if (fail_at && bytes_ >= fail_at->first && !failed_) {
                failed_ = true;
                result = fail_at->second;
            }
        }
        if (on_write) on_write(total);
        auto finish_piece = [this, done = std::move(done), result] {
            {
                std::lock_guard lock(mutex_);
                pending_ = false;
            }
            done(result);
        };
        switch (how_) {
        case Done::inline_call: finish_piece(); break;
        case Done::after_timer: {
            auto timer = std::make_shared<boost::asio::steady_timer>(timer_executor_, delay_);
            timer->async_wait([timer, finish_piece = std::move(finish_piece)](error_code) mutable { finish_piece(); });
            break;
        }
        case Done::from_thread: {
            // Joined by the destructor: the thread uses this sink.
            std::lock_guard lock(mutex_);
            threads_.emplace_back(std::move(finish_piece));
            break;
        }
        }
    }

    void finish(bool whole) override {
        std::lock_guard lock(mutex_);
        ++finishes_;
        if (pending_) order_error_ = "finish while a piece was not done";
        events_.push_back(whole ? "finish(true)" : "finish(false)");
        whole_ = whole;
    }

    // ---- what it was told -------------------------------------------------
    unsigned starts() const {
        return locked([&] { return starts_; });
    }
    unsigned finishes() const {
        return locked([&] { return finishes_; });
    }
    std::optional<bool> whole() const {
        return locked([&] { return whole_; });
    }
    std::uint64_t bytes() const {
        return locked([&] { return bytes_; });
    }
    std::uint64_t writes() const {
        return locked([&] { return writes_; });
    }
    std::size_t largest_piece() const {
        return locked([&] { return largest_piece_; });
    }
    std::string content_type() const {
        return locked([&] { return content_type_; });
    }
    std::optional<std::uint64_t> content_length() const {
        return locked([&] { return content_length_; });
    }
    /// "start", "write" (consecutive writes as one), "finish(true|false)".
    std::vector<std::string> events() const {
        return locked([&] { return events_; });
    }
    /// "" when start, write and finish came in a valid order.
    std::string order_error() const {
        return locked([&] { return order_error_; });
    }
    /// "" when every byte checked was the mock's pattern at its offset.
    std::string pattern_error() const {
        std::lock_guard lock(mutex_);
        if (!pattern_error_.empty()) return pattern_error_;
        for (const auto& w : windows_) {
            if (w.data.size() != w.length)
                return "window at " + std::to_string(w.offset) + ": got " + std::to_string(w.data.size()) + " of " +
                       std::to_string(w.length) + " bytes";
            if (w.data != mock::media_bytes(id_, w.offset, w.length))
                return "window at " + std::to_string(w.offset) + " differs from the pattern";
        }
        return {};
    }

private:
    struct Window {
        std::uint64_t offset;
        std::size_t length;
        std::string data;
    };

    void check(const char* p, std::size_t n) {
        const std::uint64_t at = bytes_;
        for (auto& w : windows_) {
            const std::uint64_t from = std::max(at, w.offset), to = std::min(at + n, w.offset + w.length);
            if (from < to) w.data.append(p + (from - at), static_cast<std::size_t>(to - from));
        }
        if (!pattern_error_.empty()) return;
        auto compare = [&](std::size_t offset, std::size_t length) {
            scratch_.resize(length);
            mock::fill_media(id_, at + offset, scratch_.data(), length);
            if (std::memcmp(scratch_.data(), p + offset, length) != 0)
                pattern_error_ = "the piece at byte " + std::to_string(at) + " differs from the pattern";
        };
        if (check_all_) {
            compare(0, n);
        } else {
            compare(0, std::min<std::size_t>(16, n));
            if (n > 16) compare(n - 16, 16);
        }
    }

    const std::string id_;
    const bool check_all_;
    Done how_ = Done::inline_call;
    boost::asio::any_io_executor timer_executor_;
    std::chrono::microseconds delay_{};

    mutable std::mutex mutex_;
    unsigned starts_ = 0, finishes_ = 0;
    std::uint64_t writes_ = 0, bytes_ = 0;
    std::size_t largest_piece_ = 0;
    bool pending_ = false, failed_ = false;
    std::optional<bool> whole_;
    std::string content_type_;
    std::optional<std::uint64_t> content_length_;
    std::vector<std::string> events_;
    std::string order_error_, pattern_error_;
    std::vector<Window> windows_;
    std::string scratch_;
    std::vector<std::thread> threads_;
};

/// The outcome of any operation, its value reduced to what tests compare.
struct OpResult {
    error_code ec;
    Diagnostics diag;
};

/// Calls operation `op` on `s` with Diagnostics, as_tuple(use_awaitable).
/// A download goes into `sink` (required for Op::download); a page comes
/// from `pager` when given, else from a fresh listing.
inline boost::asio::awaitable<OpResult> call(Op op, ConferenceClient& client, const Subject& s,
                                             MediaSink* sink = nullptr, ConferencePager* pager = nullptr) {
    namespace net = boost::asio;
    constexpr auto tuple = net::as_tuple(net::use_awaitable);
    OpResult r;
    switch (op) {
    case Op::get_conference:
        std::tie(r.ec, std::ignore) = co_await client.async_get_conference(s.conference, r.diag, tuple);
        break;
    case Op::list_page: {
        ConferenceQuery query;
        query.page_size = 5;
        ConferencePager fresh = client.list_conferences(query);
        std::tie(r.ec, std::ignore) = co_await (pager ? *pager : fresh).async_next(r.diag, tuple);
        break;
    }
    case Op::update_conference: {
        // Named: g++ 12 may destroy a temporary in a co_await expression twice.
        const ConferenceUpdate update = a_conference_update();
        std::tie(r.ec) = co_await client.async_update_conference(s.conference, update, r.diag, tuple);
        break;
    }
    case Op::update_bxml:
        std::tie(r.ec) = co_await client.async_update_conference_bxml(s.conference, kBxml, r.diag, tuple);
        break;
    case Op::get_member:
        std::tie(r.ec, std::ignore) = co_await client.async_get_member(s.conference, s.member, r.diag, tuple);
        break;
    case Op::update_member: {
        const MemberUpdate mute{.mute = true};
        std::tie(r.ec) = co_await client.async_update_member(s.conference, s.member, mute, r.diag, tuple);
        break;
    }
    case Op::list_recordings:
        std::tie(r.ec, std::ignore) = co_await client.async_list_recordings(s.conference, r.diag, tuple);
        break;
    case Op::get_recording:
        std::tie(r.ec, std::ignore) = co_await client.async_get_recording(s.conference, s.recording, r.diag, tuple);
        break;
    case Op::download:
        BOOST_REQUIRE(sink != nullptr);
        std::tie(r.ec, std::ignore) =
            co_await client.async_download_recording(s.conference, s.recording, *sink, r.diag, tuple);
        break;
    }
    co_return r;
}

/// What start_op() calls an operation with.
struct Args {
    ConferenceClient& client;
    Subject s;
    MediaSink* sink = nullptr;
    ConferencePager* pager = nullptr;
    ConferenceUpdate update = a_conference_update();
    MemberUpdate member_update{.mute = true};
    std::string bxml = kBxml;
};

/// Starts operation `op` with any completion token; returns what the token
/// makes of it (nothing for a handler, an awaitable, a future, ...).
template <Op op, class Token>
auto start_op(Args& a, Diagnostics& diag, Token&& token) {
    if constexpr (op == Op::get_conference)
        return a.client.async_get_conference(a.s.conference, diag, std::forward<Token>(token));
    else if constexpr (op == Op::list_page)
        return a.pager->async_next(diag, std::forward<Token>(token));
    else if constexpr (op == Op::update_conference)
        return a.client.async_update_conference(a.s.conference, a.update, diag, std::forward<Token>(token));
    else if constexpr (op == Op::update_bxml)
        return a.client.async_update_conference_bxml(a.s.conference, a.bxml, diag, std::forward<Token>(token));
    else if constexpr (op == Op::get_member)
        return a.client.async_get_member(a.s.conference, a.s.member, diag, std::forward<Token>(token));
    else if constexpr (op == Op::update_member)
        return a.client.async_update_member(a.s.conference, a.s.member, a.member_update, diag,
                                            std::forward<Token>(token));
    else if constexpr (op == Op::list_recordings)
        return a.client.async_list_recordings(a.s.conference, diag, std::forward<Token>(token));
    else if constexpr (op == Op::get_recording)
        return a.client.async_get_recording(a.s.conference, a.s.recording, diag, std::forward<Token>(token));
    else
        return a.client.async_download_recording(a.s.conference, a.s.recording, *a.sink, diag,
                                                 std::forward<Token>(token));
}

/// Calls `f.template operator()<op>()` for each of the nine operations.
template <class F>
void for_each_op(F&& f) {
    f.template operator()<Op::get_conference>();
    f.template operator()<Op::list_page>();
    f.template operator()<Op::update_conference>();
    f.template operator()<Op::update_bxml>();
    f.template operator()<Op::get_member>();
    f.template operator()<Op::update_member>();
    f.template operator()<Op::list_recordings>();
    f.template operator()<Op::get_recording>();
    f.template operator()<Op::download>();
}

/// The same for the three changes.
template <class F>
void for_each_change(F&& f) {
    f.template operator()<Op::update_conference>();
    f.template operator()<Op::update_bxml>();
    f.template operator()<Op::update_member>();
}

/// run_coroutine on an io_context that may have run before: restarted
/// first, else a stopped io_context would not run the coroutine at all and
/// every check inside it would silently be skipped.
template <class MakeAwaitable>
void run_again(boost::asio::io_context& ioc, MakeAwaitable make) {
    ioc.restart();
    bool finished = false;
    run_coroutine(ioc, [&]() -> boost::asio::awaitable<void> {
        co_await make();
        finished = true;
    });
    BOOST_TEST_REQUIRE(finished, "the coroutine did not run to its end");
}

/// Suspends until `condition()` holds, checking every 2 ms; fails the test
/// after `limit`.
template <class Condition>
boost::asio::awaitable<void> wait_until(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(10),
                                        const char* what = "condition") {
    namespace net = boost::asio;
    const auto end = std::chrono::steady_clock::now() + limit;
    net::steady_timer timer(co_await net::this_coro::executor);
    while (!condition()) {
        BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < end), "timed out waiting for " << what);
        timer.expires_after(std::chrono::milliseconds(2));
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    }
}

/// Suspends for `d`.
inline boost::asio::awaitable<void> pause(std::chrono::milliseconds d) {
    namespace net = boost::asio;
    net::steady_timer timer(co_await net::this_coro::executor, d);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

/// Counts what an allocator bound to a handler allocates and frees.
struct AllocationCounts {
    std::atomic<std::size_t> allocations{0}, deallocations{0}, bytes_live{0};
};

template <class T>
struct CountingAllocator {
    using value_type = T;
    AllocationCounts* counts;

    explicit CountingAllocator(AllocationCounts& c) noexcept : counts(&c) {}
    template <class U>
    CountingAllocator(const CountingAllocator<U>& other) noexcept : counts(other.counts) {}

    T* allocate(std::size_t n) {
        counts->allocations.fetch_add(1);
        counts->bytes_live.fetch_add(n * sizeof(T));
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        counts->deallocations.fetch_add(1);
        counts->bytes_live.fetch_sub(n * sizeof(T));
        std::allocator<T>().deallocate(p, n);
    }
    template <class U>
    friend bool operator==(const CountingAllocator& a, const CountingAllocator<U>& b) noexcept {
        return a.counts == b.counts;
    }
};

/// The API's error body the mock sends for `status` (its own JSON), decoded:
/// {type, description}.
inline std::pair<std::string, std::string> api_error_of(const std::string& body_json) {
    auto v = boost::json::parse(body_json).as_object();
    return {std::string(v.at("type").as_string()), std::string(v.at("description").as_string())};
}

/// A result reduced to text a test can compare ("" for the changes).
inline std::string summary() {
    return "";
}
inline std::string summary(const Conference& c) {
    return c.id;
}
inline std::string summary(const std::vector<Conference>& page) {
    return std::to_string(page.size()) + " conferences";
}
inline std::string summary(const ConferenceMember& m) {
    return m.call_id;
}
inline std::string summary(const std::vector<RecordingMetadata>& list) {
    return std::to_string(list.size()) + " recordings";
}
inline std::string summary(const RecordingMetadata& r) {
    return r.recording_id;
}
inline std::string summary(const DownloadResult& d) {
    return std::to_string(d.bytes) + " bytes";
}

inline bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

}  // namespace bwvoice::test

#endif
