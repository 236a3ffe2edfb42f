#include "bench/bench_bounds.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <vector>

namespace nds::bench {

const char* to_string(RunKind kind) {
    switch (kind) {
        case RunKind::cold: return "cold";
        case RunKind::noop: return "no-op";
        case RunKind::churn: return "churn";
    }
    return "?";
}

namespace {

long pages(long objects, int page) { return objects <= 0 ? 0 : (objects + page - 1) / page; }
long pages_min1(long objects, int page) { return std::max(1L, pages(objects, page)); }

/// Makespan of `jobs` (durations, taken in order) on `slots` parallel slots, each job to the first free slot.
double list_schedule(const std::vector<double>& jobs, int slots) {
    std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
    for (int i = 0; i < std::max(1, slots); ++i) free_at.push(0);
    double end = 0;
    for (double job : jobs) {
        double start = free_at.top();
        free_at.pop();
        free_at.push(start + job);
        end = std::max(end, start + job);
    }
    return end;
}

/// Batches of one write kind: page-sized requests, each r + objects * w.
void add_batches(std::vector<double>& jobs, long objects, int page, double r, double w) {
    for (long left = objects; left > 0; left -= page) jobs.push_back(r + static_cast<double>(std::min<long>(left, page)) * w);
}

}  // namespace

Bounds lower_bounds(const EstateCounts& estate, RunKind kind, const Concurrency& conc, const Costs& costs) {
    Bounds b;
    const int page = conc.page_size;
    const bool cold = kind == RunKind::cold;
    const long scopes_before = cold ? 0 : estate.scopes;
    const long ips_before = cold ? 0 : estate.ips;

    long structure_reads = pages_min1(estate.servers, page) + pages_min1(estate.failovers, page) +
                           pages_min1(scopes_before, page) + pages_min1(scopes_before, page) /* prefixes */ + 1 /* tag */;
    long ip_reads = pages_min1(ips_before, page);
    b.nb_reads = structure_reads + ip_reads;

    const double r = costs.nb_request_ms, w = costs.nb_object_ms, q = costs.psu_request_ms;
    std::vector<std::vector<double>> write_phases;  // each phase waits for the previous one
    auto phase = [&](std::initializer_list<long> kinds) {
        std::vector<double> jobs;
        for (long n : kinds) {
            b.nb_writes += pages(n, page);
            b.nb_objects_written += n;
            add_batches(jobs, n, page, r, w);
        }
        write_phases.push_back(std::move(jobs));
    };
    if (cold) {
        b.nb_writes += 1;  // the managed tag (overlaps the reads)
        b.nb_objects_written += 1;
        phase({estate.scopes});  // prefixes
        phase({estate.scopes});  // scopes
        phase({estate.scopes});  // exclusion ranges, one per scope
        phase({estate.ips});
    } else if (kind == RunKind::churn) {
        phase({estate.churn_deletes, estate.churn_updates});
        phase({estate.churn_creates});
    }

    b.psu_requests = 2 * estate.servers;
    std::vector<double> server_reads;
    for (long scopes : estate.synced_scopes_per_server) {
        b.psu_requests += 3 * scopes;
        long requests = 3 * scopes;
        long rounds = (requests + conc.per_server - 1) / std::max(1, conc.per_server);
        server_reads.push_back(q + static_cast<double>(rounds) * q);
    }
    double psu = static_cast<double>((estate.servers + conc.servers - 1) / std::max(1, conc.servers)) * q +
                 list_schedule(server_reads, conc.servers);
    double netbox_reads = static_cast<double>((b.nb_reads + conc.nb_writes - 1) / std::max(1, conc.nb_writes)) * r;
    double read = std::max(r + psu, netbox_reads);
    double write = 0;
    for (const auto& jobs : write_phases) write += list_schedule(jobs, conc.nb_writes);
    b.wall_s = (read + write) / 1000.0;
    return b;
}

}  // namespace nds::bench
