#include "allocation_counter.hpp"

#include "common/replaced_global_new.hpp"

#include <openssl/crypto.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace bwvoice::bench {
namespace {

thread_local std::uint64_t allocations = 0;

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

// Every form of operator new counts (replaced_global_new.hpp): the aligned
// ones in aligned_alloc below, which system_allocate() calls for them.
void* bwvoice::test::replaced_allocate(std::size_t n, std::size_t align) {
    if (align == 0) ++bwvoice::bench::allocations;
    return system_allocate(n, align);
}

// Asio 1.81 takes its coroutine frames and operations from aligned_alloc
// (boost/asio/detail/memory.hpp, aligned_new) when its per-thread cache of
// two has no block that fits, not from operator new: counted too, so that a
// coroutine frame more per lookup shows in the figure. Replaces the C
// library's for the whole executable; posix_memalign's memory is free()d.
extern "C" void* aligned_alloc(std::size_t align, std::size_t size) noexcept {
    ++bwvoice::bench::allocations;
    void* p = nullptr;
    if (align < sizeof(void*)) align = sizeof(void*);
    return ::posix_memalign(&p, align, size == 0 ? 1 : size) == 0 ? p : nullptr;
}
