#include "sync_engine/ipv4.hpp"

#include <charconv>

namespace nds::engine {
namespace {

std::uint32_t mask_of(int length) {
    return length == 0 ? 0u : ~std::uint32_t{0} << (32 - length);
}

std::optional<int> parse_length(std::string_view text) {
    if (text.empty() || text.size() > 2) return std::nullopt;
    int value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size() || value < 0 || value > 32) return std::nullopt;
    return value;
}

}  // namespace

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    std::uint32_t result = 0;
    for (int octet = 0; octet < 4; ++octet) {
        auto dot = octet < 3 ? text.find('.') : text.size();
        if (dot == std::string_view::npos) return std::nullopt;
        auto part = text.substr(0, dot);
        if (part.empty() || part.size() > 3) return std::nullopt;
        unsigned value = 0;
        auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (ec != std::errc{} || ptr != part.data() + part.size() || value > 255) return std::nullopt;
        result = (result << 8) | value;
        text.remove_prefix(octet < 3 ? dot + 1 : dot);
    }
    if (!text.empty()) return std::nullopt;
    return Ipv4Address{result};
}

std::string Ipv4Address::to_string() const {
    return std::to_string(value >> 24) + '.' + std::to_string((value >> 16) & 255) + '.' +
           std::to_string((value >> 8) & 255) + '.' + std::to_string(value & 255);
}

std::optional<Ipv4Network> Ipv4Network::parse(std::string_view cidr) {
    auto slash = cidr.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto address = Ipv4Address::parse(cidr.substr(0, slash));
    auto length = parse_length(cidr.substr(slash + 1));
    if (!address || !length) return std::nullopt;
    return Ipv4Network{Ipv4Address{address->value & mask_of(*length)}, *length};
}

std::optional<Ipv4Network> Ipv4Network::from_mask(Ipv4Address address, Ipv4Address mask) {
    int length = 0;
    std::uint32_t m = mask.value;
    while (length < 32 && (m & 0x80000000u)) {
        m <<= 1;
        ++length;
    }
    if (m != 0) return std::nullopt;
    return Ipv4Network{Ipv4Address{address.value & mask_of(length)}, length};
}

Ipv4Address Ipv4Network::netmask() const { return Ipv4Address{mask_of(length)}; }
Ipv4Address Ipv4Network::broadcast() const { return Ipv4Address{network.value | ~mask_of(length)}; }

bool Ipv4Network::contains(Ipv4Address address) const {
    return (address.value & mask_of(length)) == network.value;
}

bool Ipv4Network::contains(const Ipv4Network& other) const {
    return other.length >= length && contains(other.network);
}

std::string Ipv4Network::to_string() const { return network.to_string() + '/' + std::to_string(length); }

std::optional<Ipv4Interface> Ipv4Interface::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        auto address = Ipv4Address::parse(text);
        if (!address) return std::nullopt;
        return Ipv4Interface{*address, 32};
    }
    auto address = Ipv4Address::parse(text.substr(0, slash));
    auto length = parse_length(text.substr(slash + 1));
    if (!address || !length) return std::nullopt;
    return Ipv4Interface{*address, *length};
}

std::string Ipv4Interface::to_string() const { return address.to_string() + '/' + std::to_string(length); }

}  // namespace nds::engine
