// Windows DHCP through the plugin's PowerShell Universal endpoint script, behind the DHCP backend seam
// (dhcp_backend/dhcp_backend.hpp). PsuClient holds the wire details; this adapter maps the seam's calls onto
// it and says what the script can do (docs/backends.md).
#pragma once

#include "dhcp_backend/dhcp_backend.hpp"
#include "psu_client/psu_client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace nds::psu {

std::unique_ptr<backend::DhcpBackend> make_psu_backend(boost::asio::any_io_executor executor, PsuOptions options);

}  // namespace nds::psu
