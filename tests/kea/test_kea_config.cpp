// Reading Kea's Dhcp4 configuration as the sync's types (kea_client/kea_config.hpp), without sockets.
#include "kea_client/kea_config.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace kea = nds::kea;
namespace json = boost::json;
using nds::engine::Ipv4Address;

namespace {

Ipv4Address ip(const char* text) { return *Ipv4Address::parse(text); }

/// A config-get Dhcp4 object the way Kea 2.2 prints it (pools "a-b", inherited values filled in).
json::object sample() {
    return json::parse(R"({
      "valid-lifetime": 4000,
      "option-data": [ {"code": 6, "name": "domain-name-servers", "space": "dhcp4", "csv-format": true, "data": "192.0.2.53"} ],
      "subnet4": [
        { "id": 1, "subnet": "192.0.2.0/24", "valid-lifetime": 3600,
          "pools": [ {"pool": "192.0.2.10-192.0.2.20", "option-data": []}, {"pool": "192.0.2.31 - 192.0.2.40"} ],
          "user-context": { "netbox-dhcp-sync": { "name": "Lab", "description": "lab net" }, "other": 1 },
          "option-data": [
            {"code": 3, "name": "routers", "space": "dhcp4", "csv-format": true, "data": "192.0.2.1, 192.0.2.2"},
            {"code": 15, "name": "domain-name", "space": "dhcp4", "csv-format": true, "data": "lab.example"},
            {"code": 6, "name": "domain-name-servers", "space": "dhcp4", "csv-format": true, "data": "192.0.2.53, 192.0.2.54"},
            {"code": 2, "name": "vendor-thing", "space": "vendor-x", "csv-format": false, "data": "0A0B"}
          ],
          "reservations": [
            {"hw-address": "02:00:00:00:00:42", "ip-address": "192.0.2.5", "hostname": "r42",
             "user-context": {"netbox-dhcp-sync": {"description": "printer"}}},
            {"client-id": "01:02:00:00:00:00:43", "ip-address": "192.0.2.6", "hostname": "r43",
             "user-context": {"comment": "from the comment"}},
            {"duid": "00:01:02", "ip-address": "192.0.2.7"},
            {"hw-address": "02:00:00:00:00:44", "hostname": "options-only"},
            {"hw-address": "02:00:00:00:00:45", "ip-address": "192.0.2.300"}
          ] },
        { "id": 2, "subnet": "198.51.100.0/24", "pools": [ {"pool": "198.51.100.0/25"} ] },
        { "id": 3, "subnet": "not a subnet" }
      ],
      "shared-networks": [ { "name": "net1", "valid-lifetime": 900,
          "option-data": [ {"code": 3, "name": "routers", "data": "10.5.0.1"} ],
          "subnet4": [ { "id": 5, "subnet": "10.5.0.0/24", "pools": [ {"pool": "10.5.0.100-10.5.0.200"} ],
                         "user-context": { "netbox-dhcp-sync": { "range": "10.5.0.50-10.5.0.200" } } },
                       { "id": 6, "subnet": "10.6.0.0/24" },
                       { "id": 7, "subnet": "10.7.0.0/24", "pools": [ {"pool": "garbage"} ] } ] } ]
    })").as_object();
}

const nds::engine::DhcpScope* scope(const std::vector<nds::engine::DhcpScope>& scopes, const char* id) {
    for (const auto& s : scopes)
        if (s.scope_id == ip(id)) return &s;
    return nullptr;
}

}  // namespace

TEST_CASE("config-get's answer: Dhcp4 and a fingerprint") {
    json::value arguments = json::object{{"Dhcp4", sample()}};
    auto config = kea::parse_config(arguments, "kea01: Kea config-get");
    REQUIRE(config);
    CHECK(config->fingerprint.size() == 64);
    CHECK(config->fingerprint == kea::parse_config(arguments, "x")->fingerprint);
    json::value changed = arguments;
    changed.at("Dhcp4").as_object()["valid-lifetime"] = 4001;
    CHECK(kea::parse_config(changed, "x")->fingerprint != config->fingerprint);
    json::value hashed = json::object{{"Dhcp4", sample()}, {"hash", "ABC"}};  // Kea >= 2.4
    CHECK(kea::parse_config(hashed, "x")->fingerprint == "ABC");
    auto bad = kea::parse_config(json::object{{"Dhcp6", json::object{}}}, "kea01: Kea config-get");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().is(nds::errc::malformed));
}

TEST_CASE("scopes: every subnet4, top level and in shared networks") {
    auto list = kea::scopes_of(sample(), "kea01", "kea-a+kea-b");
    CHECK(list.items.size() == 4);
    CHECK(list.skipped == 2);  // "not a subnet" and the garbage pool
    REQUIRE(list.problems.size() == 2);

    const auto* lab = scope(list.items, "192.0.2.0");
    REQUIRE(lab);
    CHECK(lab->name == "Lab");
    CHECK(lab->description == "lab net");
    CHECK(lab->start_ip == ip("192.0.2.10"));
    CHECK(lab->end_ip == ip("192.0.2.40"));
    CHECK(lab->subnet_mask == ip("255.255.255.0"));
    CHECK(lab->lease_duration_seconds == 3600);
    CHECK(lab->router == ip("192.0.2.1"));
    CHECK(lab->active);
    CHECK(lab->failover_name == "kea-a+kea-b");

    const auto* cidr = scope(list.items, "198.51.100.0");
    REQUIRE(cidr);
    CHECK(cidr->name.empty());
    CHECK(cidr->start_ip == ip("198.51.100.0"));
    CHECK(cidr->end_ip == ip("198.51.100.127"));
    CHECK(cidr->lease_duration_seconds == 4000);  // global
    CHECK_FALSE(cidr->router);

    const auto* shared = scope(list.items, "10.5.0.0");
    REQUIRE(shared);
    CHECK(shared->start_ip == ip("10.5.0.50"));  // the stored range: an exclusion at its start
    CHECK(shared->lease_duration_seconds == 900);  // from the shared network
    CHECK(shared->router == ip("10.5.0.1"));

    const auto* no_pools = scope(list.items, "10.6.0.0");
    REQUIRE(no_pools);
    CHECK(no_pools->start_ip == ip("10.6.0.1"));
    CHECK(no_pools->end_ip == ip("10.6.0.254"));
}

TEST_CASE("exclusions are the gaps, and what the stored range adds") {
    auto dhcp4 = sample();
    auto index = kea::index_subnets(dhcp4);
    auto shape = kea::subnet_shape(*kea::find_subnet(index, ip("192.0.2.0")), nullptr);
    REQUIRE(shape);
    auto exclusions = kea::exclusions_of(*shape);
    REQUIRE(exclusions.size() == 1);
    CHECK(exclusions[0].start_ip == ip("192.0.2.21"));
    CHECK(exclusions[0].end_ip == ip("192.0.2.30"));

    auto edge = kea::subnet_shape(*kea::find_subnet(index, ip("10.5.0.0")), nullptr);
    REQUIRE(edge);
    REQUIRE(edge->exclusions.size() == 1);
    CHECK(edge->exclusions[0] == kea::AddressSpan{ip("10.5.0.50").value, ip("10.5.0.99").value});

    auto none = kea::subnet_shape(*kea::find_subnet(index, ip("10.6.0.0")), nullptr);
    REQUIRE(none);
    CHECK(none->exclusions == std::vector<kea::AddressSpan>{none->range});  // no pool: all excluded
}

TEST_CASE("reservations: hw-address and client-id, MACs normalised, others reported") {
    auto dhcp4 = sample();
    auto index = kea::index_subnets(dhcp4);
    auto list = kea::reservations_of(*kea::find_subnet(index, ip("192.0.2.0")), "kea01");
    REQUIRE(list.items.size() == 2);
    CHECK(list.items[0].ip == ip("192.0.2.5"));
    CHECK(list.items[0].client_id == "02-00-00-00-00-42");
    CHECK(list.items[0].name == "r42");
    CHECK(list.items[0].description == "printer");
    CHECK(list.items[0].type == "Dhcp");
    CHECK(list.items[1].client_id == "02-00-00-00-00-43");  // client-id 01 + MAC is that MAC
    CHECK(list.items[1].description == "from the comment");
    // duid and a bad address are skipped and reported; the options-only entry holds no address: ignored.
    CHECK(list.skipped == 2);
    REQUIRE(list.problems.size() == 2);
    CHECK(list.problems[0].what.find("duid") != std::string::npos);
    CHECK(list.problems[1].what.find("192.0.2.300") != std::string::npos);
}

TEST_CASE("host identifiers for writing") {
    auto mac = kea::host_identifier("AA-BB-CC-DD-EE-FF");
    REQUIRE(mac);
    CHECK(mac->type == "hw-address");
    CHECK(mac->value == "aa:bb:cc:dd:ee:ff");
    auto client = kea::host_identifier("01:aa:bb:cc:dd:ee:ff:00");
    REQUIRE(client);
    CHECK(client->type == "client-id");
    CHECK(client->value == "01:aa:bb:cc:dd:ee:ff:00");
    auto bad = kea::host_identifier("laptop-of-bob");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().is(nds::errc::refused));
    CHECK_FALSE(kea::host_identifier("01:a:bb"));
}

TEST_CASE("scope options: the subnet's own option-data") {
    auto dhcp4 = sample();
    auto index = kea::index_subnets(dhcp4);
    auto options = kea::options_of(*kea::find_subnet(index, ip("192.0.2.0")), "kea01");
    REQUIRE(options.items.size() == 4);
    CHECK(options.items[0].code == 3);
    CHECK(options.items[0].value == std::vector<std::string>{"192.0.2.1", "192.0.2.2"});
    CHECK(options.items[0].type == "IPv4Address");
    CHECK(options.items[1].code == 15);
    CHECK(options.items[1].name == "domain-name");
    CHECK(options.items[1].value == std::vector<std::string>{"lab.example"});
    CHECK(options.items[1].type == "String");
    CHECK(options.items[2].value.size() == 2);
    CHECK(options.items[3].vendor_class == "vendor-x");
    CHECK(options.items[3].type == "BinaryData");
    CHECK(options.items[3].value == std::vector<std::string>{"0A0B"});
}

TEST_CASE("failovers from the ha hook") {
    auto dhcp4 = sample();
    CHECK(kea::failovers_of(dhcp4, "kea01").items.empty());
    dhcp4["hooks-libraries"] = json::parse(R"([
        {"library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so"},
        {"library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so", "parameters": {"high-availability": [{
            "this-server-name": "kea-b", "mode": "hot-standby", "max-response-delay": 3500,
            "peers": [ {"name": "kea-a", "url": "http://10.0.0.1:8000/", "role": "primary"},
                       {"name": "kea-b", "url": "http://10.0.0.2:8000/", "role": "standby", "basic-auth-user": "ha"},
                       {"name": "kea-c", "url": "http://10.0.0.3:8000/", "role": "backup"} ] }]}}])");
    auto failovers = kea::failovers_of(dhcp4, "kea02");
    REQUIRE(failovers.items.size() == 1);
    const auto& f = failovers.items[0];
    CHECK(f.name == "kea-a+kea-b");  // the same from either peer
    CHECK(f.primary_server == "kea-b");  // the queried server, whatever its role
    CHECK(f.secondary_server == "kea-a");
    CHECK(f.mode == "HotStandby");
    CHECK(f.max_response_delay == 4);
    CHECK_FALSE(f.enable_auth);  // the partner (kea-a) has no basic auth
    CHECK(f.scope_ids.size() == 5);
    auto relationships = kea::ha_relationships(dhcp4, nullptr);
    CHECK(kea::scopes_failover_name(relationships) == "kea-a+kea-b");

    auto& ha = dhcp4["hooks-libraries"].as_array()[1].as_object()["parameters"].as_object()["high-availability"].as_array()[0].as_object();
    ha["mode"] = "load-balancing";
    ha["this-server-name"] = "kea-a";
    ha["peers"].as_array()[1].as_object()["role"] = "secondary";
    auto lb = kea::failovers_of(dhcp4, "kea01");
    REQUIRE(lb.items.size() == 1);
    CHECK(lb.items[0].mode == "LoadBalance");
    CHECK(lb.items[0].secondary_server == "kea-b");
    CHECK(lb.items[0].enable_auth);

    ha["mode"] = "passive-backup";
    auto backup = kea::failovers_of(dhcp4, "kea01");
    CHECK(backup.items.empty());
    CHECK(backup.skipped == 1);
    CHECK(kea::scopes_failover_name(kea::ha_relationships(dhcp4, nullptr)).empty());
}

TEST_CASE("a hosts database is detected") {
    auto dhcp4 = sample();
    CHECK_FALSE(kea::has_hosts_database(dhcp4));
    dhcp4["hosts-databases"] = json::parse(R"([{"type": "mysql", "name": "kea"}])");
    CHECK(kea::has_hosts_database(dhcp4));
}
