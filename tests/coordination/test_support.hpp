// Helpers of the coordination tests: run a test coroutine with a hard time limit, sleep, build a lock service
// with short timings against a test redis-server.
#pragma once

#include "coordination/server_lock.hpp"
#include "redis_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace nds::coordination::testing {

namespace net = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Runs `body` on `io` until it finishes, at most `limit`; exceptions (failed REQUIREs) are rethrown here.
inline void run(net::io_context& io, std::function<net::awaitable<void>()> body,
                std::chrono::milliseconds limit = 30s) {
    bool done = false;
    std::exception_ptr error;
    net::co_spawn(io, body(), [&](std::exception_ptr e) {
        done = true;
        error = e;
        io.stop();
    });
    io.restart();
    io.run_for(limit);
    REQUIRE_MESSAGE(done, "test coroutine did not finish in time");
    if (error) std::rethrow_exception(error);
}

inline net::awaitable<void> sleep_for(Clock::duration duration) {
    net::steady_timer timer(co_await net::this_coro::executor, duration);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

/// Short TTL and timeouts so that expiry and failures show within a second or two.
inline RedisOptions fast_options(const std::string& url, std::chrono::milliseconds ttl = 1500ms) {
    RedisOptions options;
    options.url = url;
    options.lock_ttl = ttl;
    options.renew_every = ttl / 3;
    options.connect_timeout = 500ms;
    options.command_timeout = 300ms;
    return options;
}

/// make_server_lock_service, REQUIREd to succeed.
inline std::unique_ptr<ServerLockService> make_service(net::io_context& io, std::optional<RedisOptions> redis,
                                                       std::string process_id = "") {
    auto service = make_server_lock_service(io.get_executor(), LockServiceOptions{std::move(redis), std::move(process_id)});
    REQUIRE_MESSAGE(service, (service ? "" : service.error().message));
    return std::move(*service);
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace nds::coordination::testing
