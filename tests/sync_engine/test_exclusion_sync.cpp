// Exclusion ranges (the plugin's rules): pull when the server is authoritative, push otherwise; never on a failed read.
#include "sync_engine/exclusion_sync.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

World exclusion_world() {
    auto w = standard_world();
    w.scope(100).exclusion_ranges = {NetBoxExclusionRange{500, 100, ip("10.0.1.10"), ip("10.0.1.19")},
                                     NetBoxExclusionRange{501, 100, ip("10.0.1.30"), ip("10.0.1.39")}};
    *w.data("dhcp01", kScope).exclusions = {DhcpExclusion{ip("10.0.1.10"), ip("10.0.1.19")},
                                            DhcpExclusion{ip("10.0.1.50"), ip("10.0.1.59")}};
    return w;
}

}  // namespace

TEST_CASE("exclusion pull: server-only ranges created, NetBox-only ranges deleted, common kept") {
    auto w = exclusion_world();
    auto plan = w.scopes_plan();
    REQUIRE(plan.exclusion_creates.size() == 1);
    CHECK(plan.exclusion_creates[0].scope_id == 100);
    CHECK(plan.exclusion_creates[0].start_ip == ip("10.0.1.50"));
    CHECK(plan.exclusion_creates[0].note.object == "10.0.1.50\u201310.0.1.59");
    REQUIRE(plan.exclusion_deletes.size() == 1);
    CHECK(plan.exclusion_deletes[0].id == 501);
    CHECK(plan.write_count() == 2);
}

TEST_CASE("exclusion push: NetBox-only ranges created on the server, server-only removed") {
    auto w = exclusion_world();
    w.settings.push_scope_info = true;
    auto plan = w.scopes_plan();
    CHECK(plan.exclusion_creates.empty());
    CHECK(plan.exclusion_deletes.empty());
    REQUIRE(exclusion_writes(plan).size() == 2);
    const auto add = exclusion_writes(plan)[0];
    const auto remove = exclusion_writes(plan)[1];
    CHECK(add.verb == Verb::create);
    CHECK(add.exclusion.start_ip == ip("10.0.1.30"));
    CHECK(remove.verb == Verb::remove);
    CHECK(remove.exclusion.start_ip == ip("10.0.1.50"));
    CHECK(add.scope_id == ip(kScope));
}

TEST_CASE("exclusions: a failed exclusion read changes nothing in either mode, with a warning") {
    for (bool push : {false, true}) {
        auto w = exclusion_world();
        w.settings.push_scope_info = push;
        w.data("dhcp01", kScope).exclusions.reset();
        auto plan = w.scopes_plan();
        CHECK(plan.empty());
        CHECK(has_problem(plan, Severity::warning, "exclusions not reconciled"));
    }
}

namespace {

/// NetBox holds 10.0.1.10-19 and 20-29 (adjacent) and 25-34 overlapping them; a pool-derived server can only
/// hold them as the one gap 10.0.1.10-34.
World adjacent_ranges_world(bool pool_derived, const std::vector<DhcpExclusion>& on_server) {
    auto w = standard_world();
    w.scope(100).exclusion_ranges = {NetBoxExclusionRange{500, 100, ip("10.0.1.20"), ip("10.0.1.29")},
                                     NetBoxExclusionRange{501, 100, ip("10.0.1.10"), ip("10.0.1.19")},
                                     NetBoxExclusionRange{502, 100, ip("10.0.1.25"), ip("10.0.1.34")}};
    *w.data("dhcp01", kScope).exclusions = on_server;
    if (pool_derived) w.server_snapshot("dhcp01").capabilities.exclusions = ExclusionModel::derived_from_pools;
    return w;
}

}  // namespace

TEST_CASE("exclusions derived from pools: adjacent and overlapping NetBox ranges equal the server's one gap, in both modes") {
    for (bool push : {false, true}) {
        auto w = adjacent_ranges_world(true, {DhcpExclusion{ip("10.0.1.10"), ip("10.0.1.34")}});
        w.settings.push_scope_info = push;
        auto plan = w.scopes_plan();
        CHECK(plan.exclusion_creates.empty());
        CHECK(plan.exclusion_deletes.empty());
        CHECK(exclusion_writes(plan).empty());
    }
}

TEST_CASE("exclusions derived from pools: a push sends the merged range, a pull replaces every part of a changed gap") {
    auto push_world = adjacent_ranges_world(true, {});
    push_world.settings.push_scope_info = true;
    auto pushed = push_world.scopes_plan();
    REQUIRE(exclusion_writes(pushed).size() == 1);
    CHECK(exclusion_writes(pushed)[0].verb == Verb::create);
    CHECK(exclusion_writes(pushed)[0].exclusion.start_ip == ip("10.0.1.10"));
    CHECK(exclusion_writes(pushed)[0].exclusion.end_ip == ip("10.0.1.34"));

    auto pull_world = adjacent_ranges_world(true, {DhcpExclusion{ip("10.0.1.10"), ip("10.0.1.30")}});
    auto pulled = pull_world.scopes_plan();
    REQUIRE(pulled.exclusion_creates.size() == 1);
    CHECK(pulled.exclusion_creates[0].end_ip == ip("10.0.1.30"));
    CHECK(pulled.exclusion_deletes.size() == 3);
}

TEST_CASE("native exclusions: adjacent NetBox ranges stay separate objects") {
    auto w = adjacent_ranges_world(false, {DhcpExclusion{ip("10.0.1.10"), ip("10.0.1.34")}});
    auto plan = w.scopes_plan();
    CHECK(plan.exclusion_creates.size() == 1);
    CHECK(plan.exclusion_deletes.size() == 3);
}
