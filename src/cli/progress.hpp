// bwconf: the progress line and the summary on stderr.
#ifndef BWVOICE_CLI_PROGRESS_HPP
#define BWVOICE_CLI_PROGRESS_HPP

#include <bwvoice/client.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace bwconf {

/// Draws one line, rewritten in place with '\r', and a summary at the end.
/// Disabled, every call does nothing, so the caller need not check.
class Progress {
public:
    /// `noun` names what is counted in the summary ("lookups"), `done_word`
    /// what the line says of them ("looked up").
    Progress(bool enabled, std::optional<std::uint64_t> total, std::string noun = "lookups",
             std::string done_word = "looked up");

    bool enabled() const { return enabled_; }

    /// Counts one finished operation (or line).
    void finished(bool failed) {
        ++done_;
        if (failed) ++failures_;
    }

    /// Redraws the line (called from a timer, not per lookup, so a fast run
    /// does not spend its time writing to the terminal).
    void draw();

    /// Replaces the line with the summary: lookups, failures, rate and how
    /// the connections were used.
    void summary(const bwvoice::PoolStats& stats, const std::string& ending);

private:
    double seconds() const;
    void put_line(const std::string& text);

    bool enabled_;
    std::optional<std::uint64_t> total_;
    std::uint64_t done_ = 0;
    std::uint64_t failures_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::size_t last_width_ = 0;
    std::string noun_;
    std::string done_word_;
};

}  // namespace bwconf

#endif
