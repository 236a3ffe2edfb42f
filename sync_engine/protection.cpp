#include "sync_engine/protection.hpp"

namespace nds::engine {

Protection::Protection(const SyncSettings& settings, const std::vector<NetBoxPrefix>& protected_prefixes)
    : tag_(settings.protect_tag), update_client_id_(settings.protect_update_client_id) {
    // No protect tag configured means no protection at all, whatever prefixes the reader passed along.
    if (!tag_.empty()) prefixes_ = protected_prefixes;
}

bool Protection::tagged(const NetBoxIpAddress& ip) const { return has_tag(ip.tags, tag_); }

bool Protection::prefix_protects(const std::optional<ObjectId>& vrf, Ipv4Address address) const {
    for (const auto& prefix : prefixes_) {
        bool vrf_applies = !prefix.vrf_id || prefix.vrf_id == vrf;
        if (vrf_applies && prefix.prefix.contains(address)) return true;
    }
    return false;
}

bool Protection::allows_lease_client_id_update(const NetBoxIpAddress& ip) const {
    return update_client_id_ && tagged(ip) && !prefix_protects(ip.vrf_id, ip.address);
}

}  // namespace nds::engine
