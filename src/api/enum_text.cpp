// bwvoice: the text of the API's enums, both ways.
//
// Reading is case-insensitive, as Java's SDK matches them; writing uses the
// API's own spelling. A value outside an enum's range (a cast) is "unknown".
#include <bwvoice/changes.hpp>
#include <bwvoice/conference.hpp>
#include <bwvoice/recording.hpp>

#include <cstddef>

namespace bwvoice {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

}  // namespace

std::optional<EventMethod> parse_event_method(std::string_view text) noexcept {
    if (equals_ignoring_case(text, "GET")) return EventMethod::get;
    if (equals_ignoring_case(text, "POST")) return EventMethod::post;
    return std::nullopt;
}

std::string_view to_string(EventMethod m) noexcept {
    switch (m) {
    case EventMethod::get: return "GET";
    case EventMethod::post: return "POST";
    case EventMethod::unknown: break;
    }
    return "unknown";
}

FileFormat parse_file_format(std::string_view text) noexcept {
    if (equals_ignoring_case(text, "mp3")) return FileFormat::mp3;
    if (equals_ignoring_case(text, "wav")) return FileFormat::wav;
    return FileFormat::unknown;
}

std::string_view to_string(FileFormat f) noexcept {
    switch (f) {
    case FileFormat::mp3: return "mp3";
    case FileFormat::wav: return "wav";
    case FileFormat::unknown: break;
    }
    return "unknown";
}

std::string_view to_string(ConferenceStatus s) noexcept {
    switch (s) {
    case ConferenceStatus::active: return "active";
    case ConferenceStatus::completed: return "completed";
    }
    return "unknown";
}

std::string_view to_string(RedirectMethod m) noexcept {
    switch (m) {
    case RedirectMethod::get: return "GET";
    case RedirectMethod::post: return "POST";
    }
    return "unknown";
}

}  // namespace bwvoice
