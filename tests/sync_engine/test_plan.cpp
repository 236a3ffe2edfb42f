#include "sync_engine/plan.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace nds::engine;

TEST_CASE("plan: names of kinds and verbs are the JSON/metrics strings") {
    CHECK(std::string(to_string(ObjectKind::ip_address)) == "ip_address");
    CHECK(std::string(to_string(ObjectKind::dhcp_exclusion)) == "dhcp_exclusion");
    CHECK(std::string(to_string(ObjectKind::server)) == "server");
    CHECK(std::string(to_string(Verb::remove)) == "delete");
    CHECK(std::string(to_string(Verb::create)) == "create");
}

TEST_CASE("plan: skips and problems are not writes") {
    Plan plan;
    plan.skips.push_back(Skip{});
    plan.problems.push_back(Problem{});
    CHECK(plan.empty());
    CHECK(plan.write_count() == 0);
    plan.dhcp_writes.push_back(DhcpWrite::reservation({}, Verb::create, {}, {}));
    plan.ip_deletes.push_back(IpAddressDelete{});
    CHECK_FALSE(plan.empty());
    CHECK(plan.write_count() == 2);
}

TEST_CASE("plan: append moves every list") {
    Plan a;
    a.ip_creates.push_back(IpAddressCreate{});
    Plan b;
    b.ip_creates.push_back(IpAddressCreate{});
    b.scope_deletes.push_back(ScopeDelete{});
    b.dhcp_writes.push_back(DhcpWrite::scope({}, Verb::update, {}));
    b.problems.push_back(Problem{});
    a.append(std::move(b));
    CHECK(a.ip_creates.size() == 2);
    CHECK(a.scope_deletes.size() == 1);
    CHECK(a.dhcp_writes.size() == 1);
    CHECK(a.problems.size() == 1);
    CHECK(a.write_count() == 4);
}
