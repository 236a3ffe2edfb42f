// No IP is created inside an IP range NetBox marks populated (same VRF); each scope reports each such range
// once, with the number of addresses left out.
#include "sync_engine/populated_ranges.hpp"

#include "tests/sync_engine/snapshot_builders.hpp"

#include <doctest/doctest.h>

using namespace nds::test;

namespace {

NetBoxIpRange populated(ObjectId id, const char* start, const char* end, std::optional<ObjectId> vrf = std::nullopt,
                        bool mark_populated = true) {
    NetBoxIpRange r;
    r.id = id;
    r.start = ip(start);
    r.end = ip(end);
    r.prefix_length = 24;
    r.vrf_id = vrf;
    r.mark_populated = mark_populated;
    r.display = std::string(start) + "-" + end + "/24";
    return r;
}

IpAddressCreate create(const char* address, const std::string& scope = "Building A",
                       std::optional<ObjectId> vrf = std::nullopt) {
    IpAddressCreate c;
    c.note = ActionNote{"dhcp01", scope, std::string(address) + "/24", "lease"};
    c.address = Ipv4Interface{ip(address), 24};
    c.vrf_id = vrf;
    c.status = "dhcp";
    return c;
}

}  // namespace

TEST_CASE("creates inside a populated range are dropped and reported once per scope and range") {
    Plan plan;
    for (const char* a : {"10.0.1.50", "10.0.1.100", "10.0.1.120", "10.0.1.150", "10.0.1.151"}) plan.ip_creates.push_back(create(a));
    skip_creates_in_populated_ranges(plan, {populated(7, "10.0.1.100", "10.0.1.150")});
    REQUIRE(plan.ip_creates.size() == 2);  // both ends of the range are inside
    CHECK(plan.ip_creates[0].address.address == ip("10.0.1.50"));
    CHECK(plan.ip_creates[1].address.address == ip("10.0.1.151"));
    REQUIRE(plan.problems.size() == 1);
    const auto& p = plan.problems.front();
    CHECK(p.severity == Severity::warning);
    CHECK(p.note.server == "dhcp01");
    CHECK(p.note.scope == "Building A");
    CHECK(p.note.object == "10.0.1.100-10.0.1.150/24");
    CHECK(p.note.reason.find("3 IP addresses (10.0.1.100 .. 10.0.1.150) not created") == 0);
    CHECK(p.note.reason.find("inside IP range 10.0.1.100-10.0.1.150/24") != std::string::npos);
}

TEST_CASE("a range of another VRF, or one not marked populated, keeps the creates") {
    Plan plan;
    plan.ip_creates.push_back(create("10.0.1.120"));
    plan.ip_creates.push_back(create("10.0.1.121", "Building A", 5));
    skip_creates_in_populated_ranges(plan, {populated(1, "10.0.1.100", "10.0.1.150", 9),
                                            populated(2, "10.0.1.100", "10.0.1.150", std::nullopt, false)});
    CHECK(plan.ip_creates.size() == 2);
    CHECK(plan.problems.empty());

    skip_creates_in_populated_ranges(plan, {populated(3, "10.0.1.100", "10.0.1.150", 5)});
    REQUIRE(plan.ip_creates.size() == 1);
    CHECK(plan.ip_creates[0].address.address == ip("10.0.1.120"));  // the global one stays
    REQUIRE(plan.problems.size() == 1);
    CHECK(plan.problems[0].note.reason.find("1 IP address (10.0.1.121) not created") == 0);
}

TEST_CASE("two scopes in one range and one scope in two ranges give one report each") {
    Plan plan;
    plan.ip_creates.push_back(create("10.0.1.101", "A"));
    plan.ip_creates.push_back(create("10.0.1.102", "B"));
    plan.ip_creates.push_back(create("10.0.1.103", "A"));
    plan.ip_creates.push_back(create("10.0.1.201", "A"));
    skip_creates_in_populated_ranges(plan, {populated(1, "10.0.1.100", "10.0.1.150"), populated(2, "10.0.1.200", "10.0.1.210")});
    CHECK(plan.ip_creates.empty());
    REQUIRE(plan.problems.size() == 3);
    CHECK(plan.problems[0].note.scope == "A");
    CHECK(plan.problems[0].note.reason.find("2 IP addresses") == 0);
    CHECK(plan.problems[1].note.scope == "B");
    CHECK(plan.problems[2].note.object == "10.0.1.200-10.0.1.210/24");
}

TEST_CASE("overlapping ranges: an address is counted once, under the lower range id") {
    Plan plan;
    plan.ip_creates.push_back(create("10.0.1.125"));
    skip_creates_in_populated_ranges(plan, {populated(9, "10.0.1.120", "10.0.1.130"), populated(4, "10.0.1.100", "10.0.1.150")});
    CHECK(plan.ip_creates.empty());
    REQUIRE(plan.problems.size() == 1);
    CHECK(plan.problems[0].note.object == "10.0.1.100-10.0.1.150/24");
}

TEST_CASE("the rule on a planned sync: leases inside the range make no creates, the others do") {
    World w = standard_world();
    w.add_lease("dhcp01", kScope, "10.0.1.20", kMac1);
    w.add_lease("dhcp01", kScope, "10.0.1.110", kMac2);
    w.add_ip(50, "10.0.1.111/24", "dhcp", "aa-bb-cc-dd-ee-03");  // already inside: its cleanup is unaffected
    w.netbox.populated_ranges.push_back(populated(1, "10.0.1.100", "10.0.1.150"));
    Plan plan = w.addresses_plan();
    skip_creates_in_populated_ranges(plan, w.netbox.populated_ranges);
    CHECK(find_create(plan, "10.0.1.20"));
    CHECK_FALSE(find_create(plan, "10.0.1.110"));
    CHECK(find_by_id(plan.ip_deletes, 50));
    CHECK(has_problem(plan, Severity::warning, "1 IP address (10.0.1.110) not created"));
}
