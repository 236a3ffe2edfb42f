// Auto-import of a scope that a server has and NetBox does not (push_scope_info off; the plugin's behaviour
// step 7.1 and §5.3). Differences from the plugin: a prefix present in several VRFs is reported instead of
// aborting the server (B7); a scope is imported only when this run would then sync it (a scope of a failover
// in maintenance, or one the primary owns, is left for the run that owns it).
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"
#include "sync_engine/scope_eligibility.hpp"
#include "sync_engine/sync_planner.hpp"
#include "sync_engine/sync_settings.hpp"

#include <optional>
#include <set>
#include <string>
#include <tuple>

namespace nds::engine {

/// Who would own the imported scope, and whether this run would then sync it.
struct ImportOwner {
    const NetBoxFailover* failover = nullptr;  ///< nullptr: standalone scope of the running server
    Eligibility eligibility;
    std::string refusal;  ///< non-empty: the scope must not be imported at all (reason)
};
ImportOwner import_owner(const NetBoxSnapshot& netbox, const ServerRun& run, const DhcpScope& remote,
                         const SyncSettings& settings);

enum class PrefixLookup { found, to_create, missing, ambiguous, bad_mask };
struct ImportPrefix {
    PrefixLookup lookup = PrefixLookup::missing;
    Ipv4Network network;
    const NetBoxPrefix* prefix = nullptr;  ///< when found
    std::size_t matches = 0;
};
/// The NetBox prefix for the remote scope's network, looked up by network and length in every VRF.
ImportPrefix import_prefix(const NetBoxSnapshot& netbox, const DhcpScope& remote, const SyncSettings& settings);

/// True when the remote scope would be imported and then synced by this run (it then needs its reads).
bool will_import_and_sync(const NetBoxSnapshot& netbox, const ServerRun& run, const DhcpScope& remote,
                          const SyncSettings& settings);

class ScopeImporter {
public:
    ScopeImporter(const NetBoxSnapshot& netbox, const SyncSettings& settings, Plan& plan);

    void import(const ServerRun& run, const DhcpScope& remote, const DhcpScopeData* data);

private:
    void add_prefix_create(const ServerRun& run, const DhcpScope& remote, const Ipv4Network& network);

    const NetBoxSnapshot& netbox_;
    const SyncSettings& settings_;
    Plan& plan_;
    // Several runs can meet the same new network (two servers of one failover, two scopes on one prefix):
    // each prefix and each failover scope is created once.
    std::set<Ipv4Network> prefixes_created_;
    std::set<std::tuple<bool, ObjectId, std::uint32_t>> scopes_created_;
};

}  // namespace nds::engine
