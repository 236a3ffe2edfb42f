// NetBox refuses to create an IP address inside an IP range marked populated (mark_populated=true) of the
// same VRF (IPAddress.clean: "Cannot create IP address ... inside range ..."): such a range stands for
// all its addresses. The sync therefore plans no IP creation there; updates and deletes of IPs that already
// exist inside are unaffected (NetBox checks creates only). Each scope reports each such range once, with
// the number of addresses left out, instead of one rejected write per address.
#pragma once

#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"

#include <vector>

namespace nds::engine {

/// Removes from plan.ip_creates every create whose address lies in one of `ranges` (mark_populated ones
/// only, same VRF, start and end inclusive) and adds one warning Problem per (server, scope, range) naming
/// the range and how many addresses were not created. Run it on the plan of plan_addresses, with
/// NetBoxSnapshot::populated_ranges.
void skip_creates_in_populated_ranges(Plan& plan, const std::vector<NetBoxIpRange>& ranges);

}  // namespace nds::engine
