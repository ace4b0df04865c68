#include "common/redact.hpp"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace bwvoice::detail {

namespace {

/// The length of a line break at `at` (CR, LF, U+0085, U+2028, U+2029), else 0.
std::size_t line_break_at(std::string_view text, std::size_t at) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    if (text[at] == '\r' || text[at] == '\n') return 1;
    if (byte(at) == 0xc2 && at + 1 < text.size() && byte(at + 1) == 0x85) return 2;
    if (byte(at) == 0xe2 && at + 2 < text.size() && byte(at + 1) == 0x80 &&
        (byte(at + 2) == 0xa8 || byte(at + 2) == 0xa9))
        return 3;
    return 0;
}

std::string without_line_breaks(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (const std::size_t n = line_break_at(text, i)) {
            i += n;
            continue;
        }
        out.push_back(text[i++]);
    }
    return out;
}

}  // namespace

void redact(std::string& text, std::span<const std::string_view> secrets) {
    // Every occurrence of every secret, overlapping ones included, as byte
    // ranges of the original text: searching the original (never the output)
    // cannot loop, and replacing the union of the ranges leaves no part of any
    // secret behind, even where two secrets overlap.
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    for (std::string_view secret : secrets) {
        if (secret.empty()) continue;
        for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 1))
            ranges.emplace_back(at, at + secret.size());
    }
    // A server that wraps long lines (Base64 at 76 columns, say) splits a
    // secret with line breaks: search the text without them as well, each
    // byte remembering where it came from.
    // Where the text's breaks are: from joined position `first` on,
    // `skipped` bytes of breaks lie before (memory per break, not per byte).
    struct Shift {
        std::size_t first, skipped;
    };
    std::vector<Shift> shifts;
    std::size_t kept = 0, skipped = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (const std::size_t n = line_break_at(text, i)) {
            skipped += n;
            i += n;
            if (!shifts.empty() && shifts.back().first == kept)
                shifts.back().skipped = skipped;
            else
                shifts.push_back({kept, skipped});
            continue;
        }
        ++kept;
        ++i;
    }
    if (!shifts.empty()) {
        const std::string joined = without_line_breaks(text);
        const auto origin = [&](std::size_t k) {
            auto after = std::upper_bound(shifts.begin(), shifts.end(), k,
                                          [](std::size_t v, const Shift& s) { return v < s.first; });
            return k + (after == shifts.begin() ? 0 : std::prev(after)->skipped);
        };
        for (std::string_view secret : secrets) {
            // A secret with breaks of its own is looked for without them too.
            const std::string bare = without_line_breaks(secret);
            if (bare.empty()) continue;
            for (auto at = joined.find(bare); at != std::string::npos; at = joined.find(bare, at + 1))
                ranges.emplace_back(origin(at), origin(at + bare.size() - 1) + 1);
        }
    }
    if (ranges.empty()) return;
    std::sort(ranges.begin(), ranges.end());

    std::string out;
    out.reserve(text.size());
    std::size_t copied_to = 0;
    for (std::size_t i = 0; i < ranges.size();) {
        auto [begin, end] = ranges[i];
        // Merge ranges that overlap this one; ranges that only touch stay
        // separate, so "pwpw" reads as two redactions.
        for (++i; i < ranges.size() && ranges[i].first < end; ++i) end = std::max(end, ranges[i].second);
        out.append(text, copied_to, begin - copied_to).append("[redacted]");
        copied_to = end;
    }
    out.append(text, copied_to, std::string::npos);
    text = std::move(out);
}

}  // namespace bwvoice::detail
