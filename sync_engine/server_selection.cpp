// decide_servers: which servers take part in a run and in which role (the plugin's behaviour,
// §4.4 steps 1-2, README "How it differs from the plugin", failover fallback).
#include "sync_engine/maintenance.hpp"
#include "sync_engine/sync_planner.hpp"

#include <algorithm>

namespace nds::engine {
namespace {

ServerHealth health_of(const std::map<ObjectId, ServerHealth>& health, ObjectId id) {
    auto it = health.find(id);
    return it == health.end() ? ServerHealth::not_checked : it->second;
}

Skip server_skip(const NetBoxServer& server, std::string reason) {
    return Skip{ActionNote{server.name, "", server.name, std::move(reason)}, ObjectKind::server};
}

/// A failover's secondary takes over while its primary is down. "Down" is maintenance or a failed health check;
/// a primary that was not checked is not down (plugin: health `unknown` is not down). The secondary must be
/// positively healthy, since it is about to do the primary's work.
std::map<ObjectId, std::set<ObjectId>> fallback_failovers(const NetBoxSnapshot& netbox,
                                                          const std::map<ObjectId, ServerHealth>& health,
                                                          const SyncSettings& settings) {
    std::map<ObjectId, std::set<ObjectId>> by_secondary;
    for (const auto& failover : netbox.failovers) {
        const NetBoxServer* primary = find_server(netbox, failover.primary_server_id);
        const NetBoxServer* secondary = find_server(netbox, failover.secondary_server_id);
        if (!primary || !secondary) continue;
        bool primary_down = in_maintenance(*primary, settings) ||
                            health_of(health, primary->id) == ServerHealth::unreachable;
        bool secondary_up = !in_maintenance(*secondary, settings) &&
                            health_of(health, secondary->id) == ServerHealth::healthy;
        if (primary_down && secondary_up) by_secondary[secondary->id].insert(failover.id);
    }
    return by_secondary;
}

/// Pre-flight (§4.4 step 2): a server with standalone sync off and no failover to sync has nothing to do.
bool has_work(const NetBoxSnapshot& netbox, const NetBoxServer& server, const std::set<ObjectId>& fallback) {
    if (server.sync_standalone_scopes || !fallback.empty()) return true;
    return std::any_of(netbox.failovers.begin(), netbox.failovers.end(), [&](const NetBoxFailover& f) {
        return f.primary_server_id == server.id && f.sync_enabled;
    });
}

}  // namespace

ServerDecision decide_servers(const NetBoxSnapshot& netbox, const std::map<ObjectId, ServerHealth>& health,
                              const std::vector<std::string>& requested, const SyncSettings& settings) {
    ServerDecision decision;

    for (const auto& name : requested) {
        bool known = std::any_of(netbox.servers.begin(), netbox.servers.end(),
                                 [&](const NetBoxServer& s) { return s.name == name; });
        if (!known) {
            decision.problems.push_back(
                Problem{Severity::error, ActionNote{name, "", name, "unknown DHCP server '" + name + "'"}});
        }
    }

    std::vector<const NetBoxServer*> servers;
    for (const auto& server : netbox.servers) {
        bool wanted = requested.empty() || std::find(requested.begin(), requested.end(), server.name) != requested.end();
        if (wanted) servers.push_back(&server);
    }
    std::sort(servers.begin(), servers.end(), [](const auto* a, const auto* b) { return a->name < b->name; });

    auto fallbacks = fallback_failovers(netbox, health, settings);

    for (const NetBoxServer* server : servers) {
        if (in_maintenance(*server, settings)) {
            decision.skips.push_back(server_skip(*server, "server in maintenance (tag '" + settings.maintenance_tag + "')"));
            continue;
        }
        if (health_of(health, server->id) == ServerHealth::unreachable) {
            decision.skips.push_back(server_skip(*server, "server unreachable"));
            decision.problems.push_back(
                Problem{Severity::error, ActionNote{server->name, "", server->name, "DHCP server unreachable; not synced"}});
            continue;
        }
        std::set<ObjectId> fallback;
        if (auto it = fallbacks.find(server->id); it != fallbacks.end()) fallback = it->second;
        if (!has_work(netbox, *server, fallback)) {
            decision.skips.push_back(server_skip(
                *server, "sync_standalone_scopes is off and the server has no eligible failover relationship to sync"));
            continue;
        }
        decision.runs.push_back(ServerRun{server->id, server->name, std::move(fallback)});
    }
    return decision;
}

}  // namespace nds::engine
