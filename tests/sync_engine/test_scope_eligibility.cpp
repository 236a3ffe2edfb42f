#include "sync_engine/scope_eligibility.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

World world() {
    World w;
    w.add_server(1, "a");
    w.add_server(2, "b");
    w.add_failover(50, "FO", 1, 2);
    w.add_prefix(10, "10.0.1.0/24");
    w.add_scope(100, "standalone", 10, "10.0.1.10", "10.0.1.200", 1);
    w.add_scope(101, "failover", 10, "10.0.1.10", "10.0.1.200", std::nullopt, 50);
    return w;
}

ServerRun run_a() { return ServerRun{1, "a", {}}; }
ServerRun run_b(std::set<ObjectId> fallback = {}) { return ServerRun{2, "b", std::move(fallback)}; }

}  // namespace

TEST_CASE("eligibility: scope maintenance tag skips the scope") {
    auto w = world();
    w.scope(100).tags = {"dhcp-maintenance"};
    auto e = scope_eligibility(w.netbox, run_a(), w.scope(100), w.settings);
    CHECK(e.verdict == ScopeVerdict::scope_maintenance);
    CHECK_FALSE(e.quiet());
}

TEST_CASE("eligibility: standalone scope follows sync_standalone_scopes") {
    auto w = world();
    CHECK(scope_eligibility(w.netbox, run_a(), w.scope(100), w.settings).eligible());
    w.netbox.servers[0].sync_standalone_scopes = false;
    CHECK(scope_eligibility(w.netbox, run_a(), w.scope(100), w.settings).verdict == ScopeVerdict::standalone_disabled);
}

TEST_CASE("eligibility: failover scope synced by the primary only, silently skipped by the secondary") {
    auto w = world();
    CHECK(scope_eligibility(w.netbox, run_a(), w.scope(101), w.settings).eligible());
    auto e = scope_eligibility(w.netbox, run_b(), w.scope(101), w.settings);
    CHECK(e.verdict == ScopeVerdict::failover_other_role);
    CHECK(e.quiet());
}

TEST_CASE("eligibility: the secondary syncs a failover in its fallback set") {
    auto w = world();
    CHECK(scope_eligibility(w.netbox, run_b({50}), w.scope(101), w.settings).eligible());
}

TEST_CASE("eligibility: failover maintenance and sync disabled skip even the primary") {
    auto w = world();
    w.netbox.failovers[0].tags = {"dhcp-maintenance"};
    CHECK(scope_eligibility(w.netbox, run_a(), w.scope(101), w.settings).verdict == ScopeVerdict::failover_maintenance);
    w.netbox.failovers[0].tags.clear();
    w.netbox.failovers[0].sync_enabled = false;
    CHECK(scope_eligibility(w.netbox, run_a(), w.scope(101), w.settings).verdict ==
          ScopeVerdict::failover_sync_disabled);
    CHECK_FALSE(scope_eligibility(w.netbox, run_b({50}), w.scope(101), w.settings).eligible());
}

TEST_CASE("eligibility: a scope with neither server nor failover is unassigned") {
    auto w = world();
    w.scope(100).server_id.reset();
    CHECK(scope_eligibility(w.netbox, run_a(), w.scope(100), w.settings).verdict == ScopeVerdict::unassigned);
}
