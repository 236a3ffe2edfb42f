// Failover import (the plugin's behaviour), with the fixes of B15:
//  - the primary is the imported server itself (PSU reports the queried host as primary_server whatever its
//    role, so matching that string adds nothing and fails whenever NetBox's hostname differs);
//  - the partner is matched by NetBox DHCPServer.hostname, exactly, else ignoring case (DNS names are
//    case-insensitive); a missing partner is an error that names the host to add;
//  - a failover with authentication is imported with enable_auth off and a warning: the shared secret cannot
//    be read from the server, and NetBox refuses enable_auth without one;
//  - a failover whose name NetBox already has is skipped (never overwritten).
#pragma once

#include "sync_engine/import_inputs.hpp"
#include "sync_engine/import_plan.hpp"

#include <string>

namespace nds::engine {

/// The NetBox server whose hostname is `host` (exact, else case-insensitive and without a trailing dot);
/// nullptr when none or several match ignoring case.
const NetBoxServer* find_server_by_hostname(const NetBoxSnapshot& netbox, const std::string& host);

void import_failover(const NetBoxSnapshot& netbox, const NetBoxServer& server, const DhcpFailover& remote,
                     ImportPlan& out);

}  // namespace nds::engine
