// The NetBox simulator's in-memory database: one table per model, the IP index that makes `parent` and
// duplicate checks cheap at a million addresses, and an undo log so that bulk writes are all-or-nothing.
#pragma once

#include "sync_engine/ipv4.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace nds::sim::netbox {

namespace json = boost::json;
using engine::Ipv4Address;
using engine::Ipv4Interface;
using engine::Ipv4Network;
using Id = std::int64_t;

struct User {
    Id id = 0;
    std::string username;
    std::string token;  ///< the whole credential after the scheme: 40-char v1 value or "nbt_KEY.SECRET"
    bool write_enabled = true;
    /// Model view permissions the simulator knows (NetBox: extras.view_tag, core.view_job). Without
    /// view_tag, tags cannot be listed and nested references to tags by attributes find nothing (4.6.6+);
    /// references by id still work.
    bool can_view_tags = true;
    bool can_view_jobs = true;
};

struct Tag {
    Id id = 0;
    std::string name, slug, color = "9e9e9e", description;
    std::string created, last_updated;
};

struct Vrf {
    Id id = 0;
    std::string name;
    std::optional<std::string> rd;
    bool enforce_unique = true;
    std::string created, last_updated;
};

struct Prefix {
    Id id = 0;
    Ipv4Network prefix;
    std::optional<Id> vrf;
    std::string status = "active";
    std::string description;
    std::vector<Id> tags;
    std::string created, last_updated;
};

struct IpAddress {
    Id id = 0;
    Ipv4Interface address;
    std::optional<Id> vrf;
    std::string status = "active";
    std::string dns_name, description;
    std::vector<Id> tags;
    std::optional<std::string> dhcp_client_id;
    /// Seed only: the VPN tunnel termination whose outside_ip this is, as NetBox names it in a 409
    /// ("HQ: Termination 3 (3)"): TunnelTermination.outside_ip is on_delete=PROTECT.
    std::optional<std::string> protected_by;
    std::string created, last_updated;
};

/// ipam.IPRange: read-only here (seeded). `mark_populated` ranges refuse new IPs inside them.
struct IpRange {
    Id id = 0;
    Ipv4Interface start_address, end_address;  ///< both carry the range's mask length
    std::optional<Id> vrf;
    std::string status = "active";
    std::string description;
    bool mark_populated = false, mark_utilized = false;
    std::vector<Id> tags;
    std::string created, last_updated;
};

/// core.Job (read-only over REST; seeded): background and system jobs such as the plugin's hourly sync.
struct Job {
    Id id = 0;
    std::string name;
    std::string status = "scheduled";  ///< pending | scheduled | running | completed | errored | failed
    std::string created;
    std::optional<std::string> scheduled, started, completed;
    std::optional<std::int64_t> interval;  ///< minutes
    std::optional<Id> user;
    json::value data = nullptr;
    std::string error;
    std::string job_id;      ///< RQ job UUID
    std::string queue_name = "default";
    json::array log_entries;  ///< [{"level","message","timestamp"}]
};

struct DhcpServer {
    Id id = 0;
    std::string name, hostname;
    std::int64_t port = 443;
    bool use_https = true, verify_ssl = true, sync_standalone_scopes = true;
    std::vector<Id> tags;
    std::string created, last_updated;
};

struct DhcpFailover {
    Id id = 0;
    std::string name;
    Id primary_server = 0, secondary_server = 0;
    std::string mode = "LoadBalance";
    std::int64_t max_client_lead_time = 3600, max_response_delay = 30;
    std::optional<std::int64_t> state_switchover_interval;
    bool sync_enabled = true, enable_auth = false;
    std::vector<Id> tags;
    std::string created, last_updated;
};

struct DhcpOptionCode {
    Id id = 0;
    std::int64_t code = 0;
    std::string name, description, data_type = "String", vendor_class;
    bool is_builtin = false;
    std::vector<Id> tags;
    std::string created, last_updated;
};

struct DhcpOptionValue {
    Id id = 0;
    Id definition = 0;
    std::string value, friendly_name;
    std::vector<Id> tags;
    std::string created, last_updated;
};

struct DhcpScope {
    Id id = 0;
    std::string name;
    Id prefix = 0;
    Ipv4Address start_ip, end_ip;
    std::optional<Ipv4Address> router;
    std::int64_t lease_lifetime = 86400;
    std::optional<Id> server, failover;
    std::vector<Id> option_values;  ///< M2M DHCPOptionValue, ascending ids
    std::vector<Id> tags;
    std::string created, last_updated;
};

struct DhcpExclusionRange {
    Id id = 0;
    Id scope = 0;
    Ipv4Address start_ip, end_ip;
    std::vector<Id> tags;
    std::string created, last_updated;
};

struct ScopeIndexEntry {
    Id id = 0;
    Ipv4Network network;
};

/// A committed change record, already in its REST form (what /api/core/object-changes/ returns).
struct Change {
    Id id = 0;
    std::int64_t time = 0;  ///< microseconds since the epoch (the record's "time")
    json::object record;
};

/// Undo log of one write request. Every mutation pushes its inverse; rollback() runs them newest first.
class Transaction {
public:
    void push_undo(std::function<void()> undo) { undo_.push_back(std::move(undo)); }
    void rollback() {
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
        undo_.clear();
    }
    void commit() { undo_.clear(); }

private:
    std::vector<std::function<void()>> undo_;
};

/// A table keyed by id (ordered, so default list ordering is by id).
template <class T>
struct Table {
    std::map<Id, T> rows;
    Id next_id = 1;

    const T* find(Id id) const {
        auto it = rows.find(id);
        return it == rows.end() ? nullptr : &it->second;
    }
    Id allocate() { return next_id++; }

    void insert(T row, Transaction* txn) {
        Id id = row.id;
        rows[id] = std::move(row);
        if (txn) txn->push_undo([this, id] { rows.erase(id); });
    }
    void replace(T row, Transaction* txn) {
        auto& slot = rows.at(row.id);
        if (txn) txn->push_undo([this, old = slot] { rows[old.id] = old; });
        slot = std::move(row);
    }
    void erase(Id id, Transaction* txn) {
        auto it = rows.find(id);
        if (it == rows.end()) return;
        if (txn) txn->push_undo([this, old = it->second] { rows[old.id] = old; });
        rows.erase(it);
    }
    void clear() { *this = Table{}; }
};

class State {
public:
    /// IP index key: (VRF id or 0 for the global table, host address, IP id). Ordered so that a prefix is
    /// a contiguous range within one VRF.
    using IpKey = std::tuple<Id, std::uint32_t, Id>;

    Table<User> users;
    std::unordered_map<std::string, Id> user_by_token;
    Table<Tag> tags;
    Table<Vrf> vrfs;
    Table<Prefix> prefixes;
    Table<DhcpServer> servers;
    Table<DhcpFailover> failovers;
    Table<DhcpScope> scopes;
    Table<DhcpExclusionRange> exclusions;
    Table<DhcpOptionCode> option_codes;
    Table<DhcpOptionValue> option_values;
    Table<IpRange> ip_ranges;
    Table<Job> jobs;
    std::vector<Change> changes;
    Id next_change_id = 1;

    /// Bumped on every committed change; list caches key on it.
    std::uint64_t version = 0;

    // IP addresses: the table plus the (vrf, host) index, kept in step by these three functions only.
    const std::map<Id, IpAddress>& ips() const { return ips_.rows; }
    const IpAddress* find_ip(Id id) const { return ips_.find(id); }
    Id allocate_ip_id() { return ips_.allocate(); }
    void insert_ip(IpAddress ip, Transaction* txn);
    void replace_ip(IpAddress ip, Transaction* txn);
    void erase_ip(Id id, Transaction* txn);

    /// Ids of IPs whose host lies in `network` within VRF key `vrf_key` (0 = global), appended to `out`.
    void ips_in_range(Id vrf_key, const Ipv4Network& network, std::vector<Id>& out) const;
    /// First IP (other than `except`, and with an id below `visible_below`) with the same host in the same
    /// VRF, or 0. `visible_below` hides the rows a bulk create inserted itself (NetBox 4.5/4.6 validate every
    /// element against the state before the request).
    Id find_duplicate_host(std::optional<Id> vrf, Ipv4Address host, Id except,
                           Id visible_below = std::numeric_limits<Id>::max()) const;
    /// VRF keys that currently hold at least one IP (0 = global). Small: one per VRF.
    std::vector<Id> vrf_keys_in_use() const;

    const Tag* tag_by_slug(std::string_view slug) const;
    const Vrf* vrf_by_name(std::string_view name) const;
    const DhcpServer* server_by_name(std::string_view name) const;
    const DhcpFailover* failover_by_name(std::string_view name) const;

    /// Scopes ordered by name (then id) with their prefix's network, and exclusion ranges per scope. Both are
    /// cached: the plugin's post_clean hook consults them for every validated IP. Any write to scopes,
    /// exclusion ranges or prefixes (and every rollback) must call invalidate_caches().
    const std::vector<ScopeIndexEntry>& scope_index();
    const std::vector<Id>& exclusions_of(Id scope);
    void invalidate_caches() { caches_valid_ = false; }

    void clear();

private:
    Table<IpAddress> ips_;
    std::set<IpKey> ip_index_;
    std::map<Id, std::size_t> ips_per_vrf_;
    std::vector<ScopeIndexEntry> scope_index_;
    std::map<Id, std::vector<Id>> exclusions_by_scope_;
    bool caches_valid_ = false;
    void rebuild_caches();

    void index_add(const IpAddress& ip);
    void index_remove(const IpAddress& ip);
};

}  // namespace nds::sim::netbox
