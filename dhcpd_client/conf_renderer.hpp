// Renders a server's dhcpd.conf from the model: header, globals, free_lines, option definitions, failover
// peers, then one `subnet` per scope with its ranges (pool_ranges), router, lease times, options and host
// declarations. Deterministic: the same input gives the same bytes (scopes by address, hosts by address,
// options by code; no time). docs/dhcpd.md shows a rendered file. Pure.
#pragma once

#include "dhcp_backend/dhcp_backend.hpp"
#include "dhcpd_client/conf_parser.hpp"
#include "dhcpd_client/dhcpd_options.hpp"
#include "dhcpd_client/server_model.hpp"

#include <string>
#include <vector>

namespace nds::dhcpd {

struct RenderInput {
    const ServerModel* model = nullptr;
    std::vector<FailoverPeer> failover_peers;
    GlobalOptions globals;
    std::vector<std::string> free_lines;
    std::string server_name;
    std::string netbox_url;
};

struct Rendered {
    std::string text;
    /// What NetBox holds that the file cannot (an option dhcpd cannot express, a scope's failover without a
    /// peer declaration): left out of the file, each with the scope and the reason.
    std::vector<engine::Problem> problems;
};

Rendered render_config(const RenderInput& input);

/// The `failover peer` declarations of this server, from NetBox: one per failover of the context, this
/// server primary or secondary by the failover's primary_server_id, the partner's hostname as peer address,
/// timings from context.failover_settings (plugin defaults when missing), split 128 (LoadBalance) or 255
/// (HotStandby). Problems: a failover whose partner is missing from the context, or that asks for
/// authentication (dhcpd's failover protocol has none).
std::vector<FailoverPeer> failover_peers_for(const backend::ServerContext& context, const FailoverOptions& options,
                                             std::vector<engine::Problem>& problems);

/// A NetBox name as a dhcpd host name: lowercase letters, digits and '-'; "" becomes "host-<address>".
std::string host_identifier(std::string_view name, engine::Ipv4Address address);

}  // namespace nds::dhcpd
