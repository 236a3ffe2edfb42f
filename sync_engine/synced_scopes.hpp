// The remote scopes of one server run that are matched to a NetBox scope and eligible: the set the read
// planner and the address phase both work on, so they can never disagree about it.
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/sync_planner.hpp"
#include "sync_engine/sync_settings.hpp"

#include <vector>

namespace nds::engine {

struct SyncedScope {
    const NetBoxScope* local = nullptr;
    const NetBoxPrefix* prefix = nullptr;
    const DhcpScope* remote = nullptr;
    const DhcpScopeData* data = nullptr;  ///< nullptr when nothing was read for it
};

/// Inactive scopes are left out under active_scopes_only (README, "How it differs from the plugin").
std::vector<SyncedScope> synced_scopes(const NetBoxSnapshot& netbox, const ServerRun& run,
                                       const std::vector<DhcpScope>& remote_scopes,
                                       const DhcpServerSnapshot* snapshot, const SyncSettings& settings);

}  // namespace nds::engine
