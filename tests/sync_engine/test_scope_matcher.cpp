#include "sync_engine/scope_matcher.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

DhcpScope remote(const char* id, const char* mask, const char* start = "10.0.1.10", const char* end = "10.0.1.200") {
    DhcpScope s;
    s.scope_id = ip(id);
    s.subnet_mask = ip(mask);
    s.start_ip = ip(start);
    s.end_ip = ip(end);
    return s;
}

}  // namespace

TEST_CASE("matching: a scope of another server with the same network is never matched (B6)") {
    World w;
    w.add_server(1, "dhcp01");
    w.add_server(2, "dhcp02");
    w.add_prefix(10, "10.0.1.0/24");
    w.add_prefix(11, "10.0.1.0/24", 7);
    w.add_scope(200, "Other server", 10, "10.0.1.10", "10.0.1.200", 2);
    ScopeMatcher m1(w.netbox, 1);
    CHECK(m1.match(remote("10.0.1.0", "255.255.255.0")) == nullptr);
    w.add_scope(100, "Mine", 11, "10.0.1.10", "10.0.1.200", 1);
    ScopeMatcher m2(w.netbox, 1);
    const NetBoxScope* found = m2.match(remote("10.0.1.0", "255.255.255.0"));
    REQUIRE(found);
    CHECK(found->id == 100);
}

TEST_CASE("matching: failover scopes are owned by both primary and secondary, not by others") {
    World w;
    w.add_server(1, "a");
    w.add_server(2, "b");
    w.add_server(3, "c");
    w.add_failover(50, "FO", 1, 2);
    w.add_prefix(10, "10.0.1.0/24");
    w.add_scope(100, "FO scope", 10, "10.0.1.10", "10.0.1.200", std::nullopt, 50);
    auto r = remote("10.0.1.0", "255.255.255.0");
    CHECK(ScopeMatcher(w.netbox, 1).match(r));
    CHECK(ScopeMatcher(w.netbox, 2).match(r));
    CHECK_FALSE(ScopeMatcher(w.netbox, 3).match(r));
}

TEST_CASE("matching: among owned scopes with the same network, the prefix length of the subnet mask wins") {
    World w;
    w.add_server(1, "dhcp01");
    w.add_prefix(10, "10.0.0.0/16");
    w.add_prefix(11, "10.0.0.0/24");
    w.add_scope(100, "a-wide", 10, "10.0.0.10", "10.0.0.200", 1);
    w.add_scope(101, "b-narrow", 11, "10.0.0.10", "10.0.0.200", 1);
    ScopeMatcher m(w.netbox, 1);
    CHECK(m.match(remote("10.0.0.0", "255.255.255.0", "10.0.0.10", "10.0.0.200"))->id == 101);
    CHECK(m.match(remote("10.0.0.0", "255.255.0.0", "10.0.0.10", "10.0.0.200"))->id == 100);
}

TEST_CASE("matching: with the same prefix twice, the scope with the same range wins") {
    World w;
    w.add_server(1, "dhcp01");
    w.add_prefix(10, "10.0.1.0/24");
    w.add_scope(100, "a", 10, "10.0.1.10", "10.0.1.99", 1);
    w.add_scope(101, "b", 10, "10.0.1.100", "10.0.1.200", 1);
    ScopeMatcher m(w.netbox, 1);
    CHECK(m.match(remote("10.0.1.0", "255.255.255.0", "10.0.1.100", "10.0.1.200"))->id == 101);
}

TEST_CASE("matching: a scope whose prefix is missing from the snapshot is reported as unkeyed") {
    World w;
    w.add_server(1, "dhcp01");
    w.add_scope(100, "lost", 99, "10.0.1.10", "10.0.1.200", 1);
    ScopeMatcher m(w.netbox, 1);
    CHECK(m.owned().empty());
    CHECK(m.unkeyed().size() == 1);
}
