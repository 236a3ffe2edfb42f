// Async HTTP/1.1 client for one origin (scheme://host:port) on Asio C++20 coroutines: keep-alive
// connection reuse, HTTPS with verification on by default, a timeout on every request, and bounded
// retries with exponential backoff and jitter for connect errors, 429 (Retry-After honoured) and
// 502/503/504. Other 4xx are never retried. A POST that may have reached the server (timeout or reset
// after sending it, 502/504) is not replayed: it could create its objects twice. An HTTP error status is
// not an error of send(): it comes back as a Response; only a request that got no response at all (after
// retries) is an Error.
//
// This header is light on purpose (no Beast): Beast is compiled in http_client.cpp only.
#pragma once

#include "util/expected.hpp"
#include "http/http_message.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace nds::http {

struct ClientOptions {
    bool verify_tls = true;
    std::string ca_file;                               ///< PEM bundle; empty = system store
    /// A TLS client certificate (PEM chain) and its private key, for servers that require one (Kea's Control
    /// Agent with cert-required). Both or neither.
    std::string cert_file;
    std::string key_file;
    std::chrono::milliseconds timeout{30000};          ///< per attempt: connect + write + read
    int max_retries = 3;                               ///< retries after the first attempt
    std::chrono::milliseconds backoff_initial{200};
    std::chrono::milliseconds backoff_max{10000};
    std::size_t max_body_bytes = 256u * 1024 * 1024;   ///< response bodies larger than this are an error
    std::size_t max_idle_connections = 16;
    std::string user_agent = "netbox-dhcp-sync";
    /// Called after every attempt (for metrics and request counting). status 0 = no response.
    std::function<void(const Request&, unsigned status, std::chrono::steady_clock::duration)> on_attempt;
};

class Client {
public:
    /// `base_url` gives scheme, host and port; its path is ignored (callers send full targets).
    Client(boost::asio::any_io_executor executor, std::string base_url, ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Sends the request with retries. Host, User-Agent, Content-Length and keep-alive are set here.
    boost::asio::awaitable<Expected<Response>> send(Request request);

    const std::string& origin() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace nds::http
