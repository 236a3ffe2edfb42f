// Failures on one side must not cost data: a server that is down, a lease read that fails, an object
// NetBox rejects, and a token NetBox refuses.
#include "integration_fixture.hpp"

#include <doctest/doctest.h>

using namespace nds::testing;
namespace json = boost::json;

TEST_CASE("a DHCP server that is down leaves the others synced and exits 1") {
    auto env = make_environment();
    env.dhcp("dhcp03").stop();
    auto result = env.run({"sync"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("dhcp03") != std::string::npos);
    // dhcp01's scopes were synced; dhcp03's IPs untouched (nothing deleted for it).
    CHECK(find_ip(env.netbox(), "10.10.1.20/24"));
    auto kiosk = find_ip(env.netbox(), "10.20.1.60/24");
    REQUIRE(kiosk);
    CHECK(kiosk->at("dns_name").as_string() == "kiosk-1");
}

TEST_CASE("a lease read that fails (500) deletes nothing in that scope") {
    auto env = make_environment();
    env.dhcp("dhcp01").add_fault(json::object{{"method", "GET"}, {"path_prefix", "/api/dhcp/leases"},
                                              {"query_contains", "10.10.1.0"}, {"status", 500}, {"count", 0}});
    auto result = env.run({"sync"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    // The stale lease IP in Campus A survives: its scope's lease list was not read.
    CHECK(find_ip(env.netbox(), "10.10.1.30/24"));
    CHECK_FALSE(find_ip(env.netbox(), "10.10.1.20/24"));
    // Campus B (other scope, same server) was synced.
    CHECK(find_ip(env.netbox(), "10.10.2.100/24"));
}

TEST_CASE("an empty lease list for a populated scope trips the mass-delete guard") {
    auto env = make_environment();
    // Twelve managed leases in Branch, all still leased.
    json::array leases;
    json::array ips;
    for (int i = 0; i < 12; ++i) {
        auto ip = "10.20.1." + std::to_string(100 + i);
        ips.push_back(json::object{{"address", ip + "/24"}, {"vrf", nullptr}, {"status", "dhcp"},
                                   {"dns_name", "host" + std::to_string(i)}, {"description", ""},
                                   {"tags", json::array{"dhcp-sync"}},
                                   {"custom_fields", json::object{{"dhcp_client_id", nullptr}}}});
    }
    env.netbox().seed(json::object{{"ip_addresses", ips}});
    env.dhcp("dhcp03").add_fault(json::object{{"method", "GET"}, {"path_prefix", "/api/dhcp/leases"},
                                              {"empty_list", true}, {"count", 0}});
    auto result = env.run({"sync"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("--allow-mass-delete") != std::string::npos);
    CHECK(find_ip(env.netbox(), "10.20.1.100/24"));
    CHECK(find_ip(env.netbox(), "10.20.1.111/24"));

    auto forced = env.run({"sync", "--allow-mass-delete"});
    INFO(forced.out << forced.err);
    CHECK_FALSE(find_ip(env.netbox(), "10.20.1.100/24"));
}

TEST_CASE("a bulk write with one object NetBox rejects applies the rest and exits 1") {
    auto env = make_environment();
    // A scope in maintenance that sorts before "Campus A" and shares its prefix, with an exclusion range
    // over 10.10.1.20: NetBox's plugin validation rejects a dhcp-status IP there, and nothing else.
    json::object shadow{{"name", "A-shadow"}, {"prefix", "10.10.1.0/24"}, {"vrf", nullptr},
                        {"start_ip", "10.10.1.10"}, {"end_ip", "10.10.1.200"}, {"router", nullptr},
                        {"lease_lifetime", 86400}, {"server", "dhcp03"}, {"failover", nullptr},
                        {"tags", json::array{"dhcp-maintenance"}},
                        {"exclusion_ranges", json::array{json::object{{"start_ip", "10.10.1.20"}, {"end_ip", "10.10.1.20"}}}}};
    env.netbox().seed(json::object{{"scopes", json::array{shadow}}});
    auto result = env.run({"sync", "--output", "json"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK_FALSE(find_ip(env.netbox(), "10.10.1.20/24"));
    CHECK(find_ip(env.netbox(), "10.10.1.21/24"));
    CHECK(find_ip(env.netbox(), "10.10.2.100/24"));
    auto doc = json::parse(result.out);
    bool reported = false;
    for (const auto& a : doc.at("servers").at("dhcp01").at("actions").as_array())
        if (a.at("object").as_string() == "10.10.1.20/24" && a.at("status").as_string() == "failed")
            reported = std::string(a.at("error").as_string()).find("exclusion range") != std::string::npos;
    CHECK(reported);
}

TEST_CASE("a token NetBox refuses exits 3 and changes nothing") {
    auto env = make_environment();
    auto config = env.write_config("", "0000000000000000000000000000000000000000");
    env.reset_stats();
    auto result = env.run({"sync"}, config);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 3);
    CHECK(env.netbox_writes() == 0);
}

TEST_CASE("config errors exit 2 and name the key") {
    auto env = make_environment({"dhcp01"}, false);
    auto config = env.write_config("  ip_adresses: true\n");
    auto result = env.run({"sync"}, config);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("sync.ip_adresses") != std::string::npos);
}

TEST_CASE("a NetBox read that fails at start-up writes nothing, not even the managed tag") {
    auto env = make_environment();
    auto config = env.write_config("  managed_tag: synced-by-daemon\n");
    env.netbox().add_fault(json::object{{"method", "GET"}, {"path_prefix", "/api/ipam/prefixes/"}, {"status", 500}, {"count", 0}});
    env.netbox().reset_stats();
    auto result = env.run({"sync"}, config);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 3);
    CHECK((result.out + result.err).find("/api/ipam/prefixes/") != std::string::npos);
    CHECK(env.netbox().stats().at("writes").as_int64() == 0);
    auto state = env.netbox().state();
    for (const auto& tag : state.at("tags").as_array()) CHECK(tag.at("slug").as_string() != "synced-by-daemon");
}
