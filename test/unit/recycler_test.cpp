// The recycler's promises, step by step: what is given back is handed out
// again, at most Recycler::kept of each, one block size only, and nothing is
// kept once the context shuts down (a strand must not outlive the strand
// service; ASan sees it if one does). Blocks are not kept at all when the
// library is built with ASan: the cases about their reuse are skipped there.
#include "core/recycler.hpp"

#include "core/address_sanitizer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

namespace net = boost::asio;
using bwvoice::detail::Recycler;
using bwvoice::detail::RecyclingAllocator;

namespace {
boost::test_tools::assertion_result blocks_recycled(boost::unit_test::test_unit_id) {
    return !bwvoice::detail::built_with_address_sanitizer;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(recycler)

BOOST_AUTO_TEST_CASE(one_recycler_per_context) {
    net::io_context a, b;
    BOOST_TEST(Recycler::of(a.get_executor()) == Recycler::of(a.get_executor()));
    BOOST_TEST(Recycler::of(a.get_executor()) != Recycler::of(b.get_executor()));
}

BOOST_AUTO_TEST_CASE(a_strand_given_back_is_handed_out_again_and_still_runs_handlers) {
    net::io_context ioc;
    auto r = Recycler::of(ioc.get_executor());
    auto first = r->take_strand(ioc.get_executor());
    const auto copy = first;
    r->give_strand(std::move(first));
    BOOST_TEST(r->stock().strands == 1u);
    auto again = r->take_strand(ioc.get_executor());
    BOOST_TEST((again == copy));
    BOOST_TEST(r->stock().strands == 0u);
    bool ran = false;
    net::post(again, [&] { ran = again.running_in_this_thread(); });
    ioc.run();
    BOOST_TEST(ran);
    // None kept: a new one.
    BOOST_TEST((r->take_strand(ioc.get_executor()) != copy));
}

BOOST_AUTO_TEST_CASE(a_block_given_back_is_handed_out_again_for_its_size_only,
                     *boost::unit_test::precondition(blocks_recycled)) {
    net::io_context ioc;
    auto r = Recycler::of(ioc.get_executor());
    void* p = r->take_block(640);
    r->give_block(p, 640);
    BOOST_TEST(r->stock().blocks == 1u);
    void* other = r->take_block(320);  // another size: not that block
    BOOST_TEST(other != p);
    BOOST_TEST(r->stock().blocks == 1u);
    r->give_block(other, 320);  // and not kept
    BOOST_TEST(r->stock().blocks == 1u);
    BOOST_TEST(r->take_block(640) == p);
    BOOST_TEST(r->stock().blocks == 0u);
    r->give_block(p, 640);
}

BOOST_AUTO_TEST_CASE(at_most_kept_of_each) {
    net::io_context ioc;
    auto r = Recycler::of(ioc.get_executor());
    std::vector<void*> blocks;
    std::vector<Recycler::strand_type> strands;
    for (std::size_t i = 0; i < Recycler::kept + 10; ++i) {
        blocks.push_back(r->take_block(128));
        strands.push_back(net::make_strand(ioc.get_executor()));
    }
    for (void* b : blocks) r->give_block(b, 128);
    for (auto& s : strands) r->give_strand(std::move(s));
    BOOST_TEST(r->stock().blocks == (bwvoice::detail::built_with_address_sanitizer ? 0u : Recycler::kept));
    BOOST_TEST(r->stock().strands == Recycler::kept);
}

BOOST_AUTO_TEST_CASE(nothing_is_kept_once_the_context_shuts_down) {
    std::shared_ptr<Recycler> r;
    void* late = nullptr;
    {
        net::io_context ioc;
        r = Recycler::of(ioc.get_executor());
        r->give_strand(r->take_strand(ioc.get_executor()));
        r->give_block(r->take_block(256), 256);
        late = r->take_block(256);
        BOOST_TEST(r->stock().strands == 1u);
        BOOST_TEST(r->stock().blocks == 0u);  // the one kept was handed out again
        ioc.stop();
    }  // the context's shutdown empties the recycler while the strand service exists
    BOOST_TEST(r->stock().strands == 0u);
    BOOST_TEST(r->stock().blocks == 0u);
    // A block freed after the context (a weak reference's control block)
    // goes to the heap, not into a recycler nobody will empty.
    r->give_block(late, 256);
    BOOST_TEST(r->stock().blocks == 0u);
}

// The client's order: the strand service exists before the recycler's (the
// name resolver makes it), so the recycler's shuts down first and drops its
// strands while the strand service still exists. The opposite order is the
// case above. Either way ASan sees a strand destroyed after its service.
BOOST_AUTO_TEST_CASE(nothing_is_kept_once_the_context_shuts_down_when_strands_came_first) {
    std::shared_ptr<Recycler> r;
    {
        net::io_context ioc;
        auto early = net::make_strand(ioc.get_executor());  // makes the strand service first
        r = Recycler::of(ioc.get_executor());
        r->give_strand(std::move(early));
        r->give_strand(r->take_strand(ioc.get_executor()));
        BOOST_TEST(r->stock().strands == 1u);
    }
    BOOST_TEST(r->stock().strands == 0u);
}

BOOST_AUTO_TEST_CASE(allocate_shared_takes_and_gives_back_through_the_allocator,
                     *boost::unit_test::precondition(blocks_recycled)) {
    net::io_context ioc;
    auto r = Recycler::of(ioc.get_executor());
    struct Payload {
        char bytes[500];
    };
    const void* first_object = nullptr;
    {
        auto p = std::allocate_shared<Payload>(RecyclingAllocator<Payload>(r));
        first_object = p.get();
        std::weak_ptr<Payload> w = p;
        p.reset();
        BOOST_TEST(r->stock().blocks == 0u);  // the control block lives on with the weak reference
        w.reset();
    }
    BOOST_TEST(r->stock().blocks == 1u);
    {
        auto p = std::allocate_shared<Payload>(RecyclingAllocator<Payload>(r));
        BOOST_TEST(p.get() == first_object);  // the same block again
        BOOST_TEST(r->stock().blocks == 0u);
    }
    BOOST_TEST(r->stock().blocks == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
