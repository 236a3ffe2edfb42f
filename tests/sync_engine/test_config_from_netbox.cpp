// Servers whose configuration comes from NetBox (dhcpd), and failover partners that do not share
// configuration (Kea HA, dhcpd): what the engine pushes whatever the push settings say, what it removes, and
// where the copies go.
#include "sync_engine/backend_limits.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

/// standard_world with dhcp01 rendered from NetBox; push settings all off.
World rendered_world() {
    auto w = standard_world();
    auto& caps = w.server_snapshot("dhcp01").capabilities;
    caps = BackendCapabilities{};
    caps.config_from_netbox = true;
    caps.exclusions = ExclusionModel::derived_from_pools;
    return w;
}

}  // namespace

TEST_CASE("config from NetBox: NetBox's reservations are pushed and server-only ones removed, with every push setting off") {
    auto w = rendered_world();
    w.add_ip(5, "10.0.1.50/24", "reserved", kMac1, "printer");
    w.add_reservation("dhcp01", kScope, "10.0.1.80", kMac2, "hand-made");
    auto plan = w.addresses_plan();
    REQUIRE(reservation_writes(plan, Verb::create).size() == 1);
    CHECK(reservation_writes(plan, Verb::create)[0].reservation.ip == ip("10.0.1.50"));
    REQUIRE(reservation_writes(plan, Verb::remove).size() == 1);
    CHECK(reservation_writes(plan, Verb::remove)[0].reservation.ip == ip("10.0.1.80"));
    CHECK(plan.ip_creates.empty());  // the server's own reservation is not pulled into NetBox
}

TEST_CASE("config from NetBox: leases still come into NetBox") {
    auto w = rendered_world();
    w.add_lease("dhcp01", kScope, "10.0.1.60", "00-15-5d-0a-01-60", "laptop");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_creates.size() == 1);
    CHECK(plan.ip_creates[0].status == "dhcp");
}

TEST_CASE("config from NetBox: scope attributes and exclusions are pushed, never pulled into NetBox") {
    auto w = rendered_world();
    w.remote_scope("dhcp01", kScope).lease_duration_seconds = 3600;  // differs from NetBox's 86400
    w.data("dhcp01", kScope).exclusions->push_back(DhcpExclusion{ip("10.0.1.190"), ip("10.0.1.200")});
    auto plan = w.scopes_plan();
    CHECK(plan.scope_updates.empty());
    CHECK(plan.exclusion_creates.empty());
    REQUIRE(scope_writes(plan).size() == 1);
    CHECK(scope_writes(plan)[0].scope.lease_duration_seconds == 86400);
    REQUIRE(exclusion_writes(plan).size() == 1);
    CHECK(exclusion_writes(plan)[0].verb == Verb::remove);
}

TEST_CASE("config from NetBox: a scope gone from NetBox is removed only if this sync wrote it") {
    auto w = rendered_world();
    w.add_remote_scope("dhcp01", "10.0.9.0", "255.255.255.0", "10.0.9.10", "10.0.9.200", "Old").written_by_sync = true;
    w.add_remote_scope("dhcp01", "10.0.8.0", "255.255.255.0", "10.0.8.10", "10.0.8.200", "Hand-written");
    auto plan = w.scopes_plan();
    auto writes = scope_writes(plan);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].verb == Verb::remove);
    CHECK(writes[0].scope.scope_id == ip("10.0.9.0"));
    CHECK(plan.scope_creates.empty());  // neither is imported into NetBox
    CHECK(has_skip(plan, "not imported"));
}

TEST_CASE("config from NetBox: a scope moved into a failover is an update carrying the failover's name") {
    auto w = rendered_world();
    w.add_server(2, "dhcp02");
    w.add_failover(50, "FO-A", 1, 2);
    w.scope(100).server_id.reset();
    w.scope(100).failover_id = 50;
    auto plan = w.scopes_plan();
    auto writes = scope_writes(plan);
    REQUIRE(writes.size() >= 1);
    CHECK(writes[0].scope.failover_name == "FO-A");
    CHECK(std::find(writes[0].changed_fields.begin(), writes[0].changed_fields.end(), "failover") !=
          writes[0].changed_fields.end());

    // A PSU server is not asked about it: Windows keeps failover membership apart from the scope.
    auto psu = standard_world();
    psu.add_server(2, "dhcp02");
    psu.add_failover(50, "FO-A", 1, 2);
    psu.scope(100).server_id.reset();
    psu.scope(100).failover_id = 50;
    psu.settings.push_scope_info = true;
    CHECK(scope_writes(psu.scopes_plan()).empty());
}

TEST_CASE("failover partners that do not share configuration both get a failover scope's writes") {
    auto w = standard_world();
    w.add_server(2, "dhcp02");
    w.add_failover(50, "FO-A", 1, 2);
    w.scope(100).server_id.reset();
    w.scope(100).failover_id = 50;
    w.settings.push_reservations = true;
    w.server_snapshot("dhcp01").capabilities.push_to_failover_partner = true;
    w.add_ip(5, "10.0.1.50/24", "reserved", kMac1, "printer");
    auto plan = w.addresses_plan();
    auto creates = reservation_writes(plan, Verb::create);
    REQUIRE(creates.size() == 2);
    std::set<std::string> servers{creates[0].note.server, creates[1].note.server};
    CHECK(servers == std::set<std::string>{"dhcp01", "dhcp02"});
    bool explained = false;
    for (const auto& c : creates) explained = explained || c.note.reason.find("failover partner of dhcp01") != std::string::npos;
    CHECK(explained);

    // A partner in maintenance gets no copy, and the run says so.
    w.netbox.servers[1].tags = {"dhcp-maintenance"};
    auto held = w.addresses_plan();
    CHECK(reservation_writes(held, Verb::create).size() == 1);
    CHECK(has_problem(held, Severity::warning, "in maintenance"));

    // Without the capability (Windows failover) only the server that syncs is written.
    w.netbox.servers[1].tags.clear();
    w.server_snapshot("dhcp01").capabilities.push_to_failover_partner = false;
    CHECK(reservation_writes(w.addresses_plan(), Verb::create).size() == 1);
}

TEST_CASE("a scope created on the server in phase 1 gets NetBox's reservations in the same run, and no cleanup") {
    auto w = standard_world();
    w.settings.push_scope_info = true;
    w.settings.push_reservations = true;
    w.add_prefix(11, "10.0.2.0/24");
    w.add_scope(101, "Annex", 11, "10.0.2.10", "10.0.2.200", 1);
    w.add_ip(5, "10.0.2.50/24", "reserved", kMac1, "printer");
    w.add_ip(6, "10.0.2.60/24", "dhcp", kMac2, "old-lease", {"dhcp-sync"});  // no lease could have been read
    auto scopes = w.scopes_plan();
    REQUIRE(scope_writes(scopes).size() == 1);
    CHECK(scope_writes(scopes)[0].verb == Verb::create);
    apply_to_dhcp_snapshots(w.dhcp, scopes);
    auto addresses = w.addresses_plan();
    auto creates = reservation_writes(addresses, Verb::create);
    REQUIRE(creates.size() == 1);
    CHECK(creates[0].scope_id == ip("10.0.2.0"));
    CHECK(creates[0].reservation.ip == ip("10.0.2.50"));
    CHECK(addresses.ip_deletes.empty());  // nothing was read from the new scope: nothing is cleaned up
}
