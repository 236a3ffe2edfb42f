// NetBox scopes a server does not list (the plugin's behaviour, "loop 2"). Unlike the plugin (B5) only
// scopes this run would sync are considered: maintenance, sync_enabled, sync_standalone_scopes and the
// primary/fallback role all apply, so a secondary never deletes or re-creates its primary's scopes.
#pragma once

#include "sync_engine/backend_capabilities.hpp"

#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"
#include "sync_engine/scope_matcher.hpp"
#include "sync_engine/sync_planner.hpp"
#include "sync_engine/sync_settings.hpp"

#include <cstdint>
#include <set>

namespace nds::engine {

/// `remote_networks`: every scope id in the server's list (inactive ones included). Call only when the scope
/// list read succeeded: a failed read says nothing about what is missing.
void plan_local_only_scopes(const NetBoxSnapshot& netbox, const ServerRun& run, const ScopeMatcher& owned,
                            const std::set<std::uint32_t>& remote_networks, const SyncSettings& settings,
                            ExclusionModel exclusions, Plan& plan);

}  // namespace nds::engine
