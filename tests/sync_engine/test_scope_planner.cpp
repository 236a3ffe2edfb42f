// plan_scopes as a whole: scope-list failures, scopes missing on the server, inactive scopes, eligibility.
#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

/// standard_world plus a NetBox scope "Gone" (10.0.9.0/24) that dhcp01 no longer lists.
World missing_world() {
    auto w = standard_world();
    w.add_prefix(19, "10.0.9.0/24");
    w.add_scope(109, "Gone", 19, "10.0.9.10", "10.0.9.200", 1);
    return w;
}

}  // namespace

TEST_CASE("in sync: plan_scopes makes zero writes") {
    auto w = standard_world();
    auto plan = w.scopes_plan();
    CHECK(plan.empty());
    CHECK(plan.problems.empty());
}

TEST_CASE("missing on server, push off: the NetBox scope is deleted") {
    auto w = missing_world();
    auto plan = w.scopes_plan();
    REQUIRE(plan.scope_deletes.size() == 1);
    CHECK(plan.scope_deletes[0].id == 109);
    CHECK(plan.scope_deletes[0].note.reason.find("no longer exists on server") != std::string::npos);
}

TEST_CASE("missing on server, push on: the scope is created on the server from NetBox") {
    auto w = missing_world();
    w.settings.push_scope_info = true;
    auto plan = w.scopes_plan();
    CHECK(plan.scope_deletes.empty());
    REQUIRE(scope_writes(plan).size() == 1);
    const auto write = scope_writes(plan)[0];
    CHECK(write.verb == Verb::create);
    CHECK(write.scope.scope_id == ip("10.0.9.0"));
    CHECK(write.scope.subnet_mask == ip("255.255.255.0"));
    CHECK(write.scope.name == "Gone");
    CHECK(write.scope.start_ip == ip("10.0.9.10"));
}

TEST_CASE("scope list read failed: no actions at all for the server, and an error") {
    auto w = missing_world();
    w.dhcp["dhcp01"].scopes.reset();
    w.dhcp["dhcp01"].error = "timeout";
    auto plan = w.scopes_plan();
    CHECK(plan.empty());
    CHECK(has_problem(plan, Severity::error, "scope list read failed (timeout)"));
    CHECK(w.addresses_plan().empty());
}

TEST_CASE("scope list with unusable records: scopes missing from it are not deleted or re-created") {
    auto w = missing_world();
    w.dhcp["dhcp01"].scope_list_complete = false;
    auto plan = w.scopes_plan();
    CHECK(plan.scope_deletes.empty());
    CHECK(has_problem(plan, Severity::warning, "scopes missing from it are not deleted"));
    w.settings.push_scope_info = true;
    CHECK(scope_writes(w.scopes_plan()).empty());
}

TEST_CASE("active_scopes_only: a scope missing from the list may be inactive, it is left alone") {
    auto w = missing_world();
    w.settings.active_scopes_only = true;
    auto plan = w.scopes_plan();
    CHECK(plan.empty());
    CHECK(has_skip(plan, "may be inactive"));
    w.settings.push_scope_info = true;
    CHECK(w.scopes_plan().empty());
}

TEST_CASE("active_scopes_only: an inactive scope in the list is not synced and not imported") {
    auto w = standard_world();
    w.settings.active_scopes_only = true;
    auto& r = w.remote_scope("dhcp01", kScope);
    r.active = false;
    r.name = "renamed";
    w.add_remote_scope("dhcp01", "10.0.7.0", "255.255.255.0", "10.0.7.10", "10.0.7.20", "Inactive new").active = false;
    auto plan = w.scopes_plan();
    CHECK(plan.empty());
}

TEST_CASE("inactive scopes are synced normally when active_scopes_only is off") {
    auto w = standard_world();
    auto& r = w.remote_scope("dhcp01", kScope);
    r.active = false;
    r.name = "renamed";
    CHECK(w.scopes_plan().scope_updates.size() == 1);
}

TEST_CASE("missing on server: scopes this run does not sync are not deleted") {
    SUBCASE("scope in maintenance") {
        auto w = missing_world();
        w.scope(109).tags = {"dhcp-maintenance"};
        CHECK(w.scopes_plan().scope_deletes.empty());
    }
    SUBCASE("standalone sync off") {
        auto w = missing_world();
        w.netbox.servers[0].sync_standalone_scopes = false;
        w.add_server(2, "dhcp02");
        w.add_failover(50, "FO", 1, 2);
        CHECK(w.plan_scopes_for("dhcp01").scope_deletes.empty());
    }
    SUBCASE("failover scope seen from the secondary while the primary is up (plugin B5)") {
        auto w = missing_world();
        w.add_server(2, "dhcp02");
        w.add_failover(50, "FO", 2, 1);
        w.scope(109).server_id.reset();
        w.scope(109).failover_id = 50;
        CHECK(w.plan_scopes_for("dhcp01").scope_deletes.empty());
    }
    SUBCASE("another server's scope") {
        auto w = missing_world();
        w.add_server(2, "dhcp02");
        w.scope(109).server_id = 2;
        CHECK(w.plan_scopes_for("dhcp01").scope_deletes.empty());
    }
}

TEST_CASE("scope in maintenance: no attribute or exclusion changes, and a skip") {
    auto w = standard_world();
    w.scope(100).tags = {"dhcp-maintenance"};
    w.remote_scope("dhcp01", kScope).name = "renamed";
    auto plan = w.scopes_plan();
    CHECK(plan.empty());
    CHECK(has_skip(plan, "scope in maintenance"));
}

TEST_CASE("the primary syncs a failover scope, the secondary does not touch it") {
    World w;
    w.add_server(1, "dhcp-a");
    w.add_server(2, "dhcp-b");
    w.add_failover(50, "FO", 1, 2);
    w.add_prefix(10, "10.0.1.0/24");
    w.add_scope(100, "FO scope", 10, "10.0.1.10", "10.0.1.200", std::nullopt, 50);
    w.add_remote_scope("dhcp-a", kScope, "255.255.255.0", "10.0.1.10", "10.0.1.200", "renamed-a");
    w.add_remote_scope("dhcp-b", kScope, "255.255.255.0", "10.0.1.10", "10.0.1.200", "renamed-b");
    auto plan = w.scopes_plan();
    REQUIRE(plan.scope_updates.size() == 1);
    CHECK(plan.scope_updates[0].name == std::optional<std::string>("renamed-a"));
    CHECK(plan.scope_updates[0].note.server == "dhcp-a");
}

TEST_CASE("a NetBox scope of another server with the same network is neither matched nor imported over") {
    auto w = standard_world();
    w.add_server(2, "dhcp02");
    w.scope(100).server_id = 2;  // the NetBox scope now belongs to dhcp02
    auto plan = w.plan_scopes_for("dhcp01");
    CHECK(plan.scope_updates.empty());
    REQUIRE(plan.scope_creates.size() == 1);  // dhcp01's own copy is imported
    CHECK(plan.scope_creates[0].server_id == std::optional<ObjectId>(1));
    CHECK(plan.scope_creates[0].prefix_id == std::optional<ObjectId>(10));
}

TEST_CASE("an empty scope list deletes no NetBox scope (an error swallowed by PSU), unless allowed") {
    auto w = standard_world();
    w.dhcp["dhcp01"].scopes->clear();
    auto plan = w.scopes_plan();
    CHECK(plan.scope_deletes.empty());
    CHECK(has_problem(plan, Severity::error, "empty scope list"));
    w.settings.allow_mass_delete = true;
    CHECK(w.scopes_plan().scope_deletes.size() == 1);
}

TEST_CASE("an empty scope list from a backend that does not swallow errors is believed") {
    auto w = standard_world();
    w.dhcp["dhcp01"].scopes->clear();
    w.dhcp["dhcp01"].capabilities.empty_list_may_be_error = false;
    auto plan = w.scopes_plan();
    CHECK(plan.scope_deletes.size() == 1);
    CHECK_FALSE(has_problem(plan, Severity::error, "empty scope list"));
}

TEST_CASE("a non-empty scope list that lacks one NetBox scope still deletes it") {
    auto w = missing_world();
    auto plan = w.scopes_plan();
    CHECK(plan.scope_deletes.size() == 1);
    CHECK_FALSE(has_problem(plan, Severity::error, "empty scope list"));
}
