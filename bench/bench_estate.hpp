// Synthetic DHCP estates for the benchmark: N Windows DHCP servers, some of them in failover pairs, each the
// primary of `scopes_per_server` /24 scopes holding `leases_per_scope` leases (a few of them reserved).
//
// A failover pair (a, b) has two relationships, FO-a-b (primary a) and FO-b-a (primary b), as Windows
// load-balance pairs usually do: both partners hold both relationships' scopes and leases (replication), and
// each syncs only the scopes it is primary of. So every server syncs `scopes_per_server` scopes and the estate
// has servers × scopes × leases distinct IPs, while a paired server's PSU reports twice as many scopes.
//
// The estate also knows its "churn" variant: 1 % of the leases changed (new hostname), 1 % gone, 1 % new.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nds::bench {

struct EstateSpec {
    std::string name;                 ///< "S", "L", "XL"
    int servers = 2;
    int pairs = 1;                    ///< failover pairs among the first 2*pairs servers
    int scopes_per_server = 20;       ///< scopes each server is primary of (and syncs)
    int leases_per_scope = 100;
    int reservations_per_scope = 5;   ///< the first leases of a scope also have a reservation
};

/// Counts the bounds are computed from.
struct EstateCounts {
    long servers = 0;
    long failovers = 0;
    long scopes = 0;          ///< distinct scopes (= prefixes = exclusion ranges, one per scope)
    long ips = 0;             ///< distinct IPs NetBox holds after a full sync
    long churn_updates = 0;   ///< leases whose hostname changed
    long churn_deletes = 0;   ///< leases gone
    long churn_creates = 0;   ///< new leases
    std::vector<long> synced_scopes_per_server;  ///< scopes each server syncs (3 PSU reads each)
};

class Estate {
public:
    explicit Estate(EstateSpec spec);

    const EstateSpec& spec() const { return spec_; }
    EstateCounts counts() const;

    std::string server_name(int index) const;

    /// NetBox seed of a "cold" NetBox: the user, the maintenance tag, the plugin's servers (pointing at the
    /// PSU simulators' ports) and failovers — no prefixes, scopes, exclusion ranges or IP addresses.
    boost::json::value netbox_structure_seed(const std::vector<std::uint16_t>& psu_ports) const;

    /// PSU seeds of one server, in chunks of at most `scopes_per_chunk` scopes (with their leases,
    /// reservations and exclusions). `churned` selects the churn variant.
    std::vector<boost::json::value> psu_seed_chunks(int server, bool churned, int scopes_per_chunk = 250) const;

private:
    struct ScopeRef {
        long global_index;   ///< 0.. over the whole estate: picks the network
        int primary;         ///< server index
        std::string failover;  ///< "" for standalone
    };
    std::vector<ScopeRef> scopes_of(int server) const;  ///< every scope this server's PSU holds
    int partner(int server) const;                      ///< -1 when standalone

    EstateSpec spec_;
};

inline constexpr const char* kBenchNetBoxToken = "0123456789abcdef0123456789abcdef01234567";
inline constexpr const char* kBenchPsuToken = "psu-bench-token";

}  // namespace nds::bench
