// What a server's backend cannot do shapes the plan (sync_engine/backend_capabilities.hpp): a write needing
// an operation the server does not support becomes a skip, said once per server and run; a reservation
// update on a server that cannot change reservations in place becomes a delete and a create.
#pragma once

#include "sync_engine/plan.hpp"
#include "sync_engine/sync_planner.hpp"

namespace nds::engine {

/// Applied to every plan's DHCP writes before they are ordered (plan_scopes, plan_addresses).
void fit_to_backends(const DhcpSnapshots& dhcp, Plan& plan);

}  // namespace nds::engine
