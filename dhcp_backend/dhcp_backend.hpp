// One DHCP server as the sync sees it, whatever software runs it (in the spirit of Kea's LeaseMgr): the
// reads a run needs, the reads `import` needs, and one apply() that takes the server's whole ordered write
// list of a run, so that a backend can make it one transaction (Kea: config-get .. config-set; dhcpd: render,
// test, restart once) or send it request by request (PSU).
//
// Implementations live in the client folders (psu_client/, kea_client/, dhcpd_client/); the daemon builds
// them with daemon/backend_factory.hpp, keyed by `dhcp_servers.<name>.backend`. Nothing here knows a wire
// format. Every read returns engine types, already normalised at the edge (client ids by
// sync_engine/client_id.hpp); a read that failed is an Error, never an empty list; a record that cannot be
// used is skipped and reported in the list's `problems`.
#pragma once

#include "sync_engine/backend_capabilities.hpp"
#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/import_inputs.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"
#include "sync_engine/sync_planner.hpp"
#include "util/expected.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nds::backend {

template <class T>
using Awaitable = boost::asio::awaitable<T>;

struct BackendHealth {
    std::string software;               ///< "PSU endpoint script", "ISC Kea dhcp4", "ISC dhcpd"
    std::string version;                ///< as the server reports it ("1.0.2", "2.2.0"); "" when unknown
    std::vector<std::string> warnings;  ///< said once per run (e.g. an unknown script version)
};

/// What read_scope() brought back for one scope: each list nullopt when its read failed (data.error says
/// why), plus the records it skipped.
struct ScopeRead {
    engine::DhcpScopeData data;
    std::vector<engine::ReadProblem> problems;
};

enum class WriteStatus { applied, failed, skipped };

struct WriteOutcome {
    WriteStatus status = WriteStatus::skipped;  ///< skipped: not attempted because the run was stopped
    std::string error;  ///< failed: the server's message; skipped: why it was not attempted
};

/// One outcome per write, in the order given to apply(), plus what happened to the run's transaction as a
/// whole (a refused config test, a rollback, the steps of a dhcpd push with exit codes and output).
struct ApplyResult {
    std::vector<WriteOutcome> outcomes;
    std::vector<engine::Problem> problems;
};

/// NetBox's view of the server, given to the backend when it is made: a backend that renders its whole
/// configuration from NetBox (dhcpd) needs the failovers and partners, not only the differences.
struct ServerContext {
    engine::NetBoxServer server;
    std::vector<engine::NetBoxFailover> failovers;  ///< failover relationships this server belongs to
    std::vector<engine::NetBoxServer> partners;     ///< the other server of each of those failovers

    // Added for dhcpd (docs/dhcpd.md "What the runner passes"); other backends may ignore them.
    std::string netbox_url;  ///< NetBox's base URL (netbox.url), named in the header of a rendered file
    /// NetBox's option values of each of the server's scopes, by scope_id.value (the network address): one
    /// entry (maybe empty) per NetBox scope of the server. code = the definition's code, name = its name,
    /// value = DHCPOptionValue.value (one string, "8.8.8.8, 8.8.4.4"), type = the definition's data_type,
    /// vendor_class = the definition's vendor class. nullopt: not read; the server's option statements stay.
    std::optional<std::map<std::uint32_t, std::vector<engine::DhcpOptionValue>>> scope_options;
    /// The timing fields of each failover in `failovers`, by name: max_client_lead_time, max_response_delay,
    /// state_switchover_interval, enable_auth (NetBoxFailover does not carry them). A failover missing here
    /// gets the plugin's defaults (3600 s, 30 s, none).
    std::vector<engine::DhcpFailover> failover_settings;
};

class DhcpBackend {
public:
    virtual ~DhcpBackend() = default;

    /// The NetBox DHCPServer name, for messages.
    virtual const std::string& server_name() const = 0;
    /// Where the server is reached, for people ("https://dhcp01.example.com:443", "ssh://dhcp@192.0.2.10:22").
    virtual std::string endpoint() const = 0;

    /// Reachable and usable, with the server's software and version. Called first in every run.
    virtual Awaitable<Expected<BackendHealth>> health() = 0;
    /// `check`: that the credentials may also write, without writing. The text says what was verified ("the
    /// App Token may write (POST /health)"); "" when health() already proves it (the backend writes with the
    /// access it reads with).
    virtual Awaitable<Expected<std::string>> check_write_access() { co_return std::string(); }
    /// What this server can do; valid after health() (a PSU script version decides some of it).
    virtual engine::BackendCapabilities capabilities() const = 0;

    /// The server's scopes (active_only: only active ones, where the server knows the difference).
    virtual Awaitable<Expected<engine::ParsedList<engine::DhcpScope>>> list_scopes(bool active_only) = 0;
    /// The lists `request` asks for, of one scope that list_scopes() returned.
    virtual Awaitable<ScopeRead> read_scope(engine::ScopeReadRequest request) = 0;
    /// Every reservation of the server, all scopes (the client-id check of reservation_writes_by_client_id).
    virtual Awaitable<Expected<engine::ParsedList<engine::DhcpReservation>>> list_all_reservations() = 0;

    // ---- import ----
    virtual Awaitable<Expected<engine::ParsedList<engine::DhcpFailover>>> list_failovers() = 0;
    virtual Awaitable<Expected<engine::ParsedList<engine::DhcpOptionValue>>> list_scope_options(
        engine::Ipv4Address scope_id) = 0;

    /// Applies the run's writes for this server, in order, and reports each. Honours the calling coroutine's
    /// cancellation: partial cancellation (the service is stopping) lets the write or transaction in flight
    /// finish and reports every later write as skipped; terminal cancellation stops at once (a transaction
    /// then rolls back as far as it can). Called once per run with all of that run's writes; with an empty list
    /// only for a backend whose configuration comes from NetBox (capabilities().config_from_netbox), so that a
    /// change NetBox holds outside the writes (a dhcpd server's globals, option values) still reaches it.
    virtual Awaitable<ApplyResult> apply(std::vector<engine::DhcpWrite> writes) = 0;

    /// --dry-run: what apply() would change, as text for people (dhcpd: the unified diff of the rendered
    /// file). "" when the plan's list of actions says it all. Writes nothing.
    virtual Awaitable<Expected<std::string>> preview(std::vector<engine::DhcpWrite> writes) = 0;
};

}  // namespace nds::backend
