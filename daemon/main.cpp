// netbox-dhcp-sync: keeps NetBox (netbox-windows-dhcp plugin) and Windows DHCP servers in agreement.
#include "daemon/check_command.hpp"
#include "daemon/cli.hpp"
#include "daemon/config.hpp"
#include "daemon/import_command.hpp"
#include "daemon/logger.hpp"
#include "daemon/service.hpp"
#include "daemon/sync_runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>
#include <memory>

namespace asio = boost::asio;
using namespace nds::daemon;
namespace coordination = nds::coordination;

namespace {

int usage_error(const std::string& message) {
    std::cerr << "netbox-dhcp-sync: " << message << "\n\n" << usage_text();
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto cli = parse_cli(args);
    if (!cli) return usage_error(cli.error().message);
    switch (cli->command) {
    case Command::help: std::cout << usage_text(); return 0;
    case Command::version: std::cout << "netbox-dhcp-sync " << NDS_VERSION << "\n"; return 0;
    default: break;
    }

    auto config = load_config(cli->config_path);
    if (!config) {
        std::cerr << "netbox-dhcp-sync: " << config.error().message << "\n";
        return 2;
    }
    if (config->netbox.token.empty()) {
        std::cerr << "netbox-dhcp-sync: config: netbox.token: is empty (set $NETBOX_TOKEN, netbox.token or netbox.token_file)\n";
        return 2;
    }
    auto level = cli->verbose && config->log.level > LogLevel::debug ? LogLevel::debug : config->log.level;
    Logger log(level, config->log.format, std::cerr);

    if (cli->command == Command::run) {
        // The service: schedule, job API, webhooks, metrics; until SIGTERM/SIGINT (daemon/service.hpp).
        Service service(cli->config_path, std::move(*config), log);
        return service.run();
    }

    asio::io_context io(1);
    int exit_code = 0;
    if (cli->command == Command::check) {
        asio::co_spawn(io, run_check(io.get_executor(), *config, log, std::cout),
                       [&](std::exception_ptr error, int code) {
                           if (error) std::rethrow_exception(error);
                           exit_code = code;
                       });
    } else if (cli->command == Command::import) {
        ImportRequest request;
        request.server = cli->servers.front();  // the parser requires exactly one --server
        request.dry_run = cli->dry_run;
        request.job_name = cli->dry_run ? "import (dry-run)" : "import";
        // The command must outlive this block: the coroutine runs in io.run() below. The handler owns it.
        auto command = std::make_shared<ImportCommand>(io.get_executor(), *config, log);
        asio::co_spawn(io, command->run(request), [&, command](std::exception_ptr error, ImportReport report) {
            if (error) std::rethrow_exception(error);
            std::cout << (cli->output_json ? report.to_json() : report.to_text(cli->verbose));
            exit_code = report.exit_code();
        });
    } else {
        RunRequest request;
        request.servers = cli->servers;
        request.dry_run = cli->dry_run;
        request.allow_mass_delete = cli->allow_mass_delete;
        request.job_name = cli->dry_run ? "sync (dry-run)" : "sync";
        // Run by hand or by a CronJob beside the service: a server another process syncs now is left to it
        // (reported as running elsewhere); a finished sync counts for the service's schedule.
        request.locking.synced_valid_for = recently_synced_window(config->sync.interval);
        // A lock can be lost mid-run: then every wave of NetBox writes is a point to stop at, as in the service.
        if (config->coordination.redis) request.waves_per_batch = 1;
        coordination::LockServiceOptions lock_options;
        lock_options.redis = config->coordination.redis;
        auto locks = coordination::make_server_lock_service(io.get_executor(), lock_options);
        if (!locks) {
            std::cerr << "netbox-dhcp-sync: coordination: " << locks.error().message << "\n";
            return 2;
        }
        // The runner and the locks must outlive this block: the coroutine runs in io.run() below.
        std::shared_ptr<coordination::ServerLockService> lock_service(std::move(*locks));
        auto runner = std::make_shared<SyncRunner>(io.get_executor(), *config, log);
        runner->coordinate_with(lock_service.get());
        asio::co_spawn(io, runner->run(request), [&, runner, lock_service](std::exception_ptr error, RunReport report) {
            if (error) std::rethrow_exception(error);
            std::cout << (cli->output_json ? report.to_json() : report.to_text(cli->verbose));
            exit_code = report.exit_code();
        });
    }
    try {
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "netbox-dhcp-sync: internal error: " << e.what() << "\n";
        return 1;
    }
    return exit_code;
}
