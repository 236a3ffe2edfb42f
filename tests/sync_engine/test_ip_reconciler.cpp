// The precedence matrix of the plugin's behaviour, one test per cell, plus the README "How it differs from the plugin" differences
// (managed tag, pre-staging, VRF keying, dns validation, push-mode pull).
#include "sync_engine/ip_reconciler.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

TEST_CASE("matrix: absent + reservation -> create R with lowercase name, client id and managed tag") {
    auto w = standard_world();
    w.add_reservation("dhcp01", kScope, "10.0.1.50", "AA:BB:CC:DD:EE:01", "PC01.Corp");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_creates.size() == 1);
    const auto& c = plan.ip_creates[0];
    CHECK(c.address.to_string() == "10.0.1.50/24");
    CHECK(c.vrf_id == std::nullopt);
    CHECK(c.status == "reserved");
    CHECK(c.dns_name == "pc01.corp");
    CHECK(c.client_id == kMac1);
    CHECK(c.tags == std::vector<std::string>{"dhcp-sync"});
    CHECK(c.note.reason == "reservation on server, not in NetBox");
    CHECK(c.note.object == "10.0.1.50/24");
}

TEST_CASE("matrix: absent + lease -> create L") {
    auto w = standard_world();
    w.add_lease("dhcp01", kScope, "10.0.1.51", kMac1, "Laptop7");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_creates.size() == 1);
    CHECK(plan.ip_creates[0].status == "dhcp");
    CHECK(plan.ip_creates[0].dns_name == "laptop7");
    CHECK(plan.ip_creates[0].note.reason == "lease on server, not in NetBox");
}

TEST_CASE("matrix: R + reservation -> dns and client id refreshed, taken over") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "reserved", kMac1, "old", {"ops"});
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac2, "new");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    const auto& u = plan.ip_updates[0];
    CHECK_FALSE(u.status);
    CHECK(u.dns_name == std::optional<std::string>("new"));
    CHECK(u.client_id == std::optional<std::string>(kMac2));
    CHECK(u.tags == std::optional<std::vector<std::string>>({"ops", "dhcp-sync"}));
}

TEST_CASE("matrix: R + lease -> precedence: only an empty client id is back-filled") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "reserved", "", "printer");
    w.add_ip(6, "10.0.1.51/24", "reserved", kMac1, "scanner");
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac2, "other");
    w.add_lease("dhcp01", kScope, "10.0.1.51", kMac2, "other");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    const auto& u = plan.ip_updates[0];
    CHECK(u.id == 5);
    CHECK(u.client_id == std::optional<std::string>(kMac2));
    CHECK_FALSE(u.status);
    CHECK_FALSE(u.dns_name);
}

TEST_CASE("matrix: L + reservation -> upgraded to R with reservation values") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "dhcp", kMac1, "pc");
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac1, "pc-fixed");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK(plan.ip_updates[0].status == std::optional<std::string>("reserved"));
    CHECK(plan.ip_updates[0].dns_name == std::optional<std::string>("pc-fixed"));
    CHECK_FALSE(plan.ip_updates[0].client_id);
}

TEST_CASE("matrix: L + lease -> dns and client id refreshed") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "dhcp", kMac1, "pc", {"dhcp-sync"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac2, "pc2");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK_FALSE(plan.ip_updates[0].status);
    CHECK(plan.ip_updates[0].dns_name == std::optional<std::string>("pc2"));
    CHECK(plan.ip_updates[0].client_id == std::optional<std::string>(kMac2));
    CHECK_FALSE(plan.ip_updates[0].tags);  // already managed
}

TEST_CASE("matrix: other status + reservation -> set to R") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "deprecated");
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac1);
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK(plan.ip_updates[0].status == std::optional<std::string>("reserved"));
    CHECK(plan.ip_updates[0].client_id == std::optional<std::string>(kMac1));
}

TEST_CASE("matrix: other status + lease -> set to L") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "active");
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1);
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK(plan.ip_updates[0].status == std::optional<std::string>("dhcp"));
    CHECK(plan.ip_updates[0].note.reason.find("status 'active'") != std::string::npos);
}

TEST_CASE("empty server values never clear NetBox values") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "dhcp", kMac1, "pc", {"dhcp-sync"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", "", "");
    CHECK(w.addresses_plan().empty());
}

TEST_CASE("client ids compare normalised: a different spelling of the same MAC is no change") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "dhcp", kMac1, "pc", {"dhcp-sync"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", "AA:BB:CC:DD:EE:01", "PC");
    CHECK(w.addresses_plan().empty());
}

TEST_CASE("dns: an invalid server name is not written, and is reported naming the IP and the value") {
    auto w = standard_world();
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1, "My PC");
    w.add_ip(6, "10.0.1.51/24", "dhcp", kMac2, "good", {"dhcp-sync"});
    w.add_lease("dhcp01", kScope, "10.0.1.51", kMac2, "bad name");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_creates.size() == 1);
    CHECK(plan.ip_creates[0].dns_name.empty());
    CHECK(plan.ip_updates.empty());
    CHECK(has_problem(plan, Severity::warning, "'My PC' of 10.0.1.50"));
    CHECK(has_problem(plan, Severity::warning, "'bad name' of 10.0.1.51"));
}

TEST_CASE("pre-staged: a lease back-fills the client id but never adds the managed tag") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "reserved", "", "printer", {"ops"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1, "npi123");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK(plan.ip_updates[0].client_id == std::optional<std::string>(kMac1));
    CHECK_FALSE(plan.ip_updates[0].tags);
}

TEST_CASE("pre-staged: never deleted once the lease is gone (differs from plugin B3)") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "reserved", kMac1, "printer", {"ops"});  // back-filled earlier, not managed
    auto plan = w.addresses_plan();
    CHECK(plan.empty());
}

TEST_CASE("normal update takes the IP over: the managed tag joins its tags") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "active", "", "", {"ops"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1);
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK(plan.ip_updates[0].tags == std::optional<std::vector<std::string>>({"ops", "dhcp-sync"}));
}

TEST_CASE("VRF keying: the same address in another VRF is a different IP") {
    auto w = standard_world();
    w.netbox.prefixes[10].vrf_id = 7;
    w.add_ip(5, "10.0.1.50/24", "dhcp", kMac1, "", {"dhcp-sync"}, 8);  // other VRF: not ours
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1, "pc");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_creates.size() == 1);
    CHECK(plan.ip_creates[0].vrf_id == std::optional<ObjectId>(7));
    CHECK(plan.ip_updates.empty());
    CHECK(plan.ip_deletes.empty());
}

TEST_CASE("VRF keying: an existing IP in the prefix's VRF is updated, not duplicated") {
    auto w = standard_world();
    w.netbox.prefixes[10].vrf_id = 7;
    w.add_ip(5, "10.0.1.50/24", "active", "", "", {}, 7);
    w.add_ip(6, "10.0.1.50/24", "active", "", "", {}, std::nullopt);
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1);
    auto plan = w.addresses_plan();
    CHECK(plan.ip_creates.empty());
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK(plan.ip_updates[0].id == 5);
}

TEST_CASE("one action per IP: an address both reserved and leased becomes one create with the reservation's name") {
    auto w = standard_world();
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac1, "fixed");
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1, "lease-name");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_creates.size() == 1);
    CHECK(plan.ip_creates[0].status == "reserved");
    CHECK(plan.ip_creates[0].dns_name == "fixed");
    CHECK(plan.write_count() == 1);
}

TEST_CASE("one action per IP: reservation update and lease pass merge into one update") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "active", "", "");
    w.add_reservation("dhcp01", kScope, "10.0.1.50", "", "fixed");  // no client id on the reservation record
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1, "lease-name");  // back-fills it
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK(plan.write_count() == 1);
    const auto& u = plan.ip_updates[0];
    CHECK(u.status == std::optional<std::string>("reserved"));
    CHECK(u.dns_name == std::optional<std::string>("fixed"));
    CHECK(u.client_id == std::optional<std::string>(kMac1));
}

TEST_CASE("a server address outside the scope's prefix is reported, not created") {
    auto w = standard_world();
    w.add_lease("dhcp01", kScope, "10.9.9.9", kMac1);
    auto plan = w.addresses_plan();
    CHECK(plan.ip_creates.empty());
    CHECK(has_problem(plan, Severity::warning, "outside the scope's prefix"));
}

TEST_CASE("push mode: the pull leaves dns_name and client id of reserved IPs with a client id alone") {
    auto w = standard_world();
    w.settings.push_reservations = true;
    w.add_ip(5, "10.0.1.50/24", "reserved", kMac1, "netbox-name", {"dhcp-sync"});
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac1, "server-name");
    auto plan = w.addresses_plan();
    CHECK(plan.ip_updates.empty());
    REQUIRE(reservation_writes(plan, Verb::update).size() == 1);  // the difference goes to the server instead
    CHECK(reservation_writes(plan, Verb::update)[0].reservation.name == "netbox-name");
}
