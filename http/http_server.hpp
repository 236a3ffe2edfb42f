// Small async HTTP/1.1 server (plain TCP, or TLS when a certificate is configured) on the same stack as the
// client: one coroutine per connection, keep-alive, a read timeout, bounded request bodies (413 beyond the
// limit). Used by the simulators and by the service's API.
//
// Threading: all connections and the handler run on the executor given to the constructor. Run its
// io_context on one thread (or pass a strand); start() and stop() must be called from that thread or
// before/after it runs.
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
#include <vector>
#include <string_view>

namespace nds::http {

/// A handler may co_await (timers for latency injection, jobs). Exceptions become a 500.
using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

/// Test hook for the simulators' fault injection: a response carrying this header (value "reset" or
/// "truncate") is sent with its full Content-Length but only half its body, then the connection is reset
/// (TCP RST) or closed. The header itself is not sent. Nothing else sets it.
inline constexpr std::string_view kSimulateCutHeader = "X-Nds-Simulate-Cut";

struct ServerOptions {
    std::size_t max_body_bytes = 64u * 1024 * 1024;   ///< larger request bodies get 413 and the connection is closed
    /// Waiting for the next request on a kept-alive connection, reading a request body, writing a response.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
    /// From a request's first byte (a new connection: from its accept, TLS handshake included) until its
    /// whole header has arrived. Short, so a client trickling a byte every few seconds is dropped quickly
    /// instead of holding a connection for idle_timeout.
    std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
    /// Open connections at most (0 = no limit). One more is answered 503 and closed (TLS: closed), so idle or
    /// slow clients cannot take every file descriptor of the process.
    std::size_t max_connections = 0;
    /// Open connections from one client address at most (0 = no limit); one more is refused like above, so one
    /// client cannot take all of max_connections.
    std::size_t max_connections_per_address = 0;
    /// Connections accepted beyond max_connections that may only ask for `reserved_paths` (a liveness or
    /// readiness probe), one request each; any other request on them gets 503. Keeps the probes answering
    /// while other clients hold every ordinary connection.
    std::size_t reserved_connections = 0;
    std::vector<std::string> reserved_paths;
    std::string tls_cert_file;                        ///< PEM certificate chain; empty = plain TCP
    std::string tls_key_file;                         ///< PEM private key; required when tls_cert_file is set
};

class Server {
public:
    /// Binds immediately (port 0 = ephemeral); throws std::system_error when it cannot bind, and
    /// std::runtime_error when the TLS certificate or key cannot be loaded.
    Server(boost::asio::any_io_executor executor, const std::string& address, std::uint16_t port,
           Handler handler, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const;
    void start();  ///< begin accepting (spawns the accept loop)
    void stop();   ///< stop accepting and close open connections (idempotent; also done by the destructor)

    /// Connections accepted since construction (for tests and simulator statistics).
    std::uint64_t connections_accepted() const;
    /// Connections turned away because max_connections were open.
    std::uint64_t connections_refused() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace nds::http
