// What a server's backend cannot do shapes the plan (sync_engine/backend_capabilities.hpp): a write needing
// an operation the server does not support becomes a skip, said once per server and run; a reservation
// update on a server that cannot change reservations in place becomes a delete and a create.
#pragma once

#include "sync_engine/plan.hpp"
#include "sync_engine/sync_planner.hpp"

namespace nds::engine {

/// Applied to every plan's DHCP writes before they are ordered (plan_scopes, plan_addresses).
void fit_to_backends(const DhcpSnapshots& dhcp, Plan& plan);

/// The settings the rules apply to one server: where its configuration comes from NetBox (dhcpd), NetBox is
/// the whole truth for scopes, exclusions and reservations whatever the push settings say (push_scope_info,
/// push_reservations and prune_reservations on); only leases are pulled.
SyncSettings settings_for(const SyncSettings& settings, const BackendCapabilities& capabilities);

/// Where failover partners do not share configuration (Kea HA, dhcpd), a write to a failover scope goes to
/// the partner too (its own copy, for its own server). A partner in maintenance gets none (reported).
void copy_to_failover_partners(const NetBoxSnapshot& netbox, const DhcpSnapshots& dhcp,
                               const std::string& maintenance_tag, Plan& plan);

}  // namespace nds::engine
