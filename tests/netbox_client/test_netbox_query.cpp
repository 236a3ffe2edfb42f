// Read targets: path prefix, filters, chunking, VRF grouping.
#include "netbox_client/netbox_query.hpp"

#include "http/url.hpp"

#include <doctest/doctest.h>

namespace query = nds::netbox::query;
using nds::engine::Ipv4Network;
using nds::http::Target;

TEST_CASE("base path and plugin path") {
    CHECK(query::base_path("https://netbox.example.com") == "");
    CHECK(query::base_path("https://netbox.example.com/") == "");
    CHECK(query::base_path("https://host:8443/netbox/") == "/netbox");
    CHECK(query::normalize_plugin_path("api/plugins/windows-dhcp") == "/api/plugins/windows-dhcp/");
    CHECK(query::normalize_plugin_path("/api/plugins/windows-dhcp/") == "/api/plugins/windows-dhcp/");
}

TEST_CASE("list target: limit and ordering=id") {
    auto t = Target::parse(query::list_target("/api/plugins/windows-dhcp/scopes/", 250, {{"tag", "dhcp-protect"}}));
    CHECK(t.path == "/api/plugins/windows-dhcp/scopes/");
    CHECK(t.get("limit") == "250");
    CHECK(t.get("ordering") == "id");
    CHECK(t.get("tag") == "dhcp-protect");
}

TEST_CASE("prefixes by id: de-duplicated, at most 300 per request") {
    std::vector<nds::engine::ObjectId> ids;
    for (int i = 1; i <= 650; ++i) ids.push_back(i);
    ids.push_back(5);
    auto targets = query::prefixes_by_id_targets("/api/ipam/prefixes/", ids, 1000);
    REQUIRE(targets.size() == 3);
    CHECK(Target::parse(targets[0]).all("id").size() == 300);
    CHECK(Target::parse(targets[2]).all("id").size() == 50);
    CHECK(Target::parse(targets[0]).all("id").front() == "1");
    CHECK(query::prefixes_by_id_targets("/api/ipam/prefixes/", {}, 1000).empty());
}

TEST_CASE("prefixes by id: a request line of 7-digit ids stays under gunicorn's 4094 bytes") {
    std::vector<nds::engine::ObjectId> ids;
    for (nds::engine::ObjectId i = 9'000'000; i < 9'000'300; ++i) ids.push_back(i);
    auto targets = query::prefixes_by_id_targets("/netbox/api/ipam/prefixes/", ids, 1000);
    REQUIRE(targets.size() == 1);
    CHECK(std::string("GET " + targets[0] + " HTTP/1.1").size() < 4094);
}

TEST_CASE("find prefixes: prefix=<cidr> repeated, at most 50 per request") {
    std::vector<Ipv4Network> networks;
    for (int i = 0; i < 60; ++i) networks.push_back(*Ipv4Network::parse("10.0." + std::to_string(i) + ".0/24"));
    auto targets = query::prefix_lookup_targets("/api/ipam/prefixes/", networks, 1000);
    REQUIRE(targets.size() == 2);
    auto first = Target::parse(targets[0]);
    CHECK(first.all("prefix").size() == 50);
    CHECK(first.all("prefix").front() == "10.0.0.0/24");
}

TEST_CASE("ip addresses: grouped by VRF, vrf_id=null for the global table, <=50 parents each") {
    std::vector<nds::engine::PrefixToRead> prefixes;
    for (int i = 0; i < 51; ++i) prefixes.push_back({*Ipv4Network::parse("10.1." + std::to_string(i) + ".0/24"), std::nullopt});
    prefixes.push_back({*Ipv4Network::parse("10.2.0.0/24"), 7});
    prefixes.push_back({*Ipv4Network::parse("10.2.0.0/24"), 7});  // duplicate
    auto targets = query::ip_address_targets("/netbox/api/ipam/ip-addresses/", prefixes, 500);
    REQUIRE(targets.size() == 3);
    auto a = Target::parse(targets[0]);
    CHECK(a.path == "/netbox/api/ipam/ip-addresses/");
    CHECK(a.all("parent").size() == 50);
    CHECK(a.get("vrf_id") == "null");
    CHECK(a.get("limit") == "500");
    auto b = Target::parse(targets[1]);
    CHECK(b.all("parent").size() == 1);
    CHECK(b.get("vrf_id") == "null");
    auto c = Target::parse(targets[2]);
    CHECK(c.all("parent") == std::vector<std::string>{"10.2.0.0/24"});
    CHECK(c.get("vrf_id") == "7");
}

TEST_CASE("list reads name their fields, and a request line stays under gunicorn's 4094 bytes") {
    std::vector<nds::engine::ObjectId> ids;
    for (int i = 0; i < 300; ++i) ids.push_back(9'000'000 + i);
    auto prefix_targets = query::prefixes_by_id_targets("/netbox/api/ipam/prefixes/", ids, 1000);
    REQUIRE(prefix_targets.size() == 1);
    CHECK(Target::parse(prefix_targets[0]).get("fields") == std::string(query::fields::kPrefix));
    CHECK(prefix_targets[0].size() + std::string("GET  HTTP/1.1").size() < 4094);

    std::vector<nds::engine::PrefixToRead> prefixes;
    for (int i = 0; i < 50; ++i) prefixes.push_back({*Ipv4Network::parse("10.200." + std::to_string(i) + ".0/24"), 1234567});
    auto ip_targets = query::ip_address_targets("/netbox/api/ipam/ip-addresses/", prefixes, 1000,
                                                {{"last_updated__gte", "2026-09-01T10:00:00Z"}});
    REQUIRE(ip_targets.size() == 1);
    auto t = Target::parse(ip_targets[0]);
    CHECK(t.get("fields") == std::string(query::fields::kIpAddress));
    CHECK(t.get("last_updated__gte") == "2026-09-01T10:00:00Z");
    CHECK(ip_targets[0].size() < 4000);
    CHECK_FALSE(Target::parse(query::list_target("/api/x/", 10)).get("fields"));
}
