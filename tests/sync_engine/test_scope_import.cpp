// Auto-import of server scopes unknown to NetBox (push_scope_info off).
#include "sync_engine/scope_import.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

/// dhcp01 with no NetBox scope; the server has 10.0.5.0/24 "Lab" with one exclusion.
World import_world() {
    World w;
    w.add_server(1, "dhcp01");
    auto& r = w.add_remote_scope("dhcp01", "10.0.5.0", "255.255.255.0", "10.0.5.10", "10.0.5.100", "Lab");
    r.router = ip("10.0.5.1");
    r.lease_duration_seconds = 0;
    w.data("dhcp01", "10.0.5.0").exclusions->push_back(DhcpExclusion{ip("10.0.5.20"), ip("10.0.5.30")});
    return w;
}

}  // namespace

TEST_CASE("auto-import: existing prefix -> ScopeCreate on this server with attributes and exclusions") {
    auto w = import_world();
    w.add_prefix(20, "10.0.5.0/24", 3);
    auto plan = w.scopes_plan();
    CHECK(plan.prefix_creates.empty());
    REQUIRE(plan.scope_creates.size() == 1);
    const auto& c = plan.scope_creates[0];
    CHECK(c.name == "Lab");
    CHECK(c.prefix == net("10.0.5.0/24"));
    CHECK(c.prefix_id == std::optional<ObjectId>(20));
    CHECK(c.vrf_id == std::optional<ObjectId>(3));
    CHECK(c.server_id == std::optional<ObjectId>(1));
    CHECK_FALSE(c.failover_id);
    CHECK(c.start_ip == ip("10.0.5.10"));
    CHECK(c.end_ip == ip("10.0.5.100"));
    CHECK(c.router == std::optional<Ipv4Address>(ip("10.0.5.1")));
    CHECK(c.lease_lifetime == 86400);  // 0 from the server means the default
    REQUIRE(c.exclusions.size() == 1);
    CHECK(c.exclusions[0].start_ip == ip("10.0.5.20"));
    CHECK(c.note.server == "dhcp01");
}

TEST_CASE("auto-import: missing prefix is created when create_missing_prefixes") {
    auto w = import_world();
    auto plan = w.scopes_plan();
    REQUIRE(plan.prefix_creates.size() == 1);
    CHECK(plan.prefix_creates[0].prefix == net("10.0.5.0/24"));
    CHECK_FALSE(plan.prefix_creates[0].vrf_id);
    REQUIRE(plan.scope_creates.size() == 1);
    CHECK_FALSE(plan.scope_creates[0].prefix_id);
}

TEST_CASE("auto-import: missing prefix with create_missing_prefixes off -> problem naming prefix and setting") {
    auto w = import_world();
    w.settings.create_missing_prefixes = false;
    auto plan = w.scopes_plan();
    CHECK(plan.empty());
    CHECK(has_problem(plan, Severity::error, "10.0.5.0/24 does not exist in NetBox and create_missing_prefixes is off"));
}

TEST_CASE("auto-import: a prefix in several VRFs is not guessed") {
    auto w = import_world();
    w.add_prefix(20, "10.0.5.0/24", 3);
    w.add_prefix(21, "10.0.5.0/24", 4);
    auto plan = w.scopes_plan();
    CHECK(plan.empty());
    CHECK(has_problem(plan, Severity::error, "exists in 2 VRFs"));
}

TEST_CASE("auto-import: prefix lookup matches the length too") {
    auto w = import_world();
    w.add_prefix(20, "10.0.5.0/25");
    auto plan = w.scopes_plan();
    REQUIRE(plan.prefix_creates.size() == 1);
    CHECK(plan.prefix_creates[0].prefix == net("10.0.5.0/24"));
}

TEST_CASE("auto-import: an unnamed scope is named after its scope id") {
    auto w = import_world();
    w.remote_scope("dhcp01", "10.0.5.0").name = "";
    auto plan = w.scopes_plan();
    REQUIRE(plan.scope_creates.size() == 1);
    CHECK(plan.scope_creates[0].name == "10.0.5.0");
}

TEST_CASE("auto-import: failover_name naming a NetBox failover links the scope to it, not to the server") {
    auto w = import_world();
    w.add_server(2, "dhcp02");
    w.add_failover(50, "FO", 1, 2);
    w.remote_scope("dhcp01", "10.0.5.0").failover_name = "FO";
    auto plan = w.scopes_plan();
    REQUIRE(plan.scope_creates.size() == 1);
    CHECK(plan.scope_creates[0].failover_id == std::optional<ObjectId>(50));
    CHECK_FALSE(plan.scope_creates[0].server_id);
}

TEST_CASE("auto-import: the fallback secondary imports a failover scope while the primary is down") {
    auto w = import_world();
    w.add_server(2, "dhcp02");
    w.add_failover(50, "FO", 2, 1);  // dhcp02 primary
    w.health = {{1, ServerHealth::healthy}, {2, ServerHealth::unreachable}};
    w.remote_scope("dhcp01", "10.0.5.0").failover_name = "FO";
    auto plan = w.scopes_plan();
    REQUIRE(plan.scope_creates.size() == 1);
    CHECK(plan.scope_creates[0].failover_id == std::optional<ObjectId>(50));
}

TEST_CASE("auto-import: two servers with the same new network create the prefix once, a scope each") {
    auto w = import_world();
    w.add_server(2, "dhcp02");
    w.add_remote_scope("dhcp02", "10.0.5.0", "255.255.255.0", "10.0.5.10", "10.0.5.100", "Lab copy");
    auto plan = w.scopes_plan();
    CHECK(plan.prefix_creates.size() == 1);
    REQUIRE(plan.scope_creates.size() == 2);
    CHECK(plan.scope_creates[0].server_id != plan.scope_creates[1].server_id);
}

TEST_CASE("auto-import: the secondary leaves a failover scope to its healthy primary") {
    auto w = import_world();
    w.add_server(2, "dhcp02");
    w.add_failover(50, "FO", 2, 1);  // dhcp02 primary, up
    w.remote_scope("dhcp01", "10.0.5.0").failover_name = "FO";
    auto plan = w.plan_scopes_for("dhcp01");
    CHECK(plan.scope_creates.empty());
}

TEST_CASE("auto-import: a failover that NetBox does not link to this server is refused") {
    auto w = import_world();
    w.add_server(2, "x");
    w.add_server(3, "y");
    w.add_failover(50, "FO", 2, 3);
    w.remote_scope("dhcp01", "10.0.5.0").failover_name = "FO";
    auto plan = w.plan_scopes_for("dhcp01");
    CHECK(plan.scope_creates.empty());
    CHECK(has_problem(plan, Severity::warning, "does not link to server 'dhcp01'"));
}

TEST_CASE("auto-import: an unknown failover name imports the scope as standalone") {
    auto w = import_world();
    w.remote_scope("dhcp01", "10.0.5.0").failover_name = "NOT-IN-NETBOX";
    auto plan = w.scopes_plan();
    REQUIRE(plan.scope_creates.size() == 1);
    CHECK(plan.scope_creates[0].server_id == std::optional<ObjectId>(1));
}

TEST_CASE("auto-import: failed exclusion read imports without exclusions and warns") {
    auto w = import_world();
    w.data("dhcp01", "10.0.5.0").exclusions.reset();
    auto plan = w.scopes_plan();
    REQUIRE(plan.scope_creates.size() == 1);
    CHECK(plan.scope_creates[0].exclusions.empty());
    CHECK(has_problem(plan, Severity::warning, "imported without them"));
}

TEST_CASE("auto-import: never with push_scope_info on (skip instead)") {
    auto w = import_world();
    w.settings.push_scope_info = true;
    auto plan = w.scopes_plan();
    CHECK(plan.empty());
    CHECK(has_skip(plan, "has no NetBox scope"));
}

TEST_CASE("auto-import: not when this server's standalone sync is off") {
    auto w = import_world();
    w.add_server(2, "dhcp02");
    w.add_failover(50, "FO", 1, 2);  // keeps dhcp01 past the pre-flight
    w.netbox.servers[0].sync_standalone_scopes = false;
    auto plan = w.plan_scopes_for("dhcp01");
    CHECK(plan.scope_creates.empty());
}
