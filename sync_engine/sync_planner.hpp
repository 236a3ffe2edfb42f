// The engine's entry points. Everything here is pure: snapshots and settings in, decisions out. The order a
// run calls them in (daemon/sync_runner):
//   1. decide_servers        - which servers run, in which role (maintenance, pre-flight, failover fallback)
//   2. scopes_to_read        - per server, after its scope list: which per-scope reads are needed
//   3. plan_scopes           - phase 1: scope structure (auto-import, attributes, exclusions, missing scopes)
//      (applied; NetBox is then re-read, or apply_to_snapshot() is used for a dry run)
//   4. prefixes_to_read      - which prefixes' IP addresses the address phase needs
//   5. plan_addresses        - phase 2: IP addresses (reservations pass, leases pass, cleanup, guard)
//                              and reservation pushes
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"
#include "sync_engine/sync_settings.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace nds::engine {

enum class ServerHealth { healthy, unreachable, not_checked };

/// One server that takes part in this run.
struct ServerRun {
    ObjectId server_id = 0;
    std::string name;
    std::set<ObjectId> fallback_failovers;  ///< failovers whose primary is down: this (secondary) server syncs them
};

struct ServerDecision {
    std::vector<ServerRun> runs;  ///< in server-name order
    std::vector<Skip> skips;      ///< maintenance, pre-flight, unreachable
    std::vector<Problem> problems;  ///< unreachable servers (they make the run exit 1)
};

/// `requested` empty = all servers. `health` holds every server that was health-checked.
ServerDecision decide_servers(const NetBoxSnapshot& netbox, const std::map<ObjectId, ServerHealth>& health,
                              const std::vector<std::string>& requested, const SyncSettings& settings);

struct ScopeReadRequest {
    Ipv4Address scope_id;
    bool leases = false;
    bool reservations = false;
    bool exclusions = false;
};

/// Reads needed for the remote scopes of one server: eligible matched scopes, and scopes that will be
/// auto-imported and are then eligible.
std::vector<ScopeReadRequest> scopes_to_read(const NetBoxSnapshot& netbox, const ServerRun& run,
                                             const std::vector<DhcpScope>& remote_scopes,
                                             const SyncSettings& settings);

using DhcpSnapshots = std::map<std::string, DhcpServerSnapshot>;  ///< by server name

Plan plan_scopes(const NetBoxSnapshot& netbox, const std::vector<ServerRun>& runs, const DhcpSnapshots& dhcp,
                 const SyncSettings& settings);

struct PrefixToRead {
    Ipv4Network prefix;
    std::optional<ObjectId> vrf_id;
    friend auto operator<=>(const PrefixToRead&, const PrefixToRead&) = default;
};

std::vector<PrefixToRead> prefixes_to_read(const NetBoxSnapshot& netbox, const std::vector<ServerRun>& runs,
                                           const DhcpSnapshots& dhcp, const SyncSettings& settings);

/// The prefixes whose IP addresses the address phase will most likely need, known before any DHCP server is
/// read: those of the NetBox scopes each run's server owns and may sync (eligibility and maintenance). Lets
/// the daemon read NetBox's IPs while it reads the DHCP servers (measured with bench/). prefixes_to_read, once the
/// servers are read, is what is really needed: read what it lists beyond these (auto-imported scopes); IPs
/// read for a scope that is then not synced are never looked at.
std::vector<PrefixToRead> prefixes_to_prefetch(const NetBoxSnapshot& netbox, const std::vector<ServerRun>& runs,
                                               const SyncSettings& settings);

Plan plan_addresses(const NetBoxSnapshot& netbox, const std::vector<ServerRun>& runs, const DhcpSnapshots& dhcp,
                    const SyncSettings& settings);

/// NetBox as it would be after `plan` (phase 1) is applied; created objects get negative ids. Used by
/// --dry-run so the address phase can be shown for scopes that would be auto-imported.
NetBoxSnapshot apply_to_snapshot(NetBoxSnapshot netbox, const Plan& plan);

/// The DHCP servers as they will be after phase 1's DHCP writes (applied with the run's other DHCP writes, at
/// its end): a scope created on a server is there, with no leases or reservations yet and NetBox's exclusions,
/// so the address phase pushes NetBox's reservations into it in the same run.
void apply_to_dhcp_snapshots(DhcpSnapshots& dhcp, const Plan& plan);

}  // namespace nds::engine
