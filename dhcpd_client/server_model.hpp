// What one dhcpd server's configuration holds, in the engine's terms: the scopes ("subnet pools") with their
// exclusions (the gaps of the pools), reservations ("host pools") and option values, plus what the backend
// keeps verbatim without modelling it. The backend reads the server's file into this model, applies the run's
// writes to it (apply_writes), puts in NetBox's option values (apply_scope_options) and renders it again:
// (parsed current file) + (writes) = the desired configuration. Pure.
#pragma once

#include "dhcp_backend/dhcp_backend.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nds::dhcpd {

struct ScopeModel {
    engine::DhcpScope scope;                             ///< scope_id, name, range, mask, lease time, router, failover
    std::vector<engine::DhcpExclusion> exclusions;       ///< sorted by start
    std::vector<engine::DhcpReservation> reservations;   ///< sorted by address; client ids normalised MACs
    std::vector<engine::DhcpOptionValue> options;        ///< option statements other than routers, by code
    std::string shared_network;                          ///< the shared-network it sits in; "" = none
    /// Statements of the subnet (or of its pools) the backend does not model, kept as written
    /// ("next-server 10.0.0.5;", "filename \"pxelinux.0\";").
    std::vector<std::string> extra_statements;
    std::vector<std::string> extra_pool_statements;
};

struct ServerModel {
    std::map<std::uint32_t, ScopeModel> scopes;  ///< by scope_id.value
    /// Statements of a shared-network other than its subnets, by shared-network name, kept as written.
    std::map<std::string, std::vector<std::string>> shared_network_statements;
    /// Host declarations that are not reservations of any scope (no fixed address in a subnet of the file,
    /// or identified by something else than a MAC), kept as written.
    std::vector<std::string> other_hosts;
};

/// Applies the writes in order; one outcome per write (applied, or failed with the reason). A failed write
/// leaves the model as it was. Rules (docs/dhcpd.md "Writes"):
///   scope create/update: the scope's fields; create of an existing scope updates it; remove drops it
///   exclusion create/remove: by (start, end), inside the scope's subnet; removing an absent one is applied
///   reservation create/update: by address, the client id must be a MAC (dhcpd's `hardware ethernet`);
///   an address reserved for another MAC, or the MAC reserved at another address of the scope, is a conflict
///   reservation remove: by client id (and address when given); an absent one is applied.
std::vector<backend::WriteOutcome> apply_writes(ServerModel& model, const std::vector<engine::DhcpWrite>& writes);

/// NetBox's option values replace the options of every scope that has an entry in `scope_options` (the
/// runner gives an entry, maybe empty, for each NetBox scope of the server). Scopes without an entry keep the
/// options of the file.
void apply_scope_options(ServerModel& model,
                         const std::map<std::uint32_t, std::vector<engine::DhcpOptionValue>>& scope_options);

/// A scope's dynamic ranges: start..end minus the exclusions minus the reserved addresses (dhcpd must not
/// hand out an address a host declaration holds). Sorted, disjoint.
std::vector<engine::DhcpExclusion> pool_ranges(const ScopeModel& scope);

/// The scope's exclusions as read back from pools: the gaps between the ranges inside start..end, each
/// trimmed of reserved addresses at its ends (they are gaps because of the reservation, not an exclusion).
/// pool_ranges and exclusions_from_pools are inverse except for an exclusion that ends on a reserved address.
std::vector<engine::DhcpExclusion> exclusions_from_pools(engine::Ipv4Address start, engine::Ipv4Address end,
                                                         std::vector<engine::DhcpExclusion> ranges,
                                                         const std::vector<engine::DhcpReservation>& reservations);

/// The scope (subnet) whose network holds `address`; nullptr when none.
const ScopeModel* scope_of_address(const ServerModel& model, engine::Ipv4Address address);

}  // namespace nds::dhcpd
