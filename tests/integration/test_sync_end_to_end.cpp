// The real binary against the simulators: what a first sync creates, that a second one writes nothing,
// that --dry-run shows exactly what the real run then does, and who NetBox's change log names.
#include "integration_fixture.hpp"

#include <doctest/doctest.h>

#include <set>
#include <tuple>

using namespace nds::testing;
namespace json = boost::json;

TEST_CASE("first sync creates, updates and deletes what the estate calls for") {
    auto env = make_environment();
    auto result = env.run({"sync"});
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);

    auto& nb = env.netbox();
    // New leases become managed dhcp-status IPs with the scope prefix's length and the client id.
    auto ana = find_ip(nb, "10.10.1.20/24");
    REQUIRE(ana);
    CHECK(status_of(*ana) == "dhcp");
    CHECK(ana->at("dns_name").as_string() == "laptop-ana.corp.example.com");
    CHECK(client_id_of(*ana) == "00-15-5d-0a-01-02");
    CHECK(has_tag(*ana, "dhcp-sync"));
    // A hostname NetBox cannot take as dns_name: created without it.
    auto bob = find_ip(nb, "10.10.1.21/24");
    REQUIRE(bob);
    CHECK(bob->at("dns_name").as_string() == "");
    // Reservation -> reserved status.
    auto printer = find_ip(nb, "10.10.1.50/24");
    REQUIRE(printer);
    CHECK(status_of(*printer) == "reserved");
    CHECK(printer->at("dns_name").as_string() == "printer-2f");
    // Stale managed lease deleted.
    CHECK_FALSE(find_ip(nb, "10.10.1.30/24"));
    // Pre-staged reservation: client id back-filled, status and name kept, never made managed.
    auto prestaged = find_ip(nb, "10.10.1.40/24");
    REQUIRE(prestaged);
    CHECK(status_of(*prestaged) == "reserved");
    CHECK(prestaged->at("dns_name").as_string() == "printer-pre");
    CHECK(client_id_of(*prestaged) == "00-15-5d-0a-01-40");
    CHECK_FALSE(has_tag(*prestaged, "dhcp-sync"));
    // Protected IP untouched.
    auto core = find_ip(nb, "10.10.1.41/24");
    REQUIRE(core);
    CHECK(status_of(*core) == "active");
    CHECK(core->at("dns_name").as_string() == "core-switch");
    // Changed hostname updated; MAC written by the server as AA:BB:.. compared after normalisation.
    auto kiosk = find_ip(nb, "10.20.1.60/24");
    REQUIRE(kiosk);
    CHECK(kiosk->at("dns_name").as_string() == "kiosk-01");
    CHECK(client_id_of(*kiosk) == "aa-bb-cc-00-00-01");
    // The scope only dhcp03 knows is auto-imported with its prefix, and its lease synced.
    auto state = nb.state();
    bool voice = false;
    for (const auto& scope : state.at("scopes").as_array()) voice = voice || scope.at("name").as_string() == "Branch Voice";
    CHECK(voice);
    CHECK(find_ip(nb, "10.20.2.20/24"));
    // Scope attribute pulled from the server, new exclusion range pulled.
    for (const auto& scope : state.at("scopes").as_array())
        if (scope.at("name").as_string() == "Campus B") CHECK(scope.at("lease_lifetime").to_number<int>() == 28800);
    bool exclusion = false;
    for (const auto& range : state.at("exclusion_ranges").as_array())
        exclusion = exclusion || range.at("start_ip").as_string() == "10.10.2.10";
    CHECK(exclusion);
    // Nothing written to the DHCP servers (push modes are off).
    CHECK(env.dhcp_writes("dhcp01") == 0);
    CHECK(env.dhcp_writes("dhcp03") == 0);
}

TEST_CASE("a second identical sync makes zero NetBox writes") {
    auto env = make_environment();
    REQUIRE(env.run({"sync"}).exit_code == 0);
    env.reset_stats();
    auto second = env.run({"sync", "--output", "json"});
    INFO(second.out << second.err);
    CHECK(second.exit_code == 0);
    CHECK(env.netbox_writes() == 0);
    auto doc = json::parse(second.out).as_object();
    for (const auto& [name, server] : doc.at("servers").as_object())
        for (const auto& action : server.at("actions").as_array())
            CHECK_MESSAGE(action.at("action").as_string() == "skip", name << ": " << json::serialize(action));
}

TEST_CASE("--dry-run writes nothing and reports exactly what the real run applies") {
    auto env = make_environment();
    env.reset_stats();
    auto dry = env.run({"sync", "--dry-run", "--output", "json"});
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(env.netbox_writes() == 0);
    for (const auto& server : {"dhcp01", "dhcp02", "dhcp03"}) CHECK(env.dhcp_writes(server) == 0);

    auto real = env.run({"sync", "--output", "json"});
    INFO(real.out << real.err);
    REQUIRE(real.exit_code == 0);

    using Key = std::tuple<std::string, std::string, std::string, std::string>;
    auto actions = [](const std::string& out, const char* status) {
        std::multiset<Key> keys;
        auto doc = json::parse(out);
        for (const auto& [name, server] : doc.at("servers").as_object())
            for (const auto& a : server.at("actions").as_array())
                if (a.at("status").as_string() == status)
                    keys.emplace(std::string(name), std::string(a.at("kind").as_string()),
                                 std::string(a.at("action").as_string()), std::string(a.at("object").as_string()));
        return keys;
    };
    auto planned = actions(dry.out, "planned");
    auto applied = actions(real.out, "applied");
    CHECK(planned.size() > 5);
    CHECK(planned == applied);
}

TEST_CASE("NetBox's change log names the user of the configured token, with the job in the message") {
    auto env = make_environment();
    REQUIRE(env.run({"sync"}).exit_code == 0);
    auto changes = env.netbox().get("/_sim/changes").as_array();
    REQUIRE(changes.size() > 0);
    for (const auto& change : changes) {
        CHECK(change.at("user_name").as_string() == "alice");
        CHECK(std::string(change.at("message").as_string()).find("netbox-dhcp-sync sync") != std::string::npos);
    }

    // A v2 (Bearer nbt_) token works the same and is attributed to its own user.
    auto config = env.write_config("  ip_addresses: true\n", kBobToken);
    env.dhcp("dhcp03").seed(json::object{{"leases", json::array{json::object{
        {"ip_address", "10.20.1.70"}, {"client_id", "aa-bb-cc-00-00-70"}, {"hostname", "kiosk-70"},
        {"scope_id", "10.20.1.0"}, {"lease_expiry", "2026-12-01T00:00:00Z"}, {"address_state", "Active"}}}}});
    REQUIRE(env.run({"sync"}, config).exit_code == 0);
    auto after = env.netbox().get("/_sim/changes").as_array();
    REQUIRE(after.size() > changes.size());
    CHECK(after.back().at("user_name").as_string() == "bob");
}
