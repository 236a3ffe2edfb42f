#include "coordination/redis_options.hpp"

#include <cctype>
#include <optional>

namespace nds::coordination {
namespace {

using namespace std::chrono_literals;

Error config_error(std::string_view field, std::string message) {
    return Error{make_error_code(errc::config), std::string(field) + ": " + std::move(message)};
}

std::string ms_text(std::chrono::milliseconds value) { return std::to_string(value.count()) + "ms"; }

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// RFC 3986 percent-decoding (no '+' rule: that is a query-string convention). nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;  // "%" or "%A" at the end
        int high = hex_value(text[i + 1]);
        int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

bool host_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool ipv6_char(char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; }

struct SchemeSplit {
    bool tls = false;
    std::string_view rest;  ///< after "://"
};

std::optional<SchemeSplit> split_scheme(std::string_view url) {
    if (url.starts_with("redis://")) return SchemeSplit{false, url.substr(8)};
    if (url.starts_with("rediss://")) return SchemeSplit{true, url.substr(9)};
    return std::nullopt;
}

}  // namespace

std::string redact_redis_url(std::string_view url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        // Not a URL we understand: it may still hold a secret after an '@'.
        auto at = url.rfind('@');
        return at == std::string_view::npos ? std::string(url) : "***" + std::string(url.substr(at));
    }
    auto authority_begin = scheme_end + 3;
    auto authority_end = url.find_first_of("/?#", authority_begin);
    if (authority_end == std::string_view::npos) authority_end = url.size();
    auto authority = url.substr(authority_begin, authority_end - authority_begin);
    auto at = authority.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    auto userinfo = authority.substr(0, at);
    auto colon = userinfo.find(':');
    // "user@" alone may be a password in another client's URL convention: hide all of it.
    std::string shown = colon == std::string_view::npos ? "***" : std::string(userinfo.substr(0, colon)) + ":***";
    return std::string(url.substr(0, authority_begin)) + shown + std::string(url.substr(authority_begin + at));
}

std::string describe_endpoint(const RedisEndpoint& endpoint) {
    std::string host = endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]" : endpoint.host;
    std::string user = endpoint.username.empty() ? "" : endpoint.username + "@";
    return std::string(endpoint.tls ? "rediss://" : "redis://") + user + host + ":" + std::to_string(endpoint.port) +
           "/" + std::to_string(endpoint.db);
}

Expected<RedisEndpoint> parse_redis_url(std::string_view url, std::string_view field) {
    const std::string shown = "'" + redact_redis_url(url) + "'";
    auto fail = [&](std::string why) { return config_error(field, shown + ": " + std::move(why)); };

    auto scheme = split_scheme(url);
    if (!scheme) return fail("must start with redis:// (plain) or rediss:// (TLS)");
    RedisEndpoint endpoint;
    endpoint.tls = scheme->tls;
    std::string_view rest = scheme->rest;
    if (rest.find_first_of("?#") != std::string_view::npos) return fail("query strings and fragments are not supported");

    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);

    // user:password@ (the last '@': a password may hold one only percent-encoded, but be forgiving).
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        auto userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        // "user@" alone names the user; the password then comes from password_file (resolve_redis_options).
        auto colon = userinfo.find(':');
        auto user = percent_decode(userinfo.substr(0, colon));
        auto password = colon == std::string_view::npos ? std::optional<std::string>(std::string())
                                                        : percent_decode(userinfo.substr(colon + 1));
        if (!user || !password) return fail("bad percent escape in the user or password");
        if (user->empty() && password->empty()) return fail("empty credentials before '@'");
        if (colon != std::string_view::npos && password->empty()) return fail("empty password after '" + *user + ":'");
        endpoint.username = std::move(*user);
        endpoint.password = std::move(*password);
    }

    std::string_view port_text;
    if (authority.starts_with('[')) {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return fail("'[' of an IPv6 address without ']'");
        auto host = authority.substr(1, close - 1);
        if (host.empty()) return fail("empty IPv6 address");
        for (char c : host)
            if (!ipv6_char(c)) return fail("'" + std::string(host) + "' is not an IPv6 address");
        endpoint.host = std::string(host);
        auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return fail("unexpected '" + std::string(after) + "' after the IPv6 address");
            port_text = after.substr(1);
            if (port_text.empty()) return fail("empty port after ':'");
        }
    } else {
        auto colon = authority.find(':');
        auto host = authority.substr(0, colon);
        if (host.empty()) return fail("no host");
        for (char c : host)
            if (!host_name_char(c)) return fail("host '" + std::string(host) + "' has a character that is not allowed");
        endpoint.host = std::string(host);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return fail("empty port after ':'");
        }
    }
    if (!port_text.empty()) {
        if (!all_digits(port_text) || port_text.size() > 5 || std::stoul(std::string(port_text)) == 0 ||
            std::stoul(std::string(port_text)) > 65535)
            return fail("port '" + std::string(port_text) + "' is not a number from 1 to 65535");
        endpoint.port = static_cast<std::uint16_t>(std::stoul(std::string(port_text)));
    }

    if (!path.empty()) {
        if (!all_digits(path) || path.size() > 6)
            return fail("database '" + std::string(path) + "' is not a number (write /0, /1, ...)");
        endpoint.db = static_cast<unsigned>(std::stoul(std::string(path)));
    }
    return endpoint;
}

Expected<ResolvedRedisOptions> resolve_redis_options(const RedisOptions& options) {
    auto endpoint = parse_redis_url(options.url);
    if (!endpoint) return endpoint.error();
    if (!options.password.empty()) {
        if (!endpoint->password.empty())
            return config_error("coordination.redis.password_file",
                                "a password is also in coordination.redis.url: give it in one place");
        endpoint->password = options.password;
    }
    // The user is not named: in some clients' URLs "secret@host" is a password.
    if (!endpoint->username.empty() && endpoint->password.empty())
        return config_error("coordination.redis.url",
                            "'" + redact_redis_url(options.url) +
                                "' names a user but no password: set coordination.redis.password_file or write "
                                "user:password@");
    endpoint->tls = endpoint->tls || options.tls;
    if (!options.ca_file.empty() && !endpoint->tls)
        return config_error("coordination.redis.ca_file",
                            "'" + options.ca_file + "' is set but TLS is off (set tls: true or use a rediss:// URL)");

    if (options.key_prefix.empty() || options.key_prefix.size() > 100)
        return config_error("coordination.redis.key_prefix",
                            "'" + options.key_prefix + "' must be 1 to 100 characters");
    for (char c : options.key_prefix)
        if (!std::isgraph(static_cast<unsigned char>(c)))
            return config_error("coordination.redis.key_prefix",
                                "'" + options.key_prefix + "' must not contain spaces or control characters");

    if (options.lock_ttl < 100ms || options.lock_ttl > std::chrono::hours(1))
        return config_error("coordination.redis.lock_ttl", ms_text(options.lock_ttl) + " is not within 100ms .. 1h");
    auto renew = options.renew_every.count() == 0 ? options.lock_ttl / 3 : options.renew_every;
    if (renew.count() <= 0 || renew > options.lock_ttl / 2)
        return config_error("coordination.redis.renew_every",
                            ms_text(renew) + " must be above 0 and at most half of lock_ttl (" +
                                ms_text(options.lock_ttl) + ")");
    if (options.connect_timeout < 10ms || options.connect_timeout > std::chrono::minutes(1))
        return config_error("coordination.redis.connect_timeout",
                            ms_text(options.connect_timeout) + " is not within 10ms .. 60s");
    if (options.command_timeout < 10ms || options.command_timeout > std::chrono::minutes(1))
        return config_error("coordination.redis.command_timeout",
                            ms_text(options.command_timeout) + " is not within 10ms .. 60s");
    // A renewal is sent renew_every after the previous one was sent; it must be answered before the lock
    // expires in Redis, or a slow answer would lose a lock that a prompt one keeps.
    if (renew + options.command_timeout >= options.lock_ttl)
        return config_error("coordination.redis.command_timeout",
                            ms_text(options.command_timeout) + " plus renew_every (" + ms_text(renew) +
                                ") must be below lock_ttl (" + ms_text(options.lock_ttl) + ")");

    ResolvedRedisOptions resolved{std::move(*endpoint), options.ca_file, options.key_prefix, options.lock_ttl,
                                  renew, options.connect_timeout, options.command_timeout, {}};
    resolved.display = describe_endpoint(resolved.endpoint);
    return resolved;
}

}  // namespace nds::coordination
