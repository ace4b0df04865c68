// parse_conference stays on its streaming fast path for documents that break
// no rule: it never falls back to the DOM decoder for them. The fallback gives
// the same answer, only slower, so the answer alone cannot show which path ran;
// the number of allocations can (a DOM costs at least one per document).
//
// This binary replaces the global operator new (common/replaced_global_new.hpp)
// to count allocations.
#include "common/replaced_global_new.hpp"

#include <bwvoice/conference.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

namespace {
std::atomic<std::size_t> g_allocations{0};

/// Allocations made by parse_conference(text), which must succeed.
std::size_t allocations_to_decode(const std::string& text) {
    bwvoice::Conference c;
    std::string why;
    why.reserve(256);
    const std::size_t before = g_allocations.load();
    const auto ec = bwvoice::parse_conference(text, c, &why);
    const std::size_t used = g_allocations.load() - before;
    BOOST_TEST_REQUIRE(!ec, why);
    return used;
}

std::string document_with_method(const std::string& method) {
    return R"({"id":"conf-1","name":"n","createdTime":"2026-11-28T15:02:11.482Z","conferenceEventMethod":")" + method +
           R"(","activeMembers":[{"callId":"c-1","mute":false}]})";
}
}  // namespace

void* bwvoice::test::replaced_allocate(std::size_t n, std::size_t align) {
    ++g_allocations;
    return system_allocate(n, align);
}

BOOST_AUTO_TEST_SUITE(conference_reader_fast_path)

BOOST_AUTO_TEST_CASE(a_known_event_method_costs_what_it_always_did) {
    // The baseline: the streaming decoder allocates for the member vector only.
    BOOST_TEST(allocations_to_decode(document_with_method("POST")) <= 2u);
}

BOOST_AUTO_TEST_CASE(an_unknown_event_method_stays_on_the_fast_path) {
    const std::size_t known = allocations_to_decode(document_with_method("POST"));
    for (const char* method : {"PUT", "", "unknown", "OPTIONS"})
        BOOST_TEST(allocations_to_decode(document_with_method(method)) == known, method);
}

BOOST_AUTO_TEST_CASE(a_broken_rule_takes_the_dom_path) {
    // The other side of the measurement: a fallback is visible.
    const std::size_t known = allocations_to_decode(document_with_method("POST"));
    const std::string duplicate =
        R"({"id":"conf-1","id":"conf-1","name":"n","createdTime":"2026-11-28T15:02:11.482Z","conferenceEventMethod":"POST","activeMembers":[{"callId":"c-1","mute":false}]})";
    BOOST_TEST(allocations_to_decode(duplicate) > known);
}

BOOST_AUTO_TEST_SUITE_END()
