// The fault matrix: the real binary against the simulators, one injected fault per row, for
// NetBox reads and writes and for the DHCP servers' PSU endpoints. For every row:
//   - the exit code and what the run reports (a phrase of its output),
//   - nothing lost: every IP that a clean run keeps is still in NetBox after the faulted run, and no
//     address is duplicated,
//   - the faults are removed and the sync run again: it exits 0 and NetBox equals the state a clean single
//     run leaves (IPs, scopes, exclusion ranges and prefixes compared as sets).
// Plus: the process killed (SIGKILL) in the middle of applying, then re-run without faults.
//
// Each row prints one line "FAULT <name>: exit <n>: <first problem line>" (the figures of the notes).
#include "integration_fixture.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace nds::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

/// A readable form of a REST value: nested objects by name / prefix / slug / value, scalars serialised.
std::string text(const json::value& v) {
    if (v.is_null()) return "-";
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_object()) {
        const auto& o = v.as_object();
        for (const char* key : {"name", "prefix", "slug", "value", "address"})
            if (auto* inner = o.if_contains(key)) return text(*inner);
        return json::serialize(v);
    }
    if (v.is_array()) {
        std::set<std::string> items;
        for (const auto& item : v.as_array()) items.insert(text(item));
        std::string out;
        for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
        return "[" + out + "]";
    }
    return json::serialize(v);
}

std::string field(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v ? text(*v) : "?";
}

/// What the sync is responsible for in NetBox, as a set of lines (ids left out: they differ between runs).
std::set<std::string> fingerprint(Simulator& netbox) {
    auto state = netbox.state();
    std::set<std::string> out;
    for (const auto& v : state.at("ip_addresses").as_array()) {
        const auto& ip = v.as_object();
        out.insert("ip " + field(ip, "address") + " vrf=" + field(ip, "vrf") + " status=" + field(ip, "status") +
                   " dns=" + field(ip, "dns_name") + " client=" + text(ip.at("custom_fields").at("dhcp_client_id")) +
                   " tags=" + field(ip, "tags"));
    }
    for (const auto& v : state.at("scopes").as_array()) {
        const auto& s = v.as_object();
        out.insert("scope " + field(s, "name") + " prefix=" + field(s, "prefix") + " range=" + field(s, "start_ip") +
                   "-" + field(s, "end_ip") + " router=" + field(s, "router") + " lease=" + field(s, "lease_lifetime") +
                   " server=" + field(s, "server") + " failover=" + field(s, "failover"));
    }
    std::map<long long, std::string> scope_names;
    for (const auto& v : state.at("scopes").as_array())
        scope_names[v.at("id").to_number<long long>()] = field(v.as_object(), "name");
    for (const auto& v : state.at("exclusion_ranges").as_array()) {
        const auto& e = v.as_object();
        const auto& scope = e.at("scope");
        long long id = scope.is_object() ? scope.at("id").to_number<long long>() : scope.to_number<long long>();
        out.insert("exclusion " + scope_names[id] + " " + field(e, "start_ip") + "-" + field(e, "end_ip"));
    }
    for (const auto& v : state.at("prefixes").as_array())
        out.insert("prefix " + field(v.as_object(), "prefix") + " vrf=" + field(v.as_object(), "vrf"));
    return out;
}

std::multiset<std::string> addresses(Simulator& netbox) {
    std::multiset<std::string> out;
    auto state = netbox.state();
    for (const auto& ip : state.at("ip_addresses").as_array()) out.insert(std::string(ip.at("address").as_string()));
    return out;
}

std::set<std::string> ip_addresses_of(const std::set<std::string>& print) {
    std::set<std::string> out;
    for (const auto& line : print)
        if (line.rfind("ip ", 0) == 0) out.insert(line.substr(3, line.find(' ', 3) - 3));
    return out;
}

std::string diff(const std::set<std::string>& want, const std::set<std::string>& got) {
    std::string out;
    for (const auto& line : want)
        if (!got.count(line)) out += "  missing: " + line + "\n";
    for (const auto& line : got)
        if (!want.count(line)) out += "  extra:   " + line + "\n";
    return out;
}

/// The NetBox state a clean single sync of the demo estate leaves (computed once per test binary).
const std::set<std::string>& reference() {
    static const std::set<std::string> print = [] {
        auto env = make_environment();
        auto result = env.run({"sync"});
        if (result.exit_code != 0) throw std::runtime_error("reference sync failed: " + result.out + result.err);
        return fingerprint(env.netbox());
    }();
    return print;
}

/// Config with the knobs the matrix needs (short timeouts so hangs cost a second, not thirty).
std::string write_config(SyncEnvironment& env, const std::string& name, const std::string& netbox_extra = "",
                         const std::string& dhcp_extra = "") {
    auto path = env.work_dir() + "/" + name + ".yaml";
    std::ofstream out(path);
    out << "netbox:\n  url: " << env.netbox().url() << "\n  token: " << kAliceToken << "\n"
        << (netbox_extra.find("timeout:") == std::string::npos ? "  timeout: 2s\n" : "") << netbox_extra << "sync:\n  protect_tag: dhcp-protect\n"
        << "dhcp_servers:\n  default:\n    token: " << kPsuToken << "\n    timeout: 2s\n"
        << dhcp_extra << "log:\n  level: info\n";
    return path;
}

std::string first_problem(const RunResult& result) {
    // The text report: "error: …", "  failed …", "warning: …" lines after the per-server counts.
    for (const char* prefix : {"error: ", "  failed ", "warning: skipped record", "warning: "}) {
        std::istringstream lines(result.out);
        for (std::string line; std::getline(lines, line);)
            if (line.rfind(prefix, 0) == 0) return line.substr(0, 300);
    }
    std::istringstream lines(result.out);
    std::string first;
    std::getline(lines, first);
    return first.empty() ? "(no output)" : first + " (no problems)";
}

json::object lease(const std::string& ip, const std::string& client_id, const std::string& hostname,
                   const std::string& state = "Active") {
    return {{"ip_address", ip}, {"client_id", client_id}, {"hostname", hostname}, {"scope_id", "10.20.1.0"},
            {"lease_expiry", "2026-12-01T00:00:00Z"}, {"address_state", state}};
}

struct Row {
    const char* name;
    /// "netbox" or a DHCP server name; the rules are added to that simulator.
    const char* target;
    std::vector<json::object> rules;
    int exit_code;
    /// A phrase the run's output (stdout + stderr) must contain ("" = no check).
    const char* reports;
    std::string netbox_extra = "";
    std::string dhcp_extra = "";
    /// Extra set-up (e.g. simulator config) and extra checks on the state after the faulted run.
    std::function<void(SyncEnvironment&)> before = {};
    std::function<void(SyncEnvironment&, const RunResult&)> after = {};
    /// Seconds the faulted run must at least take (Retry-After honoured); 0 = no check.
    double min_seconds = 0;
};

json::object rule(const char* method, const char* path, json::object effect) {
    effect["method"] = method;
    effect["path_prefix"] = path;
    return effect;
}

void run_row(const Row& row) {
    const auto& want = reference();
    auto env = make_environment();
    if (row.before) row.before(env);
    auto config = write_config(env, "faulted", row.netbox_extra, row.dhcp_extra);
    Simulator& sim = std::string(row.target) == "netbox" ? env.netbox() : env.dhcp(row.target);
    for (const auto& r : row.rules) sim.add_fault(r);

    auto before = addresses(env.netbox());
    auto started = std::chrono::steady_clock::now();
    auto result = env.run({"sync"}, config);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "FAULT " << row.name << ": exit " << result.exit_code << " in " << static_cast<int>(seconds * 10) / 10.0
              << "s: " << first_problem(result) << "\n";
    INFO("fault: " << row.name);
    INFO(result.out << result.err);
    CHECK(result.exit_code == row.exit_code);
    if (*row.reports) CHECK((result.out + result.err).find(row.reports) != std::string::npos);
    if (row.min_seconds > 0) CHECK(seconds >= row.min_seconds);

    // Nothing lost, nothing duplicated.
    auto present = addresses(env.netbox());
    std::set<std::string> unique(present.begin(), present.end());
    CHECK_MESSAGE(unique.size() == present.size(), "an address is duplicated in NetBox");
    // Every IP that existed before and that a clean run keeps is still there (what the faulted run could not
    // create yet, the re-run below creates).
    for (const auto& address : ip_addresses_of(want))
        if (before.count(address)) CHECK_MESSAGE(unique.count(address), address << " was lost");
    if (row.after) row.after(env, result);

    // Faults gone: the re-run converges on the clean state.
    env.netbox().clear_faults();
    for (const auto& [name, port] : env.dhcp_ports()) env.dhcp(name).clear_faults();
    env.netbox().post("/_sim/config", json::object{{"latency_ms_per_request", 0}, {"latency_ms_per_object_written", 0}});
    auto again = env.run({"sync"}, write_config(env, "clean"));
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    auto got = fingerprint(env.netbox());
    CHECK_MESSAGE(got == want, "NetBox differs from a clean run:\n" << diff(want, got));
}

/// The IPs the demo estate seeds in NetBox that a clean run keeps: a faulted run must not delete them.
void kept_seeded_ips(SyncEnvironment& env, const RunResult&) {
    for (const char* address : {"10.10.1.40/24", "10.10.1.41/24", "10.20.1.60/24"})
        CHECK_MESSAGE(find_ip(env.netbox(), address), address << " was deleted");
}

/// A read failed: besides the seeded IPs, the stale lease IP (deleted by a clean run) must survive too,
/// because no cleanup may run on a failed read.
void nothing_deleted(SyncEnvironment& env, const RunResult& result) {
    kept_seeded_ips(env, result);
    CHECK_MESSAGE(find_ip(env.netbox(), "10.10.1.30/24"), "10.10.1.30/24 was deleted after a failed read");
}

}  // namespace

TEST_CASE("fault matrix: NetBox") {
    const std::vector<Row> rows = {
        // ---- reads ----
        {"netbox 500 on IP reads", "netbox", {rule("GET", "/api/ipam/ip-addresses/", {{"status", 500}})}, 3,
         "cannot read IP addresses", "", "", {}, nothing_deleted},
        {"netbox 502 twice on IP reads (retried)", "netbox",
         {rule("GET", "/api/ipam/ip-addresses/", {{"status", 502}, {"count", 2}})}, 0, ""},
        {"netbox 503 on every plugin read", "netbox", {rule("GET", "/api/plugins/", {{"status", 503}})}, 3,
         "HTTP 503", "", "", {}, nothing_deleted},
        {"netbox read timeout once (retried)", "netbox",
         {rule("GET", "/api/ipam/ip-addresses/", {{"hang", true}, {"count", 1}})}, 0, ""},
        {"netbox read timeout on every plugin read", "netbox", {rule("GET", "/api/plugins/", {{"hang", true}})}, 3,
         "timed out", "  max_retries: 1\n", "", {}, nothing_deleted},
        {"netbox 429 with Retry-After: 1 twice", "netbox",
         {rule("GET", "/api/plugins/windows-dhcp/scopes/", {{"status", 429}, {"retry_after", 1}, {"count", 2}})}, 0,
         "", "", "", {}, {}, 1.9},
        {"netbox connection reset mid-response on a read (retried)", "netbox",
         {rule("GET", "/api/ipam/ip-addresses/", {{"cut", "reset"}, {"count", 1}})}, 0, ""},
        {"netbox truncated body on a read (retried)", "netbox",
         {rule("GET", "/api/plugins/windows-dhcp/servers/", {{"cut", "truncate"}, {"count", 1}})}, 0, ""},
        {"netbox connection reset on every IP read", "netbox",
         {rule("GET", "/api/ipam/ip-addresses/", {{"cut", "reset"}})}, 3, "connection reset", "  max_retries: 1\n", "", {},
         nothing_deleted},
        {"netbox HTML 502 page on every read", "netbox", {rule("GET", "/api/", {{"html", true}})}, 3, "HTTP 502",
         "  max_retries: 1\n", "", {}, nothing_deleted},
        {"netbox slow: 1.5 s per IP read", "netbox",
         {rule("GET", "/api/ipam/ip-addresses/", {{"latency_ms", 1500}})}, 0, "", "", "", {}, {}, 1.4},
        // ---- writes ----
        {"netbox 500 on IP creates", "netbox", {rule("POST", "/api/ipam/ip-addresses/", {{"status", 500}})}, 1,
         "HTTP 500", "", "", {}, kept_seeded_ips},
        {"netbox 503 once on IP creates (retried)", "netbox",
         {rule("POST", "/api/ipam/ip-addresses/", {{"status", 503}, {"count", 1}})}, 0, ""},
        {"netbox 502 on every write", "netbox",
         {rule("POST", "/api/", {{"status", 502}}), rule("PATCH", "/api/", {{"status", 502}}),
          rule("DELETE", "/api/", {{"status", 502}})},
         1, "HTTP 502", "  max_retries: 1\n", "", {}, kept_seeded_ips},
        {"netbox write timeout once on IP updates (retried)", "netbox",
         {rule("PATCH", "/api/ipam/ip-addresses/", {{"hang", true}, {"count", 1}})}, 0, ""},
        {"netbox write timeout on every IP delete", "netbox",
         {rule("DELETE", "/api/ipam/ip-addresses/", {{"hang", true}})}, 1, "timed out", "  max_retries: 1\n", "",
         {}, kept_seeded_ips},
        {"netbox 429 with Retry-After: 1 on IP creates", "netbox",
         {rule("POST", "/api/ipam/ip-addresses/", {{"status", 429}, {"retry_after", 1}, {"count", 1}})}, 0, "", "",
         "", {}, {}, 0.9},
        // NetBox committed the create, the answer was lost: not replayed (a replay could duplicate), reported;
        // the re-run sees the IPs and converges.
        {"netbox connection reset after committing an IP create", "netbox",
         {rule("POST", "/api/ipam/ip-addresses/", {{"cut", "reset"}, {"count", 1}})}, 1, "not retried", "", "", {},
         [](SyncEnvironment& env, const RunResult&) { CHECK(find_ip(env.netbox(), "10.10.1.20/24")); }},
        {"netbox write timeout on an IP create (committed, answer too late)", "netbox", {}, 1, "not retried", "",
         "",
         [](SyncEnvironment& env) {
             env.netbox().post("/_sim/config", json::object{{"latency_ms_per_object_written", 400}});
         },
         [](SyncEnvironment& env, const RunResult&) { CHECK(find_ip(env.netbox(), "10.10.1.20/24")); }},
        {"netbox slow writes: 300 ms per object", "netbox", {}, 0, "", "  timeout: 10s\n", "",
         [](SyncEnvironment& env) {
             env.netbox().post("/_sim/config", json::object{{"latency_ms_per_object_written", 300}});
         }},
    };
    for (const auto& row : rows) {
        SUBCASE(row.name) { run_row(row); }
    }
}

TEST_CASE("fault matrix: DHCP servers (PSU)") {
    const char* branch_leases = "/api/dhcp/leases";
    const std::vector<Row> rows = {
        {"psu malformed JSON on a scope's leases", "dhcp01",
         {rule("GET", "/api/dhcp/leases", {{"malformed", "[{\"ip_address\": \"10.10.1.20\", "}})}, 1, "invalid JSON response",
         "", "", {}, nothing_deleted},
        {"psu truncated body on every lease read", "dhcp01", {rule("GET", "/api/dhcp/leases", {{"cut", "truncate"}})},
         1, "connection closed", "", "    max_retries: 1\n", {}, nothing_deleted},
        {"psu truncated body once (retried)", "dhcp01",
         {rule("GET", "/api/dhcp/leases", {{"cut", "truncate"}, {"count", 1}})}, 0, ""},
        {"psu connection reset on every lease read", "dhcp01", {rule("GET", "/api/dhcp/leases", {{"cut", "reset"}})},
         1, "connection reset", "", "    max_retries: 1\n", {}, nothing_deleted},
        {"psu HTML 502 error page on lease reads", "dhcp01", {rule("GET", "/api/dhcp/leases", {{"html", true}})}, 1,
         "HTTP 502", "", "    max_retries: 1\n", {}, nothing_deleted},
        {"psu HTML page with 200 on the scope list", "dhcp01",
         {rule("GET", "/api/dhcp/scopes", {{"html", true}, {"status", 200}})}, 1, "", "", "", {}, nothing_deleted},
        {"psu 500 on the scope list", "dhcp01", {rule("GET", "/api/dhcp/scopes", {{"status", 500}})}, 1, "HTTP 500",
         "", "", {}, nothing_deleted},
        {"psu read timeout on every lease read", "dhcp01", {rule("GET", "/api/dhcp/leases", {{"hang", true}})}, 1,
         "timed out", "", "    max_retries: 1\n", {}, nothing_deleted},
        {"psu huge body (3 MiB, limit 1 MiB) on lease reads", "dhcp01",
         {rule("GET", "/api/dhcp/leases", {{"huge_body_mb", 3}})}, 1, "exceeds the limit", "",
         "    max_response_bytes: 1MiB\n", {}, nothing_deleted},
        {"psu lone object instead of a list", "dhcp03",
         {rule("GET", branch_leases, {{"malformed", json::serialize(lease("10.20.1.60", "aa-bb-cc-00-00-01", "kiosk-01"))},
                                      {"query_contains", "10.20.1.0"}})},
         0, "", "", "", {},
         [](SyncEnvironment& env, const RunResult&) {
             // PowerShell's ConvertTo-Json unwraps a one-element array: read as a list of one.
             auto kiosk = find_ip(env.netbox(), "10.20.1.60/24");
             REQUIRE(kiosk);
             CHECK(kiosk->at("dns_name").as_string() == "kiosk-01");
         }},
        {"psu unknown enum strings, invalid IPs and MACs", "dhcp03",
         {rule("GET", branch_leases,
               {{"query_contains", "10.20.1.0"},
                {"malformed", json::serialize(json::array{json::object{{"ip_address", "10.20.1.60"},
                                                                       {"client_id", json::array{"wrong", "type"}}},
                                                          lease("10.20.1.61", "aa-bb-cc-00-00-02", "kiosk-02"),
                                                          lease("10.20.1.62", "aa-bb-cc-00-00-03", "odd", "Exploded"),
                                                          lease("10.20.1.999", "aa-bb-cc-00-00-04", "bad-ip"),
                                                          lease("10.20.1.64", "zz-not-a-mac", "bad-mac"),
                                                          lease("10.20.1.65", "aa-bb-cc-00-00-05", "ok-65")})}})},
         0, "10.20.1.999", "", "", {},
         [](SyncEnvironment& env, const RunResult& result) {
             const std::string output = result.out + result.err;
             // Good records are applied; bad ones are skipped and named, and the scope gets no cleanup, so the
             // IP whose lease record was unusable (10.20.1.60) is not deleted.
             CHECK(find_ip(env.netbox(), "10.20.1.65/24"));
             CHECK(find_ip(env.netbox(), "10.20.1.60/24"));
             CHECK(output.find("no cleanup (deletes) for scope") != std::string::npos);
             // An unknown lease state is kept as a lease and reported (dropping it would delete its IP).
             CHECK(find_ip(env.netbox(), "10.20.1.62/24"));
             CHECK(output.find("address_state 'Exploded'") != std::string::npos);
             // A client id that is not a MAC is kept verbatim (README, "How it differs from the plugin").
             auto odd = find_ip(env.netbox(), "10.20.1.64/24");
             REQUIRE(odd);
             CHECK(client_id_of(*odd) == "zz-not-a-mac");
         }},
        {"psu empty scope list", "dhcp03", {rule("GET", "/api/dhcp/scopes", {{"empty_list", true}})}, 1, "", "", "",
         {},
         [](SyncEnvironment& env, const RunResult& result) {
             kept_seeded_ips(env, result);
             CHECK((result.out + result.err).find("empty scope list") != std::string::npos);
             bool branch = false;
             auto state = env.netbox().state();
             for (const auto& scope : state.at("scopes").as_array())
                 branch = branch || scope.at("name").as_string() == "Branch";
             CHECK_MESSAGE(branch, "the Branch scope was deleted from NetBox on an empty scope list");
         }},
    };
    for (const auto& row : rows) {
        SUBCASE(row.name) { run_row(row); }
    }
}

TEST_CASE("fault matrix: the process killed in the middle of applying, then run again, converges") {
    const auto& want = reference();
    auto env = make_environment();
    // Small write batches, each slow: the apply takes seconds, so SIGKILL lands in the middle of it.
    auto config = write_config(env, "slow", "  page_size: 2\n  max_concurrent_writes: 1\n  timeout: 30s\n");
    env.netbox().post("/_sim/config", json::object{{"latency_ms_per_object_written", 400}});
    env.reset_stats();

    auto written = [&] { return env.netbox().stats().at("objects_written").to_number<long>(); };
    long at_kill = 0;
    {
        ChildProcess sync(NDS_BINARY, {"sync", "--config", config}, env.work_dir() + "/killed.log");
        auto deadline = std::chrono::steady_clock::now() + 30s;
        while (written() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
        ::kill(sync.pid(), SIGKILL);
        at_kill = written();
        sync.stop();
    }
    env.netbox().post("/_sim/config", json::object{{"latency_ms_per_object_written", 0}});
    INFO("objects written before SIGKILL: " << at_kill);
    REQUIRE(at_kill >= 3);

    // The killed run applied only part of its plan.
    auto partial = fingerprint(env.netbox());
    CHECK(partial != want);

    auto again = env.run({"sync"}, write_config(env, "clean"));
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    auto present = addresses(env.netbox());
    CHECK(std::set<std::string>(present.begin(), present.end()).size() == present.size());
    auto got = fingerprint(env.netbox());
    CHECK_MESSAGE(got == want, "NetBox differs from a clean run:\n" << diff(want, got));
    std::cout << "FAULT process killed mid-apply: " << at_kill << " objects written before SIGKILL; re-run exit "
              << again.exit_code << ", NetBox " << (got == want ? "equals" : "DIFFERS FROM") << " a clean run\n";

    // And a third run has nothing left to do.
    env.reset_stats();
    auto third = env.run({"sync"}, write_config(env, "clean"));
    CHECK(third.exit_code == 0);
    CHECK(env.netbox_writes() == 0);
}
