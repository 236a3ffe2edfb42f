// dhcpd.leases (dhcpd.leases(5)) read into the engine's leases. dhcpd appends a new `lease` block at every
// change, so the last block of an address wins; a lease counts when its binding state is active and its
// `ends` has not passed (`ends never` never passes). free, expired, released, backup and abandoned leases do
// not count. Every other statement (uid, set, on ... { }, tstp, cltt, failover state blocks, server-duid,
// authoring-byte-order, OMAPI host declarations) is skipped. A cut-off last block (dhcpd writing while the
// file is read) is ignored. Pure and fast: bench/bench_dhcpd_leases.cpp measures it.
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::dhcpd {

struct LeaseFile {
    std::vector<engine::DhcpLease> active;  ///< sorted by address; client ids normalised MACs
    std::size_t blocks = 0;                 ///< lease blocks read
    std::size_t addresses = 0;              ///< distinct addresses
    std::size_t malformed = 0;              ///< blocks skipped (bad address, bad date)
    std::vector<std::string> problems;      ///< the first few malformed blocks, each naming its line
};

/// `now` is seconds since the epoch (UTC): a lease whose `ends` is before it has expired. Up to 4 GiB of text.
LeaseFile parse_leases(std::string_view text, std::int64_t now);

/// dhcpd's "W YYYY/MM/DD HH:MM:SS" (UTC) as seconds since the epoch; nullopt when malformed.
std::optional<std::int64_t> parse_lease_time(std::string_view text);
/// Seconds since the epoch as the engine's lease_expiry "2026-11-23T07:42:45Z".
std::string format_expiry(std::int64_t epoch);

}  // namespace nds::dhcpd
