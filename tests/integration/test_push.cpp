// The push modes with the real binary (NetBox authoritative): reservations (new, changed, MAC changed, pruning
// on and off, duplicates, protected, a failed push), scopes (create and update on the server, description
// kept) and exclusion ranges both ways; and --dry-run of each, which writes nothing.
#include "integration_fixture.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <set>
#include <utility>

using namespace nds::testing;
namespace json = boost::json;

namespace {

const char* kReservations = "  ip_addresses: true\n  push_reservations: true\n";

/// Script 1.0.2 (the simulator's default) answers 500 to every reservation delete, scope create and exclusion
/// delete; these tests are about the pushes themselves, so dhcp03 runs a corrected script.
void use_fixed_script(SyncEnvironment& env) { env.use_corrected_psu_script("dhcp03"); }
const char* kScopes = "  ip_addresses: false\n  push_scope_info: true\n";

json::object nb_ip(const std::string& address, const std::string& dns, const std::string& client_id,
                   const std::string& description = "", json::array tags = {}) {
    return {{"address", address}, {"vrf", nullptr}, {"status", "reserved"}, {"dns_name", dns},
            {"description", description}, {"tags", std::move(tags)},
            {"custom_fields", json::object{{"dhcp_client_id", client_id}}}};
}

json::object reservation(const std::string& ip, const std::string& client_id, const std::string& name) {
    return {{"ip_address", ip}, {"client_id", client_id}, {"name", name}, {"description", ""}, {"type", "Dhcp"},
            {"scope_id", "10.20.1.0"}};
}

/// The demo estate plus, in dhcp03's standalone scope Branch (10.20.1.0/24): a new reserved IP (.70), one
/// whose name changed in NetBox (.80), one whose MAC changed (.81), a duplicate MAC (.82) and a protected
/// reserved IP (.83); the server also has a reservation NetBox does not hold (.90).
SyncEnvironment reservation_environment(bool corrected_script = true) {
    auto env = make_environment();
    if (corrected_script) use_fixed_script(env);
    env.netbox().seed(json::object{{"ip_addresses", json::array{
        nb_ip("10.20.1.70/24", "cam-70", "aa-bb-cc-00-07-00", "lobby camera"),
        nb_ip("10.20.1.80/24", "cam-new", "aa-bb-cc-00-08-00"),
        nb_ip("10.20.1.81/24", "cam-81", "aa-bb-cc-00-08-99"),
        nb_ip("10.20.1.82/24", "cam-copy", "aa-bb-cc-00-07-00"),
        nb_ip("10.20.1.83/24", "core", "aa-bb-cc-00-08-03", "", json::array{"dhcp-protect"})}}});
    env.dhcp("dhcp03").seed(json::object{{"reservations", json::array{
        reservation("10.20.1.80", "aa-bb-cc-00-08-00", "cam-old"),
        reservation("10.20.1.81", "aa-bb-cc-00-08-01", "cam-81")}}});
    return env;
}

std::map<std::string, json::object> reservations_of(Simulator& dhcp) {
    std::map<std::string, json::object> out;
    auto state = dhcp.state();
    for (const auto& r : state.at("reservations").as_array())
        out[std::string(r.at("ip_address").as_string())] = r.as_object();
    return out;
}

/// dhcp03 after `sync`: Branch's lease time changed and a description set on the server, a server-only
/// exclusion in Branch; in NetBox an exclusion for Branch and a scope "Branch Data" dhcp03 does not have.
SyncEnvironment scope_environment(bool corrected_script = true) {
    auto env = make_environment();
    if (corrected_script) use_fixed_script(env);
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
    return env;
}

const json::object* scope_on(Simulator& dhcp, const std::string& id) {
    static json::value state;
    state = dhcp.state();
    for (const auto& s : state.at("scopes").as_array())
        if (s.at("scope_id").as_string() == id) return &s.as_object();
    return nullptr;
}

std::set<std::pair<std::string, std::string>> exclusions_on(Simulator& dhcp, const std::string& scope) {
    std::set<std::pair<std::string, std::string>> out;
    auto state = dhcp.state();
    for (const auto& e : state.at("exclusions").as_array())
        if (e.at("scope_id").as_string() == scope)
            out.emplace(std::string(e.at("start_ip").as_string()), std::string(e.at("end_ip").as_string()));
    return out;
}

/// (kind, action) of every planned action of dhcp03 in a --dry-run --output json document.
std::multiset<std::pair<std::string, std::string>> planned(const std::string& out) {
    std::multiset<std::pair<std::string, std::string>> keys;
    auto doc = json::parse(out);  // named: a temporary would die before the loop body runs
    for (const auto& a : doc.at("servers").at("dhcp03").at("actions").as_array())
        if (a.at("status").as_string() == "planned")
            keys.emplace(std::string(a.at("kind").as_string()), std::string(a.at("action").as_string()));
    return keys;
}

}  // namespace

TEST_CASE("push_reservations: new, changed and MAC-changed reservations, duplicates and protected IPs reported") {
    auto env = reservation_environment();
    auto config = env.write_config(kReservations);
    auto result = env.run({"sync", "--server", "dhcp03", "-v"}, config);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    auto reservations = reservations_of(env.dhcp("dhcp03"));
    REQUIRE(reservations.count("10.20.1.70"));
    CHECK(reservations["10.20.1.70"].at("client_id").as_string() == "aa-bb-cc-00-07-00");
    CHECK(reservations["10.20.1.70"].at("name").as_string() == "cam-70");
    CHECK(reservations["10.20.1.70"].at("description").as_string() == "lobby camera");
    CHECK(reservations["10.20.1.80"].at("name").as_string() == "cam-new");          // updated
    CHECK(reservations["10.20.1.81"].at("client_id").as_string() == "aa-bb-cc-00-08-99");  // replaced
    CHECK(result.out.find("MAC changed in NetBox") != std::string::npos);
    CHECK_FALSE(reservations.count("10.20.1.82"));  // duplicate MAC: reported, not pushed
    CHECK(result.out.find("already pushed for 10.20.1.70") != std::string::npos);
    CHECK_FALSE(reservations.count("10.20.1.83"));  // protected
    // NetBox keeps its values: the pull does not take the server's old name or MAC back.
    auto cam = find_ip(env.netbox(), "10.20.1.80/24");
    REQUIRE(cam);
    CHECK(cam->at("dns_name").as_string() == "cam-new");
    CHECK(client_id_of(*find_ip(env.netbox(), "10.20.1.81/24")) == "aa-bb-cc-00-08-99");

    // A second run has nothing left to push.
    env.reset_stats();
    REQUIRE(env.run({"sync", "--server", "dhcp03"}, config).exit_code == 0);
    CHECK(env.dhcp_writes("dhcp03") == 0);
}

TEST_CASE("push_reservations: a reservation NetBox does not have is removed only with prune_reservations") {
    auto env = make_environment();
    use_fixed_script(env);
    env.dhcp("dhcp03").seed(json::object{{"reservations", json::array{reservation("10.20.1.90", "aa-bb-cc-00-09-00", "stray")}}});
    // ip_addresses off: the pull would otherwise make the server's reservation a NetBox IP first.
    std::string base = "  ip_addresses: false\n  push_reservations: true\n";
    REQUIRE(env.run({"sync", "--server", "dhcp03"}, env.write_config(base)).exit_code == 0);
    CHECK(reservations_of(env.dhcp("dhcp03")).count("10.20.1.90"));

    auto pruning = env.write_config(base + "  prune_reservations: true\n");
    env.reset_stats();
    auto dry = env.run({"sync", "--server", "dhcp03", "--dry-run", "--output", "json"}, pruning);
    CHECK(env.dhcp_writes("dhcp03") == 0);
    CHECK(planned(dry.out).count({"reservation", "delete"}) == 1);
    auto result = env.run({"sync", "--server", "dhcp03", "-v"}, pruning);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK_FALSE(reservations_of(env.dhcp("dhcp03")).count("10.20.1.90"));
    CHECK(result.out.find("prune_reservations") != std::string::npos);
}

TEST_CASE("push_reservations --dry-run writes nothing and plans every push") {
    auto env = reservation_environment();
    auto config = env.write_config(kReservations);
    env.reset_stats();
    auto dry = env.run({"sync", "--server", "dhcp03", "--dry-run", "--output", "json"}, config);
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(env.dhcp_writes("dhcp03") == 0);
    CHECK(env.netbox_writes() == 0);
    auto keys = planned(dry.out);
    CHECK(keys.count({"reservation", "create"}) == 2);  // .70, and .81 re-created
    CHECK(keys.count({"reservation", "update"}) == 1);  // .80
    CHECK(keys.count({"reservation", "delete"}) == 1);  // .81's old MAC
}

TEST_CASE("push_reservations: a failed push is reported and the others still go") {
    auto env = reservation_environment();
    env.dhcp("dhcp03").add_fault(json::object{{"method", "POST"}, {"path_prefix", "/api/dhcp/reservations"},
                                              {"status", 500}, {"count", 1}});
    auto result = env.run({"sync", "--server", "dhcp03", "--output", "json"}, env.write_config(kReservations));
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    int failed = 0, applied = 0;
    auto doc = json::parse(result.out);
    for (const auto& a : doc.at("servers").at("dhcp03").at("actions").as_array()) {
        if (a.at("kind").as_string() != "reservation") continue;
        if (a.at("status").as_string() == "failed") ++failed;
        if (a.at("status").as_string() == "applied") ++applied;
    }
    CHECK(failed == 1);
    CHECK(applied == 3);
    CHECK(reservations_of(env.dhcp("dhcp03"))["10.20.1.80"].at("name").as_string() == "cam-new");
}

TEST_CASE("push_scope_info: scope updated and created on the server, exclusions reconciled both ways") {
    auto env = scope_environment();
    auto config = env.write_config(kScopes);
    auto result = env.run({"sync", "--server", "dhcp03", "-v"}, config);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    auto& dhcp = env.dhcp("dhcp03");
    const auto* branch = scope_on(dhcp, "10.20.1.0");
    REQUIRE(branch);
    CHECK(branch->at("lease_duration_seconds").to_number<int>() == 86400);  // NetBox's value
    CHECK(branch->at("description").as_string() == "branch office");       // kept, not wiped (B12)
    const auto* data = scope_on(dhcp, "10.20.3.0");
    REQUIRE(data);
    CHECK(data->at("name").as_string() == "Branch Data");
    CHECK(data->at("subnet_mask").as_string() == "255.255.255.0");
    CHECK(data->at("lease_duration_seconds").to_number<int>() == 3600);
    // Exclusions: NetBox's range added, the server-only one removed; the new scope gets its range too.
    CHECK(exclusions_on(dhcp, "10.20.1.0") == std::set<std::pair<std::string, std::string>>{{"10.20.1.50", "10.20.1.55"}});
    CHECK(exclusions_on(dhcp, "10.20.3.0") == std::set<std::pair<std::string, std::string>>{{"10.20.3.10", "10.20.3.19"}});
    // NetBox is not changed from the server: Branch Voice (server only) is not imported, nothing deleted.
    bool voice = false;
    auto nb_state = env.netbox().state();
    for (const auto& s : nb_state.at("scopes").as_array()) voice = voice || s.at("name").as_string() == "Branch Voice";
    CHECK_FALSE(voice);

    env.reset_stats();
    REQUIRE(env.run({"sync", "--server", "dhcp03"}, config).exit_code == 0);
    CHECK(env.dhcp_writes("dhcp03") == 0);
    CHECK(env.netbox_writes() == 0);
}

TEST_CASE("push_scope_info --dry-run writes nothing and plans the scope and exclusion pushes") {
    auto env = scope_environment();
    env.reset_stats();
    auto dry = env.run({"sync", "--server", "dhcp03", "--dry-run", "--output", "json"}, env.write_config(kScopes));
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(env.dhcp_writes("dhcp03") == 0);
    CHECK(env.netbox_writes() == 0);
    auto keys = planned(dry.out);
    CHECK(keys.count({"dhcp_scope", "update"}) == 1);
    CHECK(keys.count({"dhcp_scope", "create"}) == 1);
    CHECK(keys.count({"dhcp_exclusion", "create"}) == 2);
    CHECK(keys.count({"dhcp_exclusion", "delete"}) == 1);
    CHECK(scope_on(env.dhcp("dhcp03"), "10.20.3.0") == nullptr);
}

namespace {

/// The actions of dhcp03 in a `--output json` report with this status, as "kind action object" lines.
std::vector<std::string> actions_with_status(const std::string& out, const std::string& status) {
    std::vector<std::string> lines;
    auto doc = json::parse(out);
    for (const auto& a : doc.at("servers").at("dhcp03").at("actions").as_array())
        if (a.at("status").as_string() == status)
            lines.push_back(std::string(a.at("kind").as_string()) + " " + std::string(a.at("action").as_string()) + " " +
                            std::string(a.at("object").as_string()));
    return lines;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& text) {
    for (const auto& line : lines)
        if (line.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("PSU script 1.0.2: scope create and exclusion delete are not attempted, one warning names the version and the fix, the rest is applied") {
    auto env = scope_environment(/*corrected_script=*/false);  // the simulator answers 500 to both, as 1.0.2 does
    auto result = env.run({"sync", "--server", "dhcp03", "--output", "json"}, env.write_config(kScopes));
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);  // a warning, not a failure
    auto& dhcp = env.dhcp("dhcp03");
    CHECK_FALSE(scope_on(dhcp, "10.20.3.0"));  // not created
    auto branch = exclusions_on(dhcp, "10.20.1.0");
    CHECK(branch.count({"10.20.1.50", "10.20.1.55"}));   // exclusion create: supported, applied
    CHECK(branch.count({"10.20.1.140", "10.20.1.150"})); // exclusion delete: not attempted, still there
    const auto* updated = scope_on(dhcp, "10.20.1.0");
    REQUIRE(updated);
    CHECK(updated->at("lease_duration_seconds").to_number<int>() == 86400);  // scope update applied
    auto skipped = actions_with_status(result.out, "skipped");
    CHECK(any_contains(skipped, "10.20.3.0"));           // the scope, and its exclusion with it
    CHECK(any_contains(skipped, "10.20.1.140"));
    auto warnings = 0;
    for (std::size_t at = result.err.find("not performed on this server"); at != std::string::npos;
         at = result.err.find("not performed on this server", at + 1))
        ++warnings;
    CHECK(warnings == 1);
    CHECK(result.err.find("scope create") != std::string::npos);
    CHECK(result.err.find("exclusion delete") != std::string::npos);
    CHECK(result.err.find("1.0.2") != std::string::npos);
    CHECK(result.err.find("psu_script_fixed: true") != std::string::npos);
    // Nothing was sent that the script refuses.
    auto by_path = dhcp.stats().at("by_path").as_object();
    CHECK_FALSE(by_path.contains("POST /api/dhcp/scopes"));
    CHECK_FALSE(by_path.contains("DELETE /api/dhcp/exclusions"));
}

TEST_CASE("PSU script 1.0.2: a MAC change is neither removed nor re-created, prune removes nothing, both reported as skipped") {
    auto env = reservation_environment(/*corrected_script=*/false);
    auto config = env.write_config(std::string(kReservations) + "  prune_reservations: true\n");
    auto result = env.run({"sync", "--server", "dhcp03", "--output", "json"}, config);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    auto reservations = reservations_of(env.dhcp("dhcp03"));
    CHECK(reservations["10.20.1.81"].at("client_id").as_string() == "aa-bb-cc-00-08-01");  // left as it was
    CHECK(reservations.count("10.20.1.70"));          // a create is supported: pushed
    CHECK(reservations["10.20.1.80"].at("name").as_string() == "cam-new");  // an update in place too
    auto skipped = actions_with_status(result.out, "skipped");
    CHECK(any_contains(skipped, "10.20.1.81"));
    CHECK(result.err.find("reservation delete") != std::string::npos);
    CHECK(result.err.find("psu_script_fixed: true") != std::string::npos);
}

TEST_CASE("PSU script 1.0.2 with psu_script_fixed: true the operations are attempted (and fail on the real 1.0.2 script)") {
    auto env = scope_environment(/*corrected_script=*/false);
    std::string config = env.write_config(kScopes);
    {   // the operator says the script is fixed, but the simulator still runs 1.0.2
        std::ifstream in(config);
        std::stringstream text;
        text << in.rdbuf();
        auto yaml = text.str();
        yaml.replace(yaml.find("log:"), 0, "  dhcp03:\n    psu_script_fixed: true\n");
        std::ofstream(config) << yaml;
    }
    auto result = env.run({"sync", "--server", "dhcp03", "--output", "json"}, config);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("not performed on this server") == std::string::npos);
    CHECK(any_contains(actions_with_status(result.out, "failed"), "10.20.3.0"));
}

TEST_CASE("push_reservations: a change to a reservation whose MAC is also reserved in another scope is not sent to PSU") {
    // The PSU script updates "the first reservation with that client id in any scope": with the MAC of .80
    // also reserved in Branch Voice, the name change could land on the phone's reservation.
    auto env = reservation_environment();
    auto phone = reservation("10.20.2.80", "aa-bb-cc-00-08-00", "phone");
    phone["scope_id"] = "10.20.2.0";
    env.dhcp("dhcp03").seed(json::object{{"reservations", json::array{phone}}});
    auto config = env.write_config(kReservations);
    auto result = env.run({"sync", "--server", "dhcp03", "--output", "json"}, config);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    auto reservations = reservations_of(env.dhcp("dhcp03"));
    CHECK(reservations["10.20.1.80"].at("name").as_string() == "cam-old");  // not changed
    CHECK(reservations["10.20.2.80"].at("name").as_string() == "phone");    // not changed either
    CHECK(reservations.count("10.20.1.70"));                               // other pushes still go
    CHECK(any_contains(actions_with_status(result.out, "skipped"), "reservation skip 10.20.1.80/24"));
    CHECK(result.out.find("aa-bb-cc-00-08-00 is reserved 2 times on this server (10.20.1.80, 10.20.2.80)") != std::string::npos);
}
