// Scope attributes: pull (the plugin's rules _pull_scope_attributes) and push (_push_scope, without B12).
#include "sync_engine/scope_attributes.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

TEST_CASE("attribute pull: only the changed fields, with old -> new in the reason") {
    auto w = standard_world();
    auto& r = w.remote_scope("dhcp01", kScope);
    r.name = "Building A (new)";
    r.end_ip = ip("10.0.1.220");
    r.lease_duration_seconds = 3600;
    auto plan = w.scopes_plan();
    REQUIRE(plan.scope_updates.size() == 1);
    const auto& u = plan.scope_updates[0];
    CHECK(u.id == 100);
    CHECK(u.name == std::optional<std::string>("Building A (new)"));
    CHECK_FALSE(u.start_ip);
    CHECK(u.end_ip == std::optional<Ipv4Address>(ip("10.0.1.220")));
    CHECK_FALSE(u.set_router);
    CHECK(u.lease_lifetime == std::optional<std::int64_t>(3600));
    CHECK(u.note.reason.find("end_ip 10.0.1.200 \u2192 10.0.1.220") != std::string::npos);
    CHECK(u.note.reason.find("lease_lifetime 86400 \u2192 3600") != std::string::npos);
    CHECK(plan.write_count() == 1);
}

TEST_CASE("attribute pull: an empty remote name never renames, lease 0 means 86400") {
    auto w = standard_world();
    auto& r = w.remote_scope("dhcp01", kScope);
    r.name = "";
    r.lease_duration_seconds = 0;
    CHECK(w.scopes_plan().empty());
}

TEST_CASE("attribute pull: the router is always compared, removed on the server -> cleared") {
    auto w = standard_world();
    w.remote_scope("dhcp01", kScope).router.reset();
    auto plan = w.scopes_plan();
    REQUIRE(plan.scope_updates.size() == 1);
    CHECK(plan.scope_updates[0].set_router);
    CHECK_FALSE(plan.scope_updates[0].router);
}

TEST_CASE("attribute pull: router 0.0.0.0 is no router") {
    auto w = standard_world();
    w.scope(100).router.reset();
    w.remote_scope("dhcp01", kScope).router = ip("0.0.0.0");
    CHECK(w.scopes_plan().empty());
}

TEST_CASE("attribute push: NetBox differs -> PUT with NetBox values and the server's description kept") {
    auto w = standard_world();
    w.settings.push_scope_info = true;
    auto& r = w.remote_scope("dhcp01", kScope);
    r.name = "Old name";
    r.description = "keep me";
    r.lease_duration_seconds = 3600;
    auto plan = w.scopes_plan();
    CHECK(plan.scope_updates.empty());
    REQUIRE(scope_writes(plan).size() == 1);
    const auto write = scope_writes(plan)[0];
    CHECK(write.verb == Verb::update);
    CHECK(write.scope.scope_id == ip(kScope));
    CHECK(write.scope.name == "Building A");
    CHECK(write.scope.lease_duration_seconds == 86400);
    CHECK(write.scope.description == "keep me");
    CHECK(write.changed_fields == std::vector<std::string>{"name", "lease_duration_seconds"});
}

TEST_CASE("attribute push: nothing differs -> nothing sent, even when descriptions differ") {
    auto w = standard_world();
    w.settings.push_scope_info = true;
    w.remote_scope("dhcp01", kScope).description = "server only";
    CHECK(w.scopes_plan().empty());
}
