#include "core/redact.hpp"

#include <algorithm>
#include <vector>

namespace bwvoice::detail {

void redact(std::string& text, std::initializer_list<std::string_view> secrets) {
    std::vector<std::string_view> ordered;
    for (std::string_view s : secrets)
        if (!s.empty()) ordered.push_back(s);
    if (ordered.empty()) return;
    std::sort(ordered.begin(), ordered.end(), [](auto a, auto b) { return a.size() > b.size(); });

    const std::string_view in = text;
    std::string out;
    bool changed = false;
    std::size_t copied_to = 0;  // in[0, copied_to) is already in `out`
    for (std::size_t at = 0; at < in.size();) {
        const auto hit = std::find_if(ordered.begin(), ordered.end(),
                                      [&](std::string_view s) { return in.substr(at).starts_with(s); });
        if (hit == ordered.end()) {
            ++at;
            continue;
        }
        if (!changed) out.reserve(in.size());
        changed = true;
        out.append(in.substr(copied_to, at - copied_to)).append("[redacted]");
        at += hit->size();
        copied_to = at;
    }
    if (!changed) return;
    out.append(in.substr(copied_to));
    text = std::move(out);
}

}  // namespace bwvoice::detail
