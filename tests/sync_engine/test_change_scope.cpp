#include "sync_engine/change_scope.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

/// dhcp01 + dhcp02 in failover 1 (scope 10, 10.0.1.0/24); standalone dhcp03 (scope 20, 10.0.2.0/24 in VRF 7);
/// dhcp04 with no scopes.
World change_world() {
    World w;
    w.add_server(1, "dhcp01");
    w.add_server(2, "dhcp02");
    w.add_server(3, "dhcp03");
    w.add_server(4, "dhcp04");
    w.add_failover(1, "FO", 1, 2);
    w.add_prefix(100, "10.0.1.0/24");
    w.add_prefix(200, "10.0.2.0/24", 7);
    w.add_scope(10, "A", 100, "10.0.1.10", "10.0.1.200", std::nullopt, 1);
    w.add_scope(20, "B", 200, "10.0.2.10", "10.0.2.200", 3);
    return w;
}

std::set<std::string> names(std::initializer_list<const char*> list) { return {list.begin(), list.end()}; }

ChangedObject ip_change(const char* address, std::optional<ObjectId> vrf, bool vrf_known = true) {
    ChangedObject c;
    c.type = ChangedType::ip_address;
    c.address = ip(address);
    c.vrf_known = vrf_known;
    c.vrf_id = vrf;
    return c;
}

}  // namespace

TEST_CASE("change scope: object types map from NetBox's app_label.model") {
    CHECK(changed_type_from_object_type("ipam.ipaddress") == ChangedType::ip_address);
    CHECK(changed_type_from_object_type("ipam.prefix") == ChangedType::prefix);
    CHECK(changed_type_from_object_type("netbox_windows_dhcp.dhcpserver") == ChangedType::server);
    CHECK(changed_type_from_object_type("netbox_windows_dhcp.dhcpfailover") == ChangedType::failover);
    CHECK(changed_type_from_object_type("netbox_windows_dhcp.dhcpscope") == ChangedType::scope);
    CHECK(changed_type_from_object_type("netbox_windows_dhcp.dhcpexclusionrange") == ChangedType::exclusion_range);
    CHECK(changed_type_from_object_type("dcim.device") == ChangedType::other);
    CHECK(changed_type_from_object_type("netbox_windows_dhcp.dhcpoptionvalue") == ChangedType::other);
}

TEST_CASE("change scope: an IP address concerns the servers of the scope whose prefix holds it, VRF-aware") {
    auto w = change_world();
    CHECK(servers_concerned(ip_change("10.0.1.50", std::nullopt), w.netbox) == names({"dhcp01", "dhcp02"}));
    CHECK(servers_concerned(ip_change("10.0.2.50", 7), w.netbox) == names({"dhcp03"}));
    // Same address in another VRF than the scope's prefix: no scope holds it.
    CHECK(servers_concerned(ip_change("10.0.2.50", std::nullopt), w.netbox).empty());
    CHECK(servers_concerned(ip_change("10.0.2.50", 8), w.netbox).empty());
    // VRF unknown (not in the payload): any VRF matches.
    CHECK(servers_concerned(ip_change("10.0.2.50", std::nullopt, false), w.netbox) == names({"dhcp03"}));
    // Outside every scope prefix.
    CHECK(servers_concerned(ip_change("192.168.1.1", std::nullopt), w.netbox).empty());
}

TEST_CASE("change scope: scopes go to their server or their failover's partners") {
    auto w = change_world();
    ChangedObject c;
    c.type = ChangedType::scope;
    c.id = 10;
    CHECK(servers_concerned(c, w.netbox) == names({"dhcp01", "dhcp02"}));
    c.id = 20;
    CHECK(servers_concerned(c, w.netbox) == names({"dhcp03"}));
    // Deleted scope: resolved through the ids the change carries.
    c.id = 99;
    c.server_id = 4;
    CHECK(servers_concerned(c, w.netbox) == names({"dhcp04"}));
    c.server_id.reset();
    c.failover_id = 1;
    CHECK(servers_concerned(c, w.netbox) == names({"dhcp01", "dhcp02"}));
    // A scope moved from dhcp03 to dhcp04: the new owner from the change, the old one from the snapshot.
    ChangedObject moved;
    moved.type = ChangedType::scope;
    moved.id = 20;
    moved.server_id = 4;
    CHECK(servers_concerned(moved, w.netbox) == names({"dhcp03", "dhcp04"}));
}

TEST_CASE("change scope: exclusion ranges follow their scope") {
    auto w = change_world();
    ChangedObject c;
    c.type = ChangedType::exclusion_range;
    c.id = 5;
    c.scope_id = 20;
    CHECK(servers_concerned(c, w.netbox) == names({"dhcp03"}));
    c.scope_id = 10;
    CHECK(servers_concerned(c, w.netbox) == names({"dhcp01", "dhcp02"}));
    c.scope_id = 999;
    CHECK(servers_concerned(c, w.netbox).empty());
    c.scope_id.reset();
    CHECK(servers_concerned(c, w.netbox).empty());
}

TEST_CASE("change scope: failovers and servers") {
    auto w = change_world();
    ChangedObject fo;
    fo.type = ChangedType::failover;
    fo.id = 1;
    CHECK(servers_concerned(fo, w.netbox) == names({"dhcp01", "dhcp02"}));
    // A deleted failover: its partners from the change.
    ChangedObject gone;
    gone.type = ChangedType::failover;
    gone.id = 9;
    gone.primary_server_id = 3;
    gone.secondary_server_id = 4;
    CHECK(servers_concerned(gone, w.netbox) == names({"dhcp03", "dhcp04"}));

    ChangedObject server;
    server.type = ChangedType::server;
    server.id = 3;
    CHECK(servers_concerned(server, w.netbox) == names({"dhcp03"}));
    // The primary going into maintenance hands its scopes to the secondary: both are synced.
    server.id = 1;
    CHECK(servers_concerned(server, w.netbox) == names({"dhcp01", "dhcp02"}));
    server.id.reset();
    server.name = "dhcp04";
    CHECK(servers_concerned(server, w.netbox) == names({"dhcp04"}));
    server.name = "deleted";
    CHECK(servers_concerned(server, w.netbox).empty());
}

TEST_CASE("change scope: prefixes concern the scopes using them or lying inside them") {
    auto w = change_world();
    ChangedObject c;
    c.type = ChangedType::prefix;
    c.id = 100;
    CHECK(servers_concerned(c, w.netbox) == names({"dhcp01", "dhcp02"}));
    // A protecting supernet in the global table covers every VRF.
    ChangedObject super;
    super.type = ChangedType::prefix;
    super.id = 500;
    super.network = net("10.0.0.0/16");
    super.vrf_known = true;
    CHECK(servers_concerned(super, w.netbox) == names({"dhcp01", "dhcp02", "dhcp03"}));
    // In VRF 7 it covers only VRF 7's scope.
    super.vrf_id = 7;
    CHECK(servers_concerned(super, w.netbox) == names({"dhcp03"}));
    // Unrelated prefix.
    ChangedObject other;
    other.type = ChangedType::prefix;
    other.id = 600;
    other.network = net("172.16.0.0/24");
    CHECK(servers_concerned(other, w.netbox).empty());
}

TEST_CASE("change scope: other object types concern no server") {
    auto w = change_world();
    ChangedObject c;
    c.type = ChangedType::other;
    c.id = 1;
    CHECK(servers_concerned(c, w.netbox).empty());
}
