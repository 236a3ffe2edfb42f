// How the configuration turns into client options for NetBox and for one DHCP server. One place, so that
// sync, import, check and the service talk to the outside with the same timeouts, TLS and tokens.
#pragma once

#include "daemon/config.hpp"
#include "http/http_client.hpp"
#include "netbox_client/netbox_client.hpp"
#include "psu_client/psu_client.hpp"
#include "sync_engine/netbox_snapshot.hpp"

#include <string>

namespace nds::daemon {

/// HTTP client options for NetBox from the config (timeouts, TLS).
http::ClientOptions netbox_http_options(const NetBoxConfig& config);

/// NetBox client options; an empty `token` means the configured service token.
netbox::NetBoxOptions netbox_client_options(const Config& config, const std::string& token);

/// PSU client options for a DHCP server as NetBox describes it (scheme, host, port, verify_ssl) and as the
/// config's dhcp_servers entry (or default) sets token, CA and timeout. TLS is verified unless either the
/// config or NetBox's verify_ssl turns it off.
psu::PsuOptions psu_client_options(const engine::NetBoxServer& server, const Config& config);

/// "2026-11-25T23:10:00Z", for changelog messages.
std::string utc_timestamp();

}  // namespace nds::daemon
