// The push modes (NetBox authoritative; the plugin's rules with B11 and B12 fixed): the push rules not
// covered by test_reservation_push, test_scope_attributes and test_exclusion_sync.
#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

World scope_push_world() {
    auto w = standard_world();
    w.settings.push_scope_info = true;
    return w;
}

World reservation_push_world() {
    auto w = standard_world();
    w.settings.push_reservations = true;
    return w;
}

}  // namespace

TEST_CASE("push_scope_info: a NetBox scope missing on the server is created with its exclusion ranges") {
    auto w = scope_push_world();
    w.add_prefix(19, "10.0.8.0/23");
    w.add_scope(109, "New", 19, "10.0.8.10", "10.0.9.200", 1);
    w.scope(109).exclusion_ranges = {NetBoxExclusionRange{600, 109, ip("10.0.8.10"), ip("10.0.8.19")}};
    w.scope(109).lease_lifetime = 3600;
    auto plan = w.scopes_plan();
    REQUIRE(scope_writes(plan).size() == 1);
    const auto create = scope_writes(plan)[0];
    CHECK(create.verb == Verb::create);
    CHECK(create.scope.subnet_mask == ip("255.255.254.0"));
    CHECK(create.scope.lease_duration_seconds == 3600);
    CHECK(create.scope.router == ip("10.0.1.1"));
    REQUIRE(exclusion_writes(plan).size() == 1);
    CHECK(exclusion_writes(plan)[0].verb == Verb::create);
    CHECK(exclusion_writes(plan)[0].scope_id == ip("10.0.8.0"));
    CHECK(exclusion_writes(plan)[0].exclusion.start_ip == ip("10.0.8.10"));
    CHECK(plan.scope_deletes.empty());
}

TEST_CASE("push_scope_info: a server scope NetBox does not have is neither imported nor deleted") {
    auto w = scope_push_world();
    w.add_remote_scope("dhcp01", "10.0.5.0", "255.255.255.0", "10.0.5.10", "10.0.5.20", "Server only");
    auto plan = w.scopes_plan();
    CHECK(plan.empty());
    CHECK(has_skip(plan, "push_scope_info: not imported"));
}

TEST_CASE("push_scope_info: router removed in NetBox is removed on the server, nothing goes to NetBox") {
    auto w = scope_push_world();
    w.scope(100).router.reset();
    auto plan = w.scopes_plan();
    REQUIRE(scope_writes(plan).size() == 1);
    CHECK_FALSE(scope_writes(plan)[0].scope.router);
    CHECK(scope_writes(plan)[0].changed_fields == std::vector<std::string>{"router"});
    CHECK(plan.scope_updates.empty());
}

TEST_CASE("push_reservations: a protected IP's server reservation is neither updated nor replaced") {
    auto w = reservation_push_world();
    w.settings.protect_tag = "sync-protect";
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac2, "netbox-name", {"sync-protect"});
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac1, "server-name");
    auto plan = w.addresses_plan();
    CHECK(reservation_writes(plan, Verb::update).empty());
    CHECK(reservation_writes(plan, Verb::remove).empty());
    CHECK(reservation_writes(plan, Verb::create).empty());
    CHECK(has_skip(plan, "protected IP: reservation not updated"));
}

TEST_CASE("push_reservations: prune never removes a reservation NetBox protects") {
    auto w = reservation_push_world();
    w.settings.ip_addresses = false;
    w.settings.prune_reservations = true;
    w.settings.protect_tag = "sync-protect";
    w.add_protected_prefix("10.0.1.128/25");
    w.add_reservation("dhcp01", kScope, "10.0.1.130", kMac1, "protected");
    w.add_reservation("dhcp01", kScope, "10.0.1.60", kMac2, "stray");
    auto plan = w.addresses_plan();
    REQUIRE(reservation_writes(plan, Verb::remove).size() == 1);
    CHECK(reservation_writes(plan, Verb::remove)[0].client_id == kMac2);
    CHECK(reservation_writes(plan, Verb::remove)[0].note.reason.find("prune_reservations") != std::string::npos);
}

TEST_CASE("push_reservations: a duplicate MAC is reported per record, the other reservations still go") {
    auto w = reservation_push_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1, "on-server", {"dhcp-sync"});
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac1, "on-server");
    w.add_ip(2, "10.0.1.51/24", "reserved", kMac1, "copy");
    w.add_ip(3, "10.0.1.52/24", "reserved", "aa-bb-cc-dd-ee-03", "third");
    w.add_ip(4, "10.0.1.53/24", "reserved", kMac1, "copy-2");
    auto plan = w.addresses_plan();
    REQUIRE(reservation_writes(plan, Verb::create).size() == 1);
    CHECK(reservation_writes(plan, Verb::create)[0].reservation.ip == ip("10.0.1.52"));
    auto duplicates = std::count_if(plan.problems.begin(), plan.problems.end(), [](const Problem& p) {
        return p.note.reason.find("already pushed for 10.0.1.50") != std::string::npos;
    });
    CHECK(duplicates == 2);
}

TEST_CASE("push modes off: nothing is ever written to a server") {
    auto w = standard_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1, "x");
    w.scope(100).lease_lifetime = 60;
    auto scopes = w.scopes_plan();
    auto addresses = w.addresses_plan();
    CHECK(scope_writes(scopes).empty());
    CHECK(exclusion_writes(scopes).empty());
    CHECK(reservation_writes(addresses, Verb::create).empty());
    CHECK(reservation_writes(addresses, Verb::remove).empty());
}
