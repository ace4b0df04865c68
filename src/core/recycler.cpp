#include "core/recycler.hpp"

#include "core/address_sanitizer.hpp"

#include <boost/asio/execution_context.hpp>

#include <utility>

namespace bwvoice::detail {
namespace net = boost::asio;

namespace {

/// Owns the context's Recycler and empties it when the context shuts down.
/// Asio shuts every service down before it destroys any, so the strands kept
/// go while the strand service still exists, whichever was made first.
class RecyclerService final : public net::execution_context::service {
public:
    static net::execution_context::id id;

    explicit RecyclerService(net::execution_context& ctx) : service(ctx), recycler_(std::make_shared<Recycler>()) {}

    const std::shared_ptr<Recycler>& recycler() const noexcept { return recycler_; }

private:
    void shutdown() override { recycler_->shutdown(); }

    const std::shared_ptr<Recycler> recycler_;
};

net::execution_context::id RecyclerService::id;

}  // namespace

std::shared_ptr<Recycler> Recycler::of(const executor_type& ex) {
    return net::use_service<RecyclerService>(ex.context()).recycler();
}

Recycler::~Recycler() {
    shutdown();
}

Recycler::strand_type Recycler::take_strand(const executor_type& ex) {
    {
        std::lock_guard lock(mutex_);
        if (!strands_.empty()) {
            strand_type s = std::move(strands_.back());
            strands_.pop_back();
            return s;
        }
    }
    return net::make_strand(ex);
}

void Recycler::give_strand(strand_type&& strand) noexcept {
    strand_type dropped = std::move(strand);  // destroyed outside the lock: it takes the strand service's
    std::lock_guard lock(mutex_);
    if (shut_ || strands_.size() >= kept) return;
    try {
        strands_.push_back(std::move(dropped));
    } catch (...) {
        // No room to keep it: it is simply destroyed.
    }
}

void* Recycler::take_block(std::size_t size) {
    if constexpr (!built_with_address_sanitizer) {
        std::lock_guard lock(mutex_);
        if (size == block_size_ && !blocks_.empty()) {
            void* block = blocks_.back();
            blocks_.pop_back();
            return block;
        }
    }
    return ::operator new(size);
}

void Recycler::give_block(void* block, std::size_t size) noexcept {
    if constexpr (!built_with_address_sanitizer) {
        std::lock_guard lock(mutex_);
        if (!shut_ && (block_size_ == 0 || block_size_ == size) && blocks_.size() < kept) {
            try {
                blocks_.push_back(block);
                block_size_ = size;
                return;
            } catch (...) {}
        }
    }
    ::operator delete(block);
}

Recycler::Stock Recycler::stock() {
    std::lock_guard lock(mutex_);
    return {strands_.size(), blocks_.size()};
}

void Recycler::shutdown() noexcept {
    std::vector<strand_type> strands;  // destroyed outside the lock
    std::vector<void*> blocks;
    {
        std::lock_guard lock(mutex_);
        shut_ = true;
        strands.swap(strands_);
        blocks.swap(blocks_);
    }
    for (void* block : blocks) ::operator delete(block);
}

}  // namespace bwvoice::detail
