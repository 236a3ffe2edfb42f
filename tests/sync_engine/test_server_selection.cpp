// decide_servers: maintenance, health, pre-flight, failover fallback, --server.
#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

/// dhcp-a (1) primary and dhcp-b (2) secondary of failover "FO" (50), both healthy.
World failover_world() {
    World w;
    w.add_server(1, "dhcp-a");
    w.add_server(2, "dhcp-b");
    w.add_failover(50, "FO", 1, 2);
    w.health = {{1, ServerHealth::healthy}, {2, ServerHealth::healthy}};
    return w;
}

const ServerRun* run_named(const ServerDecision& d, const std::string& name) {
    for (const auto& r : d.runs)
        if (r.name == name) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("servers: runs are in name order") {
    World w;
    w.add_server(1, "zeta");
    w.add_server(2, "alpha");
    w.add_server(3, "mid");
    auto d = decide_servers(w.netbox, w.health, {}, w.settings);
    REQUIRE(d.runs.size() == 3);
    CHECK(d.runs[0].name == "alpha");
    CHECK(d.runs[1].name == "mid");
    CHECK(d.runs[2].name == "zeta");
}

TEST_CASE("servers: a server with the maintenance tag is skipped, not a problem") {
    World w;
    w.add_server(1, "dhcp01", true, {"dhcp-maintenance"});
    auto d = decide_servers(w.netbox, w.health, {}, w.settings);
    CHECK(d.runs.empty());
    REQUIRE(d.skips.size() == 1);
    CHECK(d.skips[0].kind == ObjectKind::server);
    CHECK(d.problems.empty());
}

TEST_CASE("servers: an unreachable server is skipped with an error") {
    World w;
    w.add_server(1, "dhcp01");
    w.health[1] = ServerHealth::unreachable;
    auto d = decide_servers(w.netbox, w.health, {}, w.settings);
    CHECK(d.runs.empty());
    CHECK(d.skips.size() == 1);
    REQUIRE(d.problems.size() == 1);
    CHECK(d.problems[0].severity == Severity::error);
}

TEST_CASE("servers: an unchecked server runs") {
    World w;
    w.add_server(1, "dhcp01");
    CHECK(decide_servers(w.netbox, w.health, {}, w.settings).runs.size() == 1);
}

TEST_CASE("pre-flight: standalone sync off and no failover to sync -> skipped") {
    World w;
    w.add_server(1, "dhcp01", false);
    auto d = decide_servers(w.netbox, w.health, {}, w.settings);
    CHECK(d.runs.empty());
    CHECK(d.skips.size() == 1);
}

TEST_CASE("pre-flight: standalone sync off but primary of a sync-enabled failover -> runs") {
    auto w = failover_world();
    w.netbox.servers[0].sync_standalone_scopes = false;
    w.netbox.servers[1].sync_standalone_scopes = false;
    auto d = decide_servers(w.netbox, w.health, {}, w.settings);
    CHECK(run_named(d, "dhcp-a"));
    CHECK_FALSE(run_named(d, "dhcp-b"));  // only secondary: nothing to do while the primary is up
}

TEST_CASE("pre-flight: a primary whose only failover has sync disabled is skipped") {
    auto w = failover_world();
    w.netbox.servers[0].sync_standalone_scopes = false;
    w.netbox.failovers[0].sync_enabled = false;
    CHECK_FALSE(run_named(decide_servers(w.netbox, w.health, {}, w.settings), "dhcp-a"));
}

TEST_CASE("fallback: primary unreachable -> healthy secondary takes the failover") {
    auto w = failover_world();
    w.health[1] = ServerHealth::unreachable;
    auto d = decide_servers(w.netbox, w.health, {}, w.settings);
    const ServerRun* b = run_named(d, "dhcp-b");
    REQUIRE(b);
    CHECK(b->fallback_failovers == std::set<ObjectId>{50});
    CHECK_FALSE(run_named(d, "dhcp-a"));
}

TEST_CASE("fallback: primary in maintenance -> secondary takes the failover") {
    auto w = failover_world();
    w.netbox.servers[0].tags = {"dhcp-maintenance"};
    auto decision = decide_servers(w.netbox, w.health, {}, w.settings);
    const ServerRun* b = run_named(decision, "dhcp-b");
    REQUIRE(b);
    CHECK(b->fallback_failovers.count(50));
}

TEST_CASE("fallback: a secondary that is not healthy (or in maintenance) does not take over") {
    auto w = failover_world();
    w.health[1] = ServerHealth::unreachable;
    w.health[2] = ServerHealth::not_checked;
    auto decision = decide_servers(w.netbox, w.health, {}, w.settings);
    const ServerRun* b = run_named(decision, "dhcp-b");
    REQUIRE(b);
    CHECK(b->fallback_failovers.empty());

    w.health[2] = ServerHealth::healthy;
    w.netbox.servers[1].tags = {"dhcp-maintenance"};
    CHECK_FALSE(run_named(decide_servers(w.netbox, w.health, {}, w.settings), "dhcp-b"));
}

TEST_CASE("fallback: a healthy primary keeps its failover") {
    auto w = failover_world();
    auto decision = decide_servers(w.netbox, w.health, {}, w.settings);
    const ServerRun* b = run_named(decision, "dhcp-b");
    REQUIRE(b);
    CHECK(b->fallback_failovers.empty());
}

TEST_CASE("fallback: --server SECONDARY alone still takes over from a down primary") {
    auto w = failover_world();
    w.health[1] = ServerHealth::unreachable;
    w.netbox.servers[1].sync_standalone_scopes = false;  // only the fallback gives it work
    auto d = decide_servers(w.netbox, w.health, {"dhcp-b"}, w.settings);
    REQUIRE(d.runs.size() == 1);
    CHECK(d.runs[0].name == "dhcp-b");
    CHECK(d.runs[0].fallback_failovers == std::set<ObjectId>{50});
    CHECK(d.problems.empty());  // the primary is not in this run, so its state is not a run problem
}

TEST_CASE("--server: only the named servers run, an unknown name is an error") {
    World w;
    w.add_server(1, "dhcp01");
    w.add_server(2, "dhcp02");
    auto d = decide_servers(w.netbox, w.health, {"dhcp02", "nope"}, w.settings);
    REQUIRE(d.runs.size() == 1);
    CHECK(d.runs[0].name == "dhcp02");
    REQUIRE(d.problems.size() == 1);
    CHECK(d.problems[0].note.reason == "unknown DHCP server 'nope'");
}

TEST_CASE("fallback: a primary that was not health-checked is not down, so the secondary does not take over") {
    // Both partners would otherwise write the same scopes.
    auto w = failover_world();
    w.health.erase(1);  // dhcp-a (the primary) not checked at all
    auto decision = decide_servers(w.netbox, w.health, {"dhcp-b"}, w.settings);
    const ServerRun* b = run_named(decision, "dhcp-b");
    REQUIRE(b);
    CHECK(b->fallback_failovers.empty());
    w.health[1] = ServerHealth::not_checked;
    decision = decide_servers(w.netbox, w.health, {"dhcp-b"}, w.settings);
    b = run_named(decision, "dhcp-b");
    REQUIRE(b);
    CHECK(b->fallback_failovers.empty());
}
