// The Redis protocol (RESP2), encoded and decoded by hiredis: redisFormatCommandArgv builds a request and
// hiredis's reply reader (redisReader) takes answers apart, however the bytes arrive. Neither does I/O, so
// the transport is ours (redis_connection.hpp) and this file is unit-tested without a socket.
//
// Why hiredis and not our own RESP code: it is the Redis project's own C client, packaged by Debian
// (libhiredis-dev) and used for years by Redis itself (redis-cli, redis-benchmark); a protocol parser that
// reads bytes off the network is exactly the code not to write again.
#pragma once

#include "util/expected.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::coordination {

/// One answer from Redis, copied out of hiredis's reply object.
struct RedisReply {
    enum class Type { string, status, error, integer, nil, array };

    Type type = Type::nil;
    std::string text;               ///< string, status ("OK", "PONG") and error ("NOAUTH ...") replies
    long long integer = 0;
    std::vector<RedisReply> elements;

    bool is_error() const { return type == Type::error; }
    bool is_nil() const { return type == Type::nil; }
    bool is_status(std::string_view expected) const { return type == Type::status && text == expected; }
    /// The first word of an error reply ("NOAUTH", "WRONGPASS", "NOPERM", "NOSCRIPT", "ERR"), else "".
    std::string error_code() const;
};

/// A request in the wire format ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"); arguments are binary-safe.
std::string format_command(const std::vector<std::string>& arguments);

/// Incremental reply parser over hiredis's redisReader: feed() what the socket gave, then take every complete
/// reply with next(). A protocol error (not RESP) is sticky: the connection must be dropped.
class ReplyParser {
public:
    ReplyParser();
    ~ReplyParser();
    ReplyParser(const ReplyParser&) = delete;
    ReplyParser& operator=(const ReplyParser&) = delete;

    /// Error (errc::malformed) when hiredis refuses the bytes.
    Expected<Done> feed(const char* data, std::size_t size);
    /// A complete reply, nullopt when more bytes are needed, Error (errc::malformed) on a protocol error.
    Expected<std::optional<RedisReply>> next();

private:
    struct Reader;
    std::unique_ptr<Reader> reader_;
};

}  // namespace nds::coordination
