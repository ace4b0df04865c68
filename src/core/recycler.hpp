// What every request on an io_context would otherwise allocate and free again:
// its exchange's memory and its strand (two allocations and a lock of the
// strand service). Kept per io_context for the next request, so that a warm
// client's get allocates none of them (issue 13).
#ifndef BWVOICE_SRC_CORE_RECYCLER_HPP
#define BWVOICE_SRC_CORE_RECYCLER_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace bwvoice::detail {

class Recycler {
public:
    using executor_type = boost::asio::io_context::executor_type;
    using strand_type = boost::asio::strand<executor_type>;

    /// At most this many of each are kept: the ups and downs of a steady
    /// load, not the peak of a burst (a queue of 100,000 lookups returns its
    /// memory once it drains).
    static constexpr std::size_t kept = 512;

    /// The recycler of `ex`'s io_context: one per context, made on first use
    /// (thread-safe). It keeps nothing once the context shuts down: a strand
    /// must not outlive the strand service, and a block freed later (a
    /// shared_ptr's control block outlives its object while weak references
    /// remain) goes straight back to the heap.
    static std::shared_ptr<Recycler> of(const executor_type& ex);

    Recycler() = default;
    Recycler(const Recycler&) = delete;
    Recycler& operator=(const Recycler&) = delete;
    ~Recycler();

    /// A strand of `ex`'s context: a kept one, else a new one. A kept strand
    /// may have served another request; serialising two requests' handlers
    /// would be harmless, and the one before is over anyway.
    strand_type take_strand(const executor_type& ex);
    void give_strand(strand_type&& strand) noexcept;

    /// Memory for one object of `size` bytes, aligned for any scalar type. Only
    /// blocks of the first size given back are kept: one kind of object
    /// (the io_context exchange) is recycled. None is kept when the library
    /// is built with AddressSanitizer (core/address_sanitizer.hpp).
    void* take_block(std::size_t size);
    void give_block(void* block, std::size_t size) noexcept;

    /// The context shuts down: give back everything kept, keep nothing more.
    void shutdown() noexcept;

    /// How many strands and blocks are kept now (for tests).
    struct Stock {
        std::size_t strands = 0, blocks = 0;
    };
    Stock stock();

private:
    std::mutex mutex_;
    std::vector<strand_type> strands_;
    std::vector<void*> blocks_;
    std::size_t block_size_ = 0;
    bool shut_ = false;
};

/// An allocator that takes its memory from a Recycler (for allocate_shared).
/// It holds the recycler by shared_ptr: the control block it is copied into
/// may outlive the client and the context.
template <class T>
class RecyclingAllocator {
public:
    using value_type = T;

    explicit RecyclingAllocator(std::shared_ptr<Recycler> recycler) noexcept : recycler_(std::move(recycler)) {}
    /// A move copies: a moved-from allocator must still equal the new one
    /// (and still be able to free what it allocated).
    RecyclingAllocator(const RecyclingAllocator&) noexcept = default;
    RecyclingAllocator(RecyclingAllocator&& other) noexcept : recycler_(other.recycler_) {}
    RecyclingAllocator& operator=(const RecyclingAllocator&) noexcept = default;
    template <class U>
    RecyclingAllocator(const RecyclingAllocator<U>& other) noexcept : recycler_(other.recycler()) {}

    T* allocate(std::size_t n) {
        static_assert(alignof(T) <= alignof(std::max_align_t), "blocks come from plain operator new");
        return static_cast<T*>(recycler_->take_block(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { recycler_->give_block(p, n * sizeof(T)); }

    const std::shared_ptr<Recycler>& recycler() const noexcept { return recycler_; }

    template <class U>
    bool operator==(const RecyclingAllocator<U>& other) const noexcept {
        return recycler_ == other.recycler();
    }

private:
    std::shared_ptr<Recycler> recycler_;
};

}  // namespace bwvoice::detail

#endif
