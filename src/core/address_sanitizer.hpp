// Whether this library is built with AddressSanitizer (internal).
//
// Such a build keeps no freed block for reuse (the operation stock, the
// Recycler's exchange blocks): a block handed straight to the next operation
// would hide a use after free from ASan's quarantine, and the asan tier is
// there to catch exactly that. Tests, built with the library's flags, ask
// it too.
#ifndef BWVOICE_SRC_CORE_ADDRESS_SANITIZER_HPP
#define BWVOICE_SRC_CORE_ADDRESS_SANITIZER_HPP

namespace bwvoice::detail {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool built_with_address_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool built_with_address_sanitizer = true;
#else
inline constexpr bool built_with_address_sanitizer = false;
#endif
#else
inline constexpr bool built_with_address_sanitizer = false;
#endif

}  // namespace bwvoice::detail

#endif
