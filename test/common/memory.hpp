// Memory measurements for tests: the process's resident and peak resident size
// from /proc, and the bytes the allocator has handed out and not taken back.
#ifndef BWVOICE_TEST_COMMON_MEMORY_HPP
#define BWVOICE_TEST_COMMON_MEMORY_HPP

#include <cstddef>
#include <optional>

#if defined(__SANITIZE_ADDRESS__)
#define BWVOICE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BWVOICE_TEST_ASAN 1
#endif
#endif

namespace bwvoice::test {

/// Whether this build runs under AddressSanitizer. Its allocator keeps freed
/// blocks in a quarantine (256 MiB by default) before reusing them, so the
/// resident size there also counts much of what was freed, and a peak
/// measured under ASan needs a wider bound than the same peak without.
#ifdef BWVOICE_TEST_ASAN
inline constexpr bool under_address_sanitizer = true;
#else
inline constexpr bool under_address_sanitizer = false;
#endif

/// Resident set size now (VmRSS), in bytes; nullopt if /proc says nothing.
std::optional<std::size_t> resident_bytes();

/// Peak resident set size (VmHWM), in bytes, since the process started or
/// since the last reset_peak_resident().
std::optional<std::size_t> peak_resident_bytes();

/// Resets the peak (VmHWM) to the current resident size, by writing "5" to
/// /proc/self/clear_refs (Linux 4.0+). False if that is not possible.
bool reset_peak_resident();

/// Measures how far the peak resident size rises above its level at
/// construction: construct at the start of a scope, read growth() at the end.
/// Peak, not current, so memory freed before the end still counts.
class PeakGrowth {
public:
    PeakGrowth();
    /// False if the peak could not be reset; growth() then means nothing.
    bool valid() const noexcept { return valid_; }
    /// VmHWM now minus VmRSS at construction, in bytes (0 if below).
    std::size_t growth() const;

private:
    bool valid_ = false;
    std::size_t start_ = 0;
};

/// Bytes allocated with malloc/new and not yet freed, process-wide. Under ASan
/// or TSan the sanitizer's own count (freed blocks waiting in ASan's
/// quarantine are not counted); otherwise glibc's mallinfo2, heap plus mmapped
/// blocks. Meant for differences between two points of a test.
std::size_t allocated_bytes_now();

}  // namespace bwvoice::test

#endif
