// Exclusion ranges of one scope (the plugin's behaviour). Compared as address pairs, not strings, so
// "10.0.1.010" style spellings cannot cause churn.
#pragma once

#include "sync_engine/backend_capabilities.hpp"
#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"

#include <string>
#include <vector>

namespace nds::engine {

/// Server authoritative: NetBox gains the server's ranges and loses the ones the server dropped. With
/// ExclusionModel::derived_from_pools NetBox's overlapping or adjacent ranges are compared as the one gap the
/// server holds for them.
void pull_exclusions(const NetBoxScope& local, const std::vector<DhcpExclusion>& remote, ExclusionModel model,
                     const std::string& server, Plan& plan);

/// NetBox authoritative: the server gains NetBox's ranges and loses the ones NetBox does not have.
void push_exclusions(const NetBoxScope& local, const DhcpScope& remote_scope, const std::vector<DhcpExclusion>& remote,
                     ExclusionModel model, const std::string& server, Plan& plan);

}  // namespace nds::engine
