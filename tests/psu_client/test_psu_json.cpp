// Tolerant parsing of PSU responses, and PSU request bodies.
#include "psu_client/psu_json.hpp"

#include <doctest/doctest.h>

namespace codec = nds::psu::json_codec;
using nds::engine::Ipv4Address;

namespace {
Ipv4Address ip(const char* text) { return *Ipv4Address::parse(text); }
const codec::Source leases_src{"dhcp01", "GET https://dhcp01:443/api/dhcp/leases?scope_id=10.0.1.0", "10.0.1.0"};
const codec::Source scopes_src{"dhcp01", "GET https://dhcp01:443/api/dhcp/scopes", ""};
}  // namespace

TEST_CASE("null is an empty list, a lone object a one-element list, an array as is") {
    auto none = codec::parse_leases("null", leases_src);
    REQUIRE(none);
    CHECK(none->items.empty());
    CHECK(none->problems.empty());

    auto one = codec::parse_leases(R"({"ip_address": "10.0.1.5", "client_id": "00-15-5d-0a-01-02", "hostname": "PC1"})",
                                   leases_src);
    REQUIRE(one);
    REQUIRE(one->items.size() == 1);
    CHECK(one->items[0].ip == ip("10.0.1.5"));

    auto many = codec::parse_leases(R"([{"ip_address": "10.0.1.5"}, {"ip_address": "10.0.1.6"}])", leases_src);
    REQUIRE(many);
    CHECK(many->items.size() == 2);
    auto empty = codec::parse_leases("[]", leases_src);
    REQUIRE(empty);
    CHECK(empty->items.empty());
}

TEST_CASE("a string, a number, malformed JSON or an HTML page is an Error naming server and endpoint") {
    for (const char* body : {R"("oops")", "42", "[{\"ip_address\": ", "<html><body>Internal error</body></html>", ""}) {
        auto r = codec::parse_leases(body, leases_src);
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("dhcp01") != std::string::npos);
        CHECK(r.error().message.find("/api/dhcp/leases?scope_id=10.0.1.0") != std::string::npos);
    }
    auto html = codec::parse_leases("<html><body>Internal error</body></html>", leases_src);
    CHECK(html.error().message.find("HTML") != std::string::npos);
    auto err = codec::parse_leases(R"({"error": "Scope not found."})", leases_src);
    REQUIRE_FALSE(err);
    CHECK(err.error().message.find("Scope not found.") != std::string::npos);
}

TEST_CASE("lease fields: snake_case, PascalCase fallback, MAC normalisation") {
    auto r = codec::parse_leases(R"([
        {"ip_address": "10.0.1.5", "client_id": "00-15-5D-0A-01-02", "hostname": "PC1.corp.example.com",
         "scope_id": "10.0.1.0", "lease_expiry": "2026-04-12T00:00:00Z", "address_state": "Active"},
        {"IPAddress": "10.0.1.6", "ClientId": "AA:BB:CC:DD:EE:FF", "HostName": "pc2", "LeaseExpiry": null},
        {"ip_address": "10.0.1.7", "client_id": "ff00112233445566778899", "hostname": null}])", leases_src);
    REQUIRE(r);
    REQUIRE(r->items.size() == 3);
    CHECK(r->items[0].client_id == "00-15-5d-0a-01-02");
    CHECK(r->items[0].hostname == "PC1.corp.example.com");
    CHECK(r->items[0].lease_expiry == "2026-04-12T00:00:00Z");
    CHECK(r->items[1].ip == ip("10.0.1.6"));
    CHECK(r->items[1].client_id == "aa-bb-cc-dd-ee-ff");
    CHECK(r->items[1].hostname == "pc2");
    CHECK(r->items[1].lease_expiry.empty());
    CHECK(r->items[2].client_id == "ff-00-11-22-33-44-55-66-77-88-99");  // any hex client id: the stored form
    CHECK(r->items[2].hostname.empty());
    CHECK(r->problems.empty());
}

TEST_CASE("a bad ip is skipped with a problem naming server, scope and the value") {
    auto r = codec::parse_leases(R"([{"ip_address": "10.0.1.999", "client_id": "x"}, {"client_id": "y"},
                                     {"ip_address": "10.0.1.8"}, "junk"])", leases_src);
    REQUIRE(r);
    REQUIRE(r->items.size() == 1);
    CHECK(r->items[0].ip == ip("10.0.1.8"));
    REQUIRE(r->problems.size() == 3);
    CHECK(r->problems[0].server == "dhcp01");
    CHECK(r->problems[0].scope == "10.0.1.0");
    CHECK(r->problems[0].what.find("lease ip_address '10.0.1.999' is not an IPv4 address") != std::string::npos);
    CHECK(r->problems[1].what.find("lease ip_address is missing") != std::string::npos);
    CHECK(r->problems[2].what.find("'junk'") != std::string::npos);
}

TEST_CASE("scopes: fields, state, lease as string, router normalisation, PascalCase") {
    auto r = codec::parse_scopes(R"([
        {"scope_id": "10.0.1.0", "name": "Building A", "start_ip": "10.0.1.10", "end_ip": "10.0.1.254",
         "subnet_mask": "255.255.255.0", "description": "", "state": "Active", "lease_duration_seconds": 691200,
         "router": "10.0.1.1", "failover_name": "FO-A"},
        {"ScopeId": "10.0.2.0", "Name": "B", "StartRange": "10.0.2.10", "EndRange": "10.0.2.20",
         "SubnetMask": "255.255.255.0", "State": "InActive", "LeaseDuration": "3600", "Router": "0.0.0.0"},
        {"scope_id": "10.0.3.0", "name": "C", "start_ip": "10.0.3.10", "end_ip": "10.0.3.20",
         "subnet_mask": "255.255.255.0", "state": "inactive", "router": "", "failover_name": null},
        {"scope_id": "10.0.4.0", "name": "D", "start_ip": "10.0.4.10", "end_ip": "10.0.4.20",
         "subnet_mask": "255.255.255.0", "state": "Disabled", "router": null}])", scopes_src);
    REQUIRE(r);
    REQUIRE(r->items.size() == 4);
    const auto& a = r->items[0];
    CHECK(a.scope_id == ip("10.0.1.0"));
    CHECK(a.name == "Building A");
    CHECK(a.start_ip == ip("10.0.1.10"));
    CHECK(a.subnet_mask == ip("255.255.255.0"));
    CHECK(a.active);
    CHECK(a.lease_duration_seconds == 691200);
    CHECK(a.router == ip("10.0.1.1"));
    CHECK(a.failover_name == "FO-A");
    const auto& b = r->items[1];
    CHECK(b.scope_id == ip("10.0.2.0"));
    CHECK(b.name == "B");
    CHECK(b.end_ip == ip("10.0.2.20"));
    CHECK_FALSE(b.active);
    CHECK(b.lease_duration_seconds == 3600);
    CHECK_FALSE(b.router.has_value());
    CHECK_FALSE(r->items[2].active);
    CHECK_FALSE(r->items[2].router.has_value());
    CHECK(r->items[2].failover_name.empty());
    // Unknown state: kept, treated as active, reported.
    CHECK(r->items[3].active);
    REQUIRE(r->problems.size() == 1);
    CHECK(r->problems[0].scope == "10.0.4.0");
    CHECK(r->problems[0].what.find("'Disabled'") != std::string::npos);
}

TEST_CASE("scopes: a bad scope id, mask, router or lease skips the record") {
    auto r = codec::parse_scopes(R"([
        {"scope_id": "10.0.1", "start_ip": "10.0.1.10", "end_ip": "10.0.1.20", "subnet_mask": "255.255.255.0"},
        {"scope_id": "10.0.2.0", "start_ip": "10.0.2.10", "end_ip": "10.0.2.20", "subnet_mask": "255.0.255.0"},
        {"scope_id": "10.0.3.0", "start_ip": "10.0.3.10", "end_ip": "10.0.3.20", "subnet_mask": "255.255.255.0", "router": "gw"},
        {"scope_id": "10.0.4.0", "start_ip": "10.0.4.10", "end_ip": "10.0.4.20", "subnet_mask": "255.255.255.0",
         "lease_duration_seconds": "eight days"},
        {"start_ip": "10.0.5.10", "end_ip": "10.0.5.20", "subnet_mask": "255.255.255.0"},
        {"scope_id": "10.0.6.0", "start_ip": "10.0.6.10", "end_ip": "10.0.6.20", "subnet_mask": "255.255.255.0",
         "lease_duration_seconds": 0}])", scopes_src);
    REQUIRE(r);
    REQUIRE(r->items.size() == 1);
    CHECK(r->items[0].scope_id == ip("10.0.6.0"));
    CHECK(r->items[0].lease_duration_seconds == 86400);  // 0 = not set (the plugin's rules)
    REQUIRE(r->problems.size() == 5);
    CHECK(r->skipped == 5);
    CHECK(r->problems[0].scope == "10.0.1");
    CHECK(r->problems[0].what.find("scope scope_id '10.0.1' is not an IPv4 address") != std::string::npos);
    CHECK(r->problems[1].what.find("netmask") != std::string::npos);
    CHECK(r->problems[2].what.find("'gw'") != std::string::npos);
    CHECK(r->problems[3].what.find("'eight days'") != std::string::npos);
    CHECK(r->problems[4].what.find("scope_id is missing") != std::string::npos);
}

TEST_CASE("reservations: fields, PascalCase, type canonicalised") {
    auto r = codec::parse_reservations(R"([
        {"ip_address": "10.0.1.50", "client_id": "AA-BB-CC-DD-EE-01", "name": "printer", "description": "2nd floor",
         "type": "Dhcp", "scope_id": "10.0.1.0"},
        {"IPAddress": "10.0.1.51", "ClientId": "aabb.ccdd.ee02", "Name": "Cam", "Description": null, "Type": "BOTH"},
        {"ip_address": "10.0.1.52", "client_id": "aa-bb-cc-dd-ee-03", "type": "Weird"}])", leases_src);
    REQUIRE(r);
    REQUIRE(r->items.size() == 3);
    CHECK(r->items[0].client_id == "aa-bb-cc-dd-ee-01");
    CHECK(r->items[0].name == "printer");
    CHECK(r->items[0].description == "2nd floor");
    CHECK(r->items[0].type == "Dhcp");
    CHECK(r->items[1].ip == ip("10.0.1.51"));
    CHECK(r->items[1].client_id == "aa-bb-cc-dd-ee-02");
    CHECK(r->items[1].name == "Cam");
    CHECK(r->items[1].type == "Both");
    CHECK(r->items[2].type == "Weird");
    REQUIRE(r->problems.size() == 1);
    CHECK(r->problems[0].what.find("'Weird'") != std::string::npos);
}

TEST_CASE("exclusions: snake_case, PascalCase, bad values skipped") {
    auto r = codec::parse_exclusions(R"([{"scope_id": "10.0.1.0", "start_ip": "10.0.1.20", "end_ip": "10.0.1.30"},
        {"StartRange": "10.0.1.40", "EndRange": "10.0.1.41"}, {"start_ip": "10.0.1.50"},
        {"start_ip": "10.0.1.60", "end_ip": "10.0.1.55"}])", leases_src);
    REQUIRE(r);
    REQUIRE(r->items.size() == 2);
    CHECK(r->items[1].start_ip == ip("10.0.1.40"));
    CHECK(r->items[1].end_ip == ip("10.0.1.41"));
    CHECK(r->problems.size() == 2);
}

TEST_CASE("failovers and options") {
    auto f = codec::parse_failovers(R"([{"name": "FO-A", "primary_server": "dhcp01.corp", "secondary_server": "dhcp02.corp",
        "mode": "HotStandby", "scope_ids": ["10.0.1.0", "10.0.2.0"], "max_client_lead_time": 1800,
        "max_response_delay": 0, "state_switchover_interval": null, "enable_auth": true},
        {"Name": "FO-B", "PrimaryServer": "a", "SecondaryServer": "b", "ScopeId": "10.0.9.0", "AutoStateTransitionInterval": 600},
        {"mode": "LoadBalance"}])", scopes_src);
    REQUIRE(f);
    REQUIRE(f->items.size() == 2);
    CHECK(f->items[0].mode == "HotStandby");
    CHECK(f->items[0].scope_ids.size() == 2);
    CHECK(f->items[0].max_client_lead_time == 1800);
    CHECK(f->items[0].max_response_delay == 30);
    CHECK_FALSE(f->items[0].state_switchover_interval.has_value());
    CHECK(f->items[0].enable_auth);
    CHECK(f->items[1].name == "FO-B");
    CHECK(f->items[1].mode == "LoadBalance");
    CHECK(f->items[1].scope_ids == std::vector<std::string>{"10.0.9.0"});
    CHECK(f->items[1].state_switchover_interval == 600);
    CHECK(f->problems.size() == 1);

    auto o = codec::parse_options(R"([{"code": 6, "name": "DNS Servers", "value": ["10.0.0.53", "10.0.0.54"], "type": "IPv4Address", "vendor_class": ""},
        {"OptionId": 15, "Name": "DNS Domain Name", "Value": "corp.example.com", "Type": "String"},
        {"name": "no code"}])", leases_src);
    REQUIRE(o);
    REQUIRE(o->items.size() == 2);
    CHECK(o->items[0].code == 6);
    CHECK(o->items[0].value == std::vector<std::string>{"10.0.0.53", "10.0.0.54"});
    CHECK(o->items[1].code == 15);
    CHECK(o->items[1].value == std::vector<std::string>{"corp.example.com"});
    CHECK(o->problems.size() == 1);
}

TEST_CASE("health") {
    auto h = codec::parse_health(R"({"status":"ok","version":"1.0.2"})", scopes_src);
    REQUIRE(h);
    CHECK(h->status == "ok");
    CHECK(h->version == "1.0.2");
    CHECK_FALSE(codec::parse_health("<html>login</html>", scopes_src));
    CHECK_FALSE(codec::parse_health("null", scopes_src));
}

TEST_CASE("request bodies") {
    nds::engine::DhcpScope s;
    s.scope_id = ip("10.0.1.0");
    s.name = "Building A";
    s.start_ip = ip("10.0.1.10");
    s.end_ip = ip("10.0.1.254");
    s.subnet_mask = ip("255.255.255.0");
    s.lease_duration_seconds = 3600;
    CHECK(codec::scope_create_body(s) ==
          R"({"scope_id":"10.0.1.0","name":"Building A","start_ip":"10.0.1.10","end_ip":"10.0.1.254",)"
          R"("subnet_mask":"255.255.255.0","lease_duration_seconds":3600,"description":""})");
    CHECK(codec::scope_update_body(s) ==
          R"({"name":"Building A","start_ip":"10.0.1.10","end_ip":"10.0.1.254","description":"",)"
          R"("lease_duration_seconds":3600,"router":""})");
    s.router = ip("10.0.1.1");
    CHECK(codec::scope_create_body(s).find(R"("router":"10.0.1.1")") != std::string::npos);

    nds::engine::DhcpReservation r;
    r.ip = ip("10.0.1.50");
    r.client_id = "aa-bb-cc-dd-ee-01";
    r.name = "printer";
    CHECK(codec::reservation_create_body(ip("10.0.1.0"), r) ==
          R"({"scope_id":"10.0.1.0","ip_address":"10.0.1.50","client_id":"aa-bb-cc-dd-ee-01","name":"printer","description":"","type":"Dhcp"})");
    CHECK(codec::reservation_update_body(r) == R"({"name":"printer","description":"","type":"Dhcp"})");
    CHECK(codec::exclusion_body(ip("10.0.1.0"), {ip("10.0.1.20"), ip("10.0.1.30")}) ==
          R"({"scope_id":"10.0.1.0","start_ip":"10.0.1.20","end_ip":"10.0.1.30"})");
}
