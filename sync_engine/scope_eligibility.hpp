// Whether a server run syncs a scope (the plugin's behaviour), plus the same question for a
// scope that does not exist in NetBox yet and would be auto-imported.
#pragma once

#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/sync_planner.hpp"
#include "sync_engine/sync_settings.hpp"

#include <string>

namespace nds::engine {

enum class ScopeVerdict {
    eligible,
    scope_maintenance,
    failover_maintenance,
    failover_sync_disabled,
    failover_other_role,   ///< this server is the secondary and the primary is up: the primary syncs it
    failover_unknown,      ///< the scope names a failover the snapshot does not hold
    standalone_disabled,
    other_server,
    unassigned,
};

struct Eligibility {
    ScopeVerdict verdict = ScopeVerdict::eligible;
    std::string reason;  ///< "" when eligible

    bool eligible() const { return verdict == ScopeVerdict::eligible; }
    /// Normal division of labour, not worth a Skip entry (the plugin skips these silently).
    bool quiet() const { return verdict == ScopeVerdict::failover_other_role || verdict == ScopeVerdict::other_server; }
};

Eligibility scope_eligibility(const NetBoxSnapshot& netbox, const ServerRun& run, const NetBoxScope& scope,
                              const SyncSettings& settings);

/// For a scope about to be auto-imported: `failover` is the NetBox failover its failover_name names, or nullptr
/// for a standalone scope of this server.
Eligibility import_eligibility(const NetBoxSnapshot& netbox, const ServerRun& run, const NetBoxFailover* failover,
                               const SyncSettings& settings);

}  // namespace nds::engine
