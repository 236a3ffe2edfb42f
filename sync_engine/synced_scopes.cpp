#include "sync_engine/synced_scopes.hpp"

#include "sync_engine/scope_eligibility.hpp"
#include "sync_engine/scope_matcher.hpp"

namespace nds::engine {

std::vector<SyncedScope> synced_scopes(const NetBoxSnapshot& netbox, const ServerRun& run,
                                       const std::vector<DhcpScope>& remote_scopes,
                                       const DhcpServerSnapshot* snapshot, const SyncSettings& settings) {
    std::vector<SyncedScope> out;
    ScopeMatcher matcher(netbox, run.server_id);
    for (const auto& remote : remote_scopes) {
        if (settings.active_scopes_only && !remote.active) continue;
        const NetBoxScope* local = matcher.match(remote);
        if (!local || !scope_eligibility(netbox, run, *local, settings).eligible()) continue;
        SyncedScope synced{local, find_prefix(netbox, local->prefix_id), &remote, nullptr};
        if (snapshot) {
            auto it = snapshot->scope_data.find(remote.scope_id.value);
            if (it != snapshot->scope_data.end()) synced.data = &it->second;
        }
        out.push_back(synced);
    }
    return out;
}

}  // namespace nds::engine
