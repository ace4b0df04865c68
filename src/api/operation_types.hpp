// The kinds of operation the resource has: a read decoded into a model and
// checked against the ID asked for, a change answered by 204, a download
// streamed into the caller's sink. Each ends in the caller's Completion.
#ifndef BWVOICE_SRC_API_OPERATION_TYPES_HPP
#define BWVOICE_SRC_API_OPERATION_TYPES_HPP

#include "core/operation.hpp"

#include <bwvoice/detail/completion.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace bwvoice::detail {

/// A read whose 200 body decodes into T. `id_of` (when given) says which ID
/// the answer names; it must be the one asked for, else bad_response and the
/// connection is retired (its answers are out of step). `conference_of`
/// (when given) says which conference it names, if it names one: that must
/// be `expected_conference` (a member or a recording of another conference
/// is not the one asked for either).
template <class T>
class DecodedRead final : public Operation {
public:
    using Decode = error_code (*)(std::string_view, T&, std::string*);
    using IdOf = const std::string& (*)(const T&);
    using ConferenceOf = const std::optional<std::string>& (*)(const T&);

    DecodedRead(Completion<T> done, Decode decode, const char* what, std::string expected_id = {},
                IdOf id_of = nullptr, std::string expected_conference = {}, ConferenceOf conference_of = nullptr)
        : done_(std::move(done)),
          decode_(decode),
          what_(what),
          expected_id_(std::move(expected_id)),
          id_of_(id_of),
          expected_conference_(std::move(expected_conference)),
          conference_of_(conference_of) {}

    boost::asio::cancellation_slot slot() const noexcept override { return done_.slot(); }

    Accepted accept(std::string_view body, std::string_view) override {
        Accepted a;
        std::string why;
        T decoded{};
        if ((a.ec = decode_(body, decoded, &why))) {
            a.why = "invalid " + std::string(what_) + " in the response: " + why;
            return a;
        }
        if (id_of_ && id_of_(decoded) != expected_id_) {
            a.ec = make_error_code(errc::bad_response);
            a.why = "the response is for " + std::string(what_) + " '" + id_of_(decoded) + "', not the one requested";
            a.retire = true;
            return a;
        }
        if (conference_of_) {
            const std::optional<std::string>& named = conference_of_(decoded);
            if (named && *named != expected_conference_) {
                a.ec = make_error_code(errc::bad_response);
                a.why = "the response is for a " + std::string(what_) + " of conference '" + *named +
                        "', not the one requested";
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
    std::string expected_id_;
    IdOf id_of_;
    std::string expected_conference_;
    ConferenceOf conference_of_;
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

/// Completes `done` at once, without a request, with bad_request and `why`:
/// the operation is refused before anything is sent. Always inside the
/// initiating function, so posted.
template <class... Values>
void refuse(Completion<Values...>& done, std::string why) {
    Diagnostics diag;
    diag.message = std::move(why);
    done.complete(make_error_code(errc::bad_request), Values{}..., std::move(diag), true);
}

}  // namespace bwvoice::detail

#endif
