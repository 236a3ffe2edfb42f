#include "daemon/check_command.hpp"

#include "daemon/backend_factory.hpp"
#include "daemon/client_options.hpp"
#include "daemon/log_messages.hpp"
#include "daemon/plugin_coexistence.hpp"
#include "daemon/sync_runner.hpp"
#include "netbox_client/netbox_client.hpp"

#include <algorithm>
#include <ostream>

namespace nds::daemon {

namespace asio = boost::asio;

asio::awaitable<int> run_check(asio::any_io_executor executor, const Config& config, Logger& log, std::ostream& out,
                               BackendFactory backends) {
    auto options = netbox_client_options(config, "");
    options.http.max_retries = std::min(options.http.max_retries, 1);
    if (!config.netbox.verify_tls)
        log.warning(msg::TLS_VERIFY_OFF, "TLS verification of NetBox is off (netbox.verify_tls: false)");
    netbox::NetBoxClient netbox(executor, options);

    auto status = co_await netbox.status();
    if (!status) {
        out << "netbox " << config.netbox.url << ": FAILED " << status.error().message << "\n";
        co_return 3;
    }
    out << "netbox " << config.netbox.url << ": ok (NetBox " << status->netbox_version << ")\n";
    auto user = co_await netbox.authenticated_user();
    if (!user) {
        out << "netbox token: FAILED " << user.error().message << "\n";
        co_return 3;
    }
    out << "netbox token: ok (user " << *user << ")\n";
    if (!status->plugin_installed) {
        out << "netbox-windows-dhcp plugin: FAILED not installed\n";
        co_return 3;
    }
    out << "netbox-windows-dhcp plugin: ok (" << status->plugin_version << ")\n";
    auto snapshot = co_await read_netbox_objects(netbox);
    if (!snapshot) {
        out << "plugin servers: FAILED " << snapshot.error().message << "\n";
        co_return 3;
    }
    report_plugin_coexistence(assess_plugin_coexistence(co_await netbox.plugin_sync_jobs(), *snapshot,
                                                        config.sync.settings),
                              log, &out);
    if (!backends) {
        // One retry at most: check answers quickly when a server is down.
        Config quick = config;
        for (auto& [name, server] : quick.dhcp_servers) server.max_retries = std::min(server.max_retries, 1);
        backends = make_backend_factory(executor, quick);
        co_return co_await check_servers(*snapshot, quick, log, out, backends);
    }
    co_return co_await check_servers(*snapshot, config, log, out, backends);
}

void report_plugin_coexistence(const PluginCoexistence& coexistence, Logger& log, std::ostream* out) {
    if (out) *out << "plugin sync job: " << coexistence.summary << "\n";
    for (const auto& warning : coexistence.warnings) {
        if (out) *out << "  warning: " << warning.text << "\n";
        log.warning(warning.id, warning.text);
    }
}

asio::awaitable<int> check_servers(const engine::NetBoxSnapshot& snapshot, const Config& config, Logger& log,
                                   std::ostream& out, const BackendFactory& backends) {
    int exit_code = 0;
    for (const auto& server : snapshot.servers) {
        for (const auto& warning : backend_config_warnings(server, config))
            log.warning(msg::TLS_VERIFY_OFF, warning, {{"server", server.name}});
        auto backend = backends(server_context(snapshot, server));
        auto health = co_await backend->health();
        out << "dhcp server " << server.name << " (" << backend->endpoint() << "): ";
        bool ok = static_cast<bool>(health);
        if (health) {
            out << "ok (" << health->software << " " << (health->version.empty() ? "version unknown" : health->version) << ")\n";
            for (const auto& warning : health->warnings) out << "  warning: " << warning << "\n";
            auto writable = co_await backend->check_write_access();
            if (!writable) {
                out << "  write access: FAILED " << writable.error().message << "\n";
                ok = false;
            } else if (!writable->empty()) {
                out << "  write access: ok (" << *writable << ")\n";
            }
        } else {
            out << "FAILED " << health.error().message << "\n";
        }
        if (!ok) exit_code = 1;
        log.log(ok ? LogLevel::info : LogLevel::error, msg::CHECK_RESULT, ok ? "ok" : "failed", {{"server", server.name}});
    }
    co_return exit_code;
}

}  // namespace nds::daemon
