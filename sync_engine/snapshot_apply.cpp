// apply_to_snapshot: NetBox as it would be after a plan, for --dry-run (the address phase of a dry run must see
// the scopes phase 1 would have imported). Created objects get negative ids, which no NetBox object has.
#include "sync_engine/sync_planner.hpp"

#include <algorithm>

namespace nds::engine {
namespace {

class NegativeIds {
public:
    explicit NegativeIds(ObjectId lowest_in_use) : last_(lowest_in_use) {}
    ObjectId next() { return --last_; }

private:
    ObjectId last_;
};

template <typename Vec, typename Pred>
void erase_where(Vec& v, Pred pred) {
    v.erase(std::remove_if(v.begin(), v.end(), pred), v.end());
}

NetBoxScope* scope_by_id(NetBoxSnapshot& netbox, ObjectId id) {
    auto it = std::find_if(netbox.scopes.begin(), netbox.scopes.end(), [&](const auto& s) { return s.id == id; });
    return it == netbox.scopes.end() ? nullptr : &*it;
}

std::optional<ObjectId> prefix_id_of(const NetBoxSnapshot& netbox, const Ipv4Network& prefix,
                                     const std::optional<ObjectId>& vrf) {
    for (const auto& [id, p] : netbox.prefixes)
        if (p.prefix == prefix && p.vrf_id == vrf) return id;
    return std::nullopt;
}

void apply_scope_changes(NetBoxSnapshot& netbox, const Plan& plan, NegativeIds& ids) {
    for (const auto& create : plan.prefix_creates) {
        ObjectId id = ids.next();
        netbox.prefixes[id] = NetBoxPrefix{id, create.prefix, create.vrf_id, {}};
    }
    for (const auto& create : plan.scope_creates) {
        NetBoxScope scope;
        scope.id = ids.next();
        scope.name = create.name;
        scope.prefix_id = create.prefix_id ? *create.prefix_id
                                           : prefix_id_of(netbox, create.prefix, create.vrf_id).value_or(0);
        scope.start_ip = create.start_ip;
        scope.end_ip = create.end_ip;
        scope.router = create.router;
        scope.lease_lifetime = create.lease_lifetime;
        scope.server_id = create.server_id;
        scope.failover_id = create.failover_id;
        for (const auto& exclusion : create.exclusions)
            scope.exclusion_ranges.push_back(
                NetBoxExclusionRange{ids.next(), scope.id, exclusion.start_ip, exclusion.end_ip});
        netbox.scopes.push_back(std::move(scope));
    }
    for (const auto& update : plan.scope_updates) {
        NetBoxScope* scope = scope_by_id(netbox, update.id);
        if (!scope) continue;
        if (update.name) scope->name = *update.name;
        if (update.start_ip) scope->start_ip = *update.start_ip;
        if (update.end_ip) scope->end_ip = *update.end_ip;
        if (update.set_router) scope->router = update.router;
        if (update.lease_lifetime) scope->lease_lifetime = *update.lease_lifetime;
    }
    for (const auto& create : plan.exclusion_creates) {
        if (NetBoxScope* scope = scope_by_id(netbox, create.scope_id))
            scope->exclusion_ranges.push_back(NetBoxExclusionRange{ids.next(), scope->id, create.start_ip, create.end_ip});
    }
    for (const auto& remove : plan.exclusion_deletes)
        for (auto& scope : netbox.scopes)
            erase_where(scope.exclusion_ranges, [&](const auto& r) { return r.id == remove.id; });
    for (const auto& remove : plan.scope_deletes)
        erase_where(netbox.scopes, [&](const auto& s) { return s.id == remove.id; });
}

void apply_ip_changes(NetBoxSnapshot& netbox, const Plan& plan, NegativeIds& ids) {
    for (const auto& create : plan.ip_creates) {
        NetBoxIpAddress ip;
        ip.id = ids.next();
        ip.address = create.address.address;
        ip.prefix_length = create.address.length;
        ip.vrf_id = create.vrf_id;
        ip.status = create.status;
        ip.dns_name = create.dns_name;
        ip.client_id = create.client_id;
        ip.tags = create.tags;
        netbox.ip_addresses.push_back(std::move(ip));
    }
    for (const auto& update : plan.ip_updates) {
        auto it = std::find_if(netbox.ip_addresses.begin(), netbox.ip_addresses.end(),
                               [&](const auto& ip) { return ip.id == update.id; });
        if (it == netbox.ip_addresses.end()) continue;
        if (update.status) it->status = *update.status;
        if (update.dns_name) it->dns_name = *update.dns_name;
        if (update.client_id) it->client_id = *update.client_id;
        if (update.tags) it->tags = *update.tags;
    }
    for (const auto& remove : plan.ip_deletes)
        erase_where(netbox.ip_addresses, [&](const auto& ip) { return ip.id == remove.id; });
}

}  // namespace

NetBoxSnapshot apply_to_snapshot(NetBoxSnapshot netbox, const Plan& plan) {
    // Continue below the lowest id already present, so applying twice never reuses an id.
    ObjectId lowest = 0;
    for (const auto& [id, p] : netbox.prefixes) lowest = std::min(lowest, id);
    for (const auto& s : netbox.scopes) {
        lowest = std::min(lowest, s.id);
        for (const auto& r : s.exclusion_ranges) lowest = std::min(lowest, r.id);
    }
    for (const auto& ip : netbox.ip_addresses) lowest = std::min(lowest, ip.id);
    NegativeIds ids(lowest);
    apply_scope_changes(netbox, plan, ids);
    apply_ip_changes(netbox, plan, ids);
    return netbox;
}

void apply_to_dhcp_snapshots(DhcpSnapshots& dhcp, const Plan& plan) {
    for (const auto& write : plan.dhcp_writes) {
        auto server = dhcp.find(write.note.server);
        if (server == dhcp.end() || !server->second.scopes) continue;
        auto& snapshot = server->second;
        if (const auto* scope = std::get_if<ScopeChange>(&write.change); scope && write.verb == Verb::create) {
            snapshot.scopes->push_back(scope->scope);
            auto& data = snapshot.scope_data[scope->scope.scope_id.value];
            data.leases.emplace();
            data.reservations.emplace();
            data.exclusions.emplace();
            data.created_by_this_run = true;
        } else if (const auto* range = std::get_if<ExclusionChange>(&write.change); range && write.verb == Verb::create) {
            auto data = snapshot.scope_data.find(write.scope_id.value);
            if (data != snapshot.scope_data.end() && data->second.exclusions) data->second.exclusions->push_back(range->range);
        }
    }
}

}  // namespace nds::engine
