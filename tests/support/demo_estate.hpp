// The estate used by the demo and the integration tests: two Windows DHCP servers in a failover pair
// (dhcp01 primary, dhcp02 secondary) and a standalone server (dhcp03), with leases, reservations,
// exclusions, a stale lease, a pre-staged reservation, a protected IP and a scope NetBox does not know yet.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace nds::testing {

inline constexpr const char* kAliceToken = "0123456789abcdef0123456789abcdef01234567";          // v1 token
inline constexpr const char* kBobToken = "nbt_abcdefghijkl.0123456789ABCDEFGHIJ0123456789abcdefghij";  // v2 token
inline constexpr const char* kPsuToken = "psu-app-token";

struct Estate {
    boost::json::value netbox;                          ///< body for netbox_sim POST /_sim/seed
    std::map<std::string, boost::json::value> dhcp;     ///< per server name: body for psu_sim POST /_sim/seed
};

/// `psu_ports` maps dhcp01/dhcp02/dhcp03 to the ports their simulators listen on.
Estate demo_estate(const std::map<std::string, std::uint16_t>& psu_ports);

}  // namespace nds::testing
