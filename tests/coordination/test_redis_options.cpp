// The coordination.redis settings: the strict URL parser and the checks between the options. Every error is
// errc::config, names the field and the value, and never shows a password.
#include "coordination/redis_options.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace nds;
using namespace nds::coordination;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The URL's error, checked for the common rules.
std::string url_error(const std::string& url, const std::string& secret = "") {
    auto parsed = parse_redis_url(url);
    REQUIRE_MESSAGE(!parsed, url);
    CHECK(parsed.error().is(errc::config));
    CHECK_MESSAGE(contains(parsed.error().message, "coordination.redis.url"), parsed.error().message);
    if (!secret.empty()) CHECK_MESSAGE(!contains(parsed.error().message, secret), parsed.error().message);
    return parsed.error().message;
}

RedisOptions options_with(const std::string& url) {
    RedisOptions options;
    options.url = url;
    return options;
}

std::string option_error(const RedisOptions& options, const std::string& field) {
    auto resolved = resolve_redis_options(options);
    REQUIRE(!resolved);
    CHECK(resolved.error().is(errc::config));
    CHECK_MESSAGE(contains(resolved.error().message, field), resolved.error().message);
    return resolved.error().message;
}

}  // namespace

TEST_CASE("redis url: the documented default is plain TCP to 127.0.0.1:6379 database 0 without credentials") {
    auto endpoint = parse_redis_url("redis://127.0.0.1:6379/0");
    REQUIRE(endpoint);
    CHECK(endpoint->host == "127.0.0.1");
    CHECK(endpoint->port == 6379);
    CHECK(endpoint->db == 0);
    CHECK(endpoint->username.empty());
    CHECK(endpoint->password.empty());
    CHECK_FALSE(endpoint->tls);
}

TEST_CASE("redis url: port and database may be left out, rediss means TLS") {
    auto bare = parse_redis_url("redis://redis.example.com");
    REQUIRE(bare);
    CHECK(bare->host == "redis.example.com");
    CHECK(bare->port == 6379);
    CHECK(bare->db == 0);
    auto slash = parse_redis_url("rediss://redis:6380/");
    REQUIRE(slash);
    CHECK(slash->tls);
    CHECK(slash->port == 6380);
    CHECK(slash->db == 0);
}

TEST_CASE("redis url: user and password are taken apart and percent-decoded") {
    auto both = parse_redis_url("rediss://locker:p%40ss%3Aword@10.0.0.5:6390/3");
    REQUIRE(both);
    CHECK(both->username == "locker");
    CHECK(both->password == "p@ss:word");
    CHECK(both->host == "10.0.0.5");
    CHECK(both->port == 6390);
    CHECK(both->db == 3);
    auto default_user = parse_redis_url("redis://:only-a-password@host/1");
    REQUIRE(default_user);
    CHECK(default_user->username.empty());
    CHECK(default_user->password == "only-a-password");
}

TEST_CASE("redis url: an IPv6 literal in brackets") {
    auto endpoint = parse_redis_url("redis://[::1]:6381/2");
    REQUIRE(endpoint);
    CHECK(endpoint->host == "::1");
    CHECK(endpoint->port == 6381);
    CHECK(endpoint->db == 2);
    CHECK(describe_endpoint(*endpoint) == "redis://[::1]:6381/2");
}

TEST_CASE("redis url: malformed URLs are refused with the reason and the value") {
    CHECK(contains(url_error("http://127.0.0.1:6379/0"), "redis:// (plain) or rediss:// (TLS)"));
    CHECK(contains(url_error("127.0.0.1:6379"), "'127.0.0.1:6379'"));
    CHECK(contains(url_error("redis://host:abc/0"), "port 'abc' is not a number from 1 to 65535"));
    CHECK(contains(url_error("redis://host:0/0"), "port '0'"));
    CHECK(contains(url_error("redis://host:65536"), "port '65536'"));
    CHECK(contains(url_error("redis://host:/0"), "empty port"));
    CHECK(contains(url_error("redis://host:6379/x"), "database 'x' is not a number"));
    CHECK(contains(url_error("redis://host:6379/0/1"), "database '0/1'"));
    CHECK(contains(url_error("redis://host:6379/0?timeout=5"), "query strings"));
    CHECK(contains(url_error("redis:///0"), "no host"));
    CHECK(contains(url_error("redis://ho st:6379"), "host 'ho st'"));
    CHECK(contains(url_error("redis://[::1:6379"), "without ']'"));
    CHECK(contains(url_error("redis://[::1]x"), "after the IPv6 address"));
}

TEST_CASE("redis url: credential errors never show the password") {
    CHECK(contains(url_error("redis://:@host:6379/0"), "empty credentials"));
    CHECK(contains(url_error("redis://user:bad%zzsecret@host", "bad%zzsecret"), "percent escape"));
    CHECK(contains(url_error("redis://user:@host"), "empty password"));
    // An error elsewhere in a URL with a password: the value is shown redacted.
    auto message = url_error("redis://user:topsecret@host:99999/0", "topsecret");
    CHECK(contains(message, "redis://user:***@host:99999/0"));
}

TEST_CASE("redis url: redact_redis_url hides any password") {
    CHECK(redact_redis_url("redis://u:secret@h:1/0") == "redis://u:***@h:1/0");
    CHECK(redact_redis_url("rediss://:secret@h") == "rediss://:***@h");
    CHECK(redact_redis_url("redis://secret@h/0") == "redis://***@h/0");
    CHECK(redact_redis_url("redis://h:1/0") == "redis://h:1/0");
    CHECK(redact_redis_url("secret@h") == "***@h");
}

TEST_CASE("redis options: defaults resolve, renewal every third of the TTL, display without password") {
    RedisOptions options;
    options.url = "redis://app:pw-in-url@127.0.0.1:6379/0";
    auto resolved = resolve_redis_options(options);
    REQUIRE_MESSAGE(resolved, (resolved ? "" : resolved.error().message));
    CHECK(resolved->lock_ttl == 30s);
    CHECK(resolved->renew_every == 10s);
    CHECK(resolved->key_prefix == "netbox-dhcp-sync");
    CHECK(resolved->endpoint.password == "pw-in-url");
    CHECK(resolved->display == "redis://app@127.0.0.1:6379/0");
    CHECK_FALSE(contains(resolved->display, "pw-in-url"));
}

TEST_CASE("redis options: the password file's password is used, but not together with one in the URL") {
    auto options = options_with("redis://127.0.0.1:6379/0");
    options.password = "from-file";
    auto resolved = resolve_redis_options(options);
    REQUIRE(resolved);
    CHECK(resolved->endpoint.password == "from-file");
    options.url = "redis://:also-here@127.0.0.1:6379/0";
    auto message = option_error(options, "coordination.redis.password_file");
    CHECK_FALSE(contains(message, "from-file"));
    CHECK_FALSE(contains(message, "also-here"));
}

TEST_CASE("redis options: a user named in the URL takes the password file's password, and needs one") {
    auto options = options_with("redis://netbox-dhcp-sync@redis:6379/2");
    options.password = "from-file";
    auto resolved = resolve_redis_options(options);
    REQUIRE(resolved);
    CHECK(resolved->endpoint.username == "netbox-dhcp-sync");
    CHECK(resolved->endpoint.password == "from-file");
    CHECK(resolved->display == "redis://netbox-dhcp-sync@redis:6379/2");
    // Without one: refused, and what stands before '@' is not shown (other clients read "secret@host" as a password).
    auto message = option_error(options_with("redis://hunter2@redis:6379/0"), "coordination.redis.url");
    CHECK(contains(message, "names a user but no password"));
    CHECK_FALSE(contains(message, "hunter2"));
}

TEST_CASE("redis options: tls true turns a redis:// URL into TLS, a CA file needs TLS") {
    auto options = options_with("redis://127.0.0.1:6379/0");
    options.tls = true;
    auto resolved = resolve_redis_options(options);
    REQUIRE(resolved);
    CHECK(resolved->endpoint.tls);
    CHECK(resolved->display == "rediss://127.0.0.1:6379/0");
    options.tls = false;
    options.ca_file = "/etc/ssl/redis-ca.pem";
    CHECK(contains(option_error(options, "coordination.redis.ca_file"), "'/etc/ssl/redis-ca.pem'"));
}

TEST_CASE("redis options: timings must let a renewal finish before the lock expires") {
    auto options = options_with("redis://127.0.0.1:6379/0");
    options.lock_ttl = 50ms;
    CHECK(contains(option_error(options, "coordination.redis.lock_ttl"), "50ms"));
    options.lock_ttl = 10s;
    options.renew_every = 6s;
    CHECK(contains(option_error(options, "coordination.redis.renew_every"), "6000ms"));
    options.renew_every = 5s;
    options.command_timeout = 5s;
    CHECK(contains(option_error(options, "coordination.redis.command_timeout"), "below lock_ttl"));
    options.command_timeout = 2s;
    options.connect_timeout = 0ms;
    option_error(options, "coordination.redis.connect_timeout");
    options.connect_timeout = 1s;
    CHECK(resolve_redis_options(options));
}

TEST_CASE("redis options: the key prefix must be a printable word") {
    auto options = options_with("redis://127.0.0.1:6379/0");
    options.key_prefix = "";
    option_error(options, "coordination.redis.key_prefix");
    options.key_prefix = "two words";
    CHECK(contains(option_error(options, "coordination.redis.key_prefix"), "'two words'"));
    options.key_prefix = "site-a/netbox-dhcp-sync";
    CHECK(resolve_redis_options(options));
}
