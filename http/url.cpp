// URL and query-string helpers: parsing http(s) URLs, RFC 3986 percent encoding, query strings.
#include "http/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace nds::http {

//------------------------------------------------------------------------------

namespace {

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_unreserved(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

//------------------------------------------------------------------------------

std::optional<Url> Url::parse(std::string_view text) {
    auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    Url url;
    url.scheme = to_lower(text.substr(0, scheme_end));
    if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
    std::string_view rest = text.substr(scheme_end + 3);

    // Authority ends at the first '/', '?' or '#'.
    auto auth_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, auth_end);
    std::string_view tail = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no credentials in URLs

    std::string_view host = authority;
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port_text = after.substr(1);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port_text = authority.substr(colon + 1);
    }
    if (host.empty()) return std::nullopt;
    url.host = to_lower(host);

    if (port_text.empty()) {
        url.port = url.scheme == "https" ? 443 : 80;
    } else {
        unsigned value = 0;
        auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 || value > 65535)
            return std::nullopt;
        url.port = static_cast<std::uint16_t>(value);
    }

    // Target: path + query, without the fragment.
    tail = tail.substr(0, tail.find('#'));
    if (tail.empty() || tail.front() != '/') url.target = "/" + std::string(tail);
    else url.target = std::string(tail);
    return url;
}

std::string Url::origin() const {
    std::string out = scheme + "://";
    if (host.find(':') != std::string::npos) out += "[" + host + "]";
    else out += host;
    out += ":" + std::to_string(port);
    return out;
}

//------------------------------------------------------------------------------

std::string percent_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (is_unreserved(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0F];
        }
    }
    return out;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += c;  // a lone or malformed '%' is kept as is
        }
    }
    return out;
}

//------------------------------------------------------------------------------

Target Target::parse(std::string_view target) {
    Target out;
    target = target.substr(0, target.find('#'));
    auto q = target.find('?');
    out.path = std::string(target.substr(0, q));
    if (q == std::string_view::npos) return out;
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        if (eq == std::string_view::npos) out.params.emplace_back(percent_decode(pair), std::string{});
        else out.params.emplace_back(percent_decode(pair.substr(0, eq)), percent_decode(pair.substr(eq + 1)));
    }
    return out;
}

std::vector<std::string> Target::all(std::string_view key) const {
    std::vector<std::string> values;
    for (const auto& [k, v] : params)
        if (k == key) values.push_back(v);
    return values;
}

std::optional<std::string> Target::get(std::string_view key) const {
    for (const auto& [k, v] : params)
        if (k == key) return v;
    return std::nullopt;
}

std::string make_target(std::string_view path, const QueryParams& params) {
    std::string out(path);
    char sep = '?';
    for (const auto& [k, v] : params) {
        out += sep;
        out += percent_encode(k);
        out += '=';
        out += percent_encode(v);
        sep = '&';
    }
    return out;
}

}  // namespace nds::http
