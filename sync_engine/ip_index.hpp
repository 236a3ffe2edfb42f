// NetBox IP addresses indexed by (VRF, address), the key this project uses everywhere (README "How it differs from the plugin"; the
// plugin looked IPs up across all VRFs, B7). Range queries keep per-scope work proportional to the scope.
#pragma once

#include "sync_engine/netbox_snapshot.hpp"

#include <map>
#include <optional>
#include <vector>

namespace nds::engine {

class IpIndex {
public:
    explicit IpIndex(const std::vector<NetBoxIpAddress>& ips);

    /// The IP with this host address in this VRF, any mask; the lowest id when NetBox holds duplicates.
    const NetBoxIpAddress* find(const std::optional<ObjectId>& vrf, Ipv4Address address) const;
    /// Every IP of the VRF whose address lies in [first, last], ordered by address then id.
    std::vector<const NetBoxIpAddress*> in_range(const std::optional<ObjectId>& vrf, Ipv4Address first,
                                                 Ipv4Address last) const;

private:
    std::map<std::optional<ObjectId>, std::vector<const NetBoxIpAddress*>> by_vrf_;
};

}  // namespace nds::engine
