// Reading Kea's Dhcp4 configuration (the object config-get returns) as the sync's types, sans I/O. The
// mapping (docs/kea.md has it as a table):
//   scope            <- a subnet4 entry, top level or inside a shared network; identified by its network
//   name, description<- the subnet's user-context {"netbox-dhcp-sync": {"name", "description"}}
//                       (description falls back to Kea's own user-context "comment")
//   start/end + exclusions <- the subnet's pools (kea_pools.hpp); a range Kea's pools cannot show is kept in
//                       the same user-context as "range"
//   lease time       <- valid-lifetime (subnet, else shared network, else global, else Kea's 7200)
//   router           <- option-data "routers" (code 3; subnet, else shared network, else global)
//   reservation      <- the subnet's "reservations": hw-address (or client-id) + ip-address + hostname;
//                       description in the reservation's user-context
//   scope options    <- the subnet's own option-data
//   failover         <- the ha hook's "high-availability" parameters in hooks-libraries
#pragma once

#include "kea_client/kea_pools.hpp"
#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/import_inputs.hpp"
#include "util/expected.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::kea {

namespace json = boost::json;

/// The user-context key this backend keeps its data under; other keys are never touched.
inline constexpr std::string_view kContextKey = "netbox-dhcp-sync";
/// Kea's lease time when no level of the configuration sets valid-lifetime.
inline constexpr std::int64_t kKeaDefaultValidLifetime = 7200;

/// config-get's answer: {"Dhcp4": {...}} (Kea >= 2.4 adds "hash").
struct KeaConfig {
    json::object dhcp4;
    /// Identifies this exact configuration: Kea's "hash" when it sends one, else SHA-256 of the Dhcp4 object
    /// as Kea serialised it. Two config-get answers of an unchanged server have the same fingerprint.
    std::string fingerprint;
};

/// Checks the shape of config-get's arguments (errors name `what`, e.g. "kea01: Kea config-get").
Expected<KeaConfig> parse_config(const json::value& arguments, const std::string& what);
/// SHA-256 (hex) of the serialised object.
std::string sha256_hex(const json::object& object);

/// Typed members of Kea's JSON: null (or "", nullopt) when the member is missing or of another type.
const json::object* object_member(const json::object& o, std::string_view key);
const json::array* array_member(const json::object& o, std::string_view key);
std::string string_member(const json::object& o, std::string_view key);
std::optional<std::int64_t> integer_of(const json::value* v);

/// One subnet4 entry, wherever it sits.
struct SubnetView {
    const json::object* subnet = nullptr;
    const json::object* shared_network = nullptr;  ///< nullptr at the top level
    std::int64_t id = 0;                            ///< 0 when the entry has none (Kea then assigns one)
    engine::Ipv4Network network;
};

struct SubnetIndex {
    std::vector<SubnetView> subnets;     ///< top level first, then each shared network's, in config order
    std::vector<std::string> problems;   ///< entries without a usable "subnet"
    std::size_t skipped = 0;
};

SubnetIndex index_subnets(const json::object& dhcp4);
const SubnetView* find_subnet(const SubnetIndex& index, engine::Ipv4Address network);
const SubnetView* find_subnet_by_id(const SubnetIndex& index, std::int64_t id);

/// The subnet's pools as spans; nullopt (and `problem` says why) when a pool cannot be read.
std::optional<std::vector<AddressSpan>> pool_spans(const json::object& subnet, std::string* problem);
/// The range kept in the subnet's user-context, when there is one and it parses.
std::optional<AddressSpan> stored_range(const json::object& subnet);
/// Range and exclusions of the subnet (pools + stored range; without either, every host address of the
/// network is the range and all of it excluded). nullopt when a pool cannot be read.
std::optional<RangeAndExclusions> subnet_shape(const SubnetView& view, std::string* problem);

/// The value of a key at the first level that sets it: subnet, shared network, then global.
const json::value* inherited(const SubnetView& view, const json::object& dhcp4, std::string_view key);
std::int64_t effective_valid_lifetime(const SubnetView& view, const json::object& dhcp4);
/// The first address of the routers option at the first level that has one; nullopt when none.
std::optional<engine::Ipv4Address> effective_router(const SubnetView& view, const json::object& dhcp4);
/// The routers option of one option-data list: its index, or -1.
int find_routers_option(const json::value* option_data);

/// The scope as the sync sees it; nullopt (with `problem`) when its pools cannot be read.
std::optional<engine::DhcpScope> scope_of(const SubnetView& view, const json::object& dhcp4,
                                          const std::string& failover_name, std::string* problem);
engine::ParsedList<engine::DhcpScope> scopes_of(const json::object& dhcp4, const std::string& server,
                                                const std::string& failover_name);
std::vector<engine::DhcpExclusion> exclusions_of(const RangeAndExclusions& shape);

/// A reservation record. nullopt with `problem` empty: not an address reservation (no ip-address), ignored;
/// nullopt with `problem` set: one the sync cannot use (skipped and reported).
std::optional<engine::DhcpReservation> parse_reservation(const json::object& record, std::string* problem);
/// The normalised client id of a record ("" when it has neither hw-address nor client-id).
std::string reservation_client_id(const json::object& record);
/// A list of reservation records (a subnet's "reservations", or reservation-get-page's "hosts").
engine::ParsedList<engine::DhcpReservation> parse_reservations(const json::array& records, const std::string& server,
                                                               const std::string& scope);
engine::ParsedList<engine::DhcpReservation> reservations_of(const SubnetView& view, const std::string& server);

/// "hw-address" for a MAC, "client-id" for other hex client identifiers; the value in Kea's colon form.
struct HostIdentifier {
    std::string type;
    std::string value;
};
/// errc::refused when the client id is neither a MAC nor hex bytes.
Expected<HostIdentifier> host_identifier(const std::string& client_id);
/// The reservation record the sync writes: {<identifier>, "ip-address", "hostname" (when named),
/// "user-context": {"netbox-dhcp-sync": {"description"}} (when described)}.
json::object reservation_record(const HostIdentifier& id, const engine::DhcpReservation& reservation);
/// Sets (non-empty value) or removes (empty value) one field of the entry's user-context part under
/// kContextKey, keeping every other user-context key. True when it changed anything.
bool set_context_field(json::object& entry, std::string_view key, const std::string& value);

engine::ParsedList<engine::DhcpOptionValue> options_of(const SubnetView& view, const std::string& server);

// ---- the ha hook ----

struct HaPeer {
    std::string name;
    std::string url;
    std::string role;  ///< primary, secondary, standby, backup
    bool basic_auth = false;
};

struct HaRelationship {
    std::string mode;         ///< load-balancing, hot-standby, passive-backup
    std::string this_server;  ///< this-server-name
    std::vector<HaPeer> peers;
    std::int64_t max_response_delay_ms = 60000;

    const HaPeer* self() const;
    /// The other active server (secondary or standby); nullptr in passive-backup.
    const HaPeer* partner() const;
    /// The relationship's name for NetBox: "<primary's name>+<secondary's or standby's name>", the same seen
    /// from either server; "" when there is no partner.
    std::string failover_name() const;
};

/// Every relationship of the ha hook in hooks-libraries (none without the hook).
std::vector<HaRelationship> ha_relationships(const json::object& dhcp4, std::vector<std::string>* problems);
/// The failover the server's scopes belong to ("" without a load-balancing or hot-standby relationship).
std::string scopes_failover_name(const std::vector<HaRelationship>& relationships);
engine::ParsedList<engine::DhcpFailover> failovers_of(const json::object& dhcp4, const std::string& server);

/// True when the configuration has a hosts database (reservation-add of host_cmds writes there).
bool has_hosts_database(const json::object& dhcp4);

}  // namespace nds::kea
