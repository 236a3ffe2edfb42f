// Helpers shared by the HTTP tests: run one test coroutine on a fresh io_context with a hard time limit,
// sleep, tight client options, and a free port that refuses connections.
#pragma once

#include "http/http_client.hpp"
#include "http/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <exception>
#include <functional>
#include <string>

namespace nds::http::test {

using nds::Expected;

namespace net = boost::asio;
using namespace std::chrono_literals;

/// Runs `body` on `ioc` until it finishes (then stops the io_context), at most `limit`.
/// Exceptions from the body (including failed REQUIREs) are rethrown here.
inline void run(net::io_context& ioc, std::function<net::awaitable<void>()> body,
                std::chrono::milliseconds limit = 20s) {
    bool done = false;
    std::exception_ptr error;
    net::co_spawn(ioc, body(), [&](std::exception_ptr e) {
        done = true;
        error = e;
        ioc.stop();
    });
    ioc.run_for(limit);
    REQUIRE_MESSAGE(done, "test coroutine did not finish in time");
    if (error) std::rethrow_exception(error);
}

inline net::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    net::steady_timer timer(co_await net::this_coro::executor, d);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

/// Short timeouts and tiny backoffs so that failing paths finish fast.
inline ClientOptions fast_options() {
    ClientOptions o;
    o.timeout = 2000ms;
    o.max_retries = 3;
    o.backoff_initial = 1ms;
    o.backoff_max = 5ms;
    return o;
}

inline std::string base_url(const Server& server, const std::string& scheme = "http") {
    return scheme + "://127.0.0.1:" + std::to_string(server.port());
}

/// A loopback port with nobody listening (bound once to pick it, then closed).
inline std::uint16_t refused_port() {
    net::io_context ioc;
    net::ip::tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    auto port = a.local_endpoint().port();
    a.close();
    return port;
}

inline Request get(std::string target) {
    Request r;
    r.method = "GET";
    r.target = std::move(target);
    return r;
}

}  // namespace nds::http::test
