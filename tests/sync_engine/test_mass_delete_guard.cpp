#include "sync_engine/mass_delete_guard.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

TEST_CASE("guard: trips above both the fraction and the floor") {
    SyncSettings s;  // 0.5, 10
    CHECK(check_mass_delete(11, 20, s).tripped);
    CHECK_FALSE(check_mass_delete(10, 20, s).tripped);  // not more than half
}

TEST_CASE("guard: the fraction is \"more than\": exactly half of 30 does not trip, one more does") {
    SyncSettings s;  // 0.5, 10: both 15 and 16 are above the floor
    CHECK_FALSE(check_mass_delete(15, 30, s).tripped);
    auto verdict = check_mass_delete(16, 30, s);
    CHECK(verdict.tripped);
    CHECK(verdict.deletes == 16);
    CHECK(verdict.deletable == 30);
}

TEST_CASE("guard: does not trip at or under max_delete_min") {
    SyncSettings s;
    CHECK_FALSE(check_mass_delete(10, 10, s).tripped);
    CHECK_FALSE(check_mass_delete(3, 3, s).tripped);
}

TEST_CASE("guard: --allow-mass-delete disables it") {
    SyncSettings s;
    s.allow_mass_delete = true;
    CHECK_FALSE(check_mass_delete(100, 100, s).tripped);
}

namespace {

World world_with_leased_ips(int count) {
    auto w = standard_world();
    for (int i = 0; i < count; ++i) {
        std::string address = "10.0.1." + std::to_string(20 + i) + "/24";
        auto iface = *Ipv4Interface::parse(address);
        NetBoxIpAddress a;
        a.id = 1000 + i;
        a.address = iface.address;
        a.prefix_length = iface.length;
        a.status = "dhcp";
        a.tags = {"dhcp-sync"};
        w.netbox.ip_addresses.push_back(a);
    }
    return w;
}

}  // namespace

TEST_CASE("guard via plan: an empty lease list for a full scope deletes nothing and reports the scope") {
    auto w = world_with_leased_ips(20);  // server answers no leases at all (plugin B4)
    auto plan = w.addresses_plan();
    CHECK(plan.ip_deletes.empty());
    REQUIRE(plan.problems.size() == 1);
    CHECK(plan.problems[0].severity == Severity::error);
    CHECK(plan.problems[0].note.scope == "Building A");
    CHECK(plan.problems[0].note.reason.find("20 of 20") != std::string::npos);
    CHECK(plan.problems[0].note.reason.find("--allow-mass-delete") != std::string::npos);
}

TEST_CASE("guard via plan: a small scope may lose all its leases") {
    auto w = world_with_leased_ips(10);
    auto plan = w.addresses_plan();
    CHECK(plan.ip_deletes.size() == 10);
    CHECK(plan.problems.empty());
}

TEST_CASE("guard via plan: --allow-mass-delete lets the deletes through") {
    auto w = world_with_leased_ips(20);
    w.settings.allow_mass_delete = true;
    auto plan = w.addresses_plan();
    CHECK(plan.ip_deletes.size() == 20);
}

TEST_CASE("guard via plan: downgrades are not held back, only deletes") {
    auto w = world_with_leased_ips(20);
    w.add_ip(5, "10.0.1.150/24", "reserved", kMac1, "", {"dhcp-sync"});
    w.add_lease("dhcp01", kScope, "10.0.1.150", kMac1);
    auto plan = w.addresses_plan();
    CHECK(plan.ip_deletes.empty());
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK(plan.ip_updates[0].status == std::optional<std::string>("dhcp"));
}
