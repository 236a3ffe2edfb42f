// Small async HTTP/1.1 server (plain TCP) on the same stack as the client: one coroutine per connection,
// keep-alive, a read timeout, bounded request bodies. Used by the simulators and by the service's API.
#pragma once

#include "http/http_message.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace nds::http {

/// A handler may co_await (timers for latency injection, jobs). Exceptions become a 500.
using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

struct ServerOptions {
    std::size_t max_body_bytes = 64u * 1024 * 1024;
    std::chrono::seconds idle_timeout{60};
};

class Server {
public:
    /// Binds immediately (port 0 = ephemeral); throws std::system_error when it cannot bind.
    Server(boost::asio::any_io_executor executor, const std::string& address, std::uint16_t port,
           Handler handler, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const;
    void start();  ///< begin accepting (spawns the accept loop)
    void stop();   ///< stop accepting and close open connections

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace nds::http
