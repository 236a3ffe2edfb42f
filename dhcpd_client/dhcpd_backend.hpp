// The ISC dhcpd backend behind the DHCP backend seam (dhcp_backend/dhcp_backend.hpp): the server's
// dhcpd.conf is rendered from NetBox, pushed over SSH, tested, restarted and backed out on failure; its lease
// file is read back. docs/dhcpd.md describes the design and the mapping. This header is light on purpose:
// Asio and libssh stay in dhcpd_client/*.cpp.
#pragma once

#include "dhcp_backend/dhcp_backend.hpp"
#include "dhcpd_client/dhcpd_options.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace nds::dhcpd {

/// Every call runs its SSH work on a thread of the backend's own; results come back on `executor`.
/// `options` should have passed validate(); `context` is NetBox's view of the server.
std::unique_ptr<backend::DhcpBackend> make_dhcpd_backend(boost::asio::any_io_executor executor, DhcpdOptions options,
                                                         backend::ServerContext context);

}  // namespace nds::dhcpd
