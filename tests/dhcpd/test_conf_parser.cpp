// dhcpd.conf (hand-written or ours) into scopes, exclusions, reservations, options and failovers.
#include "dhcpd_client/conf_header.hpp"
#include "dhcpd_client/conf_parser.hpp"
#include "test_helpers.hpp"

using namespace nds::dhcpd;
using namespace nds::dhcpd::test;
using nds::engine::DhcpExclusion;

namespace {

ParsedConfig parse(std::string_view text) {
    auto r = parse_config(text);
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
    return std::move(*r);
}

const ScopeModel& scope_at(const ParsedConfig& c, const std::string& id) {
    auto it = c.model.scopes.find(ip(id).value);
    REQUIRE_MESSAGE(it != c.model.scopes.end(), "no scope " << id);
    return it->second;
}

bool has_problem(const ParsedConfig& c, const std::string& needle) {
    for (const auto& p : c.problems)
        if (p.what.find(needle) != std::string::npos) return true;
    return false;
}

const char* kHandWritten = R"(# Written by hand
ddns-update-style none;
default-lease-time 3600;
max-lease-time 7200;
authoritative;
option wpad code 252 = text;

subnet 10.0.1.0 netmask 255.255.255.0 {
  option routers 10.0.1.1, 10.0.1.2;
  option domain-name-servers 10.0.0.53, 10.0.0.54;
  option domain-name "corp.example.net";
  option wpad "http://wpad/wpad.dat";
  option ip-forwarding off;
  next-server 10.0.0.5;
  filename "pxelinux.0";
  range 10.0.1.10 10.0.1.49;
  range dynamic-bootp 10.0.1.60 10.0.1.200;
  default-lease-time 86400;
  host printer { hardware ethernet 00:15:5D:0A:01:02; fixed-address 10.0.1.50; }
}

subnet 10.0.2.0 netmask 255.255.255.0 {
  range 10.0.2.100;
}

host laptop {
  hardware ethernet aa:bb:cc:dd:ee:ff;
  fixed-address 10.0.2.7;
}
)";

}  // namespace

TEST_CASE("parser: a hand-written file becomes scopes with range, exclusions, router, lease time, options") {
    auto c = parse(kHandWritten);
    CHECK_FALSE(c.written_by_backend);
    REQUIRE(c.model.scopes.size() == 2);
    const auto& a = scope_at(c, "10.0.1.0");
    CHECK(a.scope.subnet_mask == ip("255.255.255.0"));
    CHECK(a.scope.start_ip == ip("10.0.1.10"));
    CHECK(a.scope.end_ip == ip("10.0.1.200"));
    CHECK(a.scope.router == ip("10.0.1.1"));  // the first router
    CHECK(a.scope.lease_duration_seconds == 86400);
    CHECK(a.scope.name.empty());
    CHECK(a.scope.failover_name.empty());
    // The gap 10.0.1.50-59 minus the reserved 10.0.1.50 at its start.
    REQUIRE(a.exclusions.size() == 1);
    CHECK(a.exclusions[0] == DhcpExclusion{ip("10.0.1.51"), ip("10.0.1.59")});
    REQUIRE(a.reservations.size() == 1);
    CHECK(a.reservations[0].ip == ip("10.0.1.50"));
    CHECK(a.reservations[0].client_id == "00-15-5d-0a-01-02");
    CHECK(a.reservations[0].name == "printer");
    REQUIRE(a.options.size() == 4);
    CHECK(a.options[0].code == 6);
    CHECK(a.options[0].value == std::vector<std::string>{"10.0.0.53", "10.0.0.54"});
    CHECK(a.options[0].type == "IPv4Address");
    CHECK(a.options[1].code == 15);
    CHECK(a.options[1].value == std::vector<std::string>{"corp.example.net"});
    CHECK(a.options[2].code == 252);
    CHECK(a.options[2].name == "wpad");
    CHECK(a.options[2].value == std::vector<std::string>{"http://wpad/wpad.dat"});
    CHECK(a.options[3].code == 19);
    CHECK(a.options[3].value == std::vector<std::string>{"0"});
    // What is not modelled is kept as written.
    CHECK(a.extra_statements == std::vector<std::string>{"next-server 10.0.0.5;", "filename \"pxelinux.0\";"});

    const auto& b = scope_at(c, "10.0.2.0");
    CHECK(b.scope.start_ip == ip("10.0.2.100"));
    CHECK(b.scope.end_ip == ip("10.0.2.100"));
    CHECK(b.scope.lease_duration_seconds == 3600);  // the global default-lease-time
    CHECK(b.exclusions.empty());
    REQUIRE(b.reservations.size() == 1);  // a top-level host belongs to the subnet of its address
    CHECK(b.reservations[0].client_id == "aa-bb-cc-dd-ee-ff");
    CHECK(c.problems.empty());
}

TEST_CASE("parser: without any default-lease-time a scope gets dhcpd's 12 hours") {
    auto c = parse("subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.10 192.0.2.20; }");
    CHECK(scope_at(c, "192.0.2.0").scope.lease_duration_seconds == kDhcpdDefaultLeaseTime);
}

TEST_CASE("parser: a subnet without ranges is its whole host range, all of it excluded") {
    auto c = parse("subnet 192.0.2.0 netmask 255.255.255.240 { option routers 192.0.2.1; }");
    const auto& s = scope_at(c, "192.0.2.0");
    CHECK(s.scope.start_ip == ip("192.0.2.1"));
    CHECK(s.scope.end_ip == ip("192.0.2.14"));
    REQUIRE(s.exclusions.size() == 1);
    CHECK(s.exclusions[0] == DhcpExclusion{ip("192.0.2.1"), ip("192.0.2.14")});
}

TEST_CASE("parser: shared networks, groups and pools are looked into") {
    auto c = parse(R"(
shared-network "campus" {
  option domain-name "campus.example.net";
  subnet 10.1.0.0 netmask 255.255.0.0 {
    pool { failover peer "fo-campus"; range 10.1.0.10 10.1.0.20; deny unknown-clients; }
    pool { failover peer "fo-campus"; range 10.1.0.30 10.1.0.40; deny unknown-clients; }
  }
  subnet 10.2.0.0 netmask 255.255.0.0 { range 10.2.0.10 10.2.0.20; }
}
group {
  option domain-name "group.example.net";
  host g1 { hardware ethernet 02:00:00:00:00:01; fixed-address 10.2.0.5; }
}
)");
    const auto& a = scope_at(c, "10.1.0.0");
    CHECK(a.shared_network == "campus");
    CHECK(a.scope.failover_name == "fo-campus");
    CHECK(a.scope.start_ip == ip("10.1.0.10"));
    CHECK(a.scope.end_ip == ip("10.1.0.40"));
    REQUIRE(a.exclusions.size() == 1);
    CHECK(a.exclusions[0] == DhcpExclusion{ip("10.1.0.21"), ip("10.1.0.29")});
    CHECK(a.extra_pool_statements == std::vector<std::string>{"deny unknown-clients;"});
    CHECK(scope_at(c, "10.2.0.0").shared_network == "campus");
    CHECK(c.model.shared_network_statements.at("campus") == std::vector<std::string>{"option domain-name \"campus.example.net\";"});
    REQUIRE(scope_at(c, "10.2.0.0").reservations.size() == 1);
    CHECK(has_problem(c, "group statement 'option' is not kept"));
}

TEST_CASE("parser: pools of one subnet with different statements are reported") {
    auto c = parse(R"(subnet 10.1.0.0 netmask 255.255.0.0 {
    pool { range 10.1.0.10 10.1.0.20; allow members of "a"; }
    pool { range 10.1.0.30 10.1.0.40; allow members of "b"; }
})");
    CHECK(has_problem(c, "pools have statements of their own"));
}

TEST_CASE("parser: hosts that are no reservation are kept and make their scope incomplete") {
    auto c = parse(R"(subnet 10.0.1.0 netmask 255.255.255.0 {
  range 10.0.1.100 10.0.1.200;
  host by-id { option dhcp-client-identifier "abc"; fixed-address 10.0.1.5; }
  host by-name { hardware ethernet 02:00:00:00:00:09; fixed-address printer.example.net; }
  host bad-mac { hardware ethernet 02:00:00; fixed-address 10.0.1.6; }
  host token-ring { hardware token-ring 02:00:00:00:00:08; fixed-address 10.0.1.8; }
  host no-address { hardware ethernet 02:00:00:00:00:07; }
}
host elsewhere { hardware ethernet 02:00:00:00:00:06; fixed-address 172.16.0.1; }
)");
    const auto& s = scope_at(c, "10.0.1.0");
    CHECK(s.reservations.empty());
    CHECK(c.skipped_hosts.at(ip("10.0.1.0").value) == 4);
    CHECK(c.model.other_hosts.size() == 6);
    CHECK(has_problem(c, "host 'by-id' is not a reservation: no hardware ethernet"));
    CHECK(has_problem(c, "'printer.example.net' is not an IPv4 address"));
    CHECK(has_problem(c, "'02:00:00' is not a MAC address"));
    CHECK(has_problem(c, "hardware type 'token-ring' is not ethernet"));
    CHECK(has_problem(c, "fixed-address 172.16.0.1 is in no subnet"));
    for (const auto& p : c.problems)
        if (p.what.find("by-id") != std::string::npos) CHECK(p.scope == "10.0.1.0");
}

TEST_CASE("parser: bad subnets and includes are reported and counted") {
    auto c = parse(R"(include "/etc/dhcp/more.conf";
subnet 10.0.1.5 netmask 255.255.255.0 { range 10.0.1.10 10.0.1.20; }
subnet 10.0.2.0 netmask 255.0.255.0 { }
subnet 10.0.3.0 { }
subnet 10.0.4.0 netmask 255.255.255.0 { range 10.0.4.10 10.0.9.20; range 10.0.4.30 10.0.4.40; }
subnet 10.0.4.0 netmask 255.255.255.0 { }
class "phones" { match if substring (option vendor-class-identifier, 0, 4) = "SIP/"; }
subnet6 2001:db8::/64 { }
)");
    CHECK(c.includes == std::vector<std::string>{"/etc/dhcp/more.conf"});
    CHECK(c.skipped_subnets == 3);
    CHECK(c.model.scopes.size() == 1);
    CHECK(has_problem(c, "line 1: include \"/etc/dhcp/more.conf\" is not followed"));
    CHECK(has_problem(c, "line 2: subnet 10.0.1.5 netmask 255.255.255.0 is not a network address"));
    CHECK(has_problem(c, "not 'subnet ADDRESS netmask MASK'"));
    CHECK(has_problem(c, "range 10.0.4.10 10.0.9.20 is not inside the subnet"));
    CHECK(has_problem(c, "subnet 10.0.4.0 is declared twice"));
    CHECK(has_problem(c, "'class' declaration is not kept"));
    CHECK(has_problem(c, "IPv6 declaration 'subnet6' ignored"));
    CHECK(scope_at(c, "10.0.4.0").scope.start_ip == ip("10.0.4.30"));
}

TEST_CASE("parser: failover peers, primary and secondary, and the failovers they become") {
    auto c = parse(R"(
failover peer "FO-1" {
  primary; address 192.0.2.1; port 647; peer address 192.0.2.2; peer port 847;
  max-response-delay 60; max-unacked-updates 10; load balance max seconds 3;
  mclt 1800; split 128; auto-partner-down 3600;
}
failover peer "FO-2" {
  secondary; address dhcp-b.example.net; peer address dhcp-a.example.net; max-response-delay 30; max-unacked-updates 10;
}
failover peer "FO-3" { primary; address 10.0.0.1; peer address 10.0.0.2; max-response-delay 30; max-unacked-updates 10; mclt 600; hba ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff; }
subnet 10.0.1.0 netmask 255.255.255.0 { pool { failover peer "FO-1"; range 10.0.1.10 10.0.1.20; } }
subnet 10.0.2.0 netmask 255.255.255.0 { pool { failover peer "FO-1"; range 10.0.2.10 10.0.2.20; } }
)");
    REQUIRE(c.failover_peers.size() == 3);
    const auto& p = c.failover_peers[0];
    CHECK(p.name == "FO-1");
    CHECK(p.primary);
    CHECK(p.address == "192.0.2.1");
    CHECK(p.peer_address == "192.0.2.2");
    CHECK(p.peer_port == 847);
    CHECK(p.max_response_delay == 60);
    CHECK(p.mclt == 1800);
    CHECK(p.split == 128);
    CHECK(p.auto_partner_down == 3600);
    CHECK_FALSE(c.failover_peers[1].primary);
    CHECK(c.failover_peers[2].split == 255);

    auto f = to_failover(p, c.model);
    CHECK(f.name == "FO-1");
    CHECK(f.primary_server == "192.0.2.1");
    CHECK(f.secondary_server == "192.0.2.2");
    CHECK(f.mode == "LoadBalance");
    CHECK(f.scope_ids == std::vector<std::string>{"10.0.1.0", "10.0.2.0"});
    CHECK(f.max_client_lead_time == 1800);
    CHECK(f.max_response_delay == 60);
    CHECK(f.state_switchover_interval == 3600);
    CHECK_FALSE(f.enable_auth);
    CHECK(to_failover(c.failover_peers[2], c.model).mode == "HotStandby");
    auto secondary = to_failover(c.failover_peers[1], c.model);
    CHECK(secondary.max_client_lead_time == 3600);  // only the primary states it
    CHECK(secondary.scope_ids.empty());
}

TEST_CASE("parser: the backend's notes give names, descriptions and the scope's range") {
    auto c = parse(R"(
# nds: name="Building \"A\"" description="first floor" range="10.0.1.5-10.0.1.250"
subnet 10.0.1.0 netmask 255.255.255.0 {
  range 10.0.1.10 10.0.1.200;
  # nds: name="Printer 2nd floor" description=""
  host printer-2nd-floor { hardware ethernet 02:00:00:00:00:01; fixed-address 10.0.1.201; }
}
)");
    const auto& s = scope_at(c, "10.0.1.0");
    CHECK(s.scope.name == "Building \"A\"");
    CHECK(s.scope.description == "first floor");
    CHECK(s.scope.start_ip == ip("10.0.1.5"));
    CHECK(s.scope.end_ip == ip("10.0.1.250"));
    REQUIRE(s.exclusions.size() == 2);
    CHECK(s.exclusions[0] == DhcpExclusion{ip("10.0.1.5"), ip("10.0.1.9")});
    CHECK(s.exclusions[1] == DhcpExclusion{ip("10.0.1.202"), ip("10.0.1.250")});  // .201 is the reservation
    CHECK(s.reservations.at(0).name == "Printer 2nd floor");
}

TEST_CASE("parser: a note range that does not hold the ranges is not used") {
    auto c = parse(R"(# nds: name="x" range="10.0.1.50-10.0.1.60"
subnet 10.0.1.0 netmask 255.255.255.0 { range 10.0.1.10 10.0.1.200; })");
    CHECK(scope_at(c, "10.0.1.0").scope.start_ip == ip("10.0.1.10"));
    CHECK(has_problem(c, "the note's range does not hold"));
}

TEST_CASE("parser: the header tells our files and hand edits apart") {
    std::string body = "\nauthoritative;\n";
    auto ours = config_header("dhcpd01", "https://netbox.example.net", body) + body;
    auto c = parse(ours);
    CHECK(c.written_by_backend);
    CHECK_FALSE(c.edited_by_hand);
    auto edited = parse(ours + "ddns-update-style none;\n");
    CHECK(edited.written_by_backend);
    CHECK(edited.edited_by_hand);
    CHECK_FALSE(parse(body).written_by_backend);
}

TEST_CASE("parser: a file that is not dhcpd.conf is an error, not an empty server") {
    auto r = parse_config("subnet 10.0.1.0 netmask 255.255.255.0 {\n range 10.0.1.1 10.0.1.2;\n");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(nds::errc::malformed));
}
