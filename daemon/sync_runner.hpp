// One sync run: read NetBox, health-check and read the DHCP servers, plan with the engine, apply (unless
// dry-run), and report. The order of calls into the engine is documented in sync_engine/sync_planner.hpp;
// this class only does the I/O around them and never decides what to change.
#pragma once

#include "daemon/client_options.hpp"
#include "daemon/config.hpp"
#include "daemon/logger.hpp"
#include "daemon/run_report.hpp"
#include "http/http_client.hpp"
#include "netbox_client/netbox_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace nds::daemon {

struct RunRequest {
    std::vector<std::string> servers;  ///< empty = all
    bool dry_run = false;
    bool allow_mass_delete = false;
    std::string token;                 ///< NetBox token to write with; empty = the configured service token
    std::string job_name = "sync";     ///< goes into every changelog_message
    /// Service mode: set when the service is stopping. The run finishes the write batch in flight and
    /// applies nothing after it (see PlanExecutor). nullptr = never stopped (the sync command).
    const std::atomic<bool>* stop = nullptr;
};

/// Told about every HTTP attempt of a run: target "netbox" or the DHCP server's name, the status (0 = no
/// response) and how long it took. For metrics.
using HttpObserver = std::function<void(const std::string& target, unsigned status, std::chrono::steady_clock::duration)>;

class SyncRunner {
public:
    SyncRunner(boost::asio::any_io_executor executor, const Config& config, Logger& log, HttpObserver observer = {});

    boost::asio::awaitable<RunReport> run(RunRequest request);

private:
    boost::asio::any_io_executor executor_;
    const Config& config_;
    Logger& log_;
    HttpObserver observer_;
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

}  // namespace nds::daemon
