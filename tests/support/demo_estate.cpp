#include "tests/support/demo_estate.hpp"

namespace nds::testing {

namespace json = boost::json;

namespace {

json::object server(const std::string& name, std::uint16_t port) {
    return {{"name", name}, {"hostname", "127.0.0.1"}, {"port", port}, {"use_https", false},
            {"verify_ssl", true}, {"sync_standalone_scopes", true}, {"tags", json::array{}}};
}

json::object lease(const std::string& ip, const std::string& client_id, const std::string& hostname,
                   const std::string& scope_id) {
    return {{"ip_address", ip}, {"client_id", client_id}, {"hostname", hostname}, {"scope_id", scope_id},
            {"lease_expiry", "2026-12-01T00:00:00Z"}, {"address_state", "Active"}};
}

json::object scope(const std::string& scope_id, const std::string& name, const std::string& start,
                   const std::string& end, const std::string& router, int lease_seconds,
                   const std::string& failover_name) {
    json::object s{{"scope_id", scope_id}, {"name", name}, {"start_ip", start}, {"end_ip", end},
                   {"subnet_mask", "255.255.255.0"}, {"description", ""}, {"state", "Active"},
                   {"lease_duration_seconds", lease_seconds}};
    s["router"] = router.empty() ? json::value(nullptr) : json::value(router);
    s["failover_name"] = failover_name.empty() ? json::value(nullptr) : json::value(failover_name);
    return s;
}

/// The failover pair replicates: both partners report the same scopes, leases and reservations.
json::object campus_server_seed() {
    return {
        {"scopes", json::array{scope("10.10.1.0", "Campus A", "10.10.1.10", "10.10.1.200", "10.10.1.1", 86400, "FO-CAMPUS"),
                               scope("10.10.2.0", "Campus B", "10.10.2.10", "10.10.2.200", "10.10.2.1", 28800, "FO-CAMPUS")}},
        {"leases", json::array{lease("10.10.1.20", "00-15-5d-0a-01-02", "Laptop-Ana.corp.example.com", "10.10.1.0"),
                               lease("10.10.1.21", "00-15-5d-0a-01-03", "Phone Bob", "10.10.1.0"),
                               lease("10.10.1.40", "00-15-5d-0a-01-40", "printer-lobby", "10.10.1.0"),
                               lease("10.10.1.41", "00-15-5d-0a-01-41", "core-sw", "10.10.1.0"),
                               lease("10.10.2.100", "00-15-5d-0a-02-64", "desk-100", "10.10.2.0"),
                               lease("10.10.2.101", "00-15-5d-0a-02-65", "desk-101", "10.10.2.0")}},
        {"reservations", json::array{json::object{{"ip_address", "10.10.1.50"}, {"client_id", "00-15-5d-0a-01-50"},
                                                  {"name", "printer-2f"}, {"description", "2nd floor"},
                                                  {"type", "Dhcp"}, {"scope_id", "10.10.1.0"}}}},
        {"exclusions", json::array{json::object{{"scope_id", "10.10.1.0"}, {"start_ip", "10.10.1.10"}, {"end_ip", "10.10.1.19"}},
                                   json::object{{"scope_id", "10.10.2.0"}, {"start_ip", "10.10.2.10"}, {"end_ip", "10.10.2.14"}}}},
    };
}

}  // namespace

Estate demo_estate(const std::map<std::string, std::uint16_t>& psu_ports) {
    Estate estate;
    json::object nb;
    nb["users"] = json::array{json::object{{"username", "alice"}, {"token", kAliceToken}},
                              json::object{{"username", "bob"}, {"token", kBobToken}}};
    nb["tags"] = json::array{json::object{{"name", "dhcp-maintenance"}, {"slug", "dhcp-maintenance"}},
                             json::object{{"name", "dhcp-protect"}, {"slug", "dhcp-protect"}}};
    nb["prefixes"] = json::array{
        json::object{{"prefix", "10.10.1.0/24"}, {"vrf", nullptr}, {"tags", json::array{}}, {"status", "active"}},
        json::object{{"prefix", "10.10.2.0/24"}, {"vrf", nullptr}, {"tags", json::array{}}, {"status", "active"}},
        json::object{{"prefix", "10.20.1.0/24"}, {"vrf", nullptr}, {"tags", json::array{}}, {"status", "active"}}};
    nb["servers"] = json::array{server("dhcp01", psu_ports.at("dhcp01")), server("dhcp02", psu_ports.at("dhcp02")),
                                server("dhcp03", psu_ports.at("dhcp03"))};
    nb["failovers"] = json::array{json::object{{"name", "FO-CAMPUS"}, {"primary_server", "dhcp01"},
                                               {"secondary_server", "dhcp02"}, {"mode", "LoadBalance"},
                                               {"sync_enabled", true}, {"tags", json::array{}}}};
    nb["scopes"] = json::array{
        json::object{{"name", "Campus A"}, {"prefix", "10.10.1.0/24"}, {"vrf", nullptr}, {"start_ip", "10.10.1.10"},
                     {"end_ip", "10.10.1.200"}, {"router", "10.10.1.1"}, {"lease_lifetime", 86400},
                     {"server", nullptr}, {"failover", "FO-CAMPUS"}, {"tags", json::array{}},
                     {"exclusion_ranges", json::array{json::object{{"start_ip", "10.10.1.10"}, {"end_ip", "10.10.1.19"}}}}},
        json::object{{"name", "Campus B"}, {"prefix", "10.10.2.0/24"}, {"vrf", nullptr}, {"start_ip", "10.10.2.10"},
                     {"end_ip", "10.10.2.200"}, {"router", "10.10.2.1"}, {"lease_lifetime", 86400},
                     {"server", nullptr}, {"failover", "FO-CAMPUS"}, {"tags", json::array{}},
                     {"exclusion_ranges", json::array{}}},
        json::object{{"name", "Branch"}, {"prefix", "10.20.1.0/24"}, {"vrf", nullptr}, {"start_ip", "10.20.1.50"},
                     {"end_ip", "10.20.1.150"}, {"router", "10.20.1.1"}, {"lease_lifetime", 86400},
                     {"server", "dhcp03"}, {"failover", nullptr}, {"tags", json::array{}},
                     {"exclusion_ranges", json::array{}}}};
    auto ip = [](const std::string& address, const std::string& status, const std::string& dns,
                 const std::string& client_id, json::array tags) {
        json::object o{{"address", address}, {"vrf", nullptr}, {"status", status}, {"dns_name", dns},
                       {"description", ""}, {"tags", std::move(tags)}};
        o["custom_fields"] = json::object{{"dhcp_client_id", client_id.empty() ? json::value(nullptr) : json::value(client_id)}};
        return o;
    };
    nb["ip_addresses"] = json::array{
        // A lease the server no longer has: cleanup deletes it.
        ip("10.10.1.30/24", "dhcp", "old-laptop", "00-15-5d-0a-01-30", json::array{"dhcp-sync"}),
        // Pre-staged by an operator (no client id yet): the lease back-fills the client id only.
        ip("10.10.1.40/24", "reserved", "printer-pre", "", json::array{}),
        // Protected: the sync never touches it.
        ip("10.10.1.41/24", "active", "core-switch", "", json::array{"dhcp-protect"}),
        // Known lease whose hostname changed on the server: updated.
        ip("10.20.1.60/24", "dhcp", "kiosk-1", "aa-bb-cc-00-00-01", json::array{"dhcp-sync"})};
    // The managed tag exists from earlier runs.
    nb["tags"].as_array().push_back(json::object{{"name", "dhcp-sync"}, {"slug", "dhcp-sync"}});
    estate.netbox = std::move(nb);

    estate.dhcp["dhcp01"] = campus_server_seed();
    estate.dhcp["dhcp02"] = campus_server_seed();
    estate.dhcp["dhcp03"] = json::object{
        {"scopes", json::array{scope("10.20.1.0", "Branch", "10.20.1.50", "10.20.1.150", "10.20.1.1", 86400, ""),
                               scope("10.20.2.0", "Branch Voice", "10.20.2.20", "10.20.2.120", "10.20.2.1", 86400, "")}},
        {"leases", json::array{lease("10.20.1.60", "AA:BB:CC:00:00:01", "kiosk-01", "10.20.1.0"),
                               lease("10.20.1.61", "aa-bb-cc-00-00-02", "kiosk-02", "10.20.1.0"),
                               lease("10.20.2.20", "aa-bb-cc-00-01-01", "voip-1", "10.20.2.0")}},
        {"reservations", json::array{}},
        {"exclusions", json::array{}},
    };
    return estate;
}

}  // namespace nds::testing
