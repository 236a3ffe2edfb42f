// Kea's control channel, sans I/O: the JSON of every command this backend sends and the parsing of every
// answer, with Kea's result codes. Nothing here opens a socket; tests/kea/test_kea_commands.cpp covers it.
//
// One command is one HTTP POST of {"command": ..., "service": ["dhcp4"], "arguments": {...}} with
// `Content-Type: application/json` (exactly: Kea 2.2's Control Agent answers 400 to "application/json;
// charset=utf-8"). "service" is left out for Kea >= 2.7's own HTTP control socket. The answer is a JSON
// array with one element per service, each {"result": N, "text": ..., "arguments": ...}:
//   0 success, 1 error, 2 command not supported (hook not loaded), 3 empty ("no results", for reads)
// The Control Agent's own refusals (400 Bad Request, 401 Unauthorized) are a single object with an HTTP
// error status. Anything else (not JSON, not an array, no integer result) is errc::malformed, naming the
// command.
#pragma once

#include "sync_engine/ipv4.hpp"
#include "util/expected.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace nds::kea {

namespace json = boost::json;

enum class KeaResult : int { success = 0, error = 1, unsupported = 2, empty = 3 };

/// Which server and command an answer belongs to, for messages: "kea01: lease4-get-page (http://...)".
struct CommandContext {
    std::string server;
    std::string command;
    std::string endpoint;  ///< the URL the command went to
    std::string what() const;
};

/// The request body. `service` "" leaves the "service" member out.
std::string command_body(std::string_view command, std::string_view service, const json::object* arguments = nullptr);

/// "Basic <base64(user:password)>" for the Authorization header.
std::string basic_authorization(std::string_view user, std::string_view password);

struct KeaAnswer {
    int result = 0;
    std::string text;
    json::value arguments;  ///< null when the answer has none
};

/// One command's HTTP answer. A non-2xx status is errc::http_status (401: errc::authentication) with the
/// Control Agent's text; a body that is not Kea's answer array is errc::malformed.
Expected<KeaAnswer> parse_answer(const CommandContext& context, unsigned http_status, std::string_view body);

/// The arguments of a successful answer. Result 3 ("empty") is a success when `empty_ok` (a read that found
/// nothing), else errc::not_found. Result 1 is errc::refused, 2 errc::unsupported, others errc::malformed;
/// the message carries Kea's text.
Expected<json::value> expect_result(const CommandContext& context, const KeaAnswer& answer, bool empty_ok);

// ---- list-commands, version-get, status-get ------------------------------------------------------------

/// The commands the daemon answers (its own and those of its loaded hooks).
Expected<std::set<std::string>> parse_command_list(const CommandContext& context, const json::value& arguments);

struct HaLocalStatus {
    std::string mode;   ///< "load-balancing", "hot-standby", "passive-backup"
    std::string role;   ///< this server's role
    std::string state;  ///< this server's HA state ("hot-standby", "partner-down", "waiting", ...)
    std::string remote_role;
    std::string remote_last_state;  ///< "" when never in touch
    bool remote_in_touch = false;
    bool communication_interrupted = false;
    bool has_remote = false;
};

/// The HA part of status-get's answer (empty without the ha hook).
Expected<std::vector<HaLocalStatus>> parse_ha_status(const CommandContext& context, const json::value& arguments);

/// What the HA state says about the pair, one line each, for BackendHealth::warnings: partner down,
/// communication interrupted, terminated, maintenance. Nothing for the normal states and for the
/// transitional ones every restart and config-set goes through (waiting, syncing, ready).
std::vector<std::string> ha_warnings(const std::string& server, const std::vector<HaLocalStatus>& relationships);

/// True when this server reports its partner as down (local state "partner-down"), or cannot reach it
/// (communication interrupted).
bool partner_down(const std::vector<HaLocalStatus>& relationships);

// ---- leases (lease_cmds hook) --------------------------------------------------------------------------

/// One lease as lease4-get-page / lease4-get-all return it.
struct KeaLease {
    engine::Ipv4Address ip;
    std::int64_t subnet_id = 0;
    int state = 0;            ///< 0 default (a lease), 1 declined, 2 expired-reclaimed
    std::string client_id;    ///< hw-address normalised (sync_engine/client_id.hpp); else client-id
    std::string hostname;
    std::string expiry;       ///< cltt + valid-lft as "2026-12-01T00:00:00Z"; "" when unknown
};

/// A lease record that could not be used, with its subnet when the record names one.
struct LeaseProblem {
    std::optional<std::int64_t> subnet_id;
    std::string what;
};

struct LeaseBatch {
    std::vector<KeaLease> leases;                   ///< every usable record, whatever its state
    std::size_t records = 0;                        ///< records in the answer, usable or not
    std::optional<engine::Ipv4Address> last_address;  ///< of the last record: where the next page starts
    std::vector<LeaseProblem> problems;             ///< records that could not be used
};

/// {"from": "start" | "<address>", "limit": N}
json::object lease_page_arguments(std::optional<engine::Ipv4Address> from, std::size_t limit);
/// {"subnets": [id]}
json::object lease_get_all_arguments(std::int64_t subnet_id);
/// The "leases" list of a lease4-get-page or lease4-get-all answer (arguments null after result 3: none).
Expected<LeaseBatch> parse_leases(const CommandContext& context, const json::value& arguments);

// ---- host reservations (host_cmds hook, where it is loaded) --------------------------------------------

struct HostPageCursor {
    std::int64_t from = 0;
    std::int64_t source_index = 0;
    friend bool operator==(const HostPageCursor&, const HostPageCursor&) = default;
};

struct HostPage {
    std::vector<json::object> hosts;  ///< reservations, in the same shape as a subnet's "reservations"
    std::optional<HostPageCursor> next;  ///< nullopt on the last page
};

/// {"subnet-id": id, "limit": N[, "from": f, "source-index": s]}
json::object reservation_get_page_arguments(std::int64_t subnet_id, std::size_t limit,
                                            std::optional<HostPageCursor> next);
Expected<HostPage> parse_host_page(const CommandContext& context, const json::value& arguments);
/// {"reservation": {<reservation>, "subnet-id": id}}
json::object reservation_add_arguments(std::int64_t subnet_id, const json::object& reservation);
/// {"subnet-id": id, "identifier-type": "hw-address", "identifier": "aa:bb:..."}
json::object reservation_del_arguments(std::int64_t subnet_id, std::string_view identifier_type,
                                       std::string_view identifier);

}  // namespace nds::kea
