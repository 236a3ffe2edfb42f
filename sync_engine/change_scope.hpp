// Which DHCP servers a change in NetBox concerns: the rule behind webhook-triggered syncs (README, "The service").
// Pure: a description of the changed object (what a NetBox webhook told us, see daemon/webhook_event.hpp)
// plus the NetBox snapshot in, server names out. The daemon then syncs only those servers.
//
//   server            -> that server, and the partners of every failover it belongs to (a failover's
//                        secondary takes over while the primary is in maintenance)
//   failover          -> its primary and secondary
//   scope             -> its standalone server, or its failover's primary and secondary
//   exclusion range   -> as its scope
//   IP address        -> as every scope whose prefix holds the address in the same VRF
//   prefix            -> as every scope using it or whose prefix lies inside it (a global prefix covers
//                        every VRF, as for protection)
//   anything else     -> nothing
// A reference that the snapshot cannot resolve (the object was deleted) is looked up through what the
// change itself carries (the scope's server or failover id); what cannot be resolved at all concerns no one.
#pragma once

#include "sync_engine/netbox_snapshot.hpp"

#include <optional>
#include <set>
#include <string>

namespace nds::engine {

enum class ChangedType { server, failover, scope, exclusion_range, ip_address, prefix, other };

/// One changed object, as far as the change says (every field optional: deleted objects and changelog
/// snapshots carry less than a REST object).
struct ChangedObject {
    ChangedType type = ChangedType::other;
    std::optional<ObjectId> id;
    std::string name;                             ///< server name (servers only)
    std::optional<ObjectId> server_id;            ///< scope: standalone server
    std::optional<ObjectId> failover_id;          ///< scope: failover
    std::optional<ObjectId> primary_server_id;    ///< failover
    std::optional<ObjectId> secondary_server_id;  ///< failover
    std::optional<ObjectId> scope_id;             ///< exclusion range
    std::optional<ObjectId> prefix_id;            ///< scope
    std::optional<Ipv4Address> address;          ///< IP address
    std::optional<Ipv4Network> network;           ///< prefix
    bool vrf_known = false;                       ///< whether vrf_id below was given
    std::optional<ObjectId> vrf_id;               ///< IP address / prefix; nullopt = global table
};

/// The names of the DHCP servers the change concerns (sorted; empty = none).
std::set<std::string> servers_concerned(const ChangedObject& change, const NetBoxSnapshot& netbox);

/// "ipam.ipaddress" -> ip_address, "netbox_windows_dhcp.dhcpscope" -> scope, ... (NetBox's app_label.model).
ChangedType changed_type_from_object_type(const std::string& object_type);

}  // namespace nds::engine
