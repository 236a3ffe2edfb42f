// Lower bounds for one sync run: the fewest requests that can do the job given the page size and what
// changed, and the wall time those requests need at the configured concurrency with the simulators' costs.
//
// Request bounds (page = netbox.page_size):
//   NetBox reads  = servers + failovers + scopes + prefixes + managed-tag lookup + IP addresses, each
//                   max(1, ceil(objects / page)) (an empty collection still costs one request)
//   NetBox writes = per kind ceil(changed / page): cold = tag + prefixes + scopes + exclusion ranges + IPs;
//                   churn = IP deletes + updates + creates; no-op = 0
//   PSU           = per server 1 health + 1 scope list + 3 reads (leases, reservations, exclusions) per
//                   synced scope
// Wall-time bound (critical path; only the simulators' injected costs, no CPU anywhere):
//   r = NetBox ms/request, w = NetBox ms/object written, q = PSU ms/request, c = netbox.max_concurrent_writes
//   taken as the limit of *all* NetBox requests in flight.
//   read  = max( r + PSU,  ceil(NetBox reads / c) * r )         NetBox reads overlap the DHCP reads;
//           PSU = ceil(servers / max_concurrent_servers) * q    the health round (fail-over roles need all),
//               + servers list-scheduled on max_concurrent_servers slots, each q + ceil(3 * scopes / max_concurrent) * q
//   write = kinds in dependency order, each kind's batches (r + objects * w) list-scheduled on c slots:
//           cold: prefixes -> scopes -> exclusion ranges -> IP creates; churn: IP deletes + updates -> creates
//   bound = read + write
#pragma once

#include "bench/bench_estate.hpp"

#include <string>

namespace nds::bench {

enum class RunKind { cold, noop, churn };
const char* to_string(RunKind kind);

struct Costs {
    double nb_request_ms = 15;
    double nb_object_ms = 1;
    double psu_request_ms = 10;
    bool zero() const { return nb_request_ms == 0 && nb_object_ms == 0 && psu_request_ms == 0; }
};

struct Concurrency {
    int servers = 4;       ///< sync.max_concurrent_servers
    int per_server = 8;    ///< dhcp_servers.default.max_concurrent
    int nb_writes = 2;     ///< netbox.max_concurrent_writes
    int page_size = 1000;  ///< netbox.page_size
};

struct Bounds {
    long nb_reads = 0;
    long nb_writes = 0;
    long nb_objects_written = 0;
    long psu_requests = 0;
    double wall_s = 0;
};

/// Cold starts from a NetBox without scopes, prefixes and IPs; no-op and churn from a synced one.
Bounds lower_bounds(const EstateCounts& estate, RunKind kind, const Concurrency& conc, const Costs& costs);

}  // namespace nds::bench
