// Request targets (path + query) for NetBox reads, without I/O. Filters follow NetBox's REST API: repeated
// parameters (no __in lookups), vrf_id=null for the global table. Long filter lists are cut into chunks
// so that a request line stays below 4 KiB: gunicorn, which serves NetBox, refuses lines over 4094 bytes
// by default (proxies in front commonly allow 8 KiB).
#pragma once

#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/sync_planner.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nds::netbox::query {

/// ?id=..&id=..: 300 ids of 7 digits are 3.3 KB. Each request costs NetBox a round trip, and these are read
/// before anything else can start.
inline constexpr std::size_t kIdsPerRequest = 300;
inline constexpr std::size_t kNetworksPerRequest = 50;   ///< ?prefix=.. / ?parent=..

// The plugin's collections, relative to its base path (the plugin's behaviour).
inline constexpr std::string_view kPluginServers = "servers/";
inline constexpr std::string_view kPluginFailovers = "failover/";
inline constexpr std::string_view kPluginOptionCodes = "option-codes/";
inline constexpr std::string_view kPluginOptionValues = "option-values/";
inline constexpr std::string_view kPluginScopes = "scopes/";
inline constexpr std::string_view kPluginExclusionRanges = "exclusion-ranges/";

/// The fields each list read asks for (`fields=`, NetBox 4.0+): exactly those its page parser reads
/// (netbox_json.cpp), so NetBox renders nothing else. Nested objects (vrf, prefix, tags, ...) come in their brief
/// form whatever is asked; NetBox cannot narrow them further.
namespace fields {
inline constexpr std::string_view kServer = "id,name,hostname,port,use_https,verify_ssl,sync_standalone_scopes,tags";
inline constexpr std::string_view kFailover =
    "id,name,primary_server,secondary_server,mode,sync_enabled,tags,max_client_lead_time,max_response_delay,"
    "state_switchover_interval,enable_auth";
inline constexpr std::string_view kScope =
    "id,name,prefix,start_ip,end_ip,router,lease_lifetime,server,failover,tags,exclusion_ranges,option_values";
inline constexpr std::string_view kPrefix = "id,family,prefix,vrf,tags";
inline constexpr std::string_view kIpAddress = "id,family,address,vrf,status,dns_name,description,tags,custom_fields";
inline constexpr std::string_view kOptionCode = "id,code,name,data_type,vendor_class";
inline constexpr std::string_view kOptionValue = "id,option_definition,value,friendly_name";
inline constexpr std::string_view kTag = "id,slug";
inline constexpr std::string_view kIpRange = "id,family,start_address,end_address,vrf,mark_populated,display";
inline constexpr std::string_view kJob = "id,name,status,created,scheduled,started,completed,interval,log_entries";
inline constexpr std::string_view kObjectChange = "id,time,action,changed_object_type,changed_object_id";
}  // namespace fields

/// The path part of the configured NetBox URL without a trailing '/': "https://h/netbox/" -> "/netbox",
/// "https://h" -> "". Every API path is prefixed with it.
std::string base_path(std::string_view url);
/// "/api/plugins/windows-dhcp/" from "api/plugins/windows-dhcp" (leading and trailing '/').
std::string normalize_plugin_path(std::string_view plugin_path);

/// `path` + filters + limit=<page_size> + ordering=id (a stable order for offset pagination: the default
/// IP ordering had no tie-breaker before 4.6.8) + fields=<fields> when not empty (see `fields`).
std::string list_target(std::string_view path, int page_size,
                        const std::vector<std::pair<std::string, std::string>>& filters = {},
                        std::string_view fields = {});

/// /api/ipam/prefixes/?id=1&id=2..., at most kIdsPerRequest ids each; ids de-duplicated.
std::vector<std::string> prefixes_by_id_targets(std::string_view prefixes_path, std::vector<engine::ObjectId> ids,
                                                int page_size);
/// /api/ipam/prefixes/?prefix=<cidr>&prefix=..., at most kNetworksPerRequest each.
std::vector<std::string> prefix_lookup_targets(std::string_view prefixes_path,
                                               std::vector<engine::Ipv4Network> networks, int page_size);
/// /api/ipam/ip-addresses/?parent=<cidr>&...&vrf_id=<id>|null: one group per VRF, at most
/// kNetworksPerRequest parents per request.
/// `extra` filters are added to every target (e.g. last_updated__gte).
std::vector<std::string> ip_address_targets(std::string_view ip_path, std::vector<engine::PrefixToRead> prefixes,
                                            int page_size,
                                            const std::vector<std::pair<std::string, std::string>>& extra = {});

}  // namespace nds::netbox::query
