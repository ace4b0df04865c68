// The thread's operation stock, step by step: a block given back is handed
// out again for any size of its class, on the thread that gave it back; at
// most 32 are kept per class and 64 KiB in all; blocks over 1 KiB are never
// kept; what a thread keeps is freed when it ends. Allocations are counted
// on the calling thread. Under AddressSanitizer nothing is kept (so that ASan
// sees every use after free), and these cases check only that.
#include "common/replaced_global_new.hpp"

#include <bwvoice/detail/operation_memory.hpp>

#include "core/address_sanitizer.hpp"

#include <boost/test/unit_test.hpp>

#include <malloc.h>

#include <cstdint>
#include <thread>
#include <vector>

using bwvoice::detail::give_operation_block;
using bwvoice::detail::OperationString;
using bwvoice::detail::take_operation_block;

namespace {
thread_local std::size_t t_allocations = 0;

/// Allocations `f` makes on this thread.
template <class F>
std::size_t allocations_of(F&& f) {
    const std::size_t before = t_allocations;
    f();
    return t_allocations - before;
}

/// The heap's bytes in use, all arenas (glibc).
std::int64_t heap_in_use() {
    return static_cast<std::int64_t>(mallinfo2().uordblks);
}

/// Runs `f` on a new thread, whose stock starts empty, and waits for it: no
/// case sees what another kept. (Only non-fatal checks in `f`: the test's
/// thread waits meanwhile.)
template <class F>
void on_a_new_thread(F f) {
    std::thread fresh(std::move(f));
    fresh.join();
}

boost::test_tools::assertion_result recycling(boost::unit_test::test_unit_id) {
    return !bwvoice::detail::built_with_address_sanitizer;
}
}  // namespace

void* bwvoice::test::replaced_allocate(std::size_t n, std::size_t align) {
    ++t_allocations;
    return system_allocate(n, align);
}

BOOST_AUTO_TEST_SUITE(operation_memory)

BOOST_AUTO_TEST_CASE(under_addresssanitizer_every_block_is_new_and_goes_back,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         return bwvoice::detail::built_with_address_sanitizer;
                     })) {
    give_operation_block(take_operation_block(40), 40);
    BOOST_TEST(allocations_of([] { give_operation_block(take_operation_block(40), 40); }) == 1u);
}

BOOST_AUTO_TEST_SUITE(recycled, *boost::unit_test::precondition(recycling))

BOOST_AUTO_TEST_CASE(a_block_given_back_serves_any_size_of_its_class_again) {
    on_a_new_thread([] {
        // The classes hold 24, 40, 56, ... bytes: 25 to 40 is one class.
        void* first = take_operation_block(40);
        give_operation_block(first, 40);
        void* again = nullptr;
        BOOST_TEST(allocations_of([&] { again = take_operation_block(25); }) == 0u);
        BOOST_TEST(again == first);
        give_operation_block(again, 25);
        // 41 bytes is the next class: a block of its own.
        void* other = nullptr;
        BOOST_TEST(allocations_of([&] { other = take_operation_block(41); }) == 1u);
        BOOST_TEST(other != first);
        give_operation_block(other, 41);
        BOOST_TEST(allocations_of([&] { give_operation_block(take_operation_block(56), 56); }) == 0u);
    });
}

BOOST_AUTO_TEST_CASE(at_most_thirty_two_blocks_of_a_class_are_kept) {
    on_a_new_thread([] {
        constexpr std::size_t size = 200;
        std::vector<void*> blocks;
        for (int i = 0; i < 40; ++i) blocks.push_back(take_operation_block(size));
        for (void* b : blocks) give_operation_block(b, size);
        blocks.clear();
        const std::size_t made = allocations_of([&] {
            for (int i = 0; i < 40; ++i) blocks.push_back(take_operation_block(size));
        });
        BOOST_TEST(made == 8u);
        for (void* b : blocks) give_operation_block(b, size);
    });
}

BOOST_AUTO_TEST_CASE(a_block_over_one_kib_is_never_kept) {
    on_a_new_thread([] {
        give_operation_block(take_operation_block(1024), 1024);  // one of 1 KiB is kept
        BOOST_TEST(allocations_of([] { give_operation_block(take_operation_block(1024), 1024); }) == 0u);
        BOOST_TEST(allocations_of([] { give_operation_block(take_operation_block(1025), 1025); }) == 1u);
        BOOST_TEST(allocations_of([] { give_operation_block(take_operation_block(1025), 1025); }) == 1u);
    });
}

BOOST_AUTO_TEST_CASE(a_thread_keeps_at_most_64_kib) {
    on_a_new_thread([] {
        // Three classes of 32 blocks (of 1,032, 1,000 and 904 bytes): the
        // first two take 65,024 of the 65,536 bytes, and no block of the
        // third fits in the 512 left.
        const std::size_t sizes[] = {1024, 1000, 900};
        std::vector<void*> blocks;
        blocks.reserve(96);
        const auto take_all = [&] {
            for (std::size_t size : sizes)
                for (int i = 0; i < 32; ++i) blocks.push_back(take_operation_block(size));
        };
        const auto give_all = [&] {
            for (std::size_t i = 0; i < blocks.size(); ++i) give_operation_block(blocks[i], sizes[i / 32]);
            blocks.clear();
        };
        take_all();
        give_all();
        BOOST_TEST(allocations_of(take_all) == 32u);
        give_all();
    });
}

BOOST_AUTO_TEST_CASE(a_block_is_kept_by_the_thread_that_gives_it_back) {
    void* made_here = take_operation_block(300);
    std::size_t made_there = 0;
    std::thread other([&] {
        give_operation_block(made_here, 300);  // kept by the other thread
        made_there = allocations_of([] { give_operation_block(take_operation_block(300), 300); });
    });
    other.join();
    BOOST_TEST(made_there == 0u);
    // Not in this thread's stock: a new block.
    BOOST_TEST(allocations_of([] { give_operation_block(take_operation_block(300), 300); }) == 1u);
}

BOOST_AUTO_TEST_CASE(what_a_thread_keeps_is_freed_when_it_ends) {
    // A first thread makes the heap's arena for threads: its header counts
    // as in use from then on.
    on_a_new_thread([] { give_operation_block(take_operation_block(1000), 1000); });
    const std::int64_t before = heap_in_use();
    std::int64_t kept = 0;
    on_a_new_thread([&] {
        std::vector<void*> blocks;
        for (int i = 0; i < 32; ++i) blocks.push_back(take_operation_block(1000));
        for (void* b : blocks) give_operation_block(b, 1000);
        blocks = {};
        kept = heap_in_use() - before;
    });
    BOOST_TEST(kept >= 32 * 1000);
    // Less than one block is left: nothing the thread kept.
    BOOST_TEST(heap_in_use() - before < 512);
}

BOOST_AUTO_TEST_CASE(a_real_length_id_copied_again_allocates_nothing) {
    on_a_new_thread([] {
        const std::string_view id = "conf-fe23a767-a75a5b77-20c5-4cca-b581-cbbf0776eca9";
        { OperationString first(id); }
        bool same = false;
        const std::size_t made = allocations_of([&] {
            const OperationString copy(id);
            same = std::string_view(copy) == id;
        });
        BOOST_TEST(same);
        BOOST_TEST(made == 0u);
    });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
