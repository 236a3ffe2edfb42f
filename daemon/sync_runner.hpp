// One sync run: read NetBox, health-check and read the DHCP servers, plan with the engine, apply (unless
// dry-run), and report. The order of calls into the engine is documented in sync_engine/sync_planner.hpp;
// this class only does the I/O around them and never decides what to change.
//
// Stopping: a run honours the cancellation of the coroutine that awaits run() (util/cancellation.hpp):
// partial cancellation finishes the write batch in flight and applies nothing after it (report.stopped);
// terminal cancellation aborts what is in flight.
#pragma once

#include "daemon/backend_factory.hpp"
#include "daemon/config.hpp"
#include "daemon/logger.hpp"
#include "daemon/run_locks.hpp"
#include "daemon/run_report.hpp"
#include "netbox_client/netbox_client.hpp"
#include "sync_engine/import_inputs.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

namespace nds::daemon {

struct RunRequest {
    std::vector<std::string> servers;  ///< empty = all
    bool dry_run = false;
    bool allow_mass_delete = false;
    std::string token;                 ///< NetBox token to write with; empty = the configured service token
    std::string job_name = "sync";     ///< goes into every changelog_message
    /// Waves of NetBox write requests (page_size x max_concurrent_writes objects each) between two checks for
    /// a stop: the service checks after every wave; the sync command, which nobody stops, sends 8 at a time
    /// (fewer pauses; the client still holds only one slice of objects).
    std::size_t waves_per_batch = 8;
    /// With shared locks (coordinate_with): what to do about servers another process is syncing.
    LockPolicy locking;
};

class SyncRunner {
public:
    /// `backends` makes each server's DHCP backend (default: the configured ones, make_backend_factory).
    SyncRunner(boost::asio::any_io_executor executor, const Config& config, Logger& log, HttpObserver observer = {},
               BackendFactory backends = {});

    boost::asio::awaitable<RunReport> run(RunRequest request);

    /// Runs that write take per-server locks from `locks` first when they are shared with other processes
    /// (docs/coordination.md); in-process locks, or none, change nothing (the job queue already keeps one job
    /// per server). `locks` must outlive the runner's runs.
    void coordinate_with(coordination::ServerLockService* locks) { locks_ = locks; }

private:
    class Run;  // one run's state and phases (sync_runner.cpp)

    /// run() under the locks: the plugin's servers and failovers are read to know which servers go together,
    /// the locks taken, then the run proper reads everything again under them and stops before its next
    /// write batch if a lock is lost.
    boost::asio::awaitable<RunReport> run_locked(RunRequest request);

    boost::asio::any_io_executor executor_;
    const Config& config_;
    Logger& log_;
    HttpObserver observer_;
    BackendFactory backends_;
    coordination::ServerLockService* locks_ = nullptr;
};

/// The plugin's servers, failovers and scopes and the prefixes they use (everything but IP addresses):
/// what the engine needs to decide which servers a change concerns. The two halves below, in order.
boost::asio::awaitable<Expected<engine::NetBoxSnapshot>> read_netbox_structure(netbox::NetBoxClient& netbox,
                                                                              const engine::SyncSettings& settings);
/// The plugin's servers, failovers and scopes.
boost::asio::awaitable<Expected<engine::NetBoxSnapshot>> read_netbox_objects(netbox::NetBoxClient& netbox);
/// Adds the prefixes of the snapshot's scopes and the prefixes carrying the protect tag; the error of the
/// first read that failed.
boost::asio::awaitable<std::optional<Error>> read_netbox_prefixes(netbox::NetBoxClient& netbox,
                                                                  const engine::SyncSettings& settings,
                                                                  engine::NetBoxSnapshot& snapshot);

/// NetBox's option library, for backends that render scopes' options (dhcpd).
struct OptionLibrary {
    std::vector<engine::NetBoxOptionCode> codes;
    std::vector<engine::NetBoxOptionValue> values;
};

/// NetBox's view of one server for its backend: the server, its failovers (with their timing) and their
/// partners, NetBox's URL, and, when `options` is given, the option values of each of its scopes.
backend::ServerContext server_context(const engine::NetBoxSnapshot& snapshot, const engine::NetBoxServer& server,
                                      const std::string& netbox_url = "", const OptionLibrary* options = nullptr);

}  // namespace nds::daemon
