// Builders for engine tests: a small NetBox + DHCP world with one standalone server and scope by default,
// so each test states only what its rule is about.
#pragma once

#include "sync_engine/client_id.hpp"
#include "sync_engine/sync_planner.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nds::test {

using namespace nds::engine;

inline Ipv4Address ip(const char* text) {
    auto parsed = Ipv4Address::parse(text);
    if (!parsed) throw std::invalid_argument(text);
    return *parsed;
}

inline Ipv4Network net(const char* text) {
    auto parsed = Ipv4Network::parse(text);
    if (!parsed) throw std::invalid_argument(text);
    return *parsed;
}

class World {
public:
    NetBoxSnapshot netbox;
    DhcpSnapshots dhcp;
    SyncSettings settings;
    std::map<ObjectId, ServerHealth> health;

    // ---- NetBox -----------------------------------------------------------------------------------------

    void add_server(ObjectId id, const std::string& name, bool standalone = true, std::vector<std::string> tags = {}) {
        NetBoxServer s;
        s.id = id;
        s.name = name;
        s.hostname = name + ".example.com";
        s.sync_standalone_scopes = standalone;
        s.tags = std::move(tags);
        netbox.servers.push_back(std::move(s));
    }

    void add_failover(ObjectId id, const std::string& name, ObjectId primary, ObjectId secondary,
                      bool sync_enabled = true, std::vector<std::string> tags = {}) {
        NetBoxFailover f;
        f.id = id;
        f.name = name;
        f.primary_server_id = primary;
        f.secondary_server_id = secondary;
        f.sync_enabled = sync_enabled;
        f.tags = std::move(tags);
        netbox.failovers.push_back(std::move(f));
    }

    void add_prefix(ObjectId id, const char* cidr, std::optional<ObjectId> vrf = std::nullopt) {
        netbox.prefixes[id] = NetBoxPrefix{id, net(cidr), vrf, {}};
    }

    void add_protected_prefix(const char* cidr, std::optional<ObjectId> vrf = std::nullopt) {
        netbox.protected_prefixes.push_back(NetBoxPrefix{900 + static_cast<ObjectId>(netbox.protected_prefixes.size()),
                                                         net(cidr), vrf, {settings.protect_tag}});
    }

    /// Standalone scope of `server_id` (or a failover scope when failover_id is given).
    void add_scope(ObjectId id, const std::string& name, ObjectId prefix_id, const char* start, const char* end,
                   std::optional<ObjectId> server_id, std::optional<ObjectId> failover_id = std::nullopt) {
        NetBoxScope s;
        s.id = id;
        s.name = name;
        s.prefix_id = prefix_id;
        s.start_ip = ip(start);
        s.end_ip = ip(end);
        s.router = ip("10.0.1.1");
        s.lease_lifetime = 86400;
        s.server_id = server_id;
        s.failover_id = failover_id;
        netbox.scopes.push_back(std::move(s));
    }

    NetBoxScope& scope(ObjectId id) {
        auto it = std::find_if(netbox.scopes.begin(), netbox.scopes.end(), [&](auto& s) { return s.id == id; });
        REQUIRE(it != netbox.scopes.end());
        return *it;
    }

    /// `address` as NetBox holds it ("10.0.1.50/24").
    void add_ip(ObjectId id, const char* address, const std::string& status = "dhcp", const std::string& client_id = "",
                const std::string& dns_name = "", std::vector<std::string> tags = {},
                std::optional<ObjectId> vrf = std::nullopt, const std::string& description = "") {
        auto iface = Ipv4Interface::parse(address);
        REQUIRE(iface);
        NetBoxIpAddress a;
        a.id = id;
        a.address = iface->address;
        a.prefix_length = iface->length;
        a.vrf_id = vrf;
        a.status = status;
        a.client_id = normalize_client_id(client_id);
        a.dns_name = dns_name;
        a.tags = std::move(tags);
        a.description = description;
        netbox.ip_addresses.push_back(std::move(a));
    }

    // ---- DHCP servers ---------------------------------------------------------------------------------

    DhcpServerSnapshot& server_snapshot(const std::string& name) {
        auto& s = dhcp[name];
        if (s.server_name.empty()) {
            s.server_name = name;
            s.reachable = true;
            s.scopes.emplace();
            // The worlds model Windows servers behind the PSU script, which swallows read errors (B4).
            s.capabilities.empty_list_may_be_error = true;
        }
        return s;
    }

    /// A remote scope whose reads (leases, reservations, exclusions) all succeeded and are empty.
    DhcpScope& add_remote_scope(const std::string& server, const char* scope_id, const char* mask,
                                const char* start, const char* end, const std::string& name = "Building A") {
        auto& snap = server_snapshot(server);
        DhcpScope s;
        s.scope_id = ip(scope_id);
        s.subnet_mask = ip(mask);
        s.start_ip = ip(start);
        s.end_ip = ip(end);
        s.name = name;
        s.router = ip("10.0.1.1");
        s.lease_duration_seconds = 86400;
        snap.scopes->push_back(s);
        auto& data = snap.scope_data[s.scope_id.value];
        data.leases.emplace();
        data.reservations.emplace();
        data.exclusions.emplace();
        return snap.scopes->back();
    }

    DhcpScope& remote_scope(const std::string& server, const char* scope_id) {
        auto& scopes = *server_snapshot(server).scopes;
        auto it = std::find_if(scopes.begin(), scopes.end(), [&](auto& s) { return s.scope_id == ip(scope_id); });
        REQUIRE(it != scopes.end());
        return *it;
    }

    DhcpScopeData& data(const std::string& server, const char* scope_id) {
        return server_snapshot(server).scope_data[ip(scope_id).value];
    }

    void add_lease(const std::string& server, const char* scope_id, const char* address, const std::string& client_id,
                   const std::string& hostname = "") {
        data(server, scope_id).leases->push_back(DhcpLease{ip(address), normalize_client_id(client_id), hostname, ""});
    }

    void add_reservation(const std::string& server, const char* scope_id, const char* address,
                         const std::string& client_id, const std::string& name = "",
                         const std::string& description = "") {
        data(server, scope_id).reservations->push_back(
            DhcpReservation{ip(address), normalize_client_id(client_id), name, description, "Dhcp"});
    }

    // ---- running the engine --------------------------------------------------------------------------

    std::vector<ServerRun> all_runs() {
        return decide_servers(netbox, health, {}, settings).runs;
    }
    Plan scopes_plan() { return plan_scopes(netbox, all_runs(), dhcp, settings); }
    Plan addresses_plan() { return plan_addresses(netbox, all_runs(), dhcp, settings); }
    /// plan_scopes for one server only, as `sync --server NAME` does.
    Plan plan_scopes_for(const std::string& name) {
        return plan_scopes(netbox, decide_servers(netbox, health, {name}, settings).runs, dhcp, settings);
    }
};

/// One standalone server "dhcp01" (id 1), prefix 10.0.1.0/24 (id 10, global), scope "Building A" (id 100,
/// 10.0.1.10-10.0.1.200) and the same scope on the server, all reads successful and empty.
inline World standard_world() {
    World w;
    w.add_server(1, "dhcp01");
    w.add_prefix(10, "10.0.1.0/24");
    w.add_scope(100, "Building A", 10, "10.0.1.10", "10.0.1.200", 1);
    w.add_remote_scope("dhcp01", "10.0.1.0", "255.255.255.0", "10.0.1.10", "10.0.1.200");
    return w;
}

inline constexpr const char* kScope = "10.0.1.0";
inline constexpr const char* kMac1 = "aa-bb-cc-dd-ee-01";
inline constexpr const char* kMac2 = "aa-bb-cc-dd-ee-02";

template <typename T>
const T* find_by_id(const std::vector<T>& actions, ObjectId id) {
    auto it = std::find_if(actions.begin(), actions.end(), [&](const T& a) { return a.id == id; });
    return it == actions.end() ? nullptr : &*it;
}

inline const IpAddressCreate* find_create(const Plan& plan, const char* address) {
    auto a = ip(address);
    auto it = std::find_if(plan.ip_creates.begin(), plan.ip_creates.end(),
                           [&](const auto& c) { return c.address.address == a; });
    return it == plan.ip_creates.end() ? nullptr : &*it;
}

inline bool has_problem(const Plan& plan, Severity severity, const std::string& fragment) {
    return std::any_of(plan.problems.begin(), plan.problems.end(), [&](const Problem& p) {
        return p.severity == severity && p.note.reason.find(fragment) != std::string::npos;
    });
}

inline bool has_skip(const Plan& plan, const std::string& fragment) {
    return std::any_of(plan.skips.begin(), plan.skips.end(),
                       [&](const Skip& s) { return s.note.reason.find(fragment) != std::string::npos; });
}

// ---- views of a plan's DHCP writes, by kind (the plan holds them in one ordered list) ----

struct ReservationWriteView {
    engine::ActionNote note;
    engine::Ipv4Address scope_id;
    engine::DhcpReservation reservation;
    std::string client_id;  ///< reservation.client_id (what a delete identifies it by)
};

inline std::vector<ReservationWriteView> reservation_writes(const engine::Plan& plan, engine::Verb verb) {
    std::vector<ReservationWriteView> out;
    for (const auto& w : plan.dhcp_writes)
        if (const auto* r = std::get_if<engine::ReservationChange>(&w.change); r && w.verb == verb)
            out.push_back({w.note, w.scope_id, r->reservation, r->reservation.client_id});
    return out;
}

struct ScopeWriteView {
    engine::ActionNote note;
    engine::Verb verb;
    engine::DhcpScope scope;
    std::vector<std::string> changed_fields;
};

inline std::vector<ScopeWriteView> scope_writes(const engine::Plan& plan) {
    std::vector<ScopeWriteView> out;
    for (const auto& w : plan.dhcp_writes)
        if (const auto* s = std::get_if<engine::ScopeChange>(&w.change))
            out.push_back({w.note, w.verb, s->scope, s->changed_fields});
    return out;
}

struct ExclusionWriteView {
    engine::ActionNote note;
    engine::Verb verb;
    engine::Ipv4Address scope_id;
    engine::DhcpExclusion exclusion;
};

inline std::vector<ExclusionWriteView> exclusion_writes(const engine::Plan& plan) {
    std::vector<ExclusionWriteView> out;
    for (const auto& w : plan.dhcp_writes)
        if (const auto* e = std::get_if<engine::ExclusionChange>(&w.change))
            out.push_back({w.note, w.verb, w.scope_id, e->range});
    return out;
}

}  // namespace nds::test
