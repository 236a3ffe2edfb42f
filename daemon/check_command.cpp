#include "daemon/check_command.hpp"

#include "daemon/log_messages.hpp"
#include "daemon/client_options.hpp"
#include "netbox_client/netbox_client.hpp"
#include "psu_client/psu_client.hpp"

#include <algorithm>
#include <ostream>

namespace nds::daemon {

namespace asio = boost::asio;

asio::awaitable<int> run_check(asio::any_io_executor executor, const Config& config, Logger& log, std::ostream& out) {
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
    auto servers = co_await netbox.list_servers();
    if (!servers) {
        out << "plugin servers: FAILED " << servers.error().message << "\n";
        co_return 3;
    }
    int exit_code = 0;
    for (const auto& server : *servers) {
        auto psu_options = psu_client_options(server, config);
        psu_options.http.max_retries = std::min(psu_options.http.max_retries, 1);
        if (!psu_options.http.verify_tls && server.use_https)
            log.warning(msg::TLS_VERIFY_OFF, "TLS verification of DHCP server is off", {{"server", server.name}});
        psu::PsuClient client(executor, psu_options);
        auto health = co_await client.health();
        if (health) {
            out << "dhcp server " << server.name << " (" << psu_options.base_url << "): ok (PSU script "
                << (health->version.empty() ? "unknown" : health->version) << ")\n";
        } else {
            out << "dhcp server " << server.name << " (" << psu_options.base_url << "): FAILED "
                << health.error().message << "\n";
            exit_code = 1;
        }
        log.log(health ? LogLevel::info : LogLevel::error, msg::CHECK_RESULT, health ? "ok" : "failed",
                {{"server", server.name}});
    }
    co_return exit_code;
}

}  // namespace nds::daemon
