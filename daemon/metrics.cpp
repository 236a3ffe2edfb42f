#include "daemon/metrics.hpp"

#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

namespace nds::daemon {
namespace {

std::string escape_label(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_number(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (std::isnan(value)) return "NaN";
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        std::ostringstream out;
        out << static_cast<long long>(value);
        return out.str();
    }
    std::ostringstream out;
    out.precision(9);
    out << value;
    return out.str();
}

std::string with_label(const std::string& rendered, const std::string& extra) {
    return "{" + rendered + (rendered.empty() ? "" : ",") + extra + "}";
}

}  // namespace

const char* run_outcome(const RunReport& report) {
    switch (report.exit_code()) {
    case 0: return "success";
    case 1: return "failed";
    default: return "error";
    }
}

Metrics::Metrics() {
    const std::vector<double> run_buckets{0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600};
    const std::vector<double> http_buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    describe("netbox_dhcp_sync_runs_total", Type::counter, "Sync runs by origin and outcome.");
    describe("netbox_dhcp_sync_run_duration_seconds", Type::histogram, "Duration of sync runs.", run_buckets);
    describe("netbox_dhcp_sync_objects_changed_total", Type::counter, "Objects changed by sync runs, by object type and action.");
    describe("netbox_dhcp_sync_objects_failed_total", Type::counter, "Object changes that failed, by object type and action.");
    describe("netbox_dhcp_sync_http_requests_total", Type::counter, "HTTP request attempts to NetBox and to each DHCP server, by status (0 = no response).");
    describe("netbox_dhcp_sync_http_request_duration_seconds", Type::histogram, "Duration of HTTP request attempts.", http_buckets);
    describe("netbox_dhcp_sync_last_success_timestamp_seconds", Type::gauge, "Unix time of the last run that synced the server without failures.");
    describe("netbox_dhcp_sync_jobs", Type::gauge, "Jobs queued and running.");
    describe("netbox_dhcp_sync_webhooks_total", Type::counter, "NetBox webhook requests by result.");
    describe("netbox_dhcp_sync_config_reloads_total", Type::counter, "Configuration reloads (SIGHUP) by result.");
    describe("netbox_dhcp_sync_api_connections_refused_total", Type::counter,
             "Connections to the service's HTTP API turned away because service.max_connections were open.");
    describe("netbox_dhcp_sync_lock_acquisitions_total", Type::counter,
             "Attempts to take a DHCP server's lock, by result (acquired, busy = held by another process, error).");
    describe("netbox_dhcp_sync_locks_lost_total", Type::counter, "Held locks lost before their release (renewal failed).");
    describe("netbox_dhcp_sync_locks_held", Type::gauge, "DHCP server locks this process holds now.");
    set("netbox_dhcp_sync_locks_held", {}, 0);
    set("netbox_dhcp_sync_jobs", {{"state", "queued"}}, 0);
    set("netbox_dhcp_sync_jobs", {{"state", "running"}}, 0);
    set("netbox_dhcp_sync_api_connections_refused_total", {}, 0);
}

void Metrics::record_locks(const coordination::LockCounters& counters) {
    set("netbox_dhcp_sync_lock_acquisitions_total", {{"result", "acquired"}}, static_cast<double>(counters.acquired));
    set("netbox_dhcp_sync_lock_acquisitions_total", {{"result", "busy"}}, static_cast<double>(counters.busy));
    set("netbox_dhcp_sync_lock_acquisitions_total", {{"result", "error"}}, static_cast<double>(counters.errors));
    set("netbox_dhcp_sync_locks_lost_total", {}, static_cast<double>(counters.lost));
    set("netbox_dhcp_sync_locks_held", {}, static_cast<double>(counters.held));
}

void Metrics::describe(const std::string& name, Type type, const std::string& help, std::vector<double> buckets) {
    auto& f = families_[name];
    f.type = type;
    f.help = help;
    f.bounds = std::move(buckets);
}

Metrics::Family& Metrics::family(const std::string& name) {
    auto found = families_.find(name);
    if (found == families_.end()) throw std::logic_error("metric not described: " + name);
    return found->second;
}

std::string Metrics::render(const Labels& labels) {
    std::string out;
    for (const auto& [key, value] : labels) {
        if (!out.empty()) out += ",";
        out += key + "=\"" + escape_label(value) + "\"";
    }
    return out;
}

void Metrics::increment(const std::string& name, const Labels& labels, double by) {
    family(name).series[render(labels)].value += by;
}

void Metrics::set(const std::string& name, const Labels& labels, double value) {
    family(name).series[render(labels)].value = value;
}

void Metrics::observe(const std::string& name, const Labels& labels, double value) {
    auto& f = family(name);
    auto& s = f.series[render(labels)];
    if (s.buckets.empty()) s.buckets.assign(f.bounds.size(), 0);
    for (std::size_t i = 0; i < f.bounds.size(); ++i)
        if (value <= f.bounds[i]) {
            ++s.buckets[i];
            break;
        }
    s.sum += value;
    ++s.count;
}

double Metrics::value(const std::string& name, const Labels& labels) const {
    auto f = families_.find(name);
    if (f == families_.end()) return 0;
    auto s = f->second.series.find(render(labels));
    if (s == f->second.series.end()) return 0;
    return f->second.type == Type::histogram ? static_cast<double>(s->second.count) : s->second.value;
}

std::string Metrics::exposition() const {
    std::ostringstream out;
    for (const auto& [name, f] : families_) {
        const char* type = f.type == Type::counter ? "counter" : f.type == Type::gauge ? "gauge" : "histogram";
        out << "# HELP " << name << " " << f.help << "\n";
        out << "# TYPE " << name << " " << type << "\n";
        for (const auto& [labels, s] : f.series) {
            if (f.type != Type::histogram) {
                out << name << (labels.empty() ? "" : "{" + labels + "}") << " " << format_number(s.value) << "\n";
                continue;
            }
            std::uint64_t cumulative = 0;
            for (std::size_t i = 0; i < f.bounds.size(); ++i) {
                cumulative += i < s.buckets.size() ? s.buckets[i] : 0;
                out << name << "_bucket" << with_label(labels, "le=\"" + format_number(f.bounds[i]) + "\"") << " "
                    << cumulative << "\n";
            }
            out << name << "_bucket" << with_label(labels, "le=\"+Inf\"") << " " << s.count << "\n";
            out << name << "_sum" << (labels.empty() ? "" : "{" + labels + "}") << " " << format_number(s.sum) << "\n";
            out << name << "_count" << (labels.empty() ? "" : "{" + labels + "}") << " " << s.count << "\n";
        }
    }
    return out.str();
}

void Metrics::record_run(const std::string& origin, const RunReport& report,
                         std::chrono::system_clock::time_point finished) {
    increment("netbox_dhcp_sync_runs_total", {{"origin", origin}, {"outcome", run_outcome(report)}});
    observe("netbox_dhcp_sync_run_duration_seconds", {{"origin", origin}}, report.duration_seconds);
    if (report.dry_run) return;
    std::set<std::string> failed_servers;
    for (const auto& action : report.actions) {
        if (action.status == ActionStatus::failed) failed_servers.insert(action.note.server);
        // A server skipped as a whole (maintenance, unreachable, not eligible) was not synced.
        if (action.status == ActionStatus::skipped && action.kind == engine::ObjectKind::server)
            failed_servers.insert(action.note.server);
        if (action.status != ActionStatus::applied && action.status != ActionStatus::failed) continue;
        Labels labels{{"type", engine::to_string(action.kind)}, {"action", engine::to_string(action.verb)}};
        increment(action.status == ActionStatus::applied ? "netbox_dhcp_sync_objects_changed_total"
                                                         : "netbox_dhcp_sync_objects_failed_total",
                  labels);
    }
    for (const auto& problem : report.problems)
        if (problem.severity == engine::Severity::error) failed_servers.insert(problem.note.server);
    if (!report.fatal_error.empty()) return;
    auto unix_seconds = std::chrono::duration<double>(finished.time_since_epoch()).count();
    for (const auto& server : report.servers)
        if (!failed_servers.count(server))
            set("netbox_dhcp_sync_last_success_timestamp_seconds", {{"server", server}}, std::floor(unix_seconds));
}

void Metrics::record_cancelled(const std::string& origin) {
    increment("netbox_dhcp_sync_runs_total", {{"origin", origin}, {"outcome", "cancelled"}});
}

void Metrics::record_http(const std::string& target, unsigned status, std::chrono::steady_clock::duration elapsed) {
    increment("netbox_dhcp_sync_http_requests_total", {{"target", target}, {"status", std::to_string(status)}});
    observe("netbox_dhcp_sync_http_request_duration_seconds", {{"target", target}},
            std::chrono::duration<double>(elapsed).count());
}

}  // namespace nds::daemon
