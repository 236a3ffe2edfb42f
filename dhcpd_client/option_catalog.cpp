#include "dhcpd_client/option_catalog.hpp"

#include "sync_engine/ipv4.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdint>

namespace nds::dhcpd {
namespace {

using F = OptionFormat;

// dhcp-options(5) of ISC DHCP 4.4: the options a Windows scope or the plugin's built-in definitions use.
// Options of record types (21 policy-filter, 33 static-routes, 78 slp-directory-agent, ...) are left out:
// a value for them is reported instead of being rendered wrongly.
const std::vector<OptionInfo> kCatalog = {
    {2, "time-offset", F::i32},
    {3, "routers", F::ip_list},
    {4, "time-servers", F::ip_list},
    {5, "ien116-name-servers", F::ip_list},
    {6, "domain-name-servers", F::ip_list},
    {7, "log-servers", F::ip_list},
    {8, "cookie-servers", F::ip_list},
    {9, "lpr-servers", F::ip_list},
    {10, "impress-servers", F::ip_list},
    {11, "resource-location-servers", F::ip_list},
    {12, "host-name", F::text},
    {13, "boot-size", F::u16},
    {14, "merit-dump", F::text},
    {15, "domain-name", F::text},
    {16, "swap-server", F::ip},
    {17, "root-path", F::text},
    {18, "extensions-path", F::text},
    {19, "ip-forwarding", F::flag},
    {20, "non-local-source-routing", F::flag},
    {22, "max-dgram-reassembly", F::u16},
    {23, "default-ip-ttl", F::u8},
    {24, "path-mtu-aging-timeout", F::u32},
    {25, "path-mtu-plateau-table", F::u16_list},
    {26, "interface-mtu", F::u16},
    {27, "all-subnets-local", F::flag},
    {28, "broadcast-address", F::ip},
    {29, "perform-mask-discovery", F::flag},
    {30, "mask-supplier", F::flag},
    {31, "router-discovery", F::flag},
    {32, "router-solicitation-address", F::ip},
    {34, "trailer-encapsulation", F::flag},
    {35, "arp-cache-timeout", F::u32},
    {36, "ieee802-3-encapsulation", F::flag},
    {37, "default-tcp-ttl", F::u8},
    {38, "tcp-keepalive-interval", F::u32},
    {39, "tcp-keepalive-garbage", F::flag},
    {40, "nis-domain", F::text},
    {41, "nis-servers", F::ip_list},
    {42, "ntp-servers", F::ip_list},
    {43, "vendor-encapsulated-options", F::hex},
    {44, "netbios-name-servers", F::ip_list},
    {45, "netbios-dd-server", F::ip_list},
    {46, "netbios-node-type", F::u8},
    {47, "netbios-scope", F::text},
    {48, "font-servers", F::ip_list},
    {49, "x-display-manager", F::ip_list},
    {58, "dhcp-renewal-time", F::u32},
    {59, "dhcp-rebinding-time", F::u32},
    {60, "vendor-class-identifier", F::text},
    {64, "nisplus-domain", F::text},
    {65, "nisplus-servers", F::ip_list},
    {66, "tftp-server-name", F::text},
    {67, "bootfile-name", F::text},
    {68, "mobile-ip-home-agent", F::ip_list},
    {69, "smtp-server", F::ip_list},
    {70, "pop-server", F::ip_list},
    {71, "nntp-server", F::ip_list},
    {72, "www-server", F::ip_list},
    {73, "finger-server", F::ip_list},
    {74, "irc-server", F::ip_list},
    {75, "streettalk-server", F::ip_list},
    {76, "streettalk-directory-assistance-server", F::ip_list},
    {114, "default-url", F::text},
    {119, "domain-search", F::domain_list},
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// All values joined, then split at commas: NetBox stores "a, b" in one string, Windows sends a list.
std::vector<std::string> elements_of(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const auto& value : values) {
        std::string_view rest = value;
        while (true) {
            auto comma = rest.find(',');
            auto part = trim(rest.substr(0, comma));
            if (!part.empty()) out.emplace_back(part);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return out;
}

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) {
        auto t = trim(v);
        if (t.empty()) continue;
        if (!out.empty()) out += ", ";
        out += t;
    }
    return out;
}

Error bad_value(std::string_view what, std::string_view value) {
    return Error{make_error_code(errc::config), std::string(what) + " '" + std::string(value) + "'"};
}

/// An address, or a host name dhcpd resolves when it starts (letters, digits, '-', '.').
bool is_address_or_name(std::string_view text) {
    if (engine::Ipv4Address::parse(text)) return true;
    if (text.empty() || text.size() > 253 || text.front() == '-' || text.front() == '.') return false;
    bool has_letter = false;
    for (char c : text) {
        if (std::isalpha(static_cast<unsigned char>(c))) has_letter = true;
        else if (!std::isdigit(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
    }
    return has_letter;  // "10.0.1.999" is a bad address, not a name
}

template <class Int>
std::optional<Int> parse_int(std::string_view text) {
    Int value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

Expected<std::string> format_integer(OptionFormat format, std::string_view text) {
    if (format == F::i32) {
        if (auto v = parse_int<std::int32_t>(text)) return std::to_string(*v);
        return bad_value("not a signed 32-bit integer:", text);
    }
    std::uint64_t limit = format == F::u8 ? 0xff : format == F::u16 || format == F::u16_list ? 0xffff : 0xffffffffull;
    auto v = parse_int<std::uint64_t>(text);
    if (!v || *v > limit) return bad_value("not an integer from 0 to " + std::to_string(limit) + ":", text);
    return std::to_string(*v);
}

Expected<std::string> format_hex(std::string_view text) {
    std::string_view rest = trim(text);
    if (rest.size() > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X')) rest.remove_prefix(2);
    std::string out;
    std::string pair;
    // With separators a single digit is a byte ("1:2:a"); without them the digits pair up ("01020a").
    bool separated = rest.find_first_of(":- ,") != std::string_view::npos;
    for (char c : rest) {
        if (c == ':' || c == '-' || c == ' ' || c == ',') {
            if (pair.size() == 1) pair.insert(pair.begin(), '0');
            if (!pair.empty()) out += (out.empty() ? "" : ":") + pair;
            pair.clear();
            continue;
        }
        if (!std::isxdigit(static_cast<unsigned char>(c))) return bad_value("not hexadecimal bytes:", text);
        pair += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (pair.size() == 2) {
            out += (out.empty() ? "" : ":") + pair;
            pair.clear();
        }
    }
    if (pair.size() == 1) {
        if (!separated) return bad_value("odd number of hex digits:", text);
        out += (out.empty() ? "0" : ":0") + pair;
    }
    if (out.empty()) return bad_value("no bytes in", text);
    return out;
}

}  // namespace

const std::vector<OptionInfo>& option_catalog() { return kCatalog; }

const OptionInfo* find_option(int code) {
    auto it = std::find_if(kCatalog.begin(), kCatalog.end(), [&](const OptionInfo& o) { return o.code == code; });
    return it == kCatalog.end() ? nullptr : &*it;
}

const OptionInfo* find_option(std::string_view dhcpd_name) {
    auto it = std::find_if(kCatalog.begin(), kCatalog.end(), [&](const OptionInfo& o) { return o.name == dhcpd_name; });
    return it == kCatalog.end() ? nullptr : &*it;
}

bool is_protocol_option(int code) {
    switch (code) {
    case 0: case 1: case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: case 61: case 81:
    case 82: case 255:
        return true;
    default:
        return code < 0 || code > 255;
    }
}

std::string custom_option_name(int code) { return "nds-option-" + std::to_string(code); }

std::optional<OptionFormat> format_for_data_type(std::string_view type, std::size_t value_count) {
    auto t = lower(trim(type));
    if (t == "string" || t.empty()) return F::text;
    if (t == "ipaddress" || t == "ipv4address") return value_count > 1 ? F::ip_list : F::ip;
    if (t == "ipaddresslist") return F::ip_list;
    if (t == "dword") return F::u32;
    if (t == "word") return F::u16;
    if (t == "byte") return F::u8;
    if (t == "binary" || t == "binarydata") return F::hex;
    return std::nullopt;  // "dword dword", encapsulated, ipv6address
}

std::string definition_type(OptionFormat format) {
    switch (format) {
    case F::ip: return "ip-address";
    case F::ip_list: return "array of ip-address";
    case F::text: return "text";
    case F::domain_list: return "domain-list";
    case F::u8: return "unsigned integer 8";
    case F::u16: return "unsigned integer 16";
    case F::u32: return "unsigned integer 32";
    case F::i32: return "signed integer 32";
    case F::flag: return "boolean";
    case F::u16_list: return "array of unsigned integer 16";
    case F::hex: return "string";
    }
    return "text";
}

std::optional<OptionFormat> format_from_definition(std::string_view type_text) {
    // Normalise the spacing: "array  of ip-address" and "array of ip-address" are the same type.
    std::string t;
    bool space = false;
    for (char c : trim(type_text)) {
        if (std::isspace(static_cast<unsigned char>(c))) { space = true; continue; }
        if (space && !t.empty()) t += ' ';
        space = false;
        t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (auto f : {F::ip, F::ip_list, F::text, F::domain_list, F::u8, F::u16, F::u32, F::i32, F::flag, F::u16_list, F::hex})
        if (definition_type(f) == t) return f;
    if (t == "integer 32" || t == "signed integer 32") return F::i32;
    return std::nullopt;
}

Expected<std::string> format_option_value(OptionFormat format, const std::vector<std::string>& values) {
    if (format == F::text) {
        auto text = joined(values);
        return quote_string(text);
    }
    auto elements = elements_of(values);
    if (elements.empty()) return Error{make_error_code(errc::config), "empty option value"};
    std::string out;
    auto add = [&](const std::string& piece) { out += (out.empty() ? "" : ", ") + piece; };
    switch (format) {
    case F::ip:
        if (elements.size() != 1) return bad_value("one address expected, got", joined(values));
        [[fallthrough]];
    case F::ip_list:
        for (const auto& e : elements) {
            if (!is_address_or_name(e)) return bad_value("not an IPv4 address or host name:", e);
            add(e);
        }
        return out;
    case F::domain_list:
        for (const auto& e : elements) {
            if (!is_address_or_name(e)) return bad_value("not a domain name:", e);
            add(quote_string(e));
        }
        return out;
    case F::u8: case F::u16: case F::u32: case F::i32:
        if (elements.size() != 1) return bad_value("one number expected, got", joined(values));
        return format_integer(format, elements.front());
    case F::u16_list:
        for (const auto& e : elements) {
            auto v = format_integer(format, e);
            if (!v) return v.error();
            add(*v);
        }
        return out;
    case F::flag: {
        if (elements.size() != 1) return bad_value("one flag expected, got", joined(values));
        auto v = lower(elements.front());
        if (v == "1" || v == "on" || v == "true" || v == "yes") return std::string("on");
        if (v == "0" || v == "off" || v == "false" || v == "no") return std::string("off");
        return bad_value("not a flag (on/off, true/false, 1/0):", elements.front());
    }
    case F::hex: {
        std::string all;
        for (const auto& v : values) {
            if (!all.empty()) all += ':';
            all += trim(v);
        }
        return format_hex(all);
    }
    case F::text: break;
    }
    return Error{make_error_code(errc::config), "unknown option format"};
}

std::vector<std::string> option_values_from_dhcpd(OptionFormat format, const std::vector<std::string>& elements) {
    if (format == F::flag) {
        std::vector<std::string> out;
        for (const auto& e : elements) {
            auto v = lower(e);
            out.push_back(v == "on" || v == "true" || v == "1" ? "1" : "0");
        }
        return out;
    }
    if (format == F::hex) {
        std::vector<std::string> out;
        for (const auto& e : elements) {
            auto v = format_hex(e);
            out.push_back(v ? *v : e);
        }
        return out;
    }
    return elements;
}

const char* windows_type(OptionFormat format) {
    switch (format) {
    case F::ip: case F::ip_list: return "IPv4Address";
    case F::text: case F::domain_list: return "String";
    case F::u8: case F::flag: return "Byte";
    case F::u16: case F::u16_list: return "Word";
    case F::u32: case F::i32: return "DWord";
    case F::hex: return "BinaryData";
    }
    return "String";
}

std::string quote_string(std::string_view text) {
    std::string out = "\"";
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c == 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\%03o", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

}  // namespace nds::dhcpd
