// One test per row of the cleanup table (the plugin's behaviour), then the same rules through plan_addresses.
#include "sync_engine/cleanup_rules.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

/// A managed reservation with a client id that the server no longer has: row 8 unless something intervenes.
CleanupFacts managed_reserved() {
    CleanupFacts f;
    f.reserved = true;
    f.has_client_id = true;
    f.managed = true;
    return f;
}

CleanupFacts leased_ip() {
    CleanupFacts f;
    f.reserved = false;
    return f;
}

}  // namespace

TEST_CASE("cleanup row 1: protect tag keeps the IP") {
    auto f = leased_ip();
    f.protect_tagged = true;
    auto v = evaluate_cleanup(f);
    CHECK(v.rule == CleanupRule::protect_tag);
    CHECK(v.action == CleanupAction::keep);
}

TEST_CASE("cleanup row 2: protected prefix keeps the IP") {
    auto f = managed_reserved();
    f.in_protected_prefix = true;
    auto v = evaluate_cleanup(f);
    CHECK(v.rule == CleanupRule::protected_prefix);
    CHECK(v.action == CleanupAction::keep);
}

TEST_CASE("cleanup row 3: reserved IPs are kept under push_reservations") {
    auto f = managed_reserved();
    f.push_reservations = true;
    auto v = evaluate_cleanup(f);
    CHECK(v.rule == CleanupRule::reserved_push_mode);
    CHECK(v.action == CleanupAction::keep);
}

TEST_CASE("cleanup row 4: reserved without client id is pre-staged and kept") {
    auto f = managed_reserved();
    f.has_client_id = false;
    auto v = evaluate_cleanup(f);
    CHECK(v.rule == CleanupRule::reserved_without_client_id);
    CHECK(v.action == CleanupAction::keep);
}

TEST_CASE("cleanup row 5: reserved with client id but no managed tag is kept") {
    auto f = managed_reserved();
    f.managed = false;
    auto v = evaluate_cleanup(f);
    CHECK(v.rule == CleanupRule::reserved_not_managed);
    CHECK(v.action == CleanupAction::keep);
}

TEST_CASE("cleanup row 6: managed reservation still on the server is kept") {
    auto f = managed_reserved();
    f.on_server_reserved = true;
    auto v = evaluate_cleanup(f);
    CHECK(v.rule == CleanupRule::reserved_still_reserved);
    CHECK(v.action == CleanupAction::keep);
}

TEST_CASE("cleanup row 7: managed reservation that is only leased now is downgraded") {
    auto f = managed_reserved();
    f.on_server_leased = true;
    auto v = evaluate_cleanup(f);
    CHECK(v.rule == CleanupRule::reserved_lease_only);
    CHECK(v.action == CleanupAction::downgrade);
}

TEST_CASE("cleanup row 8: managed reservation gone from the server is deleted") {
    auto v = evaluate_cleanup(managed_reserved());
    CHECK(v.rule == CleanupRule::reserved_gone);
    CHECK(v.action == CleanupAction::remove);
}

TEST_CASE("cleanup row 9: leased IP still leased is kept") {
    auto f = leased_ip();
    f.on_server_leased = true;
    auto v = evaluate_cleanup(f);
    CHECK(v.rule == CleanupRule::leased_still_leased);
    CHECK(v.action == CleanupAction::keep);
}

TEST_CASE("cleanup row 10: leased IP no longer leased is deleted, managed or not") {
    auto f = leased_ip();
    f.managed = false;
    auto v = evaluate_cleanup(f);
    CHECK(v.rule == CleanupRule::leased_gone);
    CHECK(v.action == CleanupAction::remove);
}

TEST_CASE("cleanup_may_delete: what the guard counts") {
    CHECK(cleanup_may_delete(leased_ip()));
    CHECK(cleanup_may_delete(managed_reserved()));
    auto prestaged = managed_reserved();
    prestaged.managed = false;
    CHECK_FALSE(cleanup_may_delete(prestaged));
    auto protected_ip = leased_ip();
    protected_ip.protect_tagged = true;
    CHECK_FALSE(cleanup_may_delete(protected_ip));
}

// ---- through plan_addresses --------------------------------------------------------------------------------

TEST_CASE("cleanup via plan: row 7 downgrade is an IpAddressUpdate of the status only") {
    auto w = standard_world();
    w.add_ip(5, "10.0.1.50/24", "reserved", kMac1, "pc1", {"dhcp-sync"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1, "pc1");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    const auto& u = plan.ip_updates[0];
    CHECK(u.id == 5);
    CHECK(u.status == std::optional<std::string>("dhcp"));
    CHECK_FALSE(u.dns_name);
    CHECK_FALSE(u.client_id);
    CHECK(u.note.reason.find("R\u2192L") != std::string::npos);
    CHECK(plan.ip_deletes.empty());
}

TEST_CASE("cleanup via plan: rows 8 and 10 delete, rows 4 and 5 keep") {
    auto w = standard_world();
    w.add_ip(1, "10.0.1.11/24", "reserved", kMac1, "", {"dhcp-sync"});  // row 8
    w.add_ip(2, "10.0.1.12/24", "dhcp", "", "", {});                    // row 10 (unmanaged L)
    w.add_ip(3, "10.0.1.13/24", "reserved", "", "", {"dhcp-sync"});     // row 4
    w.add_ip(4, "10.0.1.14/24", "reserved", kMac2, "", {});             // row 5
    auto plan = w.addresses_plan();
    CHECK(find_by_id(plan.ip_deletes, 1));
    CHECK(find_by_id(plan.ip_deletes, 2));
    CHECK_FALSE(find_by_id(plan.ip_deletes, 3));
    CHECK_FALSE(find_by_id(plan.ip_deletes, 4));
    CHECK(plan.ip_updates.empty());
}

TEST_CASE("cleanup via plan: other statuses, other VRFs, outside the range and shorter masks are not candidates") {
    auto w = standard_world();
    w.add_ip(1, "10.0.1.20/24", "active");                      // not L or R
    w.add_ip(2, "10.0.1.21/24", "dhcp", "", "", {}, 7);          // another VRF
    w.add_ip(3, "10.0.1.220/24", "dhcp");                        // in the prefix, outside the scope range
    w.add_ip(4, "10.0.1.22/16", "dhcp");                         // mask shorter than the prefix
    w.add_ip(5, "10.0.1.23/24", "dhcp");                         // a real candidate
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_deletes.size() == 1);
    CHECK(plan.ip_deletes[0].id == 5);
    CHECK(plan.ip_deletes[0].note.reason == "lease expired or no longer exists on server");
    CHECK(plan.ip_deletes[0].note.server == "dhcp01");
    CHECK(plan.ip_deletes[0].note.scope == "Building A");
    CHECK(plan.ip_deletes[0].note.object == "10.0.1.23/24");
}

TEST_CASE("cleanup via plan: two scopes sharing one prefix do not delete each other's IPs") {
    auto w = standard_world();
    w.scope(100).end_ip = ip("10.0.1.99");
    w.remote_scope("dhcp01", kScope).end_ip = ip("10.0.1.99");
    w.add_server(2, "dhcp02");
    w.add_scope(200, "Building A upper", 10, "10.0.1.100", "10.0.1.200", 2);
    w.add_remote_scope("dhcp02", "10.0.1.0", "255.255.255.0", "10.0.1.100", "10.0.1.200", "Building A upper");
    w.add_ip(1, "10.0.1.150/24", "dhcp");
    w.add_lease("dhcp02", kScope, "10.0.1.150", kMac1);
    w.add_ip(2, "10.0.1.50/24", "dhcp");
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac2);
    auto plan = w.addresses_plan();
    CHECK(plan.ip_deletes.empty());
}
