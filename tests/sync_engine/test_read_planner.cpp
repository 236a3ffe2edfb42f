// scopes_to_read, prefixes_to_read and prefixes_to_prefetch.
#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

std::vector<ScopeReadRequest> reads(World& w, const std::string& server) {
    auto runs = decide_servers(w.netbox, w.health, {server}, w.settings).runs;
    REQUIRE(runs.size() == 1);
    return scopes_to_read(w.netbox, runs[0], *w.dhcp[server].scopes, w.settings);
}

}  // namespace

TEST_CASE("reads: an eligible matched scope gets leases, reservations and exclusions") {
    auto w = standard_world();
    auto r = reads(w, "dhcp01");
    REQUIRE(r.size() == 1);
    CHECK(r[0].scope_id == ip(kScope));
    CHECK(r[0].leases);
    CHECK(r[0].reservations);
    CHECK(r[0].exclusions);
}

TEST_CASE("reads: with ip_addresses and push_reservations off only exclusions are read") {
    auto w = standard_world();
    w.settings.ip_addresses = false;
    auto r = reads(w, "dhcp01");
    REQUIRE(r.size() == 1);
    CHECK_FALSE(r[0].leases);
    CHECK_FALSE(r[0].reservations);
    CHECK(r[0].exclusions);
    w.settings.push_reservations = true;
    CHECK(reads(w, "dhcp01")[0].reservations);
}

TEST_CASE("reads: nothing for scopes in maintenance, inactive under active_scopes_only, or another role") {
    auto w = standard_world();
    w.scope(100).tags = {"dhcp-maintenance"};
    CHECK(reads(w, "dhcp01").empty());

    auto w2 = standard_world();
    w2.settings.active_scopes_only = true;
    w2.remote_scope("dhcp01", kScope).active = false;
    CHECK(reads(w2, "dhcp01").empty());

    auto w3 = standard_world();
    w3.add_server(2, "dhcp02");
    w3.add_failover(50, "FO", 2, 1);
    w3.scope(100).server_id.reset();
    w3.scope(100).failover_id = 50;
    CHECK(reads(w3, "dhcp01").empty());
}

TEST_CASE("reads: a scope to be auto-imported is read when it will then be synced") {
    World w;
    w.add_server(1, "dhcp01");
    w.add_remote_scope("dhcp01", "10.0.5.0", "255.255.255.0", "10.0.5.10", "10.0.5.100", "Lab");
    CHECK(reads(w, "dhcp01").size() == 1);
    w.settings.create_missing_prefixes = false;  // import impossible
    CHECK(reads(w, "dhcp01").empty());
    w.settings.create_missing_prefixes = true;
    w.settings.push_scope_info = true;  // no import at all
    CHECK(reads(w, "dhcp01").empty());
}

TEST_CASE("prefixes: a synced scope's prefix with its VRF, only when its IP reads succeeded") {
    auto w = standard_world();
    w.netbox.prefixes[10].vrf_id = 7;
    auto runs = w.all_runs();
    auto p = prefixes_to_read(w.netbox, runs, w.dhcp, w.settings);
    REQUIRE(p.size() == 1);
    CHECK(p[0].prefix == net("10.0.1.0/24"));
    CHECK(p[0].vrf_id == std::optional<ObjectId>(7));

    w.data("dhcp01", kScope).leases.reset();
    CHECK(prefixes_to_read(w.netbox, runs, w.dhcp, w.settings).empty());
    w.settings.push_reservations = true;  // the push needs only the reservation read
    CHECK(prefixes_to_read(w.netbox, runs, w.dhcp, w.settings).size() == 1);
}

TEST_CASE("prefixes: nothing for a server whose scope list failed") {
    auto w = standard_world();
    w.dhcp["dhcp01"].scopes.reset();
    CHECK(prefixes_to_read(w.netbox, w.all_runs(), w.dhcp, w.settings).empty());
}

TEST_CASE("prefetch: the prefixes of the scopes each run may sync, known before the servers are read") {
    auto w = standard_world();
    w.netbox.prefixes[10].vrf_id = 7;
    auto runs = w.all_runs();
    auto p = prefixes_to_prefetch(w.netbox, runs, w.settings);
    REQUIRE(p.size() == 1);
    CHECK(p[0].prefix == net("10.0.1.0/24"));
    CHECK(p[0].vrf_id == std::optional<ObjectId>(7));
    // It covers what prefixes_to_read asks for once the servers are read.
    CHECK(prefixes_to_read(w.netbox, runs, w.dhcp, w.settings) == p);

    w.dhcp["dhcp01"].scopes.reset();  // no DHCP data is needed for it
    CHECK(prefixes_to_prefetch(w.netbox, runs, w.settings) == p);
}

TEST_CASE("prefetch: nothing for scopes in maintenance, of another role, or with IP sync off") {
    auto w = standard_world();
    w.scope(100).tags = {"dhcp-maintenance"};
    CHECK(prefixes_to_prefetch(w.netbox, w.all_runs(), w.settings).empty());

    auto w2 = standard_world();
    w2.add_server(2, "dhcp02");
    w2.add_failover(50, "FO", 2, 1);
    w2.scope(100).server_id.reset();
    w2.scope(100).failover_id = 50;
    auto runs = decide_servers(w2.netbox, w2.health, {"dhcp01"}, w2.settings).runs;
    CHECK(prefixes_to_prefetch(w2.netbox, runs, w2.settings).empty());

    auto w3 = standard_world();
    w3.settings.ip_addresses = false;
    CHECK(prefixes_to_prefetch(w3.netbox, w3.all_runs(), w3.settings).empty());
    w3.settings.push_reservations = true;
    CHECK(prefixes_to_prefetch(w3.netbox, w3.all_runs(), w3.settings).size() == 1);
}
