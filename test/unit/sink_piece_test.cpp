// SinkPiece, what a MediaSink's `done` holds: only the first call counts,
// a `done` called after the exchange stopped waiting or after the context
// is gone wakes nothing, and the piece's bytes live as long as `done` does.
// No io_context: the exchange is a fake waiter that counts its wake-ups.
#include "core/sink_piece.hpp"

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

using namespace bwvoice;
using namespace bwvoice::detail;
namespace net = boost::asio;

namespace {

struct CountingWaiter final : PoolWaiter {
    std::atomic<int> wakes{0};
    void wake() noexcept override { ++wakes; }
};

struct Fixture {
    std::shared_ptr<CountingWaiter> exchange = std::make_shared<CountingWaiter>();
    std::shared_ptr<Liveness> context = std::make_shared<Liveness>();
    std::shared_ptr<SinkPiece> piece = std::make_shared<SinkPiece>(exchange, context);
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sink_piece)

BOOST_FIXTURE_TEST_CASE(a_done_called_inside_write_is_seen_without_a_wake_up, Fixture) {
    auto done = SinkPiece::done_of(piece);
    done({});
    BOOST_TEST((piece->answer_or_wait() == std::optional<error_code>(error_code{})));
    BOOST_TEST(exchange->wakes.load() == 0);
}

BOOST_FIXTURE_TEST_CASE(a_done_the_exchange_waits_for_wakes_it_once_with_the_first_answer, Fixture) {
    auto done = SinkPiece::done_of(piece);
    BOOST_TEST(!piece->answer_or_wait().has_value());
    const error_code full = make_error_code(boost::system::errc::no_space_on_device);
    std::thread([done] { done(make_error_code(boost::system::errc::no_space_on_device)); }).join();
    done({});  // a second call: ignored
    BOOST_TEST(exchange->wakes.load() == 1);
    BOOST_TEST((piece->answer_or_wait() == std::optional<error_code>(full)));
}

BOOST_FIXTURE_TEST_CASE(a_done_after_the_exchange_stopped_waiting_does_nothing, Fixture) {
    auto done = SinkPiece::done_of(piece);
    BOOST_TEST(!piece->answer_or_wait().has_value());
    piece->abandon();
    done({});
    BOOST_TEST(exchange->wakes.load() == 0);
}

BOOST_FIXTURE_TEST_CASE(a_done_after_the_context_shut_down_wakes_nothing, Fixture) {
    auto done = SinkPiece::done_of(piece);
    BOOST_TEST(!piece->answer_or_wait().has_value());
    context->alive = false;
    done({});
    BOOST_TEST(exchange->wakes.load() == 0);
}

BOOST_FIXTURE_TEST_CASE(a_done_that_outlives_the_exchange_and_the_piece_keeps_the_bytes, Fixture) {
    piece->data = "the piece's bytes";
    auto done = SinkPiece::done_of(piece);
    const char* bytes = piece->data.data();
    BOOST_TEST(!piece->answer_or_wait().has_value());
    piece.reset();                                          // the exchange's reference
    exchange.reset();                                       // the exchange itself
    BOOST_TEST(std::string(bytes) == "the piece's bytes");  // ASan: still owned by `done`
    done({});
    done = nullptr;
}

BOOST_AUTO_TEST_SUITE_END()
