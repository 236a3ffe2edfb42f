// push_reservations (the plugin's behaviour, with the fixes of B11 and README "How it differs from the plugin"): NetBox's reserved IPs
// that have a client id become server reservations. Unlike the plugin:
//  - protected IPs are not pushed;
//  - a reservation already on the server is corrected: name/description → update, MAC → delete + create;
//  - with prune_reservations, server reservations NetBox does not hold as reserved are removed;
//  - a client id used by two NetBox IPs of the scope is reported per record and the rest goes on;
//  - an empty NetBox dns_name or description never wipes the server's value;
//  - candidates are the IPs in the scope's range and the prefix's VRF, as the plan leaves them after the pull.
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

void plan_reservation_push(const ScopeIpContext& scope, const std::vector<DhcpReservation>& on_server,
                           const IpIndex& index, const IpChangeSet& changes, const Protection& protection,
                           const SyncSettings& settings, Plan& plan);

}  // namespace nds::engine
