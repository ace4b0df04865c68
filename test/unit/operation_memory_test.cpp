// The thread's operation stock, step by step: a block given back is handed
// out again for any size of its class, on the thread that gave it back; at
// most 32 are kept per class; blocks over 1 KiB are never kept; what a
// thread keeps is freed when it ends (LeakSanitizer judges that one under the
// asan preset). Allocations are counted on the calling thread.
#include "common/replaced_global_new.hpp"

#include <bwvoice/detail/operation_memory.hpp>

#include <boost/test/unit_test.hpp>

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
}  // namespace

void* bwvoice::test::replaced_allocate(std::size_t n, std::size_t align) {
    ++t_allocations;
    return system_allocate(n, align);
}

BOOST_AUTO_TEST_SUITE(operation_memory)

BOOST_AUTO_TEST_CASE(a_block_given_back_serves_any_size_of_its_class_again) {
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
}

BOOST_AUTO_TEST_CASE(at_most_thirty_two_blocks_of_a_class_are_kept) {
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
}

BOOST_AUTO_TEST_CASE(a_block_over_one_kib_is_never_kept) {
    give_operation_block(take_operation_block(1024), 1024);  // one of 1 KiB is kept
    BOOST_TEST(allocations_of([] { give_operation_block(take_operation_block(1024), 1024); }) == 0u);
    BOOST_TEST(allocations_of([] { give_operation_block(take_operation_block(1025), 1025); }) == 1u);
    BOOST_TEST(allocations_of([] { give_operation_block(take_operation_block(1025), 1025); }) == 1u);
}

BOOST_AUTO_TEST_CASE(each_thread_keeps_what_it_gives_back_and_frees_it_when_it_ends) {
    void* made_here = take_operation_block(300);
    std::size_t made_there = 0;
    std::thread other([&] {
        give_operation_block(made_here, 300);  // kept by the other thread
        made_there = allocations_of([] { give_operation_block(take_operation_block(300), 300); });
        // Ends keeping it: LeakSanitizer reports the block if it is not freed.
    });
    other.join();
    BOOST_TEST(made_there == 0u);
    // Not in this thread's stock: a new block.
    BOOST_TEST(allocations_of([] { give_operation_block(take_operation_block(300), 300); }) == 1u);
}

BOOST_AUTO_TEST_CASE(a_real_length_id_copied_again_allocates_nothing) {
    const std::string_view id = "conf-fe23a767-a75a5b77-20c5-4cca-b581-cbbf0776eca9";
    { OperationString first(id); }
    bool same = false;
    const std::size_t made = allocations_of([&] {
        const OperationString copy(id);
        same = std::string_view(copy) == id;
    });
    BOOST_TEST(same);
    BOOST_TEST(made == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
