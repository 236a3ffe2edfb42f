// The DHCP write-fault matrix: the real binary against the simulators, with EVERY write endpoint of the
// DHCP server (scope create and update, reservation create, update and delete, exclusion create and delete)
// answering 500, then timing out, then answering malformed JSON, in each push mode that reaches it
// (push_reservations with and without prune_reservations, push_scope_info). For every row:
//   - the run ends with exit 1 and valid --output json (the process did not crash; ASan builds run this);
//   - every write to the faulted endpoint is reported failed, with the reason, and what depends on it (the
//     re-create after a MAC change's delete, a new scope's exclusion ranges) is not applied;
//   - every other write is reported applied, and the server's state is exactly the start state plus those
//     writes; none of NetBox's own actions of the run fails;
//   - with the fault removed, the next run applies what is left, exits 0, and a third run writes nothing.
// dhcp03 runs the corrected script (script 1.0.2 answers 500 to some of these endpoints anyway), so the
// injected fault is what fails.
//
// Each row prints one line "WRITE FAULT <row>: exit <n>: <failed actions>".
#include "integration_fixture.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace nds::testing;
namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------------------------------------
// The server's state as the test compares it

struct ServerState {
    std::map<std::string, std::string> reservations;  ///< ip -> "client_id name"
    std::map<std::string, std::string> scopes;        ///< scope id -> "name start-end lease=N"
    std::set<std::string> exclusions;                 ///< "scope start-end"

    bool operator==(const ServerState&) const = default;
};

ServerState read_state(Simulator& dhcp) {
    ServerState out;
    auto state = dhcp.state();
    for (const auto& r : state.at("reservations").as_array())
        out.reservations[std::string(r.at("ip_address").as_string())] =
            std::string(r.at("client_id").as_string()) + " " + std::string(r.at("name").as_string());
    for (const auto& s : state.at("scopes").as_array())
        out.scopes[std::string(s.at("scope_id").as_string())] =
            std::string(s.at("name").as_string()) + " " + std::string(s.at("start_ip").as_string()) + "-" +
            std::string(s.at("end_ip").as_string()) + " lease=" + std::to_string(s.at("lease_duration_seconds").to_number<long>());
    for (const auto& e : state.at("exclusions").as_array())
        out.exclusions.insert(std::string(e.at("scope_id").as_string()) + " " + std::string(e.at("start_ip").as_string()) +
                              "-" + std::string(e.at("end_ip").as_string()));
    return out;
}

std::string describe(const ServerState& s) {
    std::string out;
    for (const auto& [ip, r] : s.reservations) out += "  reservation " + ip + " " + r + "\n";
    for (const auto& [id, scope] : s.scopes) out += "  scope " + id + " " + scope + "\n";
    for (const auto& e : s.exclusions) out += "  exclusion " + e + "\n";
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// Endpoints, faults, modes

struct Endpoint {
    const char* name;
    const char* method;
    const char* path_prefix;
    const char* kind;  ///< the action kind in the run report
    const char* verb;  ///< the action verb in the run report
};

const Endpoint kScopeCreate{"scope create", "POST", "/api/dhcp/scopes", "dhcp_scope", "create"};
const Endpoint kScopeUpdate{"scope update", "PUT", "/api/dhcp/scopes/", "dhcp_scope", "update"};
const Endpoint kReservationCreate{"reservation create", "POST", "/api/dhcp/reservations", "reservation", "create"};
const Endpoint kReservationUpdate{"reservation update", "PUT", "/api/dhcp/reservations/", "reservation", "update"};
const Endpoint kReservationDelete{"reservation delete", "DELETE", "/api/dhcp/reservations/", "reservation", "delete"};
const Endpoint kExclusionCreate{"exclusion create", "POST", "/api/dhcp/exclusions", "dhcp_exclusion", "create"};
const Endpoint kExclusionDelete{"exclusion delete", "DELETE", "/api/dhcp/exclusions", "dhcp_exclusion", "delete"};

struct Fault {
    const char* name;
    json::object effect;  ///< the fault rule without method and path
    const char* reported;  ///< a phrase of the failed action's error
};

const std::vector<Fault>& faults() {
    static const std::vector<Fault> all = {
        {"500", json::object{{"status", 500}, {"body", R"({"error":"injected write failure"})"}}, "HTTP 500"},
        {"timeout", json::object{{"hang", true}}, "timed out"},
        {"malformed JSON", json::object{{"malformed", R"({"scope_id": "10.20.1.0", "na)"}}, "nvalid JSON"},
    };
    return all;
}

/// One write the plan of a mode holds: how to find its action in the report, and what it does to the server.
struct Write {
    const char* kind;
    const char* verb;
    const char* object;  ///< the action's "object" in the report
    std::function<void(ServerState&)> apply;
    int depends_on = -1;  ///< index of the write it needs (applied only if that one was)
};

struct Mode {
    const char* name;
    std::string sync_yaml;
    std::function<void(SyncEnvironment&)> seed;
    std::vector<Write> writes;
};

json::object nb_reserved_ip(const std::string& address, const std::string& dns, const std::string& client_id) {
    return {{"address", address}, {"vrf", nullptr}, {"status", "reserved"}, {"dns_name", dns}, {"description", ""},
            {"tags", json::array{}}, {"custom_fields", json::object{{"dhcp_client_id", client_id}}}};
}

json::object server_reservation(const std::string& ip, const std::string& client_id, const std::string& name) {
    return {{"ip_address", ip}, {"client_id", client_id}, {"name", name}, {"description", ""}, {"type", "Dhcp"},
            {"scope_id", "10.20.1.0"}};
}

/// dhcp03's scope Branch (10.20.1.0/24): NetBox holds .70 (new), .80 (renamed) and .81 (MAC changed) as
/// reserved; the server has .80 and .81 with the old values and .90, which NetBox does not hold.
void seed_reservations(SyncEnvironment& env) {
    env.netbox().seed(json::object{{"ip_addresses", json::array{nb_reserved_ip("10.20.1.70/24", "cam-70", "aa-bb-cc-00-07-00"),
                                                                nb_reserved_ip("10.20.1.80/24", "cam-new", "aa-bb-cc-00-08-00"),
                                                                nb_reserved_ip("10.20.1.81/24", "cam-81", "aa-bb-cc-00-08-99")}}});
    env.dhcp("dhcp03").seed(json::object{{"reservations", json::array{server_reservation("10.20.1.80", "aa-bb-cc-00-08-00", "cam-old"),
                                                                      server_reservation("10.20.1.81", "aa-bb-cc-00-08-01", "cam-81"),
                                                                      server_reservation("10.20.1.90", "aa-bb-cc-00-09-00", "stray")}}});
}

std::vector<Write> reservation_writes(bool prune) {
    std::vector<Write> writes = {
        {"reservation", "create", "10.20.1.70/24", [](ServerState& s) { s.reservations["10.20.1.70"] = "aa-bb-cc-00-07-00 cam-70"; }},
        {"reservation", "update", "10.20.1.80/24", [](ServerState& s) { s.reservations["10.20.1.80"] = "aa-bb-cc-00-08-00 cam-new"; }},
        {"reservation", "delete", "10.20.1.81/24", [](ServerState& s) { s.reservations.erase("10.20.1.81"); }},
        {"reservation", "create", "10.20.1.81/24", [](ServerState& s) { s.reservations["10.20.1.81"] = "aa-bb-cc-00-08-99 cam-81"; }, 2},
    };
    if (prune)
        writes.push_back({"reservation", "delete", "10.20.1.90/24", [](ServerState& s) { s.reservations.erase("10.20.1.90"); }});
    return writes;
}

/// dhcp03 for push_scope_info: Branch's lease time differs on the server (7200, NetBox 86400), the server
/// has an exclusion NetBox does not (.140-.150), NetBox has one the server does not (.50-.55), and NetBox
/// has a scope "Branch Data" (10.20.3.0/24, with one exclusion range) the server does not.
void seed_scopes(SyncEnvironment& env) {
    auto psu = http_call(env.dhcp_ports().at("dhcp03"), "PUT", "/api/dhcp/scopes/10.20.1.0",
                         R"({"lease_duration_seconds": 7200, "description": "branch office"})",
                         {{"Authorization", std::string("Bearer ") + kPsuToken}});
    REQUIRE(psu.status == 200);
    env.dhcp("dhcp03").seed(json::object{{"exclusions", json::array{json::object{
        {"scope_id", "10.20.1.0"}, {"start_ip", "10.20.1.140"}, {"end_ip", "10.20.1.150"}}}}});
    env.netbox().seed(json::object{{"scopes", json::array{json::object{
        {"name", "Branch Data"}, {"prefix", "10.20.3.0/24"}, {"start_ip", "10.20.3.10"}, {"end_ip", "10.20.3.100"},
        {"router", "10.20.3.1"}, {"lease_lifetime", 3600}, {"server", "dhcp03"},
        {"exclusion_ranges", json::array{json::object{{"start_ip", "10.20.3.10"}, {"end_ip", "10.20.3.19"}}}}}}}});
    std::int64_t branch = 0;
    auto nb_state = env.netbox().state();
    for (const auto& s : nb_state.at("scopes").as_array())
        if (s.at("name").as_string() == "Branch") branch = s.at("id").as_int64();
    auto nb = http_call(env.netbox().port(), "POST", "/api/plugins/windows-dhcp/exclusion-ranges/",
                        json::serialize(json::object{{"scope_id", branch}, {"start_ip", "10.20.1.50"}, {"end_ip", "10.20.1.55"}}),
                        {{"Authorization", std::string("Token ") + kAliceToken}});
    REQUIRE(nb.status == 201);
}

std::vector<Write> scope_writes() {
    return {
        {"dhcp_scope", "update", "10.20.1.0", [](ServerState& s) { s.scopes["10.20.1.0"] = "Branch 10.20.1.50-10.20.1.150 lease=86400"; }},
        {"dhcp_scope", "create", "10.20.3.0/24", [](ServerState& s) { s.scopes["10.20.3.0"] = "Branch Data 10.20.3.10-10.20.3.100 lease=3600"; }},
        {"dhcp_exclusion", "create", "10.20.1.50\u201310.20.1.55", [](ServerState& s) { s.exclusions.insert("10.20.1.0 10.20.1.50-10.20.1.55"); }},
        {"dhcp_exclusion", "create", "10.20.3.10\u201310.20.3.19", [](ServerState& s) { s.exclusions.insert("10.20.3.0 10.20.3.10-10.20.3.19"); }, 1},
        {"dhcp_exclusion", "delete", "10.20.1.140\u201310.20.1.150", [](ServerState& s) { s.exclusions.erase("10.20.1.0 10.20.1.140-10.20.1.150"); }},
    };
}

Mode reservations_mode(bool prune) {
    return {prune ? "push_reservations + prune_reservations" : "push_reservations",
            std::string("  ip_addresses: false\n  push_reservations: true\n") + (prune ? "  prune_reservations: true\n" : ""),
            seed_reservations, reservation_writes(prune)};
}

Mode scopes_mode() { return {"push_scope_info", "  ip_addresses: false\n  push_scope_info: true\n", seed_scopes, scope_writes()}; }

// ---------------------------------------------------------------------------------------------------------
// One row

/// Short DHCP timeouts and one retry, so a hang costs about two seconds per request.
std::string write_config(SyncEnvironment& env, const std::string& name, const std::string& sync_yaml) {
    auto path = env.work_dir() + "/" + name + ".yaml";
    std::ofstream out(path);
    out << "netbox:\n  url: " << env.netbox().url() << "\n  token: " << kAliceToken << "\n  timeout: 10s\n"
        << "sync:\n  protect_tag: dhcp-protect\n" << sync_yaml
        << "dhcp_servers:\n  default:\n    token: " << kPsuToken << "\n    timeout: 1s\n    max_retries: 1\n"
        << "  dhcp03:\n    psu_script_fixed: true\n"  // the corrected script the simulator runs (run_row)
        << "log:\n  level: info\n";
    return path;
}

/// The report's action for a write: same kind and object, and the write's verb (or "skip").
const json::object* action_for(const json::array& actions, const Write& w, std::set<const json::object*>& used) {
    for (const auto& a : actions) {
        const auto& o = a.as_object();
        if (used.count(&o) || o.at("kind").as_string() != w.kind || o.at("object").as_string() != w.object) continue;
        if (o.at("action").as_string() != w.verb && o.at("action").as_string() != "skip") continue;
        used.insert(&o);
        return &o;
    }
    return nullptr;
}

void run_row(const Mode& mode, const Endpoint& endpoint, const Fault& fault) {
    auto env = make_environment();
    env.dhcp("dhcp03").post("/_sim/config", json::object{{"script", "fixed"}});
    mode.seed(env);
    auto config = write_config(env, "faulted", mode.sync_yaml);
    const ServerState start = read_state(env.dhcp("dhcp03"));

    // Which writes the fault hits, and which are then not applied either.
    std::vector<bool> hit(mode.writes.size()), applied(mode.writes.size());
    for (std::size_t i = 0; i < mode.writes.size(); ++i) {
        const Write& w = mode.writes[i];
        hit[i] = std::string(w.kind) == endpoint.kind && std::string(w.verb) == endpoint.verb;
        applied[i] = !hit[i] && (w.depends_on < 0 || applied[static_cast<std::size_t>(w.depends_on)]);
    }
    REQUIRE_MESSAGE(std::count(hit.begin(), hit.end(), true) > 0,
                    "mode " << std::string(mode.name) << " does not reach " << std::string(endpoint.name));
    ServerState want = start;
    for (std::size_t i = 0; i < mode.writes.size(); ++i)
        if (applied[i]) mode.writes[i].apply(want);

    json::object rule = fault.effect;
    rule["method"] = endpoint.method;
    rule["path_prefix"] = endpoint.path_prefix;
    env.dhcp("dhcp03").add_fault(rule);

    auto result = env.run({"sync", "--server", "dhcp03", "--output", "json"}, config);
    const std::string row = std::string(mode.name) + " / " + endpoint.name + " / " + fault.name;
    INFO("row: " << row);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    for (const char* crash : {"AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error:", "double free", "terminate called"})
        CHECK_MESSAGE(result.err.find(crash) == std::string::npos, "the run reported: " << crash);

    json::value doc;
    REQUIRE_NOTHROW(doc = json::parse(result.out));
    const auto& actions = doc.at("servers").at("dhcp03").at("actions").as_array();
    std::set<const json::object*> used;
    std::string failed_line;
    for (std::size_t i = 0; i < mode.writes.size(); ++i) {
        const Write& w = mode.writes[i];
        const std::string write = std::string(w.kind) + " " + w.verb + " " + w.object;
        CAPTURE(write);
        const json::object* a = action_for(actions, w, used);
        REQUIRE_MESSAGE(a, "no action reported for this write");
        std::string status(a->at("status").as_string());
        if (hit[i]) {
            CHECK(status == "failed");
            const auto* error = a->if_contains("error");
            REQUIRE(error);
            CHECK(std::string(error->as_string()).find(fault.reported) != std::string::npos);
            failed_line += std::string(failed_line.empty() ? "" : ", ") + w.kind + " " + w.verb + " " + w.object;
        } else if (applied[i]) {
            CHECK(status == "applied");
        } else {
            CHECK(status != "applied");  // depends on a failed write: failed on the server, or skipped
        }
    }
    // Nothing else was planned for dhcp03's DHCP server, and NetBox's own actions (the auto-import of the
    // server-only scope in the reservation modes) are not disturbed by the DHCP server's fault.
    for (const auto& a : actions) {
        const auto& o = a.as_object();
        std::string kind(o.at("kind").as_string());
        if (kind == "reservation" || kind == "dhcp_scope" || kind == "dhcp_exclusion")
            CHECK_MESSAGE(used.count(&o), "unexpected action " << json::serialize(o));
        else
            CHECK_MESSAGE(o.at("status").as_string() != "failed", "NetBox action failed: " << json::serialize(o));
    }
    auto got = read_state(env.dhcp("dhcp03"));
    CHECK_MESSAGE(got == want, "server state\n" << describe(got) << "expected\n" << describe(want));
    std::cout << "WRITE FAULT " << row << ": exit " << result.exit_code << ": failed " << failed_line << "\n";

    // Fault removed: the next run applies the rest and the one after has nothing left to do.
    env.dhcp("dhcp03").clear_faults();
    auto again = env.run({"sync", "--server", "dhcp03"}, config);
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    ServerState complete = start;
    for (const auto& w : mode.writes) w.apply(complete);
    got = read_state(env.dhcp("dhcp03"));
    CHECK_MESSAGE(got == complete, "server state after the clean run\n" << describe(got) << "expected\n" << describe(complete));
    env.reset_stats();
    CHECK(env.run({"sync", "--server", "dhcp03"}, config).exit_code == 0);
    CHECK(env.dhcp_writes("dhcp03") == 0);
    CHECK(env.netbox_writes() == 0);
}

void run_endpoint(const Endpoint& endpoint, const std::vector<Mode>& modes) {
    for (const auto& mode : modes)
        for (const auto& fault : faults()) {
            std::string name = std::string(mode.name) + " / " + fault.name;
            SUBCASE(name.c_str()) { run_row(mode, endpoint, fault); }
        }
}

}  // namespace

TEST_CASE("DHCP write faults: a clean run applies every write of each mode") {
    // The matrix's premise: without a fault every planned write goes through (exit 0) and lands on the server.
    for (const auto& mode : {reservations_mode(false), reservations_mode(true), scopes_mode()}) {
        CAPTURE(mode.name);
        auto env = make_environment();
        env.dhcp("dhcp03").post("/_sim/config", json::object{{"script", "fixed"}});
        mode.seed(env);
        ServerState want = read_state(env.dhcp("dhcp03"));
        for (const auto& w : mode.writes) w.apply(want);
        auto result = env.run({"sync", "--server", "dhcp03", "--output", "json"}, write_config(env, "clean", mode.sync_yaml));
        INFO(result.out << result.err);
        CHECK(result.exit_code == 0);
        auto got = read_state(env.dhcp("dhcp03"));
        CHECK_MESSAGE(got == want, "server state\n" << describe(got) << "expected\n" << describe(want));
    }
}

TEST_CASE("DHCP write faults: scope create") { run_endpoint(kScopeCreate, {scopes_mode()}); }
TEST_CASE("DHCP write faults: scope update") { run_endpoint(kScopeUpdate, {scopes_mode()}); }
TEST_CASE("DHCP write faults: reservation create") {
    run_endpoint(kReservationCreate, {reservations_mode(false), reservations_mode(true)});
}
TEST_CASE("DHCP write faults: reservation update") {
    run_endpoint(kReservationUpdate, {reservations_mode(false), reservations_mode(true)});
}
TEST_CASE("DHCP write faults: reservation delete") {
    run_endpoint(kReservationDelete, {reservations_mode(false), reservations_mode(true)});
}
TEST_CASE("DHCP write faults: exclusion create") { run_endpoint(kExclusionCreate, {scopes_mode()}); }
TEST_CASE("DHCP write faults: exclusion delete") { run_endpoint(kExclusionDelete, {scopes_mode()}); }
