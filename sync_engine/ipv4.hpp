// IPv4 addresses and networks. Windows DHCP (and this sync) is IPv4 only; parsing is strict so that a bad
// value from a server is reported instead of being guessed at.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nds::engine {

struct Ipv4Address {
    std::uint32_t value = 0;

    /// Strict dotted quad: four decimal octets 0..255, no leading '+', no spaces, no mask.
    static std::optional<Ipv4Address> parse(std::string_view text);
    std::string to_string() const;

    friend auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;
};

struct Ipv4Network {
    Ipv4Address network;  ///< always the canonical network address (host bits cleared)
    int length = 32;

    /// "10.0.1.0/24"; host bits set ("10.0.1.5/24") are accepted and cleared.
    static std::optional<Ipv4Network> parse(std::string_view cidr);
    /// Network from an address and a dotted netmask ("255.255.255.0"); nullopt if the mask is not contiguous.
    static std::optional<Ipv4Network> from_mask(Ipv4Address address, Ipv4Address mask);

    Ipv4Address netmask() const;
    Ipv4Address broadcast() const;
    bool contains(Ipv4Address address) const;
    /// True when `other` lies entirely inside this network (or equals it).
    bool contains(const Ipv4Network& other) const;
    std::string to_string() const;

    friend auto operator<=>(const Ipv4Network&, const Ipv4Network&) = default;
};

/// "10.0.1.5/24" -> address and mask length (NetBox's `address` field). nullopt on bad input.
struct Ipv4Interface {
    Ipv4Address address;
    int length = 32;
    static std::optional<Ipv4Interface> parse(std::string_view text);
    std::string to_string() const;
};

}  // namespace nds::engine
