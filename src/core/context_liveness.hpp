// Whether an execution context still exists, for code that may run after it
// is gone (a resolution thread, a caller's sink calling back from its own
// thread) and must not post into it then.
#ifndef BWVOICE_SRC_CORE_CONTEXT_LIVENESS_HPP
#define BWVOICE_SRC_CORE_CONTEXT_LIVENESS_HPP

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <mutex>

namespace bwvoice::detail {

/// Shared with whoever may outlive the context. Hold `mutex` while reading
/// `alive` and for as long as the context is used (a post to it): the
/// context's shutdown sets `alive` to false under the same mutex, so it waits
/// for a post in progress, and none starts after it.
struct Liveness {
    std::mutex mutex;
    bool alive = true;
};

/// The Liveness of the execution context of `ex`: one per context (a service
/// of it, made on first use; thread-safe).
std::shared_ptr<Liveness> liveness_of(const boost::asio::any_io_executor& ex);

}  // namespace bwvoice::detail

#endif
