// Pending changes to NetBox IP addresses, one entry per IP. The reservation pass, the lease pass and cleanup all
// edit the same entry, so an address that is both reserved and leased (or back-filled and then downgraded)
// ends as ONE create, update or delete, with every field change merged.
#pragma once

#include "sync_engine/ip_index.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nds::engine {

struct IpWork {
    std::optional<NetBoxIpAddress> original;  ///< nullopt: the IP is created by this plan
    NetBoxIpAddress current;                  ///< the state the plan leads to
    ActionNote note;                          ///< where the first change came from; reason is built on emit
    std::vector<std::string> reasons;
    bool remove = false;

    bool is_create() const { return !original.has_value(); }
};

class IpChangeSet {
public:
    explicit IpChangeSet(const IpIndex& index);

    /// The IP the sync works on for (VRF, address): one this plan creates, else the NetBox IP (lowest id when
    /// duplicated), else nullptr. `where` labels the entry if this is its first use.
    IpWork* find(const std::optional<ObjectId>& vrf, Ipv4Address address, const ActionNote& where);
    IpWork& work_on(const NetBoxIpAddress& ip, const ActionNote& where);
    IpWork& add_create(NetBoxIpAddress ip, const ActionNote& where);

    /// The IP as the plan leaves it (itself when untouched).
    const NetBoxIpAddress& effective(const NetBoxIpAddress& ip) const;
    bool removed(const NetBoxIpAddress& ip) const;
    /// IPs this plan creates in the VRF within [first, last].
    std::vector<const NetBoxIpAddress*> creates_in_range(const std::optional<ObjectId>& vrf, Ipv4Address first,
                                                         Ipv4Address last) const;

    /// Appends the net actions: creates, then updates and deletes in id order. Entries without a net change
    /// produce nothing, so a run where everything matches makes zero writes.
    void emit(Plan& plan) const;

private:
    using CreateKey = std::pair<std::optional<ObjectId>, std::uint32_t>;
    const IpIndex& index_;
    std::map<ObjectId, IpWork> existing_;
    std::map<CreateKey, IpWork> creates_;
};

}  // namespace nds::engine
