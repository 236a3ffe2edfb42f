// Scope attributes between NetBox and a server (the plugin's behaviour): pulled into NetBox when the server is
// authoritative (push_scope_info off), pushed to the server otherwise.
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"

#include <optional>
#include <string>

namespace nds::engine {

/// Windows reports "no lease duration" as 0; the plugin stores 86400 then, so both sides compare that way.
std::int64_t normalized_lease(std::int64_t seconds);
/// A router of 0.0.0.0 means "no router option".
std::optional<Ipv4Address> normalized_router(const std::optional<Ipv4Address>& router);

/// ScopeUpdate with only the fields the server changed, or nullopt. An empty remote name never renames.
std::optional<ScopeUpdate> pull_scope_attributes(const NetBoxScope& local, const DhcpScope& remote,
                                                 const std::string& server);

/// The name of the scope's failover in NetBox, "" for a standalone scope.
std::string failover_name_of(const NetBoxSnapshot& netbox, const NetBoxScope& local);

/// The update for the server when NetBox differs, or nullopt. The write carries the whole scope as it should
/// be, with NetBox's failover; the server's description is sent back unchanged (the plugin always sent ""
/// and wiped it, B12). `compare_failover`: a scope moved into or out of a failover is a difference too (for
/// servers whose configuration is rendered from NetBox).
std::optional<DhcpWrite> push_scope_attributes(const NetBoxScope& local, const DhcpScope& remote,
                                               const std::string& failover_name, bool compare_failover,
                                               const std::string& server);

/// The create for a NetBox scope the server does not have.
DhcpWrite create_scope_on_server(const NetBoxScope& local, const NetBoxPrefix& prefix, const std::string& failover_name,
                                 const std::string& server);

}  // namespace nds::engine
