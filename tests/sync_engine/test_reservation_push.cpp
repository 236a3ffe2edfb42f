// push_reservations (the plugin's rules, with B11 fixed and README "How it differs from the plugin").
#include "sync_engine/reservation_push.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

World push_world() {
    auto w = standard_world();
    w.settings.push_reservations = true;
    return w;
}

}  // namespace

TEST_CASE("push: a reserved IP with a client id, not on the server, is created there") {
    auto w = push_world();
    w.add_ip(5, "10.0.1.50/24", "reserved", "AA:BB:CC:DD:EE:01", "printer", {}, std::nullopt, "2nd floor");
    auto plan = w.addresses_plan();
    REQUIRE(reservation_writes(plan, Verb::create).size() == 1);
    const auto c = reservation_writes(plan, Verb::create)[0];
    CHECK(c.scope_id == ip(kScope));
    CHECK(c.reservation.ip == ip("10.0.1.50"));
    CHECK(c.reservation.client_id == kMac1);
    CHECK(c.reservation.name == "printer");
    CHECK(c.reservation.description == "2nd floor");
    CHECK(c.reservation.type == "Dhcp");
    CHECK(c.note.server == "dhcp01");
    CHECK(plan.ip_updates.empty());
}

TEST_CASE("push: no client id, not reserved, other VRF or outside the range -> not pushed") {
    auto w = push_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", "", "prestaged");
    w.add_ip(2, "10.0.1.51/24", "active", kMac1);
    w.add_ip(3, "10.0.1.52/24", "reserved", kMac2, "", {}, 7);
    w.add_ip(4, "10.0.1.230/24", "reserved", "aa-bb-cc-dd-ee-04");
    auto plan = w.addresses_plan();
    CHECK(reservation_writes(plan, Verb::create).empty());
}

TEST_CASE("push: protected IPs are not pushed") {
    auto w = push_world();
    w.settings.protect_tag = "sync-protect";
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1, "", {"sync-protect"});
    w.add_protected_prefix("10.0.1.64/26");
    w.add_ip(2, "10.0.1.70/24", "reserved", kMac2);
    auto plan = w.addresses_plan();
    CHECK(reservation_writes(plan, Verb::create).empty());
    CHECK(has_skip(plan, "protected IP: reservation not pushed"));
}

TEST_CASE("push: a client id on two IPs of the scope -> the first is pushed, the second reported") {
    auto w = push_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1);
    w.add_ip(2, "10.0.1.60/24", "reserved", "AA:BB:CC:DD:EE:01");
    w.add_ip(3, "10.0.1.70/24", "reserved", kMac2);
    auto plan = w.addresses_plan();
    REQUIRE(reservation_writes(plan, Verb::create).size() == 2);
    CHECK(reservation_writes(plan, Verb::create)[0].reservation.ip == ip("10.0.1.50"));
    CHECK(reservation_writes(plan, Verb::create)[1].reservation.ip == ip("10.0.1.70"));
    CHECK(has_problem(plan, Severity::warning, "already pushed for 10.0.1.50"));
}

TEST_CASE("push: name or description differ -> ReservationUpdate, an empty NetBox value never wipes") {
    auto w = push_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1, "new-name", {"dhcp-sync"});
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac1, "old-name", "server text");
    w.add_ip(2, "10.0.1.60/24", "reserved", kMac2, "", {"dhcp-sync"});
    w.add_reservation("dhcp01", kScope, "10.0.1.60", kMac2, "Server-Name", "x");
    auto plan = w.addresses_plan();
    REQUIRE(reservation_writes(plan, Verb::update).size() == 1);
    const auto u = reservation_writes(plan, Verb::update)[0];
    CHECK(u.reservation.ip == ip("10.0.1.50"));
    CHECK(u.reservation.client_id == kMac1);
    CHECK(u.reservation.name == "new-name");
    CHECK(u.reservation.description == "server text");
    CHECK(plan.ip_updates.empty());
}

TEST_CASE("push: names differing only in case are the same") {
    auto w = push_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1, "printer", {"dhcp-sync"});
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac1, "PRINTER");
    CHECK(w.addresses_plan().empty());
}

TEST_CASE("push: MAC changed in NetBox -> delete the old reservation and create the new one") {
    auto w = push_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac2, "printer", {"dhcp-sync"});
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac1, "printer");
    auto plan = w.addresses_plan();
    REQUIRE(reservation_writes(plan, Verb::remove).size() == 1);
    CHECK(reservation_writes(plan, Verb::remove)[0].client_id == kMac1);
    REQUIRE(reservation_writes(plan, Verb::create).size() == 1);
    CHECK(reservation_writes(plan, Verb::create)[0].reservation.client_id == kMac2);
    CHECK(reservation_writes(plan, Verb::create)[0].note.reason.find("MAC changed") != std::string::npos);
    CHECK(plan.ip_updates.empty());  // the pull does not take the server's MAC
}

TEST_CASE("push: a server reservation NetBox does not hold as reserved is removed only with prune_reservations") {
    auto w = push_world();
    w.settings.ip_addresses = false;  // otherwise the pull would import it
    w.add_reservation("dhcp01", kScope, "10.0.1.80", kMac1, "stray");
    CHECK(w.addresses_plan().empty());
    w.settings.prune_reservations = true;
    auto plan = w.addresses_plan();
    REQUIRE(reservation_writes(plan, Verb::remove).size() == 1);
    CHECK(reservation_writes(plan, Verb::remove)[0].client_id == kMac1);
}

TEST_CASE("push + prune: NetBox is the whole truth, a server reservation it lacks is removed, not imported first") {
    auto w = push_world();
    w.settings.prune_reservations = true;
    w.add_reservation("dhcp01", kScope, "10.0.1.80", kMac1, "new");
    auto plan = w.addresses_plan();
    CHECK(plan.ip_creates.empty());
    REQUIRE(reservation_writes(plan, Verb::remove).size() == 1);
    CHECK(reservation_writes(plan, Verb::remove)[0].reservation.ip == ip("10.0.1.80"));
    // Without prune the pull imports it, as before.
    w.settings.prune_reservations = false;
    auto pull = w.addresses_plan();
    CHECK(pull.ip_creates.size() == 1);
    CHECK(reservation_writes(pull, Verb::remove).empty());
}

TEST_CASE("push: cleanup row 3 keeps reserved IPs that are on neither list") {
    auto w = push_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1, "", {"dhcp-sync"});
    auto plan = w.addresses_plan();
    CHECK(plan.ip_deletes.empty());
    CHECK(reservation_writes(plan, Verb::create).size() == 1);  // and it is pushed instead
}

TEST_CASE("push: a back-filled client id is pushed in the same run") {
    auto w = push_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", "", "prestaged");
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1, "x");
    auto plan = w.addresses_plan();
    REQUIRE(reservation_writes(plan, Verb::create).size() == 1);
    CHECK(reservation_writes(plan, Verb::create)[0].reservation.client_id == kMac1);
}

TEST_CASE("push: a failed reservation read means no push, with an error") {
    auto w = push_world();
    w.settings.ip_addresses = false;
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1);
    w.data("dhcp01", kScope).reservations.reset();
    auto plan = w.addresses_plan();
    CHECK(plan.empty());
    CHECK(has_problem(plan, Severity::error, "no reservation push"));
}

TEST_CASE("push: a MAC already reserved for another IP on the server is reported, not pushed") {
    auto w = push_world();
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1);
    w.add_reservation("dhcp01", kScope, "10.0.1.90", kMac1, "elsewhere");
    w.settings.ip_addresses = false;
    auto plan = w.addresses_plan();
    CHECK(reservation_writes(plan, Verb::create).empty());
    CHECK(has_problem(plan, Severity::warning, "reserved for 10.0.1.90 on the server"));
}
