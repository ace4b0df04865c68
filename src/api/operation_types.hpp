// The kinds of operation the resource has: a read decoded into a model and
// checked against the ID asked for, a change answered by 204, a download
// streamed into the caller's sink. Each ends in the caller's Completion.
#ifndef BWVOICE_SRC_API_OPERATION_TYPES_HPP
#define BWVOICE_SRC_API_OPERATION_TYPES_HPP

#include "core/operation.hpp"

#include <bwvoice/detail/completion.hpp>
#include <bwvoice/observer.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace bwvoice::detail {

/// The IDs a read asked for, which its answer must not contradict. Kept in
/// one string, not two: an operation waits in the pool's queue with it, and
/// a queued operation's size is a target (issue 13).
class Asked {
public:
    Asked() = default;
    /// `item_id`: the member's or recording's ID; "" for a conference or a list.
    explicit Asked(OperationString conference_id, std::string_view item_id = {})
        : ids_(std::move(conference_id)), split_(ids_.size()) {
        ids_.append(item_id);
    }
    std::string_view conference_id() const noexcept { return std::string_view(ids_).substr(0, split_); }
    std::string_view item_id() const noexcept { return std::string_view(ids_).substr(split_); }

private:
    OperationString ids_;
    std::size_t split_ = 0;
};

/// Why a decoded answer cannot be the one asked for ("" when it can be).
template <class T>
using CheckAnswer = std::string (*)(const T&, const Asked&);

/// "" when the answer names no conference (`conferenceId` absent or null) or
/// the one asked for; else why it is refused: `what` (the part of the answer
/// that names it, "the response is for member 'c-1'") of conference '<named>'.
inline std::string other_conference(const std::optional<std::string>& named, const Asked& asked,
                                    const std::string& what) {
    if (!named || *named == asked.conference_id()) return {};
    return what + " of conference '" + *named + "', not the conference requested";
}

/// A read whose 200 body decodes into T. `check` (when given) says whether
/// the answer is for the IDs asked for; if not, bad_response, and the
/// connection is retired (its answers are out of step).
template <class T>
class DecodedRead final : public Operation {
public:
    using Decode = error_code (*)(std::string_view, T&, std::string*);

    DecodedRead(Completion<T> done, Decode decode, const char* what, Asked asked = {}, CheckAnswer<T> check = nullptr)
        : done_(std::move(done)), decode_(decode), what_(what), asked_(std::move(asked)), check_(check) {}

    boost::asio::cancellation_slot slot() const noexcept override { return done_.slot(); }

    Accepted accept(std::string_view body, std::string_view) override {
        Accepted a;
        std::string why;
        T decoded{};
        if ((a.ec = decode_(body, decoded, &why))) {
            a.why = "invalid " + std::string(what_) + " in the response: " + why;
            return a;
        }
        if (check_) {
            if (auto wrong = check_(decoded, asked_); !wrong.empty()) {
                a.ec = make_error_code(errc::bad_response);
                a.why = std::move(wrong);
                a.retire = true;
                return a;
            }
        }
        value_ = std::move(decoded);
        return a;
    }

    void complete(error_code ec, Diagnostics diag, bool inside_initiation) override {
        done_.complete(ec, ec ? T{} : std::move(value_), std::move(diag), inside_initiation);
    }

private:
    Completion<T> done_;
    Decode decode_;
    const char* what_;
    Asked asked_;
    CheckAnswer<T> check_;
    T value_{};
};

/// A change: success is 204 and there is nothing to decode.
class Change final : public Operation {
public:
    explicit Change(Completion<> done) : done_(std::move(done)) {}
    boost::asio::cancellation_slot slot() const noexcept override { return done_.slot(); }
    Accepted accept(std::string_view, std::string_view) override { return {}; }
    void complete(error_code ec, Diagnostics diag, bool inside_initiation) override {
        done_.complete(ec, std::move(diag), inside_initiation);
    }

private:
    Completion<> done_;
};

class ClientImpl;
/// Counts an operation of `kind` refused before sending, in the metrics and
/// to the observer (client_impl.cpp), as the exchange does for the others.
void count_refusal(ClientImpl& impl, OperationKind kind) noexcept;

/// Completes `done` at once, without a request, with bad_request and `why`:
/// the operation is refused before anything is sent. Always inside the
/// initiating function, so posted.
template <class... Values>
void refuse(ClientImpl& impl, OperationKind kind, Completion<Values...>& done, std::string why) {
    count_refusal(impl, kind);
    Diagnostics diag;
    diag.message = std::move(why);
    done.complete(make_error_code(errc::bad_request), Values{}..., std::move(diag), true);
}

}  // namespace bwvoice::detail

#endif
