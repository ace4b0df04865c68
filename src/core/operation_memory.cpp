// The per-thread stock of small blocks behind take_operation_block().
//
// Why per thread and not per client or per io_context: the pieces are made
// where an operation starts (the caller's thread, often the context's) and
// freed where it ends (the context's), and the common loop (a coroutine that
// awaits one get after another) frees one operation's pieces just before it
// makes the next one's, on the same thread, so a stock of a few blocks per
// size serves it with no lock. A block freed on another thread joins that
// thread's stock; nothing is ever handed between threads.
//
// Under AddressSanitizer nothing is kept (core/address_sanitizer.hpp).
//
// A thread that first gives a block back during the process's static
// destruction (after its thread_local destructors ran) keeps it until the
// process ends: only a leak checker would see it.
#include <bwvoice/detail/operation_memory.hpp>

#include "core/address_sanitizer.hpp"

#include <cstdint>

namespace bwvoice::detail {
namespace {

constexpr bool recycling = !built_with_address_sanitizer;

/// Sizes are rounded up to the next of 24, 40, 56, ... (16k + 8 bytes: what
/// a glibc chunk of 16k + 16 holds, so the rounding costs no heap) up to
/// `largest`: one list per size class. Fine classes keep the waste small (a
/// queued lookup's memory is a target, issue 13).
constexpr std::size_t granule = 16;
constexpr std::size_t smallest = 24;
constexpr std::size_t largest = 1024;
constexpr std::size_t classes = (largest - smallest + granule - 1) / granule + 1;
/// Kept per class and thread: the ups and downs of a steady load, not a
/// burst's peak. An operation has four or five pieces of a few dozen to a
/// few hundred bytes, so 64 KiB a thread keeps the pieces of a hundred or
/// more operations.
constexpr std::uint16_t kept_per_class = 32;
constexpr std::size_t kept_bytes = 64 * 1024;

constexpr std::size_t class_of(std::size_t size) noexcept {
    return size <= smallest ? 0 : (size - smallest + granule - 1) / granule;
}
constexpr std::size_t block_size(std::size_t c) noexcept {
    return smallest + c * granule;
}
static_assert(block_size(classes - 1) >= largest && block_size(class_of(largest)) >= largest);

struct KeptBlock {
    KeptBlock* next;
};

/// Trivially destructible, so it stays usable while the thread's other
/// thread_local objects are destroyed (one of them may free an operation).
struct Stock {
    KeptBlock* heads[classes];
    std::uint16_t counts[classes];
    std::size_t bytes;  // of all the kept blocks
    bool gone;          // the thread is ending: nothing more is kept
};
constinit thread_local Stock t_stock{};

/// Frees what the thread keeps when it ends.
struct StockRelease {
    ~StockRelease() {
        for (std::size_t c = 0; c < classes; ++c) {
            while (KeptBlock* b = t_stock.heads[c]) {
                t_stock.heads[c] = b->next;
                ::operator delete(b);
            }
            t_stock.counts[c] = 0;
        }
        t_stock.bytes = 0;
        t_stock.gone = true;
    }
    bool armed = false;
};
thread_local StockRelease t_release;

}  // namespace

void* take_operation_block(std::size_t size) {
    if (!recycling || size > largest) return ::operator new(size);
    const std::size_t c = class_of(size);
    if (KeptBlock* b = t_stock.heads[c]) {
        t_stock.heads[c] = b->next;
        --t_stock.counts[c];
        t_stock.bytes -= block_size(c);
        return b;
    }
    // Always the class's whole size: any block of the class can serve any
    // size in it, whoever gives it back.
    return ::operator new(block_size(c));
}

void give_operation_block(void* block, std::size_t size) noexcept {
    if (!block) return;
    const std::size_t c = class_of(size);
    if (!recycling || size > largest || t_stock.gone || t_stock.counts[c] == kept_per_class ||
        t_stock.bytes + block_size(c) > kept_bytes) {
        ::operator delete(block);
        return;
    }
    // Touching it registers its destructor: a thread that keeps a block
    // frees it when it ends.
    t_release.armed = true;
    auto* b = static_cast<KeptBlock*>(block);
    b->next = t_stock.heads[c];
    t_stock.heads[c] = b;
    ++t_stock.counts[c];
    t_stock.bytes += block_size(c);
}

}  // namespace bwvoice::detail
