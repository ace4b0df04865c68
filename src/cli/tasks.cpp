// bwconf: the shared Tasks; see tasks.hpp.
#include "cli/tasks.hpp"

namespace bwconf {

KeyFields conference_fields() {
    return [](const std::string& key) { return boost::json::object{{"id", key}}; };
}

KeyFields child_fields(std::string conference_id, std::string name) {
    return [conference_id = std::move(conference_id), name = std::move(name)](const std::string& key) {
        boost::json::object o;
        o["conferenceId"] = conference_id;
        o[name] = key;
        return o;
    };
}

void ChangeTask::start(const std::string& key, Done done) {
    run_operation(
        key, std::move(done),
        [this, &key](bwvoice::Diagnostics& diag, auto handler) { initiate_(client_, key, diag, std::move(handler)); },
        [this, key] {
            auto o = fields_(key);
            o["updated"] = true;
            return json_line(o);
        });
}

}  // namespace bwconf
