#include "sync_engine/scope_eligibility.hpp"

#include "sync_engine/maintenance.hpp"

namespace nds::engine {
namespace {

Eligibility failover_eligibility(const NetBoxFailover& failover, const ServerRun& run, const SyncSettings& settings) {
    if (in_maintenance(failover, settings))
        return {ScopeVerdict::failover_maintenance, "failover '" + failover.name + "' in maintenance"};
    if (!failover.sync_enabled)
        return {ScopeVerdict::failover_sync_disabled, "failover '" + failover.name + "' has sync disabled"};
    // Only one partner may write a failover's scopes, or the two would fight; the secondary steps in only while
    // the primary is down (decide_servers puts the failover in its fallback set).
    if (failover.primary_server_id == run.server_id || run.fallback_failovers.count(failover.id))
        return {};
    return {ScopeVerdict::failover_other_role, "synced by the primary of failover '" + failover.name + "'"};
}

Eligibility standalone_eligibility(const NetBoxSnapshot& netbox, const ServerRun& run) {
    const NetBoxServer* server = find_server(netbox, run.server_id);
    if (server && !server->sync_standalone_scopes)
        return {ScopeVerdict::standalone_disabled, "sync_standalone_scopes is off on server '" + run.name + "'"};
    return {};
}

}  // namespace

Eligibility scope_eligibility(const NetBoxSnapshot& netbox, const ServerRun& run, const NetBoxScope& scope,
                              const SyncSettings& settings) {
    if (in_maintenance(scope, settings)) return {ScopeVerdict::scope_maintenance, "scope in maintenance"};
    if (scope.failover_id) {
        const NetBoxFailover* failover = find_failover(netbox, *scope.failover_id);
        if (!failover) return {ScopeVerdict::failover_unknown, "scope's failover is not in NetBox"};
        return failover_eligibility(*failover, run, settings);
    }
    if (scope.server_id) {
        if (*scope.server_id != run.server_id) return {ScopeVerdict::other_server, "scope of another server"};
        return standalone_eligibility(netbox, run);
    }
    return {ScopeVerdict::unassigned, "scope has no server or failover assigned"};
}

Eligibility import_eligibility(const NetBoxSnapshot& netbox, const ServerRun& run, const NetBoxFailover* failover,
                               const SyncSettings& settings) {
    return failover ? failover_eligibility(*failover, run, settings) : standalone_eligibility(netbox, run);
}

}  // namespace nds::engine
