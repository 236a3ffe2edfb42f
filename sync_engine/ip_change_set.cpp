#include "sync_engine/ip_change_set.hpp"

#include "sync_engine/labels.hpp"

namespace nds::engine {
namespace {

std::string joined(const std::vector<std::string>& reasons) {
    std::string out;
    for (const auto& reason : reasons) {
        if (!out.empty()) out += "; ";
        out += reason;
    }
    return out;
}

}  // namespace

IpChangeSet::IpChangeSet(const IpIndex& index) : index_(index) {}

IpChangeSet::Slot IpChangeSet::lookup(const std::optional<ObjectId>& vrf, Ipv4Address address) {
    Slot slot;
    if (!creates_.empty()) {
        if (auto it = creates_.find({vrf, address.value}); it != creates_.end()) {
            slot.work = &it->second;
            return slot;
        }
    }
    const NetBoxIpAddress* ip = index_.find(vrf, address);
    if (!ip) return slot;
    if (auto it = existing_.find(ip->id); it != existing_.end()) slot.work = &it->second;
    else slot.existing = ip;
    return slot;
}

IpWork& IpChangeSet::work_on(const NetBoxIpAddress& ip, const ActionNote& where) {
    auto [it, inserted] = existing_.try_emplace(ip.id);
    if (inserted) {
        it->second.original = &ip;
        it->second.current = ip;
        it->second.note = where;
        it->second.note.object = ip_label(ip.address, ip.prefix_length);
        it->second.note.reason.clear();
    }
    return it->second;
}

IpWork& IpChangeSet::add_create(NetBoxIpAddress ip, const ActionNote& where) {
    IpWork& work = creates_[{ip.vrf_id, ip.address.value}];
    work.note = where;
    work.note.object = ip_label(ip.address, ip.prefix_length);
    work.current = std::move(ip);
    return work;
}

const NetBoxIpAddress& IpChangeSet::effective(const NetBoxIpAddress& ip) const {
    auto it = existing_.find(ip.id);
    return it == existing_.end() ? ip : it->second.current;
}

bool IpChangeSet::removed(const NetBoxIpAddress& ip) const {
    auto it = existing_.find(ip.id);
    return it != existing_.end() && it->second.remove;
}

std::vector<const NetBoxIpAddress*> IpChangeSet::creates_in_range(const std::optional<ObjectId>& vrf,
                                                                  Ipv4Address first, Ipv4Address last) const {
    std::vector<const NetBoxIpAddress*> out;
    for (auto it = creates_.lower_bound({vrf, first.value}); it != creates_.end(); ++it) {
        if (it->first.first != vrf || it->first.second > last.value) break;
        out.push_back(&it->second.current);
    }
    return out;
}

void IpChangeSet::emit(Plan& plan) && {
    // Each entry is taken out of its map and freed once moved, so the plan grows while the change set shrinks.
    plan.ip_creates.reserve(plan.ip_creates.size() + creates_.size());
    while (!creates_.empty()) {
        auto node = creates_.extract(creates_.begin());
        auto& work = node.mapped();
        ActionNote note = std::move(work.note);
        note.reason = joined(work.reasons);
        auto& ip = work.current;
        plan.ip_creates.push_back(IpAddressCreate{std::move(note), Ipv4Interface{ip.address, ip.prefix_length},
                                                  ip.vrf_id, std::move(ip.status), std::move(ip.dns_name),
                                                  std::move(ip.client_id), std::move(ip.tags)});
    }
    while (!existing_.empty()) {
        auto node = existing_.extract(existing_.begin());
        const ObjectId id = node.key();
        auto& work = node.mapped();
        ActionNote note = std::move(work.note);
        note.reason = joined(work.reasons);
        if (work.remove) {
            plan.ip_deletes.push_back(IpAddressDelete{std::move(note), id});
            continue;
        }
        const auto& before = *work.original;
        auto& after = work.current;
        IpAddressUpdate update;
        if (after.status != before.status) update.status = std::move(after.status);
        if (after.dns_name != before.dns_name) update.dns_name = std::move(after.dns_name);
        if (after.client_id != before.client_id) update.client_id = std::move(after.client_id);
        if (after.tags != before.tags) update.tags = std::move(after.tags);
        if (!update.status && !update.dns_name && !update.client_id && !update.tags) continue;
        update.note = std::move(note);
        update.id = id;
        plan.ip_updates.push_back(std::move(update));
    }
}

}  // namespace nds::engine
