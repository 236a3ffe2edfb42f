#include "sync_engine/change_scope.hpp"

#include <algorithm>

namespace nds::engine {
namespace {

void add_server(std::set<std::string>& out, const NetBoxSnapshot& netbox, std::optional<ObjectId> id) {
    if (!id) return;
    if (const auto* server = find_server(netbox, *id)) out.insert(server->name);
}

void add_failover(std::set<std::string>& out, const NetBoxSnapshot& netbox, std::optional<ObjectId> id) {
    if (!id) return;
    if (const auto* failover = find_failover(netbox, *id)) {
        add_server(out, netbox, failover->primary_server_id);
        add_server(out, netbox, failover->secondary_server_id);
    }
}

void add_scope_owner(std::set<std::string>& out, const NetBoxSnapshot& netbox, std::optional<ObjectId> server_id,
                     std::optional<ObjectId> failover_id) {
    add_server(out, netbox, server_id);
    add_failover(out, netbox, failover_id);
}

void add_scope(std::set<std::string>& out, const NetBoxSnapshot& netbox, const NetBoxScope& scope) {
    add_scope_owner(out, netbox, scope.server_id, scope.failover_id);
}

const NetBoxScope* find_scope(const NetBoxSnapshot& netbox, ObjectId id) {
    auto it = std::find_if(netbox.scopes.begin(), netbox.scopes.end(), [&](const auto& s) { return s.id == id; });
    return it == netbox.scopes.end() ? nullptr : &*it;
}

}  // namespace

ChangedType changed_type_from_object_type(const std::string& object_type) {
    if (object_type == "ipam.ipaddress") return ChangedType::ip_address;
    if (object_type == "ipam.prefix") return ChangedType::prefix;
    if (object_type == "netbox_windows_dhcp.dhcpserver") return ChangedType::server;
    if (object_type == "netbox_windows_dhcp.dhcpfailover") return ChangedType::failover;
    if (object_type == "netbox_windows_dhcp.dhcpscope") return ChangedType::scope;
    if (object_type == "netbox_windows_dhcp.dhcpexclusionrange") return ChangedType::exclusion_range;
    return ChangedType::other;
}

std::set<std::string> servers_concerned(const ChangedObject& change, const NetBoxSnapshot& netbox) {
    std::set<std::string> out;
    switch (change.type) {
    case ChangedType::server: {
        const NetBoxServer* server = change.id ? find_server(netbox, *change.id) : nullptr;
        if (!server && !change.name.empty()) {
            auto it = std::find_if(netbox.servers.begin(), netbox.servers.end(),
                                   [&](const auto& s) { return s.name == change.name; });
            if (it != netbox.servers.end()) server = &*it;
        }
        if (!server) break;  // deleted: nothing left to sync
        out.insert(server->name);
        for (const auto& failover : netbox.failovers)
            if (failover.primary_server_id == server->id || failover.secondary_server_id == server->id)
                add_failover(out, netbox, failover.id);
        break;
    }
    case ChangedType::failover: {
        const NetBoxFailover* failover = change.id ? find_failover(netbox, *change.id) : nullptr;
        if (failover) {
            add_server(out, netbox, failover->primary_server_id);
            add_server(out, netbox, failover->secondary_server_id);
        }
        add_server(out, netbox, change.primary_server_id);
        add_server(out, netbox, change.secondary_server_id);
        break;
    }
    case ChangedType::scope: {
        if (const NetBoxScope* scope = change.id ? find_scope(netbox, *change.id) : nullptr) add_scope(out, netbox, *scope);
        add_scope_owner(out, netbox, change.server_id, change.failover_id);
        break;
    }
    case ChangedType::exclusion_range: {
        if (const NetBoxScope* scope = change.scope_id ? find_scope(netbox, *change.scope_id) : nullptr)
            add_scope(out, netbox, *scope);
        break;
    }
    case ChangedType::ip_address: {
        if (!change.address) break;
        for (const auto& scope : netbox.scopes) {
            const auto* prefix = find_prefix(netbox, scope.prefix_id);
            if (!prefix || !prefix->prefix.contains(*change.address)) continue;
            if (change.vrf_known && prefix->vrf_id != change.vrf_id) continue;
            add_scope(out, netbox, scope);
        }
        break;
    }
    case ChangedType::prefix: {
        for (const auto& scope : netbox.scopes) {
            const auto* prefix = find_prefix(netbox, scope.prefix_id);
            bool concerned = change.id && scope.prefix_id == *change.id;
            if (!concerned && prefix && change.network && change.network->contains(prefix->prefix))
                concerned = !change.vrf_known || !change.vrf_id || change.vrf_id == prefix->vrf_id;
            if (concerned) add_scope(out, netbox, scope);
        }
        break;
    }
    case ChangedType::other: break;
    }
    return out;
}

}  // namespace nds::engine
