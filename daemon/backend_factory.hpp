// Makes the DHCP backend of a server from `dhcp_servers.<name>.backend` (psu | kea | dhcpd), in the spirit of
// Kea's LeaseMgrFactory: the one place that knows the backend implementations. Everything else in the daemon
// sees backend::DhcpBackend only.
#pragma once

#include "daemon/config.hpp"
#include "dhcp_backend/dhcp_backend.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nds::daemon {

/// Told about every HTTP attempt of a run: target "netbox" or the DHCP server's name, the status (0 = no
/// response) and how long it took. For metrics.
using HttpObserver =
    std::function<void(const std::string& target, unsigned status, std::chrono::steady_clock::duration)>;

/// Makes the backend of one server. A test passes its own (tests/support/fake_backend.hpp).
using BackendFactory = std::function<std::unique_ptr<backend::DhcpBackend>(const backend::ServerContext&)>;

/// The production factory: the configured backend of each server, its HTTP attempts told to `observer`.
BackendFactory make_backend_factory(boost::asio::any_io_executor executor, const Config& config,
                                    HttpObserver observer = {});

/// Whether the server's backend renders the scopes' option values from NetBox's option library (dhcpd):
/// the run then reads the library and hands it over in the server's context.
bool backend_renders_options(const engine::NetBoxServer& server, const Config& config);

/// Warnings a server's configuration deserves whenever it is used (TLS verification turned off).
std::vector<std::string> backend_config_warnings(const engine::NetBoxServer& server, const Config& config);

}  // namespace nds::daemon
