// One connection to Redis (TCP or TLS) on the caller's executor: connect, AUTH, SELECT, then one command at a
// time. The Redis lock service (redis_lock_service.cpp) is its only user.
//
// How it stays off the event loop's critical path — the choice, and why: hiredis is used for what it is best
// at, the protocol (redis_protocol.hpp: redisFormatCommandArgv and the redisReader reply parser, both pure
// in-memory functions), and the socket is an Asio stream on the service's own io_context. So there is no
// blocking hiredis call at all (not redisConnect, not redisCommand), no worker thread and no cross-thread
// hand-off, and every step is bounded by a Beast stream deadline. The alternatives were weighed:
//  - a worker thread running blocking redisCommand: works for TCP, but Debian 12's hiredis is 0.14, which has
//    no TLS (hiredis_ssl arrived in 1.0), and a blocked thread cannot be cancelled at shutdown;
//  - hiredis's async API (redisAsyncContext) on the io_context's socket: in 0.14 it reads and writes the file
//    descriptor itself, so it cannot run over an SSL stream either.
// With the reader/formatter, TLS is Asio's ssl::stream with the same verification as http/ (peer certificate
// and host name), and TCP and TLS share every line above the stream.
//
// Calls are served in arrival order, one at a time (Redis answers in order; with one request in flight a
// late or broken answer can never be paired with the wrong caller). Any transport failure or timeout drops
// the connection; the next call connects again.
#pragma once

#include "coordination/redis_options.hpp"
#include "coordination/redis_protocol.hpp"
#include "util/expected.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <vector>

namespace nds::coordination {

class RedisConnection {
public:
    RedisConnection(boost::asio::any_io_executor executor, ResolvedRedisOptions options);
    ~RedisConnection();  ///< closes the connection; calls in flight end with errc::transport
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    /// Runs one command, connecting first when there is no connection. Bounded: waiting for earlier calls
    /// and the command itself by command_timeout each, a connect by connect_timeout.
    /// An error *reply* ("NOPERM ...") is a value for the caller to judge. Errors: errc::transport (cannot
    /// connect, timeout, connection lost), errc::authentication (AUTH refused), errc::refused (SELECT
    /// refused), errc::malformed (not RESP), errc::cancelled (the call was cancelled or close() called).
    boost::asio::awaitable<Expected<RedisReply>> exec(std::vector<std::string> arguments);

    /// Closes the connection for good (shutdown): calls in flight and later calls end with errc::cancelled.
    void close();

    const ResolvedRedisOptions& options() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace nds::coordination
