// The settings of the coordination engine (config: `coordination.redis`, docs/coordination.md) and the strict
// parser of its URL. Pure: no Asio, no I/O, so every rule is a fast unit test.
//
//   redis://[user:password@]host[:port][/db]     plain TCP (port 6379, db 0 by default); "user@" alone when
//                                                the password is in password_file
//   rediss://[user:password@]host[:port][/db]    TLS (certificate and host name verified)
//
// Errors name the config field and the value; a password never appears in one (redact_redis_url).
#pragma once

#include "util/expected.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace nds::coordination {

/// The settings as the daemon's config gives them (durations already parsed).
struct RedisOptions {
    std::string url = "redis://127.0.0.1:6379/0";
    /// From `password_file` (read by the caller). Empty = none, or the one in the URL. Both at once is an error.
    std::string password;
    /// TLS even for a redis:// URL (a rediss:// URL is TLS whatever this says).
    bool tls = false;
    /// PEM bundle that signs the server's certificate; empty = the system store.
    std::string ca_file;
    /// Every key this service writes starts with "<key_prefix>:".
    std::string key_prefix = "netbox-dhcp-sync";
    /// A lock not renewed within this time expires in Redis, so a dead holder frees its server after it.
    std::chrono::milliseconds lock_ttl{std::chrono::seconds(30)};
    /// How often a held lock is renewed; 0 = lock_ttl / 3.
    std::chrono::milliseconds renew_every{0};
    /// Bounds TCP connect, TLS handshake, AUTH and SELECT together.
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
    /// Bounds one command (write and answer), waiting for the connection included.
    std::chrono::milliseconds command_timeout{std::chrono::seconds(2)};
};

/// Where to connect and as whom: the URL taken apart.
struct RedisEndpoint {
    std::string host;          ///< name or IP literal (IPv6 without brackets)
    std::uint16_t port = 6379;
    unsigned db = 0;
    std::string username;      ///< empty = Redis's `default` user
    std::string password;      ///< empty = no AUTH
    bool tls = false;
};

/// The options checked and completed: what the Redis lock service runs with.
struct ResolvedRedisOptions {
    RedisEndpoint endpoint;
    std::string ca_file;
    std::string key_prefix;
    std::chrono::milliseconds lock_ttl;
    std::chrono::milliseconds renew_every;
    std::chrono::milliseconds connect_timeout;
    std::chrono::milliseconds command_timeout;
    std::string display;       ///< "rediss://user@host:port/db": for logs, no password
};

/// Takes a redis:// or rediss:// URL apart. Error (errc::config) naming `field` and the (redacted) value.
Expected<RedisEndpoint> parse_redis_url(std::string_view url, std::string_view field = "coordination.redis.url");

/// Parses the URL and checks every option against the others (errc::config naming the field and value).
Expected<ResolvedRedisOptions> resolve_redis_options(const RedisOptions& options);

/// The URL with any password replaced by "***" (for messages and logs).
std::string redact_redis_url(std::string_view url);

/// "redis://host:port/db" or "rediss://user@host:port/db" (never a password).
std::string describe_endpoint(const RedisEndpoint& endpoint);

}  // namespace nds::coordination
