// PSU JSON <-> engine types, without I/O (the plugin's behaviour).
//
// Tolerance rules, because PowerShell's ConvertTo-Json is loose and old script versions differ:
//   - a list body may be null (-> empty list), a lone object (-> one-element list) or an array;
//     anything else (a string, a number, malformed JSON, an HTML error page) is an Error naming the server
//     and the endpoint;
//   - every field is read snake_case first, then its PascalCase fallback (PSU script 1.0.2 emits only
//     snake_case; older scripts and hand-made endpoints emit the cmdlet's property names);
//   - a record that cannot be used (missing or invalid IP, bad scope id, a value of the wrong type) is
//     skipped and reported as a ReadProblem with server, scope and the offending value; the rest of the
//     list is kept;
//   - client ids are normalised here (MACs to aa-bb-cc-dd-ee-ff), once, at the edge.
// One exception to "skip the record": a scope whose `state` is not Active/InActive is kept as active and
// reported. A scope that vanished from the list would look deleted on the server, which is a far larger
// consequence than syncing a scope whose state we could not read.
#pragma once

#include "util/expected.hpp"
#include "psu_client/psu_types.hpp"
#include "sync_engine/dhcp_snapshot.hpp"

#include <string>
#include <string_view>

namespace nds::psu::json_codec {

/// Names a response in messages: server, endpoint ("GET /api/dhcp/leases?scope_id=10.0.1.0") and the scope
/// the list belongs to ("" for server-wide lists).
struct Source {
    std::string server;
    std::string endpoint;
    std::string scope;
};

Expected<ParsedList<engine::DhcpScope>> parse_scopes(std::string_view body, const Source& source);
Expected<ParsedList<engine::DhcpLease>> parse_leases(std::string_view body, const Source& source);
Expected<ParsedList<engine::DhcpReservation>> parse_reservations(std::string_view body, const Source& source);
Expected<ParsedList<engine::DhcpExclusion>> parse_exclusions(std::string_view body, const Source& source);
Expected<ParsedList<Failover>> parse_failovers(std::string_view body, const Source& source);
Expected<ParsedList<OptionValue>> parse_options(std::string_view body, const Source& source);
Expected<Health> parse_health(std::string_view body, const Source& source);

/// Checks that a 2xx body (other than 204) is JSON; PSU write endpoints answer with the written object.
Expected<Done> check_json(std::string_view body, const Source& source);

// ---- request bodies (§3.5) ----
/// POST /scopes. No router -> the key is left out (the script only sets option 3 when given one).
std::string scope_create_body(const engine::DhcpScope& scope);
/// PUT /scopes/<id>. No router -> "" (the script removes option 3).
std::string scope_update_body(const engine::DhcpScope& scope);
std::string reservation_create_body(engine::Ipv4Address scope_id, const engine::DhcpReservation& reservation);
std::string reservation_update_body(const engine::DhcpReservation& reservation);
/// POST /exclusions and the body of DELETE /exclusions.
std::string exclusion_body(engine::Ipv4Address scope_id, const engine::DhcpExclusion& exclusion);

}  // namespace nds::psu::json_codec
