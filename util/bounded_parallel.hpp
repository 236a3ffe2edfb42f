// Runs fn(0..count-1) with at most `limit` calls in flight, as coroutines on the caller's executor (no
// threads: on a single-threaded io_context the calls interleave only at co_await points, so shared
// counters need no locks). Returns when every call has finished; the first exception is rethrown after
// all workers have stopped, so references captured by `fn` stay valid for the whole run.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <functional>

namespace nds {

inline boost::asio::awaitable<void> bounded_parallel(std::size_t count, std::size_t limit,
                                                     std::function<boost::asio::awaitable<void>(std::size_t)> fn) {
    namespace asio = boost::asio;
    if (count == 0) co_return;
    auto executor = co_await asio::this_coro::executor;
    std::size_t next = 0;
    std::size_t workers = std::min(count, std::max<std::size_t>(limit, 1));
    std::size_t running = workers;
    std::exception_ptr first_error;
    // Used as an event: it never expires; the last worker to finish cancels it.
    asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());

    auto worker = [&]() -> asio::awaitable<void> {
        while (next < count && !first_error) {
            auto index = next++;
            co_await fn(index);
        }
    };
    for (std::size_t i = 0; i < workers; ++i) {
        asio::co_spawn(executor, worker(), [&](std::exception_ptr error) {
            if (error && !first_error) first_error = error;
            if (--running == 0) all_done.cancel();
        });
    }
    while (running > 0) {
        auto [ec] = co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
        (void)ec;  // operation_aborted from the last worker's cancel()
    }
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace nds
