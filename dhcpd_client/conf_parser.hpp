// A dhcpd.conf (the backend's own or written by hand) read into the engine's terms: subnets become scopes
// (range = the span of their `range` statements, exclusions = the gaps), `host` declarations with a
// `hardware ethernet` and a `fixed-address` become reservations of the subnet holding the address, option
// statements become option values, `failover peer` declarations become failovers. Shared networks and
// groups are looked into; what the backend does not model is kept verbatim (subnet and pool statements,
// shared-network statements, hosts that are no reservation) or reported (includes, group parameters,
// top-level statements other than the globals). docs/dhcpd.md has the whole mapping. Pure.
#pragma once

#include "dhcpd_client/server_model.hpp"
#include "util/expected.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::dhcpd {

struct FailoverPeer {
    std::string name;
    bool primary = true;
    std::string address;        ///< this server's failover address
    std::string peer_address;
    int port = 647;
    int peer_port = 647;
    int max_response_delay = 30;
    int max_unacked_updates = 10;
    int load_balance_max_seconds = 3;
    std::optional<int> mclt;               ///< primary only
    std::optional<int> split;              ///< primary only: 128 load balance, 255 hot standby
    std::optional<int> auto_partner_down;  ///< NetBox's state_switchover_interval

    friend bool operator==(const FailoverPeer&, const FailoverPeer&) = default;
};

/// dhcpd's default-lease-time when a file sets none (dhcpd.conf(5)): 12 hours.
inline constexpr std::int64_t kDhcpdDefaultLeaseTime = 43200;

struct ParsedConfig {
    ServerModel model;
    std::vector<FailoverPeer> failover_peers;
    /// What could not be used or will not be kept, each naming the line; scope = the subnet it is in.
    std::vector<engine::ReadProblem> problems;
    /// Host declarations inside a subnet that could not become reservations, by scope_id.value (that
    /// scope's reservation list is incomplete).
    std::map<std::uint32_t, std::size_t> skipped_hosts;
    std::size_t skipped_subnets = 0;    ///< subnet declarations that could not be read
    std::vector<std::string> includes;  ///< files named by `include` (not read)
    bool written_by_backend = false;    ///< the header of this backend is there
    bool edited_by_hand = false;        ///< ... and its content hash no longer matches
};

/// errc::malformed naming the line when the file is not dhcpd.conf syntax.
Expected<ParsedConfig> parse_config(std::string_view text);

/// The engine's failover record of a peer declaration (import): primary_server = this server's address,
/// as PSU reports the queried server first; mode from split (255 = HotStandby).
engine::DhcpFailover to_failover(const FailoverPeer& peer, const ServerModel& model);

}  // namespace nds::dhcpd
