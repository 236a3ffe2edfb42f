#include "snapshot_builders.hpp"

using namespace nds::test;

TEST_CASE("apply: an auto-imported scope with a new prefix appears with negative ids and is then synced") {
    World w;
    w.add_server(1, "dhcp01");
    w.add_remote_scope("dhcp01", "10.0.5.0", "255.255.255.0", "10.0.5.10", "10.0.5.100", "Lab");
    w.data("dhcp01", "10.0.5.0").exclusions->push_back(DhcpExclusion{ip("10.0.5.20"), ip("10.0.5.30")});
    w.add_lease("dhcp01", "10.0.5.0", "10.0.5.50", kMac1, "pc");
    auto phase1 = w.scopes_plan();
    auto after = apply_to_snapshot(w.netbox, phase1);
    REQUIRE(after.prefixes.size() == 1);
    auto& [prefix_id, prefix] = *after.prefixes.begin();
    CHECK(prefix_id < 0);
    CHECK(prefix.prefix == net("10.0.5.0/24"));
    REQUIRE(after.scopes.size() == 1);
    CHECK(after.scopes[0].id < 0);
    CHECK(after.scopes[0].prefix_id == prefix_id);
    CHECK(after.scopes[0].server_id == std::optional<ObjectId>(1));
    REQUIRE(after.scopes[0].exclusion_ranges.size() == 1);
    CHECK(after.scopes[0].exclusion_ranges[0].id < 0);
    CHECK(after.scopes[0].exclusion_ranges[0].id != after.scopes[0].id);

    // The imported scope is in sync with the server after phase 1.
    CHECK(plan_scopes(after, w.all_runs(), w.dhcp, w.settings).empty());
    auto phase2 = plan_addresses(after, w.all_runs(), w.dhcp, w.settings);
    REQUIRE(phase2.ip_creates.size() == 1);
    CHECK(phase2.ip_creates[0].address.to_string() == "10.0.5.50/24");
}

TEST_CASE("apply: updates and deletes of scopes and exclusions") {
    auto w = standard_world();
    w.scope(100).exclusion_ranges = {NetBoxExclusionRange{500, 100, ip("10.0.1.10"), ip("10.0.1.19")}};
    w.add_prefix(19, "10.0.9.0/24");
    w.add_scope(109, "Gone", 19, "10.0.9.10", "10.0.9.200", 1);
    w.remote_scope("dhcp01", kScope).name = "Renamed";
    *w.data("dhcp01", kScope).exclusions = {DhcpExclusion{ip("10.0.1.40"), ip("10.0.1.49")}};
    auto plan = w.scopes_plan();
    auto after = apply_to_snapshot(w.netbox, plan);
    REQUIRE(after.scopes.size() == 1);
    CHECK(after.scopes[0].name == "Renamed");
    REQUIRE(after.scopes[0].exclusion_ranges.size() == 1);
    CHECK(after.scopes[0].exclusion_ranges[0].start_ip == ip("10.0.1.40"));
    CHECK(plan_scopes(after, w.all_runs(), w.dhcp, w.settings).empty());
}
