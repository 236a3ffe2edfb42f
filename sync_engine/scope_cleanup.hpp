// Cleanup of one scope's stale IPs: picks the candidates, runs the table (cleanup_rules) on each and holds the
// deletes back when the mass-delete guard trips.
//
// Difference from the plugin (B6): candidates are the IPs inside the scope's start..end range, not the whole
// prefix, because several scopes may share one prefix and must not delete each other's IPs; and only IPs in
// the prefix's VRF count (B7).
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/ip_change_set.hpp"
#include "sync_engine/ip_index.hpp"
#include "sync_engine/plan.hpp"
#include "sync_engine/protection.hpp"
#include "sync_engine/scope_ip_context.hpp"
#include "sync_engine/sync_settings.hpp"

#include <vector>

namespace nds::engine {

/// Run after both passes (it sees their pending changes). Both lists must come from reads that succeeded.
void plan_scope_cleanup(const ScopeIpContext& scope, const std::vector<DhcpLease>& leases,
                        const std::vector<DhcpReservation>& reservations, const IpIndex& index,
                        IpChangeSet& changes, const Protection& protection, const SyncSettings& settings, Plan& plan);

}  // namespace nds::engine
