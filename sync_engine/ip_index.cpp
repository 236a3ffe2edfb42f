#include "sync_engine/ip_index.hpp"

#include <algorithm>

namespace nds::engine {
namespace {

bool before(const NetBoxIpAddress* a, const NetBoxIpAddress* b) {
    return a->address != b->address ? a->address < b->address : a->id < b->id;
}

}  // namespace

IpIndex::IpIndex(const std::vector<NetBoxIpAddress>& ips) {
    for (const auto& ip : ips) by_vrf_[ip.vrf_id].push_back(&ip);
    for (auto& [vrf, list] : by_vrf_) std::sort(list.begin(), list.end(), before);
}

const NetBoxIpAddress* IpIndex::find(const std::optional<ObjectId>& vrf, Ipv4Address address) const {
    // Called once per lease and reservation: no allocation here.
    auto it = by_vrf_.find(vrf);
    if (it == by_vrf_.end()) return nullptr;
    const auto& list = it->second;
    auto lo = std::lower_bound(list.begin(), list.end(), address,
                               [](const NetBoxIpAddress* ip, Ipv4Address a) { return ip->address < a; });
    return lo != list.end() && (*lo)->address == address ? *lo : nullptr;
}

std::vector<const NetBoxIpAddress*> IpIndex::in_range(const std::optional<ObjectId>& vrf, Ipv4Address first,
                                                      Ipv4Address last) const {
    std::vector<const NetBoxIpAddress*> out;
    auto it = by_vrf_.find(vrf);
    if (it == by_vrf_.end()) return out;
    const auto& list = it->second;
    auto lo = std::lower_bound(list.begin(), list.end(), first,
                               [](const NetBoxIpAddress* ip, Ipv4Address a) { return ip->address < a; });
    for (; lo != list.end() && (*lo)->address <= last; ++lo) out.push_back(*lo);
    return out;
}

}  // namespace nds::engine
