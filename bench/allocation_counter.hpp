// Counts the heap allocations each thread makes, so bwvoice-bench can report
// allocations per lookup (issue 13: none in the client once the pool is
// warm, apart from the result's own strings). This executable replaces the
// global operator new and routes OpenSSL's allocations through the count.
#ifndef BWVOICE_BENCH_ALLOCATION_COUNTER_HPP
#define BWVOICE_BENCH_ALLOCATION_COUNTER_HPP

#include <cstdint>

namespace bwvoice::bench {

/// Allocations made by the calling thread so far: C++ operator new (every
/// form), aligned_alloc (Asio's coroutine frames and operations) and
/// OpenSSL's CRYPTO_malloc family, once count_openssl_allocations() has
/// succeeded.
std::uint64_t thread_allocations() noexcept;

/// Routes OpenSSL's allocations through the counter. Must run before OpenSSL
/// allocates anything (first thing in main); false if it was too late.
bool count_openssl_allocations() noexcept;

}  // namespace bwvoice::bench

#endif
