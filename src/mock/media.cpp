// Recording media: bytes computed from (recording ID, offset) alone, so the
// server can stream a recording of any size from a small buffer and a test can
// check any stretch of a download without a copy of the whole.
#include "mock/mock_server.hpp"

#include <algorithm>
#include <cstring>

namespace bwvoice::mock {
namespace {

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001B3ULL;
    }
    return h;
}

/// splitmix64's output function: every 8-byte block of the pattern is this of
/// (key, block index), so blocks can be made in any order.
std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace

void fill_media(std::string_view recording_id, std::uint64_t offset, char* out, std::size_t length) {
    const std::uint64_t key = fnv1a(recording_id);
    std::uint64_t block = offset / 8;
    std::size_t skip = static_cast<std::size_t>(offset % 8);
    while (length > 0) {
        const std::uint64_t word = mix(key + (block + 1) * 0x9E3779B97F4A7C15ULL);
        unsigned char bytes[8];
        for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(word >> (8 * i));  // little-endian, always
        const std::size_t n = std::min<std::size_t>(8 - skip, length);
        std::memcpy(out, bytes + skip, n);
        out += n;
        length -= n;
        skip = 0;
        ++block;
    }
}

std::string media_bytes(std::string_view recording_id, std::uint64_t offset, std::size_t length) {
    std::string out(length, '\0');
    fill_media(recording_id, offset, out.data(), length);
    return out;
}

}  // namespace bwvoice::mock
