// The observer the benchmarks install to price observation: what a service's
// metrics observer does per event (a relaxed atomic increment or add), and
// no more, so the figure is the client's cost of building and delivering
// events, not the observer's own work.
#ifndef BWVOICE_BENCH_COUNTING_OBSERVER_HPP
#define BWVOICE_BENCH_COUNTING_OBSERVER_HPP

#include <bwvoice/observer.hpp>

#include <atomic>
#include <cstdint>

class CountingObserver final : public bwvoice::ClientObserver {
public:
    void on_request_started(const bwvoice::RequestStarted&) override { add(started); }
    void on_request_ended(const bwvoice::RequestEnded& e) override {
        add(ended);
        add(bytes, e.bytes_in + e.bytes_out);
    }
    void on_retry_scheduled(const bwvoice::RetryScheduled&) override { add(other); }
    void on_stale_resend(const bwvoice::StaleResend&) override { add(other); }
    void on_pool_waited(const bwvoice::PoolWaited&) override { add(other); }
    void on_connection_opened(const bwvoice::ConnectionOpened&) override { add(other); }
    void on_connection_reused(const bwvoice::ConnectionReused&) override { add(reused); }
    void on_connection_closed(const bwvoice::ConnectionClosed&) override { add(other); }
    void on_operation_ended(const bwvoice::OperationEnded& e) override {
        add(latency_ns, static_cast<std::uint64_t>(e.duration.count()));
    }
    void on_token_fetched(const bwvoice::TokenFetched&) override { add(other); }
    void on_token_refused(const bwvoice::TokenRefused&) override { add(other); }

    std::atomic<std::uint64_t> started{0}, ended{0}, reused{0}, bytes{0}, latency_ns{0}, other{0};

private:
    static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
        counter.fetch_add(n, std::memory_order_relaxed);
    }
};

#endif
