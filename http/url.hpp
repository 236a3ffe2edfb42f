// URL and query-string helpers (pure; no Asio).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nds::http {

struct Url {
    std::string scheme;   ///< "http" or "https"
    std::string host;
    std::uint16_t port = 0;
    std::string target;   ///< path + query, at least "/"

    /// "https://netbox.example.com:8443/base/" -> parts; default ports 80/443. nullopt if not http(s).
    static std::optional<Url> parse(std::string_view text);
    std::string origin() const;  ///< "https://host:port"
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

std::string percent_encode(std::string_view text);   ///< RFC 3986 unreserved kept, the rest %XX
std::string percent_decode(std::string_view text);   ///< '+' becomes ' '

/// "/a/b?x=1&y=2&x=3" -> path "/a/b" and params in order (decoded, repeated keys kept).
struct Target {
    std::string path;
    QueryParams params;
    static Target parse(std::string_view target);
    /// All values of a key, in order.
    std::vector<std::string> all(std::string_view key) const;
    /// First value of a key.
    std::optional<std::string> get(std::string_view key) const;
};

/// "path" + "?k=v&k2=v2" with values encoded; no '?' when params is empty.
std::string make_target(std::string_view path, const QueryParams& params);

}  // namespace nds::http
