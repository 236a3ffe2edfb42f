// The output of the engine: every change the sync wants to make, each with the server and scope it came
// from and the reason, plus what it decided not to do (skips) and what it could not do (problems).
// The executor in daemon/ applies a Plan without taking any decision of its own.
#pragma once

#include "sync_engine/backend_capabilities.hpp"
#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"

#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

namespace nds::engine {

enum class ObjectKind {
    ip_address, prefix, scope, exclusion_range, reservation, dhcp_scope, dhcp_exclusion, server,
    failover, option_code, option_value  ///< written by import only
};
enum class Verb { create, update, remove };

const char* to_string(ObjectKind kind);  ///< "ip_address", "prefix", ... (used in JSON output and metrics)
const char* to_string(Verb verb);        ///< "create", "update", "delete"

/// Where an action came from and why. `object` is a short human label ("10.0.1.5/24", "Building A").
struct ActionNote {
    std::string server;
    std::string scope;   ///< scope name or scope id, "" for server-level actions
    std::string object;
    std::string reason;
};

// ---- NetBox writes --------------------------------------------------------------------------------------

struct IpAddressCreate {
    ActionNote note;
    Ipv4Interface address;
    std::optional<ObjectId> vrf_id;
    std::string status;
    std::string dns_name;   ///< already lowercased and validated; "" = leave unset
    std::string client_id;  ///< "" = leave unset
    std::vector<std::string> tags;  ///< slugs (the managed tag)
};

/// Only the fields that change are set.
struct IpAddressUpdate {
    ActionNote note;
    ObjectId id = 0;
    std::optional<std::string> status;
    std::optional<std::string> dns_name;
    std::optional<std::string> client_id;
    std::optional<std::vector<std::string>> tags;  ///< the complete new tag set (NetBox replaces tags)
};

struct IpAddressDelete {
    ActionNote note;
    ObjectId id = 0;
};

/// An option value a new scope links to: an existing one (id), or one the same plan creates, found by
/// (code, value) once the executor knows its id.
struct OptionValueRef {
    std::optional<ObjectId> id;
    int code = 0;
    std::string value;
};

struct PrefixCreate {
    ActionNote note;
    Ipv4Network prefix;
    std::optional<ObjectId> vrf_id;
    std::string status = "active";
};

/// Auto-import of a scope found on a server. `prefix_id` is nullopt when the prefix is created by a
/// PrefixCreate in the same plan (matched by `prefix` + `vrf_id`).
struct ScopeCreate {
    ActionNote note;
    std::string name;
    Ipv4Network prefix;
    std::optional<ObjectId> vrf_id;
    std::optional<ObjectId> prefix_id;
    Ipv4Address start_ip;
    Ipv4Address end_ip;
    std::optional<Ipv4Address> router;
    std::int64_t lease_lifetime = 86400;
    std::optional<ObjectId> server_id;
    std::optional<ObjectId> failover_id;
    std::vector<DhcpExclusion> exclusions;
    /// Import: with failover_id nullopt, the failover of this name that the same plan creates ("" = none).
    std::string failover_name{};
    /// Import: option values attached to the scope (option_value_ids).
    std::vector<OptionValueRef> option_values{};
};

struct ScopeUpdate {
    ActionNote note;
    ObjectId id = 0;
    std::optional<std::string> name;
    std::optional<Ipv4Address> start_ip;
    std::optional<Ipv4Address> end_ip;
    bool set_router = false;
    std::optional<Ipv4Address> router;  ///< used when set_router; nullopt clears
    std::optional<std::int64_t> lease_lifetime;
};

struct ScopeDelete {
    ActionNote note;
    ObjectId id = 0;
};

struct ExclusionRangeCreate {
    ActionNote note;
    ObjectId scope_id = 0;
    Ipv4Address start_ip;
    Ipv4Address end_ip;
    /// Import: a range of a scope the same plan creates: the index of that ScopeCreate in plan.scope_creates
    /// (scope_id is 0 then; the executor fills it in). Plans holding such references are never append()ed.
    std::optional<std::size_t> new_scope{};
};

// ---- Import only: the plugin's failovers and option library (the plugin's behaviour) ----

/// A failover relationship read from the imported server. primary = the imported server (PSU reports the
/// queried host as primary_server, B15), secondary = its partner, matched by hostname.
struct FailoverCreate {
    ActionNote note;
    std::string name;
    ObjectId primary_server_id = 0;
    ObjectId secondary_server_id = 0;
    std::string mode = "LoadBalance";
    std::int64_t max_client_lead_time = 3600;
    std::int64_t max_response_delay = 30;
    std::optional<std::int64_t> state_switchover_interval;
    bool enable_auth = false;
};

/// A definition for an option code NetBox does not know yet (definitions are unique by code).
struct OptionCodeCreate {
    ActionNote note;
    int code = 0;
    std::string name;
    std::string data_type = "String";
    std::string vendor_class;
};

/// A shared option value. definition_id nullopt: the definition is created by the same plan (by code).
struct OptionValueCreate {
    ActionNote note;
    int code = 0;
    std::optional<ObjectId> definition_id;
    std::string value;
};

struct ExclusionRangeDelete {
    ActionNote note;
    ObjectId id = 0;
};

// ---- DHCP server writes: one ordered list, backend-neutral --------------------------------------------
// Each backend turns these into its own requests: PSU one request each, Kea one config transaction per
// server and run, dhcpd one rendered file per server and run.

struct ScopeChange {
    DhcpScope scope;                          ///< the whole scope as it should be (create, update)
    std::vector<std::string> changed_fields;  ///< update: what differs, for the report
};
struct ExclusionChange {
    DhcpExclusion range;
};
struct ReservationChange {
    DhcpReservation reservation;  ///< remove: ip and client_id identify it
};

struct DhcpWrite {
    ActionNote note;  ///< note.server is the server written to
    Verb verb = Verb::create;
    Ipv4Address scope_id;
    std::variant<ScopeChange, ExclusionChange, ReservationChange> change;

    ObjectKind kind() const;           ///< dhcp_scope, dhcp_exclusion or reservation
    DhcpOperation operation() const;   ///< the capability it needs

    static DhcpWrite scope(ActionNote note, Verb verb, DhcpScope scope, std::vector<std::string> changed_fields = {});
    static DhcpWrite exclusion(ActionNote note, Verb verb, Ipv4Address scope_id, DhcpExclusion range);
    static DhcpWrite reservation(ActionNote note, Verb verb, Ipv4Address scope_id, DhcpReservation reservation);
};

/// Sorts a plan's DHCP writes into the order they are applied, per server: scopes (a new scope before its
/// exclusions), exclusions, reservation deletes (a MAC-changed reservation is removed before it is
/// re-created), creates, updates. Stable: the rules' order within each group is kept.
void order_dhcp_writes(std::vector<DhcpWrite>& writes);

// ---- Decisions not to act, and problems -----------------------------------------------------------------

struct Skip {
    ActionNote note;
    ObjectKind kind = ObjectKind::ip_address;
};

enum class Severity { warning, error };

/// What a problem is about, for code that treats some alike (e.g. logs skipped records once, when read).
enum class ProblemKind { general, skipped_record };

struct Problem {
    Severity severity = Severity::error;
    ActionNote note;
    ProblemKind kind = ProblemKind::general;
};

struct Plan {
    // NetBox writes, declared in the order they are applied (visit_netbox_writes below is that order).
    std::vector<FailoverCreate> failover_creates;       ///< import: the plugin's shared objects first,
    std::vector<OptionCodeCreate> option_code_creates;  ///< so that the scopes created below can
    std::vector<OptionValueCreate> option_value_creates;  ///< refer to them
    std::vector<PrefixCreate> prefix_creates;
    std::vector<ScopeCreate> scope_creates;
    std::vector<ScopeUpdate> scope_updates;
    std::vector<ExclusionRangeDelete> exclusion_deletes;
    std::vector<ExclusionRangeCreate> exclusion_creates;
    std::vector<ScopeDelete> scope_deletes;
    std::vector<IpAddressDelete> ip_deletes;  ///< deletes first: a stale IP may hold an address a create needs
    std::vector<IpAddressUpdate> ip_updates;
    std::vector<IpAddressCreate> ip_creates;

    /// DHCP-server writes of every server, in apply order (order_dhcp_writes).
    std::vector<DhcpWrite> dhcp_writes;

    std::vector<Skip> skips;
    std::vector<Problem> problems;

    bool empty() const;       ///< no writes at all (skips and problems do not count)
    std::size_t write_count() const;
    bool has_netbox_writes() const;
    void append(Plan&& other);
};

/// One NetBox write list of Plan with its object kind and verb.
template <class Action>
struct NetBoxWriteList {
    std::vector<Action> Plan::*member;
    ObjectKind kind;
    Verb verb;
};

/// The NetBox write lists in the order the executor applies them. The executor, the report, the logs and
/// Plan's own members all walk the lists through this one table (visit_netbox_writes), so a new list
/// cannot be forgotten in one of them.
inline constexpr auto kNetBoxWriteLists = std::make_tuple(
    NetBoxWriteList<FailoverCreate>{&Plan::failover_creates, ObjectKind::failover, Verb::create},
    NetBoxWriteList<OptionCodeCreate>{&Plan::option_code_creates, ObjectKind::option_code, Verb::create},
    NetBoxWriteList<OptionValueCreate>{&Plan::option_value_creates, ObjectKind::option_value, Verb::create},
    NetBoxWriteList<PrefixCreate>{&Plan::prefix_creates, ObjectKind::prefix, Verb::create},
    NetBoxWriteList<ScopeCreate>{&Plan::scope_creates, ObjectKind::scope, Verb::create},
    NetBoxWriteList<ScopeUpdate>{&Plan::scope_updates, ObjectKind::scope, Verb::update},
    NetBoxWriteList<ExclusionRangeDelete>{&Plan::exclusion_deletes, ObjectKind::exclusion_range, Verb::remove},
    NetBoxWriteList<ExclusionRangeCreate>{&Plan::exclusion_creates, ObjectKind::exclusion_range, Verb::create},
    NetBoxWriteList<ScopeDelete>{&Plan::scope_deletes, ObjectKind::scope, Verb::remove},
    NetBoxWriteList<IpAddressDelete>{&Plan::ip_deletes, ObjectKind::ip_address, Verb::remove},
    NetBoxWriteList<IpAddressUpdate>{&Plan::ip_updates, ObjectKind::ip_address, Verb::update},
    NetBoxWriteList<IpAddressCreate>{&Plan::ip_creates, ObjectKind::ip_address, Verb::create});

/// Calls visitor(list, kind, verb) for each NetBox write list of `plan` (const or not), in apply order.
template <class PlanT, class Visitor>
void visit_netbox_writes(PlanT& plan, Visitor&& visitor) {
    std::apply([&](const auto&... list) { (visitor(plan.*(list.member), list.kind, list.verb), ...); },
               kNetBoxWriteLists);
}

/// fn(kind, verb, note) for every write of `plan` in apply order: the NetBox writes, then the DHCP writes.
template <class Fn>
void for_each_write(const Plan& plan, Fn&& fn) {
    visit_netbox_writes(plan, [&](const auto& list, ObjectKind kind, Verb verb) {
        for (const auto& action : list) fn(kind, verb, action.note);
    });
    for (const auto& write : plan.dhcp_writes) fn(write.kind(), write.verb, write.note);
}

}  // namespace nds::engine
