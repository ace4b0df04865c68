// bwconf: the Tasks of the subcommands that run one client operation per
// key (member, recording, the changes): error and cancelled lines named by
// the key's fields, and the plumbing of one operation with its Diagnostics.
#ifndef BWVOICE_CLI_TASKS_HPP
#define BWVOICE_CLI_TASKS_HPP

#include "cli/output.hpp"
#include "cli/runner.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bwconf {

/// The fields that name a key in its lines, in order: {"id":key} for a
/// conference, {"conferenceId":c,"memberId":key} for a member, ...
using KeyFields = std::function<boost::json::object(const std::string& key)>;

/// {"id": key}.
KeyFields conference_fields();
/// {"conferenceId": conference_id, <name>: key}.
KeyFields child_fields(std::string conference_id, std::string name);

/// A Task whose lines are named by KeyFields.
class ClientTask : public Task {
public:
    ClientTask(Session& session, KeyFields fields)
        : client_(session.client), secrets_(session.secrets), fields_(std::move(fields)) {}

    std::string cancelled_line(const std::string& key, const std::string& message) const override {
        return error_line(fields_(key), error_object(bwvoice::errc::cancelled, message));
    }

protected:
    /// fields(key) followed by the error object of a failed operation.
    std::string failure(const std::string& key, const bwvoice::error_code& ec, const bwvoice::Diagnostics& diag) const {
        return error_line(fields_(key), error_object(ec, diag, secrets_));
    }

    /// Starts one operation: `initiate(diag, handler)` calls the client with
    /// a Diagnostics that lives until the handler has run; on success
    /// `lines(result...)` makes the text to print, on failure failure().
    template <class Initiate, class Lines>
    void run_operation(const std::string& key, Done done, Initiate initiate, Lines lines) {
        auto diag = std::make_shared<bwvoice::Diagnostics>();
        initiate(*diag, [this, key, diag, done = std::move(done), lines = std::move(lines)](bwvoice::error_code ec,
                                                                                            auto&&... result) {
            if (ec)
                done(failure(key, ec, *diag), true);
            else
                done(lines(result...), false);
        });
    }

    bwvoice::ConferenceClient& client_;
    std::vector<std::string> secrets_;
    KeyFields fields_;
};

/// A change (update, BXML, member update): one operation per key whose
/// success line is fields(key) + "updated": true.
class ChangeTask final : public ClientTask {
public:
    /// `initiate(client, key, diag, handler)` starts the change.
    using Initiate = std::function<void(bwvoice::ConferenceClient&, const std::string& key, bwvoice::Diagnostics&,
                                        std::function<void(bwvoice::error_code)>)>;

    ChangeTask(Session& session, KeyFields fields, Initiate initiate)
        : ClientTask(session, std::move(fields)), initiate_(std::move(initiate)) {}

    void start(const std::string& key, Done done) override;

private:
    Initiate initiate_;
};

}  // namespace bwconf

#endif
