// nds_bench: the performance benchmark (run it through bench/run.sh).
//
// For each estate it starts one NetBox simulator and one PSU simulator per DHCP server with realistic costs,
// seeds a cold NetBox (servers and failovers only) and the DHCP servers, and runs the real binary:
//   cold   - NetBox has no scopes, prefixes or IPs: everything is auto-imported and created
//   no-op  - nothing changed since the last run
//   churn  - 1 % of the leases renamed, 1 % gone, 1 % new
// For each run it measures wall time, the daemon's CPU time and peak RSS (wait4 rusage), and the requests
// the simulators counted, and prints each next to its lower bound (bench_bounds.hpp). On L it also sweeps
// the three concurrency settings. Output: a Markdown report on stdout; progress on stderr.
#include "bench/bench_bounds.hpp"
#include "bench/bench_estate.hpp"
#include "tests/support/simulator.hpp"
#include "tests/support/sync_environment.hpp"

#include <boost/json.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace nds::bench {
namespace {

namespace json = boost::json;

/// CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat.
double process_cpu_s(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; fields >> field; ++i) {  // field 3 is the state; 14 utime, 15 stime
        if (i == 14 || i == 15) ticks += std::stod(field);
        if (i == 15) break;
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// A simulator process (tests/sim/) and its /_sim/ control API; like tests/support's Simulator, plus the pid
/// so the benchmark can report the simulators' own CPU time next to the daemon's.
class Simulator {
public:
    Simulator(const std::string& program, std::vector<std::string> args, const std::string& log_path) {
        args.insert(args.begin(), {"--port", "0"});
        process_ = std::make_unique<testing::ChildProcess>(program, args, log_path);
        auto line = process_->read_line(std::chrono::seconds(20));
        if (!line || line->rfind("LISTENING ", 0) != 0)
            throw std::runtime_error(program + " did not print LISTENING <port>");
        port_ = static_cast<std::uint16_t>(std::stoi(line->substr(10)));
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::uint16_t port() const { return port_; }
    double cpu_s() const { return process_cpu_s(process_->pid()); }
    json::value get(const std::string& target) { return checked(testing::http_call(port_, "GET", target), target); }
    json::value post(const std::string& target, const json::value& body) {
        return checked(testing::http_call(port_, "POST", target, json::serialize(body)), target);
    }
    void seed(const json::value& data) { post("/_sim/seed", data); }
    json::value stats() { return get("/_sim/stats"); }
    void reset_stats() { post("/_sim/stats/reset", json::object{}); }

private:
    static json::value checked(const http::Response& response, const std::string& target) {
        if (!response.ok())
            throw std::runtime_error(target + ": HTTP " + std::to_string(response.status) + " " + response.body.substr(0, 300));
        return response.body.empty() ? json::value() : json::parse(response.body);
    }
    std::unique_ptr<testing::ChildProcess> process_;
    std::uint16_t port_ = 0;
};

struct Options {
    std::vector<std::string> estates{"S", "L", "XL"};
    Costs costs;
    Costs xl_costs{0, 0, 0};
    bool sweep = true;
    int repeats = 3;  ///< no-op runs (they change nothing) are run this often; the median is reported
    std::string work_dir;
    std::string daemon = NDS_BENCH_DAEMON;
    std::string netbox_sim = NDS_BENCH_NETBOX_SIM;
    std::string psu_sim = NDS_BENCH_PSU_SIM;
};

void usage() {
    std::cerr << "usage: nds_bench [--estates S,L,XL] [--nb-request-ms 15] [--nb-object-ms 1] [--psu-request-ms 10]\n"
                 "                 [--xl-costs] (XL with the same costs instead of 0) [--no-sweep] [--repeat 3]\n"
                 "                 [--work DIR]\n"
                 "                 [--daemon PATH] [--netbox-sim PATH] [--psu-sim PATH]\n";
}

void progress(const std::string& text) { std::cerr << "[bench] " << text << std::endl; }

EstateSpec spec_of(const std::string& name) {
    if (name == "S") return EstateSpec{"S", 2, 1, 20, 100, 5};
    if (name == "L") return EstateSpec{"L", 10, 2, 100, 100, 5};
    if (name == "XL") return EstateSpec{"XL", 10, 2, 1000, 100, 5};
    throw std::runtime_error("unknown estate '" + name + "' (S, L or XL)");
}

struct Measured {
    int exit_code = -1;
    double wall_s = 0;
    double cpu_s = 0;
    double rss_mb = 0;
};

/// Runs the daemon to completion (stdout/stderr to files) and measures it with wait4().
Measured run_daemon(const Options& options, const std::string& config, const std::string& log_prefix) {
    Measured m;
    auto started = std::chrono::steady_clock::now();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int out = ::open((log_prefix + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = ::open((log_prefix + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out >= 0) ::dup2(out, STDOUT_FILENO);
        if (err >= 0) ::dup2(err, STDERR_FILENO);
        ::unsetenv("NETBOX_TOKEN");
        std::vector<std::string> args{options.daemon, "sync", "--config", config};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(options.daemon.c_str(), argv.data());
        std::_Exit(127);
    }
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) throw std::runtime_error("wait4 failed");
    }
    m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    m.cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
              static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    m.rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
    return m;
}

long stat_of(const json::value& stats, const char* key) {
    return static_cast<long>(stats.at(key).to_number<double>());
}

struct Row {
    std::string estate, run, concurrency, costs;
    Measured m;
    Bounds bound;
    long nb_reads = 0, nb_writes = 0, nb_objects = 0, psu_requests = 0, psu_writes = 0;
    double netbox_sim_cpu_s = 0, psu_sims_cpu_s = 0;
    std::string note;
};

std::string fmt(double v, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
    return buffer;
}

std::string ratio(double measured, double bound) {
    if (bound <= 0) return measured <= 0 ? "1.00×" : "n/a";
    return fmt(measured / bound, 2) + "×";
}

std::string with_bound(long measured, long bound) {
    return std::to_string(measured) + " / " + std::to_string(bound) + " (" + ratio(static_cast<double>(measured), static_cast<double>(bound)) + ")";
}

std::string costs_text(const Costs& c) {
    if (c.zero()) return "0";
    return fmt(c.nb_request_ms, 0) + "+" + fmt(c.nb_object_ms, 0) + "/" + fmt(c.psu_request_ms, 0);
}

class Bench {
public:
    Bench(Options options, const EstateSpec& spec, Costs costs)
        : options_(std::move(options)), estate_(spec), costs_(costs) {
        dir_ = options_.work_dir + "/" + spec.name;
        std::string mkdir = "mkdir -p '" + dir_ + "'";
        if (std::system(mkdir.c_str()) != 0) throw std::runtime_error("cannot create " + dir_);
    }

    void start() {
        progress(estate_.spec().name + ": starting " + std::to_string(estate_.spec().servers) + " PSU simulators and NetBox");
        std::vector<std::uint16_t> ports;
        for (int i = 0; i < estate_.spec().servers; ++i) {
            auto name = estate_.server_name(i);
            psu_.push_back(std::make_unique<Simulator>(
                options_.psu_sim, std::vector<std::string>{"--token", kBenchPsuToken, "--hostname", name + ".corp.example.com"},
                dir_ + "/psu-" + name + ".log"));
            ports.push_back(psu_.back()->port());
        }
        netbox_ = std::make_unique<Simulator>(options_.netbox_sim, std::vector<std::string>{}, dir_ + "/netbox-sim.log");
        structure_ = estate_.netbox_structure_seed(ports);
        netbox_->post("/_sim/config", json::object{{"latency_ms_per_request", static_cast<unsigned>(costs_.nb_request_ms)},
                                                    {"latency_ms_per_object_written", static_cast<unsigned>(costs_.nb_object_ms)}});
        for (auto& psu : psu_)
            psu->post("/_sim/config", json::object{{"latency_ms_per_request", static_cast<unsigned>(costs_.psu_request_ms)}});
    }

    void cold_netbox() {
        netbox_->post("/_sim/reset", json::object{});
        netbox_->seed(structure_);
    }

    void seed_dhcp(bool churned) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < estate_.spec().servers; ++i) {
            auto& psu = *psu_[static_cast<std::size_t>(i)];
            psu.post("/_sim/reset", json::object{});
            for (const auto& chunk : estate_.psu_seed_chunks(i, churned)) psu.seed(chunk);
        }
        progress(estate_.spec().name + ": DHCP servers seeded (" + (churned ? "churned" : "base") + ") in " +
                 fmt(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1) + " s");
    }

    Row run(RunKind kind, const Concurrency& conc, const std::string& label) {
        auto config = write_config(conc);
        netbox_->reset_stats();
        for (auto& psu : psu_) psu->reset_stats();
        double netbox_cpu = netbox_->cpu_s(), psu_cpu = 0;
        for (auto& psu : psu_) psu_cpu += psu->cpu_s();
        std::string tag = estate_.spec().name + "-" + label + "-" + std::to_string(conc.servers) + "-" +
                          std::to_string(conc.per_server) + "-" + std::to_string(conc.nb_writes);
        progress(estate_.spec().name + ": " + label + " run (servers " + std::to_string(conc.servers) + ", per server " +
                 std::to_string(conc.per_server) + ", NetBox writes " + std::to_string(conc.nb_writes) + ")");
        Row row;
        row.estate = estate_.spec().name;
        row.run = label;
        row.costs = costs_text(costs_);
        row.concurrency = std::to_string(conc.servers) + "/" + std::to_string(conc.per_server) + "/" + std::to_string(conc.nb_writes);
        row.m = run_daemon(options_, config, dir_ + "/" + tag);
        row.netbox_sim_cpu_s = netbox_->cpu_s() - netbox_cpu;
        for (auto& psu : psu_) row.psu_sims_cpu_s += psu->cpu_s();
        row.psu_sims_cpu_s -= psu_cpu;
        auto nb = netbox_->stats();
        row.nb_reads = stat_of(nb, "reads");
        row.nb_writes = stat_of(nb, "writes");
        row.nb_objects = stat_of(nb, "objects_written");
        for (auto& psu : psu_) {
            auto s = psu->stats();
            row.psu_requests += stat_of(s, "requests");
            row.psu_writes += stat_of(s, "writes");
        }
        std::ofstream(dir_ + "/" + tag + ".netbox-stats.json") << json::serialize(nb);
        row.bound = lower_bounds(estate_.counts(), kind, conc, costs_);
        if (row.m.exit_code != 0) row.note = "exit " + std::to_string(row.m.exit_code) + " (see " + dir_ + "/" + tag + ".err)";
        progress("  -> " + fmt(row.m.wall_s, 2) + " s wall (bound " + fmt(row.bound.wall_s, 2) + "), CPU " +
                 fmt(row.m.cpu_s, 2) + " s (NetBox sim " + fmt(row.netbox_sim_cpu_s, 2) + " s, PSU sims " +
                 fmt(row.psu_sims_cpu_s, 2) + " s), RSS " + fmt(row.m.rss_mb, 0) + " MB, NetBox " + std::to_string(row.nb_reads) +
                 "r/" + std::to_string(row.nb_writes) + "w, PSU " + std::to_string(row.psu_requests) + ", exit " +
                 std::to_string(row.m.exit_code));
        return row;
    }

    /// A no-op run `repeats` times, the run with the median wall time reported: on a shared two-core machine
    /// one run's wall time moves by ±15 %.
    Row run_median(const Concurrency& conc, const std::string& label, int repeats) {
        std::vector<Row> runs;
        for (int i = 0; i < std::max(1, repeats); ++i) runs.push_back(run(RunKind::noop, conc, label));
        std::sort(runs.begin(), runs.end(), [](const Row& a, const Row& b) { return a.m.wall_s < b.m.wall_s; });
        Row median = runs[runs.size() / 2];
        if (runs.size() > 1)
            median.note = (median.note.empty() ? "" : median.note + "; ") + "median of " + std::to_string(runs.size()) +
                          " (" + fmt(runs.front().m.wall_s, 2) + "–" + fmt(runs.back().m.wall_s, 2) + " s)";
        return median;
    }

private:
    std::string write_config(const Concurrency& conc) {
        auto path = dir_ + "/config.yaml";
        std::ofstream out(path);
        out << "netbox:\n"
            << "  url: " << netbox_->url() << "\n"
            << "  token: " << kBenchNetBoxToken << "\n"
            << "  timeout: 300s\n"
            << "  page_size: " << conc.page_size << "\n"
            << "  max_concurrent_writes: " << conc.nb_writes << "\n"
            << "sync:\n"
            << "  max_concurrent_servers: " << conc.servers << "\n"
            << "dhcp_servers:\n"
            << "  default:\n"
            << "    token: " << kBenchPsuToken << "\n"
            << "    timeout: 300s\n"
            << "    max_concurrent: " << conc.per_server << "\n"
            << "log:\n"
            << "  level: info\n";
        return path;
    }

    Options options_;
    Estate estate_;
    Costs costs_;
    std::string dir_;
    json::value structure_;
    std::vector<std::unique_ptr<Simulator>> psu_;
    std::unique_ptr<Simulator> netbox_;
};

void print_rows(const std::vector<Row>& rows) {
    std::cout << "| estate | run | srv/scope/wr | wall s | bound s | wall/bound | daemon CPU s | peak RSS MB | sim CPU s "
                 "NetBox / PSU | NetBox reads / bound | NetBox writes / bound | objects written / bound "
                 "| PSU requests / bound | note |\n"
                 "|---|---|---|---:|---:|---:|---:|---:|---|---|---|---|---|---|\n";
    for (const auto& r : rows) {
        bool timed = r.bound.wall_s > 0;
        std::cout << "| " << r.estate << " | " << r.run << " | " << r.concurrency << " | " << fmt(r.m.wall_s, 2) << " | "
                  << (timed ? fmt(r.bound.wall_s, 2) : "–") << " | " << (timed ? ratio(r.m.wall_s, r.bound.wall_s) : "–")
                  << " | " << fmt(r.m.cpu_s, 2) << " | " << fmt(r.m.rss_mb, 1) << " | " << fmt(r.netbox_sim_cpu_s, 2)
                  << " / " << fmt(r.psu_sims_cpu_s, 2) << " | "
                  << with_bound(r.nb_reads, r.bound.nb_reads) << " | " << with_bound(r.nb_writes, r.bound.nb_writes) << " | "
                  << with_bound(r.nb_objects, r.bound.nb_objects_written) << " | "
                  << with_bound(r.psu_requests, r.bound.psu_requests) << " | " << r.note << " |\n";
    }
    std::cout << std::endl;
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, sep);)
        if (!part.empty()) out.push_back(part);
    return out;
}

int main_impl(int argc, char** argv) {
    Options options;
    bool xl_same_costs = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--estates") options.estates = split(value(), ',');
        else if (arg == "--nb-request-ms") options.costs.nb_request_ms = std::stod(value());
        else if (arg == "--nb-object-ms") options.costs.nb_object_ms = std::stod(value());
        else if (arg == "--psu-request-ms") options.costs.psu_request_ms = std::stod(value());
        else if (arg == "--xl-costs") xl_same_costs = true;
        else if (arg == "--no-sweep") options.sweep = false;
        else if (arg == "--repeat") options.repeats = std::stoi(value());
        else if (arg == "--work") options.work_dir = value();
        else if (arg == "--daemon") options.daemon = value();
        else if (arg == "--netbox-sim") options.netbox_sim = value();
        else if (arg == "--psu-sim") options.psu_sim = value();
        else if (arg == "--help" || arg == "-h") { usage(); return 0; }
        else { usage(); return 2; }
    }
    if (xl_same_costs) options.xl_costs = options.costs;
    if (options.work_dir.empty()) options.work_dir = testing::make_temp_dir("nds-bench");
    progress("work directory " + options.work_dir);

    std::cout << "## netbox-dhcp-sync benchmark\n\n"
              << "Costs (NetBox ms/request + ms/object written / PSU ms/request): " << costs_text(options.costs)
              << "; XL: " << costs_text(options.xl_costs) << ". Page size 1000. srv/scope/wr = sync.max_concurrent_servers / "
              << "dhcp_servers.default.max_concurrent / netbox.max_concurrent_writes.\n\n";

    std::vector<Row> rows, sweep;
    for (const auto& name : options.estates) {
        auto spec = spec_of(name);
        bool xl = name == "XL";
        Bench bench(options, spec, xl ? options.xl_costs : options.costs);
        bench.start();
        bench.cold_netbox();
        bench.seed_dhcp(false);
        Concurrency defaults;
        rows.push_back(bench.run(RunKind::cold, defaults, "cold"));
        rows.push_back(bench.run_median(defaults, "no-op", options.repeats));
        bench.seed_dhcp(true);
        rows.push_back(bench.run(RunKind::churn, defaults, "churn"));
        rows.push_back(bench.run_median(defaults, "no-op after churn", options.repeats));
        if (name == "L" && options.sweep) {
            for (int servers : {1, 2, 10}) {
                Concurrency c = defaults;
                c.servers = servers;
                sweep.push_back(bench.run_median(c, "no-op", options.repeats));
            }
            for (int per_server : {1, 4, 16}) {
                Concurrency c = defaults;
                c.per_server = per_server;
                sweep.push_back(bench.run_median(c, "no-op", options.repeats));
            }
            for (int writes : {1, 4, 8}) {
                Concurrency c = defaults;
                c.nb_writes = writes;
                bench.cold_netbox();
                sweep.push_back(bench.run(RunKind::cold, c, "cold"));
            }
        }
    }
    std::cout << "### Runs\n\n";
    print_rows(rows);
    if (!sweep.empty()) {
        std::cout << "### Concurrency sweep (L; the default-concurrency rows are above)\n\n";
        print_rows(sweep);
    }
    std::cout << "Bounds (bench/bench_bounds.hpp): requests = per collection max(1, ceil(objects / page)), writes = per kind "
                 "ceil(changed / page), PSU = per server 1 health + 1 scope list + 3 per synced scope. Wall = the injected "
                 "costs only (no CPU of daemon or simulators) on the critical path: NetBox reads (at most "
                 "netbox.max_concurrent_writes requests in flight) overlap the DHCP reads (health round, then servers on "
                 "max_concurrent_servers slots, max_concurrent requests each), then the write kinds in dependency order. "
                 "sim CPU = CPU the simulators used during the run (they are single-threaded and share the machine).\n";
    return 0;
}

}  // namespace
}  // namespace nds::bench

int main(int argc, char** argv) {
    try {
        return nds::bench::main_impl(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "nds_bench: " << e.what() << std::endl;
        return 1;
    }
}
