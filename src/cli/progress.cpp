// bwconf: progress on stderr. Plain text padded with spaces rather than
// terminal escape codes, so a forced --progress into a file stays readable.
#include "cli/progress.hpp"

#include <cstdio>

namespace bwconf {
namespace {

std::string fixed(double v, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, v);
    return text;
}

std::string duration(double seconds) {
    const auto s = static_cast<unsigned long long>(seconds + 0.5);
    char text[64];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%llu:%02llu", s / 60, s % 60);
    return text;
}

}  // namespace

Progress::Progress(bool enabled, std::optional<std::uint64_t> total, std::string noun, std::string done_word)
    : enabled_(enabled),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      noun_(std::move(noun)),
      done_word_(std::move(done_word)) {}

double Progress::seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::put_line(const std::string& text) {
    std::string out = "\r" + text;
    if (text.size() < last_width_) out.append(last_width_ - text.size(), ' ');
    last_width_ = text.size();
    std::fputs(out.c_str(), stderr);
    std::fflush(stderr);
}

void Progress::draw() {
    if (!enabled_) return;
    const double secs = seconds();
    const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0.0;
    std::string text = std::to_string(done_);
    if (total_) {
        text += "/" + std::to_string(*total_);
        if (*total_ != 0)
            text += " (" + fixed(100.0 * static_cast<double>(done_) / static_cast<double>(*total_), 0) + "%)";
    }
    text += " " + done_word_ + ", " + std::to_string(failures_) + " failed, " + fixed(rate, 1) + "/s";
    if (total_ && rate > 0 && done_ <= *total_)
        text += ", ETA " + duration(static_cast<double>(*total_ - done_) / rate);
    else
        text += ", " + duration(secs) + " elapsed";
    put_line(text);
}

void Progress::summary(const bwvoice::PoolStats& stats, const std::string& ending) {
    if (!enabled_) return;
    const double secs = seconds();
    const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0.0;
    put_line("");
    std::string text = "\rbwconf: " + std::to_string(done_) + " " + noun_ + ", " + std::to_string(failures_) +
                       " failed, " + fixed(secs, 2) + " s, " + fixed(rate, 1) + " " + noun_ + "/s; " +
                       std::to_string(stats.connections_opened) + " connections opened, " +
                       std::to_string(stats.reuses) + " requests on reused connections, " +
                       std::to_string(stats.retries) + " retries" + ending + "\n";
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
}

}  // namespace bwconf
