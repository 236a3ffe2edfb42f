// What `import --server NAME` reads (the plugin's behaviour): the imported server's failovers, scopes (active
// and inactive), per-scope options and exclusions, and the plugin's option library in NetBox. The sync never
// reads these, so they are not part of the sync's snapshots. A read that failed is nullopt plus its error.
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nds::engine {

/// GET /failover record (§3.4). primary_server is the queried host's own FQDN, whatever its role.
struct DhcpFailover {
    std::string name;
    std::string primary_server;
    std::string secondary_server;
    std::string mode;
    std::vector<std::string> scope_ids;
    int max_client_lead_time = 3600;
    int max_response_delay = 30;
    std::optional<int> state_switchover_interval;
    bool enable_auth = false;
};

/// GET /options/scope/<id> record (§3.4): values are always a list of strings.
struct DhcpOptionValue {
    int code = 0;
    std::string name;
    std::vector<std::string> value;
    std::string type;          ///< Windows option type: "IPv4Address", "String", "DWord", ...
    std::string vendor_class;  ///< "" for standard options
};

/// Plugin DHCPOptionCodeDefinition (§1.4): one per code.
struct NetBoxOptionCode {
    ObjectId id = 0;
    int code = 0;
    std::string name;
    std::string data_type = "String";
    std::string vendor_class;
};

/// Plugin DHCPOptionValue (§1.5): a shared library row, many scopes link to one.
struct NetBoxOptionValue {
    ObjectId id = 0;
    ObjectId definition_id = 0;
    std::string value;
    std::string friendly_name;
};

/// Per-scope reads of an import. nullopt = the read failed (error says why).
struct ImportScopeData {
    std::optional<std::vector<DhcpOptionValue>> options;
    std::string options_error;
    std::optional<std::vector<DhcpExclusion>> exclusions;
    std::string exclusions_error;
};

struct ImportServerData {
    std::optional<std::vector<DhcpFailover>> failovers;
    std::string failovers_error;
    std::optional<std::vector<DhcpScope>> scopes;
    std::string scopes_error;
    std::map<std::uint32_t, ImportScopeData> scope_data;  ///< by scope_id.value
    /// Records the client skipped, by the list they came from (reported as errors of that category).
    std::vector<ReadProblem> failover_problems;
    std::vector<ReadProblem> scope_problems;
    std::vector<ReadProblem> option_problems;
    std::vector<ReadProblem> exclusion_problems;
};

/// NetBox's side of an import: the sync snapshot (servers, failovers, scopes, and the prefixes of every
/// existing scope and of every network the server reports) plus the option library.
struct ImportNetBox {
    NetBoxSnapshot snapshot;
    std::vector<NetBoxOptionCode> option_codes;
    std::vector<NetBoxOptionValue> option_values;
};

}  // namespace nds::engine
