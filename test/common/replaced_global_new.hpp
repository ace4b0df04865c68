// The global operator new and delete replaced for a whole executable (its
// definitions serve the process, shared libraries included), every
// allocating form routed through one hook that the executable defines:
//
//   void* bwvoice::test::replaced_allocate(std::size_t n, std::size_t align);
//
// `align` is 0 for the ordinary forms, else the requested alignment. The hook
// may count, throw std::bad_alloc (a nothrow form then returns null) or return
// null (a throwing form then throws); system_allocate() is what it falls back
// to. Every deallocating form frees with std::free, which takes both. Used by
// the tests that count or fail allocations and by bwvoice-bench's
// allocations-per-lookup counter.
//
// Include in exactly one source file of an executable: it defines functions.
#ifndef BWVOICE_TEST_COMMON_REPLACED_GLOBAL_NEW_HPP
#define BWVOICE_TEST_COMMON_REPLACED_GLOBAL_NEW_HPP

#include <cstdint>
#include <cstdlib>
#include <new>

namespace bwvoice::test {

void* replaced_allocate(std::size_t n, std::size_t align);

/// malloc, or aligned_alloc with the size rounded up to a multiple of the
/// alignment (as aligned_alloc wants); null if that rounding would wrap.
inline void* system_allocate(std::size_t n, std::size_t align) noexcept {
    if (n == 0) n = 1;
    if (align == 0) return std::malloc(n);
    if (n > SIZE_MAX - (align - 1)) return nullptr;
    return std::aligned_alloc(align, (n + align - 1) / align * align);
}

namespace replaced_new_detail {
inline void* or_throw(void* p) {
    if (p == nullptr) throw std::bad_alloc();
    return p;
}
inline void* or_null(std::size_t n, std::size_t align) noexcept {
    try {
        return replaced_allocate(n, align);
    } catch (...) {
        return nullptr;
    }
}
}  // namespace replaced_new_detail

}  // namespace bwvoice::test

void* operator new(std::size_t n) {
    return bwvoice::test::replaced_new_detail::or_throw(bwvoice::test::replaced_allocate(n, 0));
}
void* operator new[](std::size_t n) {
    return bwvoice::test::replaced_new_detail::or_throw(bwvoice::test::replaced_allocate(n, 0));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return bwvoice::test::replaced_new_detail::or_null(n, 0);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return bwvoice::test::replaced_new_detail::or_null(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
    return bwvoice::test::replaced_new_detail::or_throw(
        bwvoice::test::replaced_allocate(n, static_cast<std::size_t>(a)));
}
void* operator new[](std::size_t n, std::align_val_t a) {
    return bwvoice::test::replaced_new_detail::or_throw(
        bwvoice::test::replaced_allocate(n, static_cast<std::size_t>(a)));
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return bwvoice::test::replaced_new_detail::or_null(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return bwvoice::test::replaced_new_detail::or_null(n, static_cast<std::size_t>(a));
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
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    std::free(p);
}

#endif
