// How the configuration turns into NetBox client options (one place, so that sync, import, check and the
// service talk to NetBox with the same timeouts, TLS and tokens). DHCP backends: daemon/backend_factory.hpp.
#pragma once

#include "daemon/config.hpp"
#include "http/http_client.hpp"
#include "netbox_client/netbox_client.hpp"
#include "sync_engine/netbox_snapshot.hpp"

#include <string>

namespace nds::daemon {

/// HTTP client options for NetBox from the config (timeouts, TLS).
http::ClientOptions netbox_http_options(const NetBoxConfig& config);

/// NetBox client options; an empty `token` means the configured service token.
netbox::NetBoxOptions netbox_client_options(const Config& config, const std::string& token);

/// "2026-11-25T23:10:00Z", for changelog messages.
std::string utc_timestamp();

}  // namespace nds::daemon
