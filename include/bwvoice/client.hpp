/// @file
/// ConferenceClient, the conferences resource of the Voice API as
/// asynchronous operations over a pool of keep-alive TLS connections.
#ifndef BWVOICE_CLIENT_HPP
#define BWVOICE_CLIENT_HPP

#include <bwvoice/export.hpp>

#include <bwvoice/changes.hpp>
#include <bwvoice/conference.hpp>
#include <bwvoice/config.hpp>
#include <bwvoice/detail/completion.hpp>
#include <bwvoice/detail/operations.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>
#include <bwvoice/listing.hpp>
#include <bwvoice/media.hpp>
#include <bwvoice/metrics.hpp>
#include <bwvoice/recording.hpp>
#include <bwvoice/with_diagnostics.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bwvoice {

class ConferencePager;

/// The conferences resource of Bandwidth's Voice API, asynchronously.
///
/// Every operation is an Asio asynchronous operation on the executor given at
/// construction: `co_await client.async_get_conference(id)`, or any other
/// completion token (use_awaitable, use_future, as_tuple, redirect_error, a
/// plain callback, with_diagnostics around any of them). Each has an
/// overload taking a `Diagnostics&`, filled (status, API error body, attempts)
/// just before the handler runs; it must stay valid until then.
///
/// The default token is `with_diagnostics_t<>`, that is
/// `with_diagnostics(asio::deferred)`: a bare `co_await` of a failed
/// operation throws error_with_diagnostics, a boost::system::system_error
/// (same code()) whose what() and diagnostics() say what the server answered.
/// Its deferred operation completes with `void(std::exception_ptr, T)`; pass
/// `asio::deferred` for one with the `void(error_code, T)` signature below.
///
/// @par What every operation shares
/// - Handler signature `void(error_code, T)` (or `void(error_code)` for the
///   changes). On failure T is empty and the error_code is a bwvoice::errc, or
///   asio::error::operation_aborted when the caller cancelled
///   (`ec == bwvoice::condition::cancelled` holds for both).
/// - The handler runs on its associated executor (by default the client's),
///   never inside the initiating function; its associated allocator is used
///   for the state that holds the handler (and the default token's
///   Diagnostics). The operation's other pieces (the operation itself, its
///   copies of the IDs, the request target), and the handler's state when
///   the handler has no allocator (the default `std::allocator`), come from
///   a small per-thread stock the library keeps (at most 64 KiB a thread,
///   freed when the thread ends), as Asio does for its own operations: a
///   warm get allocates nothing but its result. When the library is built
///   with AddressSanitizer it keeps nothing, so that ASan sees a use after
///   free of these pieces.
/// - An operation never takes longer than ClientConfig::request_timeout
///   (errc::timeout), whatever the phase (waiting for a connection, name
///   resolution, connecting, retries and their pauses, I/O). The deadline
///   ends the operation on time; its handler then runs when the context gets
///   to it, so when a great many operations reach their deadlines at once
///   (100,000 queued lookups timing out together on one thread) the last
///   handlers run a few hundred milliseconds after theirs.
/// - IDs are copied and sent percent-encoded as one path segment each, so no
///   character in them can change the request's path or headers. An empty ID,
///   `.` or `..` is refused with errc::bad_request before anything is sent.
/// - A result is never attributed to the wrong ID: an answer naming another
///   conference, member or recording than the one asked for is
///   errc::bad_response, and its connection is not reused. A member, a
///   recording and every recording of a list are checked for the
///   conference too, when they name one (`conferenceId`). Pages of List
///   Conferences name nothing asked for and are not checked.
///
/// @par Per-operation cancellation
/// Reads (the GETs): terminal, partial and total. While the operation waits
/// for a connection or sleeps before a retry, cancelling has no other effect;
/// while a request is on the wire, the connection it used is closed.
/// Changes (update conference, its BXML, update member): terminal, partial
/// and total while nothing has been written; once the request may have
/// reached the server only terminal cancellation takes effect (partial and
/// total promise no side effect, and the change may already be applied), and
/// the Diagnostics message says that the change may have been applied.
/// A change on an idle pooled connection is written during the initiating
/// call itself, so a partial or total cancellation emitted right after the
/// call already finds it on the wire.
/// A connection being opened for a cancelled operation carries on (it will
/// serve the next one), bounded by connect_timeout and handshake_timeout:
/// until then it keeps io_context::run() from returning. Call close() when
/// the client is no longer needed, and run() returns at once.
///
/// @par Retries
/// Reads are retried after 429, 502, 503, 504 and connection failures, and
/// resent at once when a pooled connection turns out to be dead. A change is
/// never sent twice once any byte of it may have reached the server: it is
/// retried after a 429 (refused, not applied) and resent only when nothing of
/// it was written; a connection failure, a timeout, a 5xx or a drop after
/// that ends it with that error.
///
/// @par Connections
/// At most ClientConfig::pool_size keep-alive connections are open at once.
/// An operation takes the most recently used idle connection, else opens a
/// new one if the bound allows, else waits in FIFO order for one to come back.
/// A connection is never reused after an error, a timeout, a cancellation, a
/// partly read response, `Connection: close`, or anything the server sent
/// unasked.
///
/// @par Thread-safety
/// Distinct objects: safe. Shared object: every operation, close() and
/// stats() are safe to call concurrently from any thread, including from
/// coroutines on a multi-threaded io_context. Moving or assigning the
/// ConferenceClient handle itself is not safe concurrently with other use.
///
/// @par Object lifetimes
/// The client may be destroyed with operations in flight: the destructor
/// calls close(), and every pending handler is still called (with
/// errc::cancelled).
/// A moved-from client behaves as a closed one: operations fail with
/// errc::cancelled, close() does nothing, stats() and metrics() return zeros.
/// As with every Asio I/O object, destroy the client (and let its handlers
/// run) before the io_context it was given: its pooled sockets belong to
/// that context. Where the context may go first (the order of a class's
/// members), call close() before it goes: the pooled sockets are closed then.
/// Destroying the context first with connections still pooled is undefined
/// behaviour (a socket outliving its service), as for any Asio socket.
class BWVOICE_API ConferenceClient {
public:
    /// The type of the executor given at construction.
    using executor_type = boost::asio::any_io_executor;

    /// Creates the client; opens no connection yet (connections are opened on
    /// demand). Throws std::invalid_argument naming the field when `config` is
    /// invalid (a CA file or PEM without a usable certificate included), and
    /// std::system_error (with the errno, naming the field and the path) when
    /// TlsConfig::extra_ca_file cannot be opened or read.
    ConferenceClient(executor_type ex, ClientConfig config);

    /// Creates the client on `ctx`'s executor (an io_context, a thread_pool);
    /// the same otherwise.
    template <class ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&> ConferenceClient(
        ExecutionContext& ctx, ClientConfig config)
        : ConferenceClient(executor_type(ctx.get_executor()), std::move(config)) {}

    /// Takes over the client: its operations in flight go on, and `other`
    /// behaves as a closed client (see Object lifetimes).
    ConferenceClient(ConferenceClient&&) noexcept;
    /// Closes this client (as the destructor does), then takes over `other`.
    ConferenceClient& operator=(ConferenceClient&&) noexcept;
    /// Not copyable: share one client (by reference) among the code that
    /// uses it, so that it shares one pool.
    ConferenceClient(const ConferenceClient&) = delete;
    /// Not copyable (see the copy constructor).
    ConferenceClient& operator=(const ConferenceClient&) = delete;

    /// Calls close().
    ~ConferenceClient();

    /// The executor given at construction (never an internal strand).
    executor_type get_executor() const noexcept { return ex_; }

    // ---- conferences -------------------------------------------------------

    /// Get Conference Information: `GET .../conferences/{id}`.
    /// @code
    /// bwvoice::Conference c = co_await client.async_get_conference("conf-fe23a767-...");
    /// @endcode
    ///
    /// @par Handler signature
    /// `void(error_code, Conference)`.
    /// @par Executor
    /// The handler runs on its associated executor (by default get_executor()),
    /// never inside this call.
    /// @par Per-operation cancellation
    /// Terminal, partial and total (a read: see the class).
    /// @par Errors
    /// errc::not_found: no such conference. errc::bad_request: an ID refused
    /// before sending (empty, `.` or `..`), or a 400. errc::bad_response: an
    /// answer that is malformed or names another conference.
    /// asio::error::operation_aborted when cancelled, and any other errc as
    /// it describes (errc::timeout, errc::connection_failed, ...).
    /// @par Thread-safety
    /// Callable from any thread, concurrently with every other operation.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_get_conference(std::string_view id, CompletionToken&& token = {}) {
        return initiate<Conference>(std::forward<CompletionToken>(token), nullptr, &detail::start_get_conference,
                                    detail::OperationString(id));
    }
    /// @overload
    /// Fills `diag` just before the handler runs; it must stay valid until then.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_get_conference(std::string_view id, Diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<Conference>(std::forward<CompletionToken>(token), &diag, &detail::start_get_conference,
                                    detail::OperationString(id));
    }

    /// List Conferences: a pager that fetches one page per async_next(),
    /// following the API's `Link: <...>; rel="next"` (see ConferencePager).
    /// Does no I/O itself, and never fails: a query the API would refuse
    /// (ConferenceQuery::page_size out of 1 to 1000) fails the first
    /// async_next() with errc::bad_request, nothing sent. Callable from any
    /// thread.
    /// @code
    /// auto pager = client.list_conferences({.name = "standup", .page_size = 100});  // no co_await: fine
    /// while (!pager.done())
    ///     for (const bwvoice::Conference& c : co_await pager.async_next()) use(c);
    /// @endcode
    ConferencePager list_conferences(ConferenceQuery query = {});

    /// Update Conference: `POST .../conferences/{id}` with exactly the fields
    /// of `update` that are set (see ConferenceUpdate for the API's rules,
    /// checked before sending); success is 204.
    /// @code
    /// bwvoice::ConferenceUpdate end{.status = bwvoice::ConferenceStatus::completed};
    /// co_await client.async_update_conference(id, end);
    /// @endcode
    /// (A named variable, not a braced temporary inside the co_await: g++ 12
    /// destroys such a temporary twice.)
    ///
    /// @par Handler signature
    /// `void(error_code)`.
    /// @par Executor
    /// The handler runs on its associated executor (by default get_executor()),
    /// never inside this call.
    /// @par Per-operation cancellation
    /// Terminal, partial and total until the request may have reached the
    /// server; from then on only terminal (a change: see the class).
    /// @par Errors
    /// errc::bad_request: an ID refused before sending, `update` breaking
    /// the API's rules (Diagnostics::message is check_update()'s; nothing
    /// sent), or a 400. errc::not_found: no such conference.
    /// A connection failure, a timeout or a 5xx once the request may have
    /// reached the server ends it with that error: the change may have been
    /// applied, and Diagnostics::message says so.
    /// asio::error::operation_aborted when cancelled, and any other errc as
    /// it describes (errc::timeout, errc::connection_failed, ...).
    /// @par Thread-safety
    /// Callable from any thread, concurrently with every other operation.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_update_conference(std::string_view id, ConferenceUpdate update, CompletionToken&& token = {}) {
        return initiate<>(std::forward<CompletionToken>(token), nullptr, &detail::start_update_conference,
                          detail::OperationString(id), std::move(update));
    }
    /// @overload
    /// Fills `diag` just before the handler runs; it must stay valid until then.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_update_conference(std::string_view id, ConferenceUpdate update, Diagnostics& diag,
                                 CompletionToken&& token = {}) {
        return initiate<>(std::forward<CompletionToken>(token), &diag, &detail::start_update_conference,
                          detail::OperationString(id), std::move(update));
    }

    /// Update Conference BXML: `PUT .../conferences/{id}/bxml`, the document
    /// sent byte for byte as `application/xml` (for example
    /// `<?xml version="1.0" encoding="UTF-8"?><Bxml><PlayAudio>...</PlayAudio></Bxml>`).
    /// Success is 204.
    ///
    /// @par Handler signature
    /// `void(error_code)`.
    /// @par Executor
    /// The handler runs on its associated executor (by default get_executor()),
    /// never inside this call.
    /// @par Per-operation cancellation
    /// Terminal, partial and total until the request may have reached the
    /// server; from then on only terminal (a change: see the class).
    /// @par Errors
    /// errc::bad_request: an ID refused before sending, an empty document
    /// (nothing sent), or a 400. errc::not_found: no such conference.
    /// A connection failure, a timeout or a 5xx once the request may have
    /// reached the server ends it with that error: the change may have been
    /// applied, and Diagnostics::message says so.
    /// asio::error::operation_aborted when cancelled, and any other errc as
    /// it describes (errc::timeout, errc::connection_failed, ...).
    /// @par Thread-safety
    /// Callable from any thread, concurrently with every other operation.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_update_conference_bxml(std::string_view id, std::string bxml, CompletionToken&& token = {}) {
        return initiate<>(std::forward<CompletionToken>(token), nullptr, &detail::start_update_conference_bxml,
                          detail::OperationString(id), std::move(bxml));
    }
    /// @overload
    /// Fills `diag` just before the handler runs; it must stay valid until then.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_update_conference_bxml(std::string_view id, std::string bxml, Diagnostics& diag,
                                      CompletionToken&& token = {}) {
        return initiate<>(std::forward<CompletionToken>(token), &diag, &detail::start_update_conference_bxml,
                          detail::OperationString(id), std::move(bxml));
    }

    // ---- members -----------------------------------------------------------

    /// Get Conference Member: `GET .../conferences/{conference_id}/members/{member_id}`
    /// (the member ID is its call ID).
    ///
    /// @par Handler signature
    /// `void(error_code, ConferenceMember)`.
    /// @par Executor
    /// The handler runs on its associated executor (by default get_executor()),
    /// never inside this call.
    /// @par Per-operation cancellation
    /// Terminal, partial and total (a read: see the class).
    /// @par Errors
    /// errc::not_found: no such conference or member. errc::bad_request: an
    /// ID refused before sending (empty, `.` or `..`), or a 400.
    /// errc::bad_response: an answer that is malformed or names another
    /// member or conference.
    /// asio::error::operation_aborted when cancelled, and any other errc as
    /// it describes (errc::timeout, errc::connection_failed, ...).
    /// @par Thread-safety
    /// Callable from any thread, concurrently with every other operation.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_get_member(std::string_view conference_id, std::string_view member_id, CompletionToken&& token = {}) {
        return initiate<ConferenceMember>(std::forward<CompletionToken>(token), nullptr, &detail::start_get_member,
                                          detail::OperationString(conference_id), detail::OperationString(member_id));
    }
    /// @overload
    /// Fills `diag` just before the handler runs; it must stay valid until then.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_get_member(std::string_view conference_id, std::string_view member_id, Diagnostics& diag,
                          CompletionToken&& token = {}) {
        return initiate<ConferenceMember>(std::forward<CompletionToken>(token), &diag, &detail::start_get_member,
                                          detail::OperationString(conference_id), detail::OperationString(member_id));
    }

    /// Update Conference Member: `PUT .../members/{member_id}` with exactly the
    /// fields of `update` that are set; success is 204.
    /// @code
    /// bwvoice::MemberUpdate mute{.mute = true};
    /// co_await client.async_update_member(conf, call, mute);
    /// @endcode
    ///
    /// @par Handler signature
    /// `void(error_code)`.
    /// @par Executor
    /// The handler runs on its associated executor (by default get_executor()),
    /// never inside this call.
    /// @par Per-operation cancellation
    /// Terminal, partial and total until the request may have reached the
    /// server; from then on only terminal (a change: see the class).
    /// @par Errors
    /// errc::bad_request: an ID refused before sending, an `update` that
    /// cannot be sent (nothing set, a call ID that is not UTF-8:
    /// Diagnostics::message is check_update()'s; nothing sent), or a 400.
    /// errc::not_found: no such conference or member.
    /// A connection failure, a timeout or a 5xx once the request may have
    /// reached the server ends it with that error: the change may have been
    /// applied, and Diagnostics::message says so.
    /// asio::error::operation_aborted when cancelled, and any other errc as
    /// it describes (errc::timeout, errc::connection_failed, ...).
    /// @par Thread-safety
    /// Callable from any thread, concurrently with every other operation.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_update_member(std::string_view conference_id, std::string_view member_id, MemberUpdate update,
                             CompletionToken&& token = {}) {
        return initiate<>(std::forward<CompletionToken>(token), nullptr, &detail::start_update_member,
                          detail::OperationString(conference_id), detail::OperationString(member_id),
                          std::move(update));
    }
    /// @overload
    /// Fills `diag` just before the handler runs; it must stay valid until then.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_update_member(std::string_view conference_id, std::string_view member_id, MemberUpdate update,
                             Diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<>(std::forward<CompletionToken>(token), &diag, &detail::start_update_member,
                          detail::OperationString(conference_id), detail::OperationString(member_id),
                          std::move(update));
    }

    // ---- recordings --------------------------------------------------------

    /// List Conference Recordings: `GET .../conferences/{id}/recordings` (not
    /// paged by the API), possibly empty.
    ///
    /// @par Handler signature
    /// `void(error_code, std::vector<RecordingMetadata>)`.
    /// @par Executor
    /// The handler runs on its associated executor (by default get_executor()),
    /// never inside this call.
    /// @par Per-operation cancellation
    /// Terminal, partial and total (a read: see the class).
    /// @par Errors
    /// errc::not_found: no such conference. errc::bad_request: an ID refused
    /// before sending (empty, `.` or `..`), or a 400. errc::bad_response: an
    /// answer that is malformed, or a recording in it that names another
    /// conference.
    /// asio::error::operation_aborted when cancelled, and any other errc as
    /// it describes (errc::timeout, errc::connection_failed, ...).
    /// @par Thread-safety
    /// Callable from any thread, concurrently with every other operation.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_list_recordings(std::string_view conference_id, CompletionToken&& token = {}) {
        return initiate<std::vector<RecordingMetadata>>(std::forward<CompletionToken>(token), nullptr,
                                                        &detail::start_list_recordings,
                                                        detail::OperationString(conference_id));
    }
    /// @overload
    /// Fills `diag` just before the handler runs; it must stay valid until then.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_list_recordings(std::string_view conference_id, Diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<std::vector<RecordingMetadata>>(std::forward<CompletionToken>(token), &diag,
                                                        &detail::start_list_recordings,
                                                        detail::OperationString(conference_id));
    }

    /// Get Conference Recording Information: `GET .../recordings/{recording_id}`.
    ///
    /// @par Handler signature
    /// `void(error_code, RecordingMetadata)`.
    /// @par Executor
    /// The handler runs on its associated executor (by default get_executor()),
    /// never inside this call.
    /// @par Per-operation cancellation
    /// Terminal, partial and total (a read: see the class).
    /// @par Errors
    /// errc::not_found: no such conference or recording. errc::bad_request:
    /// an ID refused before sending (empty, `.` or `..`), or a 400.
    /// errc::bad_response: an answer that is malformed or names another
    /// recording or conference.
    /// asio::error::operation_aborted when cancelled, and any other errc as
    /// it describes (errc::timeout, errc::connection_failed, ...).
    /// @par Thread-safety
    /// Callable from any thread, concurrently with every other operation.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_get_recording(std::string_view conference_id, std::string_view recording_id,
                             CompletionToken&& token = {}) {
        return initiate<RecordingMetadata>(std::forward<CompletionToken>(token), nullptr, &detail::start_get_recording,
                                           detail::OperationString(conference_id),
                                           detail::OperationString(recording_id));
    }
    /// @overload
    /// Fills `diag` just before the handler runs; it must stay valid until then.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_get_recording(std::string_view conference_id, std::string_view recording_id, Diagnostics& diag,
                             CompletionToken&& token = {}) {
        return initiate<RecordingMetadata>(std::forward<CompletionToken>(token), &diag, &detail::start_get_recording,
                                           detail::OperationString(conference_id),
                                           detail::OperationString(recording_id));
    }

    /// Download Conference Recording: `GET .../recordings/{recording_id}/media`,
    /// streamed into `sink` in bounded memory whatever the size (see
    /// MediaSink; `sink` must stay valid until the handler runs). Retried
    /// like any read until the first byte reaches the sink, never after.
    /// No body size limit applies (ClientConfig::max_body_bytes is for JSON
    /// answers).
    ///
    /// @par Handler signature
    /// `void(error_code, DownloadResult)`.
    /// @par Executor
    /// The handler runs on its associated executor (by default get_executor()),
    /// never inside this call.
    /// @par Per-operation cancellation
    /// Terminal, partial and total (a read: see the class); the sink then
    /// gets finish(false).
    /// @par Errors
    /// errc::not_found: no such conference or recording. errc::bad_request:
    /// an ID refused before sending (empty, `.` or `..`), or a 400.
    /// errc::bad_response: a malformed response, or a body whose end cannot be
    /// verified (no Content-Length, not chunked). The sink's own error_code,
    /// when it stops the download.
    /// asio::error::operation_aborted when cancelled, and any other errc as
    /// it describes (errc::timeout, errc::connection_failed, ...).
    /// @par Thread-safety
    /// Callable from any thread, concurrently with every other operation.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_download_recording(std::string_view conference_id, std::string_view recording_id, MediaSink& sink,
                                  CompletionToken&& token = {}) {
        return initiate<DownloadResult>(std::forward<CompletionToken>(token), nullptr,
                                        &detail::start_download_recording, detail::OperationString(conference_id),
                                        detail::OperationString(recording_id), &sink);
    }
    /// @overload
    /// Fills `diag` just before the handler runs; it must stay valid until then.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_download_recording(std::string_view conference_id, std::string_view recording_id, MediaSink& sink,
                                  Diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<DownloadResult>(std::forward<CompletionToken>(token), &diag, &detail::start_download_recording,
                                        detail::OperationString(conference_id), detail::OperationString(recording_id),
                                        &sink);
    }

    // ---- the client itself -------------------------------------------------

    /// Fails waiting and in-flight operations with errc::cancelled, closes
    /// every connection, and makes later operations fail at once with
    /// errc::cancelled. Idempotent; callable from any thread; does not block:
    /// the connections in use are closed by their operations on the context,
    /// so stats().open reaches 0 once the context has run them.
    void close();

    /// A snapshot of the counters; callable from any thread.
    PoolStats stats() const;

    /// Everything the client counts (stats() included): per operation its
    /// outcomes and a latency distribution, retries by reason, connections
    /// closed by reason, bytes, connect, handshake and pool-wait
    /// distributions. Callable from any thread while operations run: the
    /// counters are read without a lock (stats()'s gauges take the pool's and
    /// the registry's locks for a moment, as stats() does), and it copies
    /// about 100 KB. A moved-from client gives an empty one.
    ClientMetrics metrics() const;

private:
    friend class ConferencePager;

    template <class... Values, class CompletionToken, class Start, class... Args>
    auto initiate(CompletionToken&& token, Diagnostics* diag, Start* start, Args&&... args) {
        // The Diagnostics* comes first: with_diagnostics finds it there.
        return boost::asio::async_initiate<CompletionToken, void(error_code, Values...)>(
            [](auto handler, Diagnostics* user_diag, Start* run, std::shared_ptr<detail::ClientImpl> impl,
               executor_type ex, auto... operation_args) {
                detail::Completion<Values...> done(std::move(handler), ex, user_diag);
                if (!impl) return detail::fail_moved_from(done, operation_args...);
                run(std::move(impl), std::move(operation_args)..., std::move(done));
            },
            token, diag, start, impl_, ex_, std::forward<Args>(args)...);
    }

    executor_type ex_;
    std::shared_ptr<detail::ClientImpl> impl_;
};

/// The pages of one List Conferences, fetched one per async_next(), oldest
/// conferences first (as the API returns them). The first call sends the
/// query; each later one follows the previous answer's
/// `Link: <URL>; rel="next"` as given, but only to the base URL's own scheme,
/// host and port and, once dot segments are resolved, to the listing's own
/// path (`<base path>/accounts/<account>/conferences`, any query): a link
/// elsewhere (another host, account, API version or path prefix), or back to
/// the page just fetched, ends the listing with errc::bad_response, so the
/// credentials never go to another host or resource and the listing cannot
/// loop on one page. done() turns true after the page without a next link
/// (the first page may be empty).
///
/// One async_next() at a time; copies share the same position. A second
/// async_next() while one is under way fails at once (posted) with
/// errc::bad_request and nothing is sent. Holds the
/// client's state: it stays usable after the ConferenceClient handle is
/// destroyed, but a closed client fails it with errc::cancelled. A moved-from
/// pager is done() and its async_next() fails with errc::cancelled (posted).
///
/// Unlike the ID-keyed reads, a page names nothing the client asked for, so
/// there is no ID to check its answer against: a page answered out of step is
/// delivered as it is.
class BWVOICE_API ConferencePager {
public:
    /// The type of the client's executor.
    using executor_type = boost::asio::any_io_executor;

    // A move copies the executor, so a moved-from pager still completes
    // async_next() on it (with errc::cancelled).
    /// Another handle on the same listing, sharing its position.
    ConferencePager(const ConferencePager&) = default;
    /// Makes this a handle on `other`'s listing, sharing its position.
    ConferencePager& operator=(const ConferencePager&) = default;
    /// Takes over the listing; `other` is then done() and its async_next()
    /// fails with errc::cancelled.
    ConferencePager(ConferencePager&& other) noexcept : ex_(other.ex_), state_(std::move(other.state_)) {}
    /// Takes over `other`'s listing, as the move constructor does.
    ConferencePager& operator=(ConferencePager&& other) noexcept {
        ex_ = other.ex_;
        state_ = std::move(other.state_);
        return *this;
    }
    /// Drops this handle; a page under way still completes.
    ~ConferencePager() = default;

    /// True once the last page has been fetched; async_next() then completes
    /// at once (posted) with an empty page.
    bool done() const noexcept;

    /// The client's executor, on which async_next() completes by default.
    executor_type get_executor() const noexcept { return ex_; }

    /// The next page. A failed page can be asked for again (the position is
    /// kept).
    ///
    /// @par Handler signature
    /// `void(error_code, std::vector<Conference>)`.
    /// @par Executor
    /// The handler runs on its associated executor (by default get_executor()),
    /// never inside this call.
    /// @par Per-operation cancellation
    /// Terminal, partial and total (a read: see the class).
    /// @par Errors
    /// errc::bad_request: another async_next() under way, a query refused
    /// before sending (ConferenceQuery::page_size out of 1 to 1000), or a 400.
    /// errc::bad_response: a malformed page, or a next link the pager may not
    /// follow. errc::cancelled: a closed client, or a moved-from pager.
    /// asio::error::operation_aborted when cancelled, and any other errc as
    /// it describes (errc::timeout, errc::connection_failed, ...).
    /// @par Thread-safety
    /// Callable from any thread, but one async_next() at a time per listing
    /// (copies included); done() and get_executor() at any time.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_next(CompletionToken&& token = {}) {
        return initiate(std::forward<CompletionToken>(token), nullptr);
    }
    /// @overload
    /// Fills `diag` just before the handler runs; it must stay valid until then.
    template <class CompletionToken = with_diagnostics_t<>>
    auto async_next(Diagnostics& diag, CompletionToken&& token = {}) {
        return initiate(std::forward<CompletionToken>(token), &diag);
    }

private:
    friend class ConferenceClient;
    ConferencePager(executor_type ex, std::shared_ptr<detail::PagerState> state)
        : ex_(std::move(ex)), state_(std::move(state)) {}

    template <class CompletionToken>
    auto initiate(CompletionToken&& token, Diagnostics* diag) {
        // The Diagnostics* comes first: with_diagnostics finds it there.
        return boost::asio::async_initiate<CompletionToken, void(error_code, std::vector<Conference>)>(
            [](auto handler, Diagnostics* user_diag, std::shared_ptr<detail::PagerState> state, executor_type ex) {
                detail::start_next_page(std::move(state),
                                        detail::Completion<std::vector<Conference>>(std::move(handler), ex, user_diag));
            },
            token, diag, state_, ex_);
    }

    executor_type ex_;
    std::shared_ptr<detail::PagerState> state_;
};

}  // namespace bwvoice

#endif
