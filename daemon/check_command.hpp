// `netbox-dhcp-sync check`: the config is valid, NetBox answers and accepts the token, the plugin is
// installed, whether the plugin's own sync job writes beside this daemon, and every DHCP server answers its
// health endpoint and accepts writes with its credentials. Prints one line per peer.
#pragma once

#include "daemon/backend_factory.hpp"
#include "daemon/config.hpp"
#include "daemon/logger.hpp"
#include "daemon/plugin_coexistence.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <iosfwd>
#include "sync_engine/netbox_snapshot.hpp"

namespace nds::daemon {

/// Returns the exit code: 0 all good, 1 a DHCP server failed, 3 NetBox unreachable or token rejected.
/// `backends` makes each server's backend (default: the configured ones, with at most one retry).
boost::asio::awaitable<int> run_check(boost::asio::any_io_executor executor, const Config& config, Logger& log,
                                      std::ostream& out, BackendFactory backends = {});

/// The DHCP-server half: one line per server of `snapshot`, its health through its backend.
boost::asio::awaitable<int> check_servers(const engine::NetBoxSnapshot& snapshot, const Config& config, Logger& log,
                                          std::ostream& out, const BackendFactory& backends);

/// Says what `coexistence` found: each warning in the log (with its id) and, when `out` is given, as
/// `check` lines. Shared by `check` and the service's start-up.
void report_plugin_coexistence(const PluginCoexistence& coexistence, Logger& log, std::ostream* out);

}  // namespace nds::daemon
