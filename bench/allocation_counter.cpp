#include "allocation_counter.hpp"

#include <openssl/crypto.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace bwvoice::bench {
namespace {

thread_local std::uint64_t allocations = 0;

void* counted_malloc(std::size_t n) {
    ++allocations;
    return std::malloc(n == 0 ? 1 : n);
}

void* counted_aligned(std::size_t n, std::align_val_t align) {
    ++allocations;
    const auto a = static_cast<std::size_t>(align);
    if (n > SIZE_MAX - (a - 1)) return nullptr;  // rounding up would wrap: too large
    // aligned_alloc wants a multiple of the alignment.
    return std::aligned_alloc(a, ((n == 0 ? 1 : n) + a - 1) / a * a);
}

void* openssl_malloc(std::size_t n, const char*, int) {
    ++allocations;
    return std::malloc(n);
}
// A realloc of a block counts as none: it may grow in place. So OpenSSL's
// figure is a floor (its buffers that grow by realloc are not counted).
void* openssl_realloc(void* p, std::size_t n, const char*, int) {
    if (p == nullptr) ++allocations;
    return std::realloc(p, n);
}
void openssl_free(void* p, const char*, int) {
    std::free(p);
}

}  // namespace

std::uint64_t thread_allocations() noexcept {
    return allocations;
}

bool count_openssl_allocations() noexcept {
    return ::CRYPTO_set_mem_functions(openssl_malloc, openssl_realloc, openssl_free) == 1;
}

}  // namespace bwvoice::bench

// The replacements: every allocating form counts; the deallocating forms
// free what they allocated with malloc or aligned_alloc (the library sends
// the aligned nothrow deletes to the aligned ones replaced here).
void* operator new(std::size_t n) {
    if (void* p = bwvoice::bench::counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = bwvoice::bench::counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return bwvoice::bench::counted_malloc(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return bwvoice::bench::counted_malloc(n);
}
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = bwvoice::bench::counted_aligned(n, a)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
    if (void* p = bwvoice::bench::counted_aligned(n, a)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return bwvoice::bench::counted_aligned(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return bwvoice::bench::counted_aligned(n, a);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
