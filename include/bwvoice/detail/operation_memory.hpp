// bwvoice: where an operation's own small state lives (internal).
#ifndef BWVOICE_DETAIL_OPERATION_MEMORY_HPP
#define BWVOICE_DETAIL_OPERATION_MEMORY_HPP

#include <bwvoice/export.hpp>

#include <cstddef>
#include <new>
#include <string>

namespace bwvoice::detail {

/// Memory for one piece of an operation's state (its handler's holder, its
/// IDs, its request target, its decoder): a block of at least `size` bytes,
/// aligned for any scalar type. Blocks of up to 1 KiB are recycled through a
/// small per-thread stock, as Asio recycles its operations' memory through
/// its thread's cache: a warm client's get allocates none of them (issue 13).
/// A thread keeps at most 32 blocks of a size and 64 KiB in all, and frees
/// them when it ends. Larger ones come from operator new and go straight
/// back, and so does every block when the library is built with
/// AddressSanitizer (where a recycled block would hide a use after free).
/// Throws std::bad_alloc.
BWVOICE_API void* take_operation_block(std::size_t size);
/// Gives back a block of take_operation_block(size), from any thread.
BWVOICE_API void give_operation_block(void* block, std::size_t size) noexcept;

/// An allocator over take_operation_block (stateless: all of them are equal).
template <class T>
class OperationAllocator {
public:
    using value_type = T;

    OperationAllocator() noexcept = default;
    template <class U>
    OperationAllocator(const OperationAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        static_assert(alignof(T) <= alignof(std::max_align_t), "blocks come from plain operator new");
        if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(take_operation_block(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { give_operation_block(p, n * sizeof(T)); }

    template <class U>
    bool operator==(const OperationAllocator<U>&) const noexcept {
        return true;
    }
};

/// An operation's copy of an ID (and a request's target): a real-length ID
/// is longer than a short string's 15 characters.
using OperationString = std::basic_string<char, std::char_traits<char>, OperationAllocator<char>>;

}  // namespace bwvoice::detail

#endif
