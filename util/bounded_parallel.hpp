// Runs fn(0..count-1) with at most `limit` calls in flight, as coroutines on the caller's executor (no
// threads: on a single-threaded io_context the calls interleave only at co_await points, so shared
// counters need no locks).
//
// The workers are one parallel group awaited by the caller, so the caller's cancellation reaches every
// worker (partial: fn sees stop_requested(); terminal: the I/O it awaits is aborted), and the caller's frame — which
// `fn` captures by reference — never unwinds before every worker has finished, whatever happens (an
// exception in one worker, or the caller cancelled by the other side of an awaitable operator). The first
// exception is rethrown after all workers have stopped; once one worker has thrown, no new call starts.
//
// Pass `fn` as a closure that captures by reference only, or as a named variable: GCC 12 runs the destructor
// of a closure temporary with non-trivially-destructible captures (a std::shared_ptr, a std::string) twice
// when the temporary appears inside a co_await expression, which under ASan is a heap-use-after-free.
#pragma once

#include "util/cancellation.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <functional>
#include <vector>

namespace nds {

inline boost::asio::awaitable<void> bounded_parallel(std::size_t count, std::size_t limit,
                                                     std::function<boost::asio::awaitable<void>(std::size_t)> fn) {
    namespace asio = boost::asio;
    if (count == 0) co_return;
    auto executor = co_await asio::this_coro::executor;
    std::size_t next = 0;
    bool failed = false;
    auto worker = [&]() -> asio::awaitable<void> {
        co_await record_partial_cancellation();
        while (next < count && !failed) {
            auto index = next++;
            try {
                co_await fn(index);
            } catch (...) {
                failed = true;
                throw;
            }
        }
    };
    using Operation = decltype(asio::co_spawn(executor, worker(), asio::deferred));
    std::vector<Operation> workers;
    std::size_t worker_count = std::min(count, std::max<std::size_t>(limit, 1));
    workers.reserve(worker_count);
    for (std::size_t i = 0; i < worker_count; ++i) workers.push_back(asio::co_spawn(executor, worker(), asio::deferred));
    auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(workers))
                               .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    (void)order;
    for (const auto& error : errors)
        if (error) std::rethrow_exception(error);
}

}  // namespace nds
