// What the sync read from NetBox: the plugin's objects and the NetBox core objects they refer to.
// Produced by netbox_client/, consumed by the engine. Tags are slugs.
#pragma once

#include "sync_engine/ipv4.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nds::engine {

using ObjectId = std::int64_t;

struct NetBoxServer {
    ObjectId id = 0;
    std::string name;
    std::string hostname;
    int port = 443;
    bool use_https = true;
    bool verify_ssl = true;
    bool sync_standalone_scopes = true;
    std::vector<std::string> tags;
};

struct NetBoxFailover {
    ObjectId id = 0;
    std::string name;
    ObjectId primary_server_id = 0;
    ObjectId secondary_server_id = 0;
    std::string mode = "LoadBalance";
    bool sync_enabled = true;
    std::vector<std::string> tags;
    // The relationship's timing, for servers whose failover configuration is rendered from NetBox (dhcpd).
    std::int64_t max_client_lead_time = 3600;
    std::int64_t max_response_delay = 30;
    std::optional<std::int64_t> state_switchover_interval;  ///< nullopt = disabled
    bool enable_auth = false;
};

struct NetBoxPrefix {
    ObjectId id = 0;
    Ipv4Network prefix;
    std::optional<ObjectId> vrf_id;  ///< nullopt = global table
    std::vector<std::string> tags;
};

struct NetBoxExclusionRange {
    ObjectId id = 0;
    ObjectId scope_id = 0;
    Ipv4Address start_ip;
    Ipv4Address end_ip;
};

struct NetBoxScope {
    ObjectId id = 0;
    std::string name;
    ObjectId prefix_id = 0;
    Ipv4Address start_ip;
    Ipv4Address end_ip;
    std::optional<Ipv4Address> router;
    std::int64_t lease_lifetime = 86400;
    std::optional<ObjectId> server_id;
    std::optional<ObjectId> failover_id;
    std::vector<std::string> tags;
    std::vector<NetBoxExclusionRange> exclusion_ranges;
    std::vector<ObjectId> option_value_ids;  ///< the shared option values the scope links to
};

struct NetBoxIpAddress {
    ObjectId id = 0;
    Ipv4Address address;
    int prefix_length = 32;
    std::optional<ObjectId> vrf_id;
    std::string status;
    std::string dns_name;
    std::string client_id;   ///< custom field dhcp_client_id, normalised (client_id.hpp); "" when unset
    std::string description;
    std::vector<std::string> tags;
};

/// An ipam.IPRange. With mark_populated, NetBox refuses to create an IP address inside it (same VRF).
struct NetBoxIpRange {
    ObjectId id = 0;
    Ipv4Address start;
    Ipv4Address end;
    int prefix_length = 32;
    std::optional<ObjectId> vrf_id;  ///< nullopt = global table
    bool mark_populated = false;
    std::string display;             ///< NetBox's name, e.g. "10.0.1.100-150/24"
};

struct NetBoxSnapshot {
    std::vector<NetBoxServer> servers;
    std::vector<NetBoxFailover> failovers;
    std::vector<NetBoxScope> scopes;
    std::map<ObjectId, NetBoxPrefix> prefixes;     ///< at least every scope's prefix, by id
    std::vector<NetBoxPrefix> protected_prefixes;  ///< prefixes carrying the protect tag
    std::vector<NetBoxIpAddress> ip_addresses;     ///< IPs inside the prefixes of the scopes being synced
    /// IP ranges with mark_populated that overlap the prefixes of the scopes being synced
    /// (NetBoxClient::list_populated_ranges): no IP is created inside them (populated_ranges.hpp).
    std::vector<NetBoxIpRange> populated_ranges;
};

bool has_tag(const std::vector<std::string>& tags, const std::string& slug);

// Lookups by id or name; nullptr when absent. Linear: snapshots hold tens of servers and failovers.
const NetBoxServer* find_server(const NetBoxSnapshot& netbox, ObjectId id);
const NetBoxFailover* find_failover(const NetBoxSnapshot& netbox, ObjectId id);
const NetBoxFailover* find_failover_by_name(const NetBoxSnapshot& netbox, const std::string& name);
const NetBoxPrefix* find_prefix(const NetBoxSnapshot& netbox, ObjectId id);

}  // namespace nds::engine
