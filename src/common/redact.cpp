#include "common/redact.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace bwvoice::detail {

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
