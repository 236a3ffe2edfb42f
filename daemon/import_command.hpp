// `netbox-dhcp-sync import --server NAME`: the one-time pull of one server into the plugin's objects
// (the plugin's behaviour). Like SyncRunner, it only does the I/O around the engine: read NetBox (plugin
// objects, prefixes, option library) and the server (failovers, every scope, per-scope options and
// exclusions), call engine::plan_import, then apply the plan unless --dry-run and report per category.
#pragma once

#include "daemon/backend_factory.hpp"
#include "daemon/config.hpp"
#include "daemon/import_report.hpp"
#include "daemon/logger.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>

namespace nds::daemon {

struct ImportRequest {
    std::string server;            ///< NetBox DHCPServer name
    bool dry_run = false;
    std::string token;             ///< NetBox token to write with; empty = the configured service token
    std::string job_name = "import";  ///< goes into every changelog_message
};

class ImportCommand {
public:
    /// `backends` makes the server's DHCP backend (default: the configured one, make_backend_factory).
    ImportCommand(boost::asio::any_io_executor executor, const Config& config, Logger& log, BackendFactory backends = {});

    boost::asio::awaitable<ImportReport> run(ImportRequest request);

private:
    boost::asio::any_io_executor executor_;
    const Config& config_;
    Logger& log_;
    BackendFactory backends_;
};

}  // namespace nds::daemon
