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

IpWork* IpChangeSet::find(const std::optional<ObjectId>& vrf, Ipv4Address address, const ActionNote& where) {
    if (auto it = creates_.find({vrf, address.value}); it != creates_.end()) return &it->second;
    if (const NetBoxIpAddress* ip = index_.find(vrf, address)) return &work_on(*ip, where);
    return nullptr;
}

IpWork& IpChangeSet::work_on(const NetBoxIpAddress& ip, const ActionNote& where) {
    auto [it, inserted] = existing_.try_emplace(ip.id);
    if (inserted) {
        it->second.original = ip;
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

void IpChangeSet::emit(Plan& plan) const {
    for (const auto& [key, work] : creates_) {
        ActionNote note = work.note;
        note.reason = joined(work.reasons);
        const auto& ip = work.current;
        plan.ip_creates.push_back(IpAddressCreate{std::move(note), Ipv4Interface{ip.address, ip.prefix_length},
                                                  ip.vrf_id, ip.status, ip.dns_name, ip.client_id, ip.tags});
    }
    for (const auto& [id, work] : existing_) {
        ActionNote note = work.note;
        note.reason = joined(work.reasons);
        if (work.remove) {
            plan.ip_deletes.push_back(IpAddressDelete{std::move(note), id});
            continue;
        }
        const auto& before = *work.original;
        const auto& after = work.current;
        IpAddressUpdate update;
        if (after.status != before.status) update.status = after.status;
        if (after.dns_name != before.dns_name) update.dns_name = after.dns_name;
        if (after.client_id != before.client_id) update.client_id = after.client_id;
        if (after.tags != before.tags) update.tags = after.tags;
        if (!update.status && !update.dns_name && !update.client_id && !update.tags) continue;
        update.note = std::move(note);
        update.id = id;
        plan.ip_updates.push_back(std::move(update));
    }
}

}  // namespace nds::engine
