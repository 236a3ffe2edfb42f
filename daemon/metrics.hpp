// The service's metrics in Prometheus text exposition format (version 0.0.4): counters, gauges and
// histograms with fixed buckets, keyed by label sets. Single-threaded (the service's io_context); no locks.
//
// What the service records (names are stable; README "The service" lists them):
//   netbox_dhcp_sync_runs_total{origin,outcome}            runs by origin (schedule|api|webhook) and outcome
//   netbox_dhcp_sync_run_duration_seconds{origin}          histogram
//   netbox_dhcp_sync_objects_changed_total{type,action}    objects applied, by object type and create|update|delete
//   netbox_dhcp_sync_objects_failed_total{type,action}     objects that failed
//   netbox_dhcp_sync_http_requests_total{target,status}    HTTP attempts to NetBox ("netbox") and each DHCP server
//   netbox_dhcp_sync_http_request_duration_seconds{target} histogram
//   netbox_dhcp_sync_last_success_timestamp_seconds{server} unix time of the last run that synced it cleanly
//   netbox_dhcp_sync_jobs{state}                           jobs queued / running now
//   netbox_dhcp_sync_webhooks_total{result}                webhook requests by result
//   netbox_dhcp_sync_config_reloads_total{result}          SIGHUP reloads, ok | rejected
#pragma once

#include "coordination/server_lock.hpp"

#include "daemon/run_report.hpp"

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nds::daemon {

class Metrics {
public:
    using Labels = std::vector<std::pair<std::string, std::string>>;
    enum class Type { counter, gauge, histogram };

    Metrics();

    /// Declares a family (HELP and TYPE lines). Histograms take their upper bucket bounds.
    void describe(const std::string& name, Type type, const std::string& help, std::vector<double> buckets = {});

    void increment(const std::string& name, const Labels& labels = {}, double by = 1);
    void set(const std::string& name, const Labels& labels, double value);
    void observe(const std::string& name, const Labels& labels, double value);

    /// Current value of a counter or gauge series (0 when absent); for tests.
    double value(const std::string& name, const Labels& labels = {}) const;

    /// The whole exposition, families in name order.
    std::string exposition() const;

    // ---- what the service records ----

    /// A finished run: its outcome and duration, the objects it changed, the servers it synced cleanly.
    void record_run(const std::string& origin, const RunReport& report, std::chrono::system_clock::time_point finished);
    /// A finished run that never started its sync (cancelled at shutdown).
    void record_cancelled(const std::string& origin);
    /// The per-server locks' counters (totals since start and the locks held now), at scrape time.
    void record_locks(const coordination::LockCounters& counters);
    /// One HTTP attempt (http::ClientOptions::on_attempt); status 0 = no response.
    void record_http(const std::string& target, unsigned status, std::chrono::steady_clock::duration elapsed);

private:
    struct Series {
        double value = 0;
        std::vector<std::uint64_t> buckets;  ///< histogram: count per bucket (not cumulative)
        double sum = 0;
        std::uint64_t count = 0;
    };
    struct Family {
        Type type = Type::counter;
        std::string help;
        std::vector<double> bounds;
        std::map<std::string, Series> series;  ///< by rendered label set ("" or "a=\"x\",b=\"y\"")
    };

    Family& family(const std::string& name);
    static std::string render(const Labels& labels);

    std::map<std::string, Family> families_;
};

/// "success" (exit code 0), "failed" (1: some server or object failed), "error" (3: NetBox unusable).
const char* run_outcome(const RunReport& report);

}  // namespace nds::daemon
