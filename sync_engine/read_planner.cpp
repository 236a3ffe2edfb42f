// scopes_to_read and prefixes_to_read: the engine tells the daemon what to fetch, so nothing is read for scopes
// the run will not touch, and no IPs are read for scopes whose server-side reads failed.
#include "sync_engine/scope_eligibility.hpp"
#include "sync_engine/scope_import.hpp"
#include "sync_engine/scope_matcher.hpp"
#include "sync_engine/synced_scopes.hpp"
#include "sync_engine/sync_planner.hpp"

#include <algorithm>

namespace nds::engine {

std::vector<ScopeReadRequest> scopes_to_read(const NetBoxSnapshot& netbox, const ServerRun& run,
                                             const std::vector<DhcpScope>& remote_scopes,
                                             const SyncSettings& settings) {
    // Reservations feed both the pull and the push; leases only the pull, but the push mode's pull pass still
    // runs when ip_addresses is on, and the pair is read together so one failure stops both.
    const bool ip_reads = settings.ip_addresses || settings.push_reservations;
    std::vector<ScopeReadRequest> requests;
    auto add = [&](const DhcpScope& remote) {
        requests.push_back(ScopeReadRequest{remote.scope_id, ip_reads, ip_reads, true});
    };

    for (const auto& synced : synced_scopes(netbox, run, remote_scopes, nullptr, settings)) add(*synced.remote);

    ScopeMatcher matcher(netbox, run.server_id);
    for (const auto& remote : remote_scopes) {
        if (settings.active_scopes_only && !remote.active) continue;
        if (matcher.match(remote)) continue;
        if (will_import_and_sync(netbox, run, remote, settings)) add(remote);
    }
    std::sort(requests.begin(), requests.end(),
              [](const auto& a, const auto& b) { return a.scope_id < b.scope_id; });
    return requests;
}

std::vector<PrefixToRead> prefixes_to_read(const NetBoxSnapshot& netbox, const std::vector<ServerRun>& runs,
                                           const DhcpSnapshots& dhcp, const SyncSettings& settings) {
    std::vector<PrefixToRead> out;
    for (const auto& run : runs) {
        auto it = dhcp.find(run.name);
        if (it == dhcp.end() || !it->second.scopes) continue;
        for (const auto& synced : synced_scopes(netbox, run, *it->second.scopes, &it->second, settings)) {
            if (!synced.prefix || !synced.data) continue;
            bool pull = settings.ip_addresses && synced.data->leases && synced.data->reservations;
            bool push = settings.push_reservations && synced.data->reservations;
            if (pull || push) out.push_back(PrefixToRead{synced.prefix->prefix, synced.prefix->vrf_id});
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<PrefixToRead> prefixes_to_prefetch(const NetBoxSnapshot& netbox, const std::vector<ServerRun>& runs,
                                               const SyncSettings& settings) {
    std::vector<PrefixToRead> out;
    if (!settings.ip_addresses && !settings.push_reservations) return out;
    for (const auto& run : runs) {
        for (const auto& scope : netbox.scopes) {
            if (!server_owns_scope(netbox, run.server_id, scope)) continue;
            if (!scope_eligibility(netbox, run, scope, settings).eligible()) continue;
            if (const NetBoxPrefix* prefix = find_prefix(netbox, scope.prefix_id))
                out.push_back(PrefixToRead{prefix->prefix, prefix->vrf_id});
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace nds::engine
