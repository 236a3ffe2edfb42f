#include "sync_engine/protection.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

NetBoxIpAddress ip_at(const char* address, std::optional<ObjectId> vrf = std::nullopt,
                      std::vector<std::string> tags = {}) {
    NetBoxIpAddress a;
    a.address = ip(address);
    a.prefix_length = 24;
    a.vrf_id = vrf;
    a.tags = std::move(tags);
    return a;
}

World protected_world() {
    auto w = standard_world();
    w.settings.protect_tag = "sync-protect";
    return w;
}

}  // namespace

TEST_CASE("protection: the tag protects, and no tag setting protects nothing") {
    SyncSettings s;
    s.protect_tag = "sync-protect";
    Protection p(s, {});
    CHECK(p.tagged(ip_at("10.0.1.5", std::nullopt, {"sync-protect"})));
    CHECK_FALSE(p.tagged(ip_at("10.0.1.5", std::nullopt, {"other"})));
    SyncSettings off;
    Protection none(off, {NetBoxPrefix{1, net("10.0.1.0/24"), std::nullopt, {}}});
    CHECK_FALSE(none.prefix_protects(std::nullopt, ip("10.0.1.5")));
    CHECK_FALSE(none.tagged(ip_at("10.0.1.5", std::nullopt, {""})));
}

TEST_CASE("protection: a VRF prefix protects its VRF only, a global prefix protects every VRF") {
    SyncSettings s;
    s.protect_tag = "sync-protect";
    Protection p(s, {NetBoxPrefix{1, net("10.0.1.0/25"), 7, {}}, NetBoxPrefix{2, net("10.0.2.0/24"), std::nullopt, {}}});
    CHECK(p.prefix_protects(7, ip("10.0.1.5")));
    CHECK_FALSE(p.prefix_protects(8, ip("10.0.1.5")));
    CHECK_FALSE(p.prefix_protects(std::nullopt, ip("10.0.1.5")));
    CHECK_FALSE(p.prefix_protects(7, ip("10.0.1.200")));
    CHECK(p.prefix_protects(std::nullopt, ip("10.0.2.5")));
    CHECK(p.prefix_protects(9, ip("10.0.2.5")));
}

TEST_CASE("protection via plan: a tagged IP is not changed by a lease and not deleted by cleanup") {
    auto w = protected_world();
    w.add_ip(1, "10.0.1.50/24", "active", kMac1, "keep", {"sync-protect"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac2, "other");
    w.add_ip(2, "10.0.1.51/24", "dhcp", "", "", {"sync-protect"});  // not leased: row 1 keeps it
    auto plan = w.addresses_plan();
    CHECK(plan.empty());
    CHECK(has_skip(plan, "protected by tag"));
}

TEST_CASE("protection via plan: no IP is created inside a protected prefix") {
    auto w = protected_world();
    w.add_protected_prefix("10.0.1.0/26");
    w.add_lease("dhcp01", kScope, "10.0.1.20", kMac1, "pc");
    w.add_lease("dhcp01", kScope, "10.0.1.100", kMac2, "pc2");
    auto plan = w.addresses_plan();
    CHECK_FALSE(find_create(plan, "10.0.1.20"));
    CHECK(find_create(plan, "10.0.1.100"));
}

TEST_CASE("protection via plan: a protected prefix in another VRF does not protect this scope's IPs") {
    auto w = protected_world();
    w.add_protected_prefix("10.0.1.0/24", 7);
    w.add_lease("dhcp01", kScope, "10.0.1.20", kMac1, "pc");
    w.add_ip(1, "10.0.1.30/24", "dhcp");
    auto plan = w.addresses_plan();
    CHECK(find_create(plan, "10.0.1.20"));
    CHECK(find_by_id(plan.ip_deletes, 1));
}

TEST_CASE("protection via plan: client-id exception updates only the client id of a tagged IP from a lease") {
    auto w = protected_world();
    w.settings.protect_update_client_id = true;
    w.add_ip(1, "10.0.1.50/24", "active", kMac1, "keep", {"sync-protect"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac2, "other-name");
    auto plan = w.addresses_plan();
    REQUIRE(plan.ip_updates.size() == 1);
    const auto& u = plan.ip_updates[0];
    CHECK(u.client_id == std::optional<std::string>(kMac2));
    CHECK_FALSE(u.status);
    CHECK_FALSE(u.dns_name);
    CHECK_FALSE(u.tags);  // not taken over
}

TEST_CASE("protection via plan: the client-id exception does not apply to reservations or to prefix protection") {
    auto w = protected_world();
    w.settings.protect_update_client_id = true;
    w.add_ip(1, "10.0.1.50/24", "reserved", kMac1, "", {"sync-protect"});
    w.add_reservation("dhcp01", kScope, "10.0.1.50", kMac2, "x");
    w.add_protected_prefix("10.0.1.64/26");
    w.add_ip(2, "10.0.1.70/24", "dhcp", kMac1);
    w.add_lease("dhcp01", kScope, "10.0.1.70", kMac2);
    auto plan = w.addresses_plan();
    CHECK(plan.empty());
}

TEST_CASE("protection via plan: the exception makes no write when the client id already matches") {
    auto w = protected_world();
    w.settings.protect_update_client_id = true;
    w.add_ip(1, "10.0.1.50/24", "active", "AA:BB:CC:DD:EE:01", "", {"sync-protect"});
    w.add_lease("dhcp01", kScope, "10.0.1.50", kMac1);
    CHECK(w.addresses_plan().empty());
}
