// The sync-protect rules (the plugin's behaviour). A protected IP is never created, changed, deleted or
// pushed by the sync. Unlike the plugin (B7), prefix protection respects VRFs: a prefix in VRF X protects
// addresses in X only, while a global prefix protects the address in every VRF.
#pragma once

#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/sync_settings.hpp"

#include <optional>
#include <vector>

namespace nds::engine {

class Protection {
public:
    Protection(const SyncSettings& settings, const std::vector<NetBoxPrefix>& protected_prefixes);

    bool tagged(const NetBoxIpAddress& ip) const;
    bool prefix_protects(const std::optional<ObjectId>& vrf, Ipv4Address address) const;
    bool protects(const NetBoxIpAddress& ip) const { return tagged(ip) || prefix_protects(ip.vrf_id, ip.address); }

    /// The one exception (§4.11): a directly tagged IP may have its client id refreshed from a lease when
    /// protect_update_client_id is on. Prefix protection never allows it.
    bool allows_lease_client_id_update(const NetBoxIpAddress& ip) const;

private:
    std::string tag_;
    bool update_client_id_ = false;
    std::vector<NetBoxPrefix> prefixes_;
};

}  // namespace nds::engine
