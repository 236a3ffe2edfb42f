// The output of the engine: every change the sync wants to make, each with the server and scope it came
// from and the reason, plus what it decided not to do (skips) and what it could not do (problems).
// The executor in daemon/ applies a Plan without taking any decision of its own.
#pragma once

#include "sync_engine/backend_capabilities.hpp"
#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"

#include <optional>
#include <string>
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

// ---- Import only: the plugin's failovers and option library (plugin-behaviour.md §1.3-1.5, §5) ----

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

// ---- DHCP server writes (one PSU request each) ----------------------------------------------------------

struct ReservationCreate {
    ActionNote note;  ///< note.server is the server written to
    Ipv4Address scope_id;
    DhcpReservation reservation;
};

struct ReservationUpdate {
    ActionNote note;
    Ipv4Address scope_id;
    DhcpReservation reservation;  ///< client_id identifies it on the server
};

struct ReservationDelete {
    ActionNote note;
    Ipv4Address scope_id;
    std::string client_id;
};

/// Scope pushed to the server: create (POST /scopes) or update (PUT /scopes/<id>).
struct DhcpScopeWrite {
    ActionNote note;
    Verb verb = Verb::update;
    DhcpScope scope;
    std::vector<std::string> changed_fields;  ///< for updates
};

struct DhcpExclusionWrite {
    ActionNote note;
    Verb verb = Verb::create;  ///< create or remove
    Ipv4Address scope_id;
    DhcpExclusion exclusion;
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
};

// ---- Decisions not to act, and problems -----------------------------------------------------------------

struct Skip {
    ActionNote note;
    ObjectKind kind = ObjectKind::ip_address;
};

enum class Severity { warning, error };

struct Problem {
    Severity severity = Severity::error;
    ActionNote note;
};

struct Plan {
    std::vector<FailoverCreate> failover_creates;
    std::vector<OptionCodeCreate> option_code_creates;
    std::vector<OptionValueCreate> option_value_creates;
    std::vector<PrefixCreate> prefix_creates;
    std::vector<ScopeCreate> scope_creates;
    std::vector<ScopeUpdate> scope_updates;
    std::vector<ScopeDelete> scope_deletes;
    std::vector<ExclusionRangeCreate> exclusion_creates;
    std::vector<ExclusionRangeDelete> exclusion_deletes;
    std::vector<IpAddressCreate> ip_creates;
    std::vector<IpAddressUpdate> ip_updates;
    std::vector<IpAddressDelete> ip_deletes;

    std::vector<ReservationCreate> reservation_creates;
    std::vector<ReservationUpdate> reservation_updates;
    std::vector<ReservationDelete> reservation_deletes;
    std::vector<DhcpScopeWrite> dhcp_scope_writes;
    std::vector<DhcpExclusionWrite> dhcp_exclusion_writes;

    std::vector<Skip> skips;
    std::vector<Problem> problems;

    bool empty() const;       ///< no writes at all (skips and problems do not count)
    std::size_t write_count() const;
    void append(Plan&& other);
};

}  // namespace nds::engine
