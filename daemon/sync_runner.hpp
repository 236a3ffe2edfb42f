// One sync run: read NetBox, health-check and read the DHCP servers, plan with the engine, apply (unless
// dry-run), and report. The order of calls into the engine is documented in sync_engine/sync_planner.hpp;
// this class only does the I/O around them and never decides what to change.
#pragma once

#include "daemon/config.hpp"
#include "daemon/logger.hpp"
#include "daemon/run_report.hpp"
#include "http/http_client.hpp"

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
};

class SyncRunner {
public:
    SyncRunner(boost::asio::any_io_executor executor, const Config& config, Logger& log);

    boost::asio::awaitable<RunReport> run(RunRequest request);

private:
    boost::asio::any_io_executor executor_;
    const Config& config_;
    Logger& log_;
};

/// HTTP client options for NetBox from the config (timeouts, TLS).
http::ClientOptions netbox_http_options(const NetBoxConfig& config);

}  // namespace nds::daemon
