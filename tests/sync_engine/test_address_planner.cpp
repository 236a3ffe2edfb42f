// plan_addresses as a whole: read failures, zero writes when in sync, scope selection.
#include "snapshot_builders.hpp"

using namespace nds::test;

TEST_CASE("in sync: a full scope where NetBox matches the server plans zero writes") {
    auto w = standard_world();
    w.add_ip(1, "10.0.1.50/24", "dhcp", kMac1, "pc1", {"dhcp-sync"});
    w.add_ip(2, "10.0.1.60/24", "reserved", kMac2, "printer", {"dhcp-sync"});
    w.add_ip(3, "10.0.1.70/24", "reserved", "", "prestaged");
    w.add_lease("dhcp01", kScope, "10.0.1.50", "AA-BB-CC-DD-EE-01", "PC1");
    w.add_reservation("dhcp01", kScope, "10.0.1.60", kMac2, "Printer");
    w.add_lease("dhcp01", kScope, "10.0.1.60", kMac2, "");
    auto plan = w.addresses_plan();
    CHECK(plan.empty());
    CHECK(plan.problems.empty());
    CHECK(w.scopes_plan().empty());
}

TEST_CASE("read failure: a failed lease read means no IP changes and no deletes for that scope") {
    auto w = standard_world();
    w.add_ip(1, "10.0.1.50/24", "dhcp", kMac1, "pc1", {"dhcp-sync"});
    w.add_reservation("dhcp01", kScope, "10.0.1.60", kMac2, "printer");
    w.data("dhcp01", kScope).leases.reset();
    w.data("dhcp01", kScope).error = "HTTP 500";
    auto plan = w.addresses_plan();
    CHECK(plan.empty());
    CHECK(has_problem(plan, Severity::error, "lease/reservation read failed"));
    CHECK(has_problem(plan, Severity::error, "HTTP 500"));
}

TEST_CASE("read failure: a failed reservation read also stops the scope") {
    auto w = standard_world();
    w.add_ip(1, "10.0.1.50/24", "dhcp");
    w.data("dhcp01", kScope).reservations.reset();
    auto plan = w.addresses_plan();
    CHECK(plan.empty());
    CHECK(has_problem(plan, Severity::error, "no IP changes for scope"));
}

TEST_CASE("read failure: only the failed scope stops, other scopes go on") {
    auto w = standard_world();
    w.add_prefix(11, "10.0.2.0/24");
    w.add_scope(101, "Building B", 11, "10.0.2.10", "10.0.2.200", 1);
    w.add_remote_scope("dhcp01", "10.0.2.0", "255.255.255.0", "10.0.2.10", "10.0.2.200", "Building B");
    w.add_lease("dhcp01", "10.0.2.0", "10.0.2.50", kMac1);
    w.data("dhcp01", kScope).leases.reset();
    w.add_ip(1, "10.0.1.50/24", "dhcp");
    auto plan = w.addresses_plan();
    CHECK(plan.ip_deletes.empty());
    REQUIRE(plan.ip_creates.size() == 1);
    CHECK(plan.ip_creates[0].note.scope == "Building B");
}

TEST_CASE("ip_addresses off: no IP work at all") {
    auto w = standard_world();
    w.settings.ip_addresses = false;
    w.add_ip(1, "10.0.1.50/24", "dhcp");
    w.add_lease("dhcp01", kScope, "10.0.1.60", kMac1);
    CHECK(w.addresses_plan().empty());
}

TEST_CASE("scopes not synced by this run get no IP work (maintenance tag on the scope)") {
    auto w = standard_world();
    w.scope(100).tags = {"dhcp-maintenance"};
    w.add_ip(1, "10.0.1.50/24", "dhcp");
    w.add_lease("dhcp01", kScope, "10.0.1.60", kMac1);
    CHECK(w.addresses_plan().empty());
}

TEST_CASE("active_scopes_only: an inactive scope gets no IP work") {
    auto w = standard_world();
    w.settings.active_scopes_only = true;
    w.remote_scope("dhcp01", kScope).active = false;
    w.add_ip(1, "10.0.1.50/24", "dhcp");
    CHECK(w.addresses_plan().empty());
}

TEST_CASE("one action per IP: back-fill then downgrade of the same IP merge into one update") {
    auto w = standard_world();
    // A managed reservation whose reservation is gone but which is leased, and had lost its client id.
    w.add_ip(5, "10.0.1.50/24", "reserved", "", "pc", {"dhcp-sync"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1, "pc");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    CHECK(plan.write_count() == 1);
    CHECK(plan.ip_updates[0].client_id == std::optional<std::string>(kMac1));
    CHECK(plan.ip_updates[0].status == std::optional<std::string>("dhcp"));
}

TEST_CASE("skipped records: a lease list with unusable records gets creates and updates but no cleanup") {
    auto w = standard_world();
    w.add_ip(1, "10.0.1.50/24", "dhcp", kMac1, "pc1", {"dhcp-sync"});  // its lease record was unusable
    w.add_lease("dhcp01", kScope, "10.0.1.60", kMac2, "new");
    w.data("dhcp01", kScope).complete = false;
    auto plan = w.addresses_plan();
    CHECK(plan.ip_deletes.empty());
    CHECK(plan.ip_creates.size() == 1);
    CHECK(has_problem(plan, Severity::warning, "no cleanup (deletes) for scope"));
    w.data("dhcp01", kScope).complete = true;
    CHECK(w.addresses_plan().ip_deletes.size() == 1);
}
