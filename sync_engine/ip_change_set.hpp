// Pending changes to NetBox IP addresses, one entry per IP. The reservation pass, the lease pass and cleanup all
// edit the same entry, so an address that is both reserved and leased (or back-filled and then downgraded)
// ends as ONE create, update or delete, with every field change merged.
//
// Entries are made only for IPs that change (lookup() reads without making one, work_on() makes one): on a run
// where nothing changed, no IP is copied (measured with bench/: on 100,000 IPs the copies dominated the engine's time).
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
    const NetBoxIpAddress* original = nullptr;  ///< the NetBox IP (in the snapshot); nullptr: created by this plan
    NetBoxIpAddress current;                    ///< the state the plan leads to
    ActionNote note;                            ///< where the first change came from; reason is built on emit
    std::vector<std::string> reasons;
    bool remove = false;

    bool is_create() const { return original == nullptr; }
};

class IpChangeSet {
public:
    explicit IpChangeSet(const IpIndex& index);

    /// What the sync works on for (VRF, address): the entry of an IP this plan creates or already changes
    /// (`work`), else the untouched NetBox IP (`existing`, lowest id when duplicated), else neither.
    struct Slot {
        IpWork* work = nullptr;
        const NetBoxIpAddress* existing = nullptr;
        bool empty() const { return !work && !existing; }
        /// The IP as the plan leaves it so far.
        const NetBoxIpAddress& ip() const { return work ? work->current : *existing; }
        bool is_create() const { return work && work->is_create(); }
    };
    Slot lookup(const std::optional<ObjectId>& vrf, Ipv4Address address);
    /// The entry of a NetBox IP, made on first use (`where` labels it then). `ip` must live in the snapshot
    /// the index was built from.
    IpWork& work_on(const NetBoxIpAddress& ip, const ActionNote& where);
    IpWork& add_create(NetBoxIpAddress ip, const ActionNote& where);

    /// The IP as the plan leaves it (itself when untouched).
    const NetBoxIpAddress& effective(const NetBoxIpAddress& ip) const;
    bool removed(const NetBoxIpAddress& ip) const;
    /// IPs this plan creates in the VRF within [first, last].
    std::vector<const NetBoxIpAddress*> creates_in_range(const std::optional<ObjectId>& vrf, Ipv4Address first,
                                                         Ipv4Address last) const;

    /// Appends the net actions: creates, then updates and deletes in id order. Entries without a net change
    /// produce nothing, so a run where everything matches makes zero writes. Moves the entries' contents into
    /// the plan (a first sync holds one copy of 100,000 creates, not two): the change set is spent after it.
    void emit(Plan& plan) &&;

private:
    using CreateKey = std::pair<std::optional<ObjectId>, std::uint32_t>;
    const IpIndex& index_;
    std::map<ObjectId, IpWork> existing_;
    std::map<CreateKey, IpWork> creates_;
};

}  // namespace nds::engine
