// What the sync read from one DHCP server (PSU endpoints, the plugin's behaviour), already parsed and
// normalised at the edge (client ids by client_id.hpp). A read that failed is nullopt, never an empty list:
// the engine deletes nothing on the basis of a read that did not succeed.
#pragma once

#include "sync_engine/backend_capabilities.hpp"
#include "sync_engine/ipv4.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nds::engine {

struct DhcpScope {
    Ipv4Address scope_id;  ///< network address, the scope's identity on the wire
    std::string name;
    Ipv4Address start_ip;
    Ipv4Address end_ip;
    Ipv4Address subnet_mask;
    std::string description;
    bool active = true;    ///< state "Active"
    std::int64_t lease_duration_seconds = 86400;
    std::optional<Ipv4Address> router;
    std::string failover_name;  ///< "" when the scope is in no failover relationship
    /// The server's record of the scope was written by this sync (a dhcpd subnet with its "# nds:" note):
    /// on a server whose configuration comes from NetBox, such a scope gone from NetBox is removed.
    bool written_by_sync = false;
};

struct DhcpLease {
    Ipv4Address ip;
    std::string client_id;
    std::string hostname;
    std::string lease_expiry;  ///< as sent, may be ""
};

struct DhcpReservation {
    Ipv4Address ip;
    std::string client_id;
    std::string name;
    std::string description;
    std::string type = "Dhcp";
};

struct DhcpExclusion {
    Ipv4Address start_ip;
    Ipv4Address end_ip;
    friend auto operator<=>(const DhcpExclusion&, const DhcpExclusion&) = default;
};

/// Per-scope reads. Each list is nullopt when its read failed (error says why).
struct DhcpScopeData {
    std::optional<std::vector<DhcpLease>> leases;
    std::optional<std::vector<DhcpReservation>> reservations;
    std::optional<std::vector<DhcpExclusion>> exclusions;
    std::string error;
    /// False when the lease or reservation list had records the client skipped (bad IP, wrong type): the
    /// IPs of those records would look gone, so the scope gets no cleanup this run (creates/updates go on).
    bool complete = true;
    /// The scope is created on the server by this run (apply_to_dhcp_snapshots): nothing was read from it, so
    /// it gets pushes only — no lease pass, no cleanup.
    bool created_by_this_run = false;
};

/// A record the client could not use (bad IP, bad JSON, unknown enum); skipped and reported.
struct ReadProblem {
    std::string server;
    std::string scope;   ///< scope id or ""
    std::string what;    ///< e.g. "lease ip_address '10.0.1.999' is not an IPv4 address"
};

/// A parsed list plus the records that were skipped (reported in `problems`).
template <class T>
struct ParsedList {
    std::vector<T> items;
    std::vector<ReadProblem> problems;
    std::size_t skipped = 0;  ///< records left out; a list with skipped records is incomplete
};

struct DhcpServerSnapshot {
    std::string server_name;
    bool reachable = false;            ///< health check answered
    std::string error;                 ///< why not reachable / why the scope list failed
    std::optional<std::vector<DhcpScope>> scopes;     ///< nullopt: scope list read failed
    /// False when the scope list read succeeded but some records could not be used: a scope missing from
    /// the list may then be one of those, so no scope is deleted (or re-created) for being missing.
    bool scope_list_complete = true;
    std::map<std::uint32_t, DhcpScopeData> scope_data;  ///< by scope_id.value, only for scopes that were read
    BackendCapabilities capabilities;  ///< what the server's backend can do (after its health check)
    /// Every reservation of the server, when capabilities.reservation_writes_by_client_id asks for the check
    /// and a write needs it; nullopt: not read, or the read failed (such writes are then refused).
    std::optional<std::vector<DhcpReservation>> all_reservations;
    std::vector<ReadProblem> problems;
};

}  // namespace nds::engine
