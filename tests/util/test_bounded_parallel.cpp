// bounded_parallel: the bound, exceptions, and cancellation — above all that the caller's frame, which the
// workers capture by reference, outlives every worker even when the caller is cancelled (the regression:
// detached workers used to run on after the frame unwound, a heap-use-after-free under ASan).
#include "util/async.hpp"
#include "util/bounded_parallel.hpp"
#include "util/cancellation.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

namespace {

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(asio::use_awaitable);
}

/// Shared with the workers through the heap, so a test can look at it after the caller's frame is gone.
struct Observations {
    bool caller_frame_alive = false;
    int finished_while_caller_alive = 0;
    int finished_after_caller_gone = 0;
    int started = 0;
    int in_flight = 0;
    int max_in_flight = 0;
};

/// Marks the caller's frame alive for as long as it exists.
struct FrameGuard {
    Observations& seen;
    explicit FrameGuard(Observations& s) : seen(s) { seen.caller_frame_alive = true; }
    ~FrameGuard() { seen.caller_frame_alive = false; }
};

asio::awaitable<void> caller(std::shared_ptr<Observations> seen, std::size_t count, std::size_t limit,
                             std::chrono::milliseconds work) {
    FrameGuard guard(*seen);
    std::vector<int> frame_data(count, 7);  // lives in the caller's frame; the workers read it
    // A named closure: GCC 12 destroys a closure temporary with non-trivial captures (here the shared_ptr)
    // twice when it appears inside a co_await expression (util/bounded_parallel.hpp says more).
    auto observed_call = [&, seen](std::size_t index) -> asio::awaitable<void> {
        ++seen->started;
        seen->max_in_flight = std::max(seen->max_in_flight, ++seen->in_flight);
        try {
            co_await sleep_for(work);
        } catch (...) {
            --seen->in_flight;
            if (seen->caller_frame_alive) ++seen->finished_while_caller_alive;
            else ++seen->finished_after_caller_gone;
            throw;
        }
        --seen->in_flight;
        // Touches the caller's frame: use-after-free if the frame is gone.
        if (seen->caller_frame_alive) {
            ++seen->finished_while_caller_alive;
            frame_data[index] += 1;
        } else {
            ++seen->finished_after_caller_gone;
        }
    };
    co_await nds::bounded_parallel(count, limit, observed_call);
}

asio::awaitable<void> throw_after(std::chrono::milliseconds delay) {
    co_await sleep_for(delay);
    throw std::runtime_error("the other side failed");
}

}  // namespace

TEST_CASE("bounded_parallel: every index runs once, never more than the limit at a time") {
    asio::io_context io(1);
    auto seen = std::make_shared<Observations>();
    nds::run_to_completion(io, [&]() -> asio::awaitable<int> {
        co_await caller(seen, 9, 3, 5ms);
        co_return 0;
    }());
    CHECK(seen->started == 9);
    CHECK(seen->finished_while_caller_alive == 9);
    CHECK(seen->max_in_flight == 3);
}

TEST_CASE("bounded_parallel: a caller cancelled by the other side of && waits for its workers before unwinding") {
    asio::io_context io(1);
    auto seen = std::make_shared<Observations>();
    bool threw = false;
    nds::run_to_completion(io, [&]() -> asio::awaitable<int> {
        try {
            co_await (caller(seen, 4, 4, 200ms) && throw_after(10ms));
        } catch (const std::exception&) {  // the other side's error, or both sides' (multiple_exceptions)
            threw = true;
        }
        co_return 0;
    }());
    // Let anything still pending run out: a detached worker would wake up here, after the frame is gone.
    io.restart();
    io.run_for(400ms);
    CHECK(threw);
    CHECK(seen->started == 4);
    CHECK(seen->finished_after_caller_gone == 0);
    CHECK(seen->finished_while_caller_alive == 4);
    CHECK(seen->in_flight == 0);
}

TEST_CASE("bounded_parallel: the first exception comes back after all workers stopped, and no new call starts") {
    asio::io_context io(1);
    int started = 0;
    int finished = 0;
    bool threw = false;
    nds::run_to_completion(io, [&]() -> asio::awaitable<int> {
        try {
            co_await nds::bounded_parallel(10, 2, [&](std::size_t index) -> asio::awaitable<void> {
                ++started;
                if (index == 0) {
                    co_await sleep_for(5ms);
                    throw std::runtime_error("first");
                }
                co_await sleep_for(20ms);
                ++finished;
            });
        } catch (const std::runtime_error& e) {
            threw = std::string(e.what()) == "first";
        }
        co_return 0;
    }());
    CHECK(threw);
    CHECK(started == 2);   // index 0 threw; index 1 was already running and finished; nothing after it
    CHECK(finished == 1);
}

TEST_CASE("bounded_parallel: partial cancellation lets the calls in flight finish and later calls see the stop") {
    asio::io_context io(1);
    int completed = 0;
    int saw_stop = 0;
    asio::cancellation_signal stop;
    auto run = [&]() -> asio::awaitable<void> {
        co_await nds::accept_partial_cancellation();
        co_await nds::bounded_parallel(6, 2, [&](std::size_t) -> asio::awaitable<void> {
            if (co_await nds::stop_requested()) {
                ++saw_stop;
                co_return;
            }
            co_await sleep_for(30ms);  // in flight when the stop comes: not cut short
            ++completed;
        });
    };
    bool done = false;
    asio::co_spawn(io, run(), asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr error) {
                       CHECK_FALSE(error);
                       done = true;
                   }));
    asio::steady_timer timer(io, 10ms);
    timer.async_wait([&](auto) { stop.emit(asio::cancellation_type::partial); });
    io.run_for(2s);
    CHECK(done);
    CHECK(completed == 2);
    CHECK(saw_stop == 4);
}

TEST_CASE("bounded_parallel: terminal cancellation aborts the calls in flight") {
    asio::io_context io(1);
    int aborted = 0;
    int completed = 0;
    asio::cancellation_signal stop;
    auto run = [&]() -> asio::awaitable<void> {
        co_await nds::accept_partial_cancellation();
        co_await nds::bounded_parallel(2, 2, [&](std::size_t) -> asio::awaitable<void> {
            try {
                co_await sleep_for(10s);
                ++completed;
            } catch (const boost::system::system_error&) {
                ++aborted;
            }
        });
    };
    bool done = false;
    asio::co_spawn(io, run(), asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr) { done = true; }));
    asio::steady_timer timer(io, 10ms);
    timer.async_wait([&](auto) { stop.emit(asio::cancellation_type::terminal); });
    io.run_for(2s);
    CHECK(done);
    CHECK(aborted == 2);
    CHECK(completed == 0);
}
