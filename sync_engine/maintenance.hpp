// Maintenance mode. The plugin keeps it in model columns that REST does not expose, so here an object is in
// maintenance when it carries the configured maintenance tag (README, "How it differs from the plugin").
#pragma once

#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/sync_settings.hpp"

namespace nds::engine {

bool in_maintenance(const NetBoxServer& server, const SyncSettings& settings);
bool in_maintenance(const NetBoxFailover& failover, const SyncSettings& settings);
bool in_maintenance(const NetBoxScope& scope, const SyncSettings& settings);

}  // namespace nds::engine
