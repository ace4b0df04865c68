#include "common/memory.hpp"

#include <cstddef>

#include <fstream>
#include <string>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define BWVOICE_TEST_SANITIZER_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BWVOICE_TEST_SANITIZER_ALLOCATOR 1
#endif

#ifdef BWVOICE_TEST_SANITIZER_ALLOCATOR
#if __has_include(<sanitizer/allocator_interface.h>)
#include <sanitizer/allocator_interface.h>
#else
// Debian's g++ 12 ships the sanitizer runtimes but not their headers (clang
// has them); the runtime exports this function either way.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes(void);
#endif
#else
#include <malloc.h>
#endif

namespace bwvoice::test {
namespace {

/// A "Name:   1234 kB" line of /proc/self/status, in bytes.
std::optional<std::size_t> status_field(const std::string& name) {
    std::ifstream status("/proc/self/status");
    const std::string prefix = name + ":";
    for (std::string line; std::getline(status, line);) {
        if (line.compare(0, prefix.size(), prefix) != 0) continue;
        return static_cast<std::size_t>(std::stoull(line.substr(prefix.size()))) * 1024;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::size_t> resident_bytes() {
    return status_field("VmRSS");
}

std::optional<std::size_t> peak_resident_bytes() {
    return status_field("VmHWM");
}

bool reset_peak_resident() {
    std::ofstream clear_refs("/proc/self/clear_refs");
    clear_refs << "5";
    clear_refs.flush();
    return static_cast<bool>(clear_refs);
}

PeakGrowth::PeakGrowth() {
    // The reset sets VmHWM to VmRSS at that moment; read VmRSS just after.
    valid_ = reset_peak_resident();
    const auto rss = resident_bytes();
    valid_ = valid_ && rss.has_value();
    start_ = rss.value_or(0);
}

std::size_t PeakGrowth::growth() const {
    const std::size_t peak = peak_resident_bytes().value_or(0);
    return peak > start_ ? peak - start_ : 0;
}

std::size_t allocated_bytes_now() {
#ifdef BWVOICE_TEST_SANITIZER_ALLOCATOR
    return __sanitizer_get_current_allocated_bytes();
#else
    const struct mallinfo2 info = ::mallinfo2();
    // uordblks: in use in the arenas; hblkhd: large blocks malloc mmapped separately.
    return info.uordblks + info.hblkhd;
#endif
}

}  // namespace bwvoice::test
