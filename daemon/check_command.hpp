// `netbox-dhcp-sync check`: the config is valid, NetBox answers and accepts the token, the plugin is
// installed, and every DHCP server answers its health endpoint. Prints one line per peer.
#pragma once

#include "daemon/config.hpp"
#include "daemon/logger.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <iosfwd>

namespace nds::daemon {

/// Returns the exit code: 0 all good, 1 a DHCP server failed, 3 NetBox unreachable or token rejected.
boost::asio::awaitable<int> run_check(boost::asio::any_io_executor executor, const Config& config, Logger& log,
                                      std::ostream& out);

}  // namespace nds::daemon
