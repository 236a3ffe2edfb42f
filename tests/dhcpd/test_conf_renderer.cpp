// The rendered dhcpd.conf: exact text, determinism, names, options, failover peers, and read-back.
#include "dhcpd_client/conf_header.hpp"
#include "dhcpd_client/conf_parser.hpp"
#include "dhcpd_client/conf_renderer.hpp"
#include "test_helpers.hpp"

#include <random>

using namespace nds::dhcpd;
using namespace nds::dhcpd::test;

namespace {

RenderInput input_for(const ServerModel& model) {
    RenderInput in;
    in.model = &model;
    in.server_name = "dhcpd01";
    in.netbox_url = "https://netbox.example.net";
    in.globals.default_lease_time = 600;
    in.globals.max_lease_time = 7200;
    in.globals.local_port = 67;
    in.globals.option_domain_name_servers = "ns1.example.net";
    in.globals.option_domain_name = "example.net";
    in.free_lines = {"ddns-update-style none;"};
    return in;
}

ServerModel sample_model() {
    ServerModel m;
    auto& a = m.scopes[ip("10.0.1.0").value];
    a.scope = scope("10.0.1.0", "10.0.1.10", "10.0.1.200");
    a.scope.name = "Building A";
    a.scope.router = ip("10.0.1.1");
    a.scope.lease_duration_seconds = 86400;
    a.exclusions = {{ip("10.0.1.100"), ip("10.0.1.109")}};
    a.reservations = {{ip("10.0.1.50"), "02-00-00-00-00-02", "Printer 2nd floor", "HP", "Dhcp"}};
    a.options = {{6, "DNS Servers", {"10.0.0.53, 10.0.0.54"}, "IPAddressList", ""},
                 {252, "WPAD", {"http://wpad/wpad.dat"}, "String", ""}};
    return m;
}

const char* kExpectedBody = R"(
authoritative;
default-lease-time 600;
max-lease-time 7200;
local-port 67;
log-facility local7;
option domain-name-servers ns1.example.net;
option domain-name "example.net";

# free_lines of the sync's configuration
ddns-update-style none;

# Option codes NetBox uses that dhcpd has no name for
option nds-option-252 code 252 = text;

# nds: name="Building A" description="" range="10.0.1.10-10.0.1.200"
subnet 10.0.1.0 netmask 255.255.255.0 {
  option routers 10.0.1.1;
  default-lease-time 86400;
  max-lease-time 86400;
  option domain-name-servers 10.0.0.53, 10.0.0.54;
  option nds-option-252 "http://wpad/wpad.dat";
  range 10.0.1.10 10.0.1.49;
  range 10.0.1.51 10.0.1.99;
  range 10.0.1.110 10.0.1.200;
  # nds: name="Printer 2nd floor" description="HP"
  host printer-2nd-floor {
    hardware ethernet 02:00:00:00:00:02;
    fixed-address 10.0.1.50;
  }
}
)";

}  // namespace

TEST_CASE("renderer: the file of a scope with a range, an exclusion, a reservation and options") {
    auto model = sample_model();
    auto out = render_config(input_for(model));
    CHECK(out.problems.empty());
    auto expected = config_header("dhcpd01", "https://netbox.example.net", kExpectedBody) + kExpectedBody;
    CHECK(out.text == expected);
    CHECK(out.text.rfind("# dhcpd.conf of DHCP server \"dhcpd01\", written by netbox-dhcp-sync from NetBox "
                         "https://netbox.example.net\n", 0) == 0);
    CHECK(out.text.find("# content-sha256 " + sha256_hex(kExpectedBody) + "\n") != std::string::npos);
}

TEST_CASE("renderer: the same input gives the same bytes, another input another hash") {
    auto model = sample_model();
    auto first = render_config(input_for(model)).text;
    for (int i = 0; i < 3; ++i) CHECK(render_config(input_for(model)).text == first);
    model.scopes.begin()->second.scope.name = "Building B";
    auto other = render_config(input_for(model)).text;
    CHECK(other != first);
    CHECK(other.substr(0, other.find("# content-sha256")) == first.substr(0, first.find("# content-sha256")));
    CHECK(check_header(other).hash_matches);
}

TEST_CASE("renderer: globals are written only when set") {
    ServerModel empty;
    RenderInput in;
    in.model = &empty;
    in.server_name = "s";
    in.globals.authoritative = false;
    in.globals.default_lease_time = 0;
    in.globals.max_lease_time = 0;
    in.globals.log_facility = "";
    auto text = render_config(in).text;
    auto body = text.substr(text.find("\n\n") + 1);
    CHECK(body == "\nnot authoritative;\n");
    in.globals.option_routers = "10.0.0.1, 10.0.0.2";
    in.globals.option_domain_name_servers = "bad name!";
    auto out = render_config(in);
    CHECK(out.text.find("option routers 10.0.0.1, 10.0.0.2;\n") != std::string::npos);
    CHECK(out.text.find("domain-name-servers") == std::string::npos);
    REQUIRE(out.problems.size() == 1);
    CHECK(out.problems[0].note.object == "globals.option_domain-name-servers");
}

TEST_CASE("renderer: host names are dhcpd-safe and unique") {
    CHECK(host_identifier("Printer 2nd Floor", ip("10.0.1.5")) == "printer-2nd-floor");
    CHECK(host_identifier("  --Über_Drucker!! ", ip("10.0.1.5")) == "ber-drucker");
    CHECK(host_identifier("", ip("10.0.1.5")) == "host-10-0-1-5");
    CHECK(host_identifier("!!!", ip("10.0.1.5")) == "host-10-0-1-5");
    CHECK(host_identifier(std::string(100, 'a'), ip("10.0.1.5")).size() == 60);
    ServerModel m;
    auto& s = m.scopes[ip("10.0.1.0").value];
    s.scope = scope("10.0.1.0", "10.0.1.10", "10.0.1.200");
    s.reservations = {{ip("10.0.1.5"), "02-00-00-00-00-01", "pc", "", "Dhcp"},
                      {ip("10.0.1.6"), "02-00-00-00-00-02", "PC", "", "Dhcp"},
                      {ip("10.0.1.7"), "02-00-00-00-00-03", "pc-10-0-1-6", "", "Dhcp"},
                      {ip("10.0.1.8"), "02-00-00-00-00-04", "", "", "Dhcp"}};
    auto text = render_config(input_for(m)).text;
    CHECK(text.find("host pc {") != std::string::npos);
    CHECK(text.find("host pc-10-0-1-6 {") != std::string::npos);
    CHECK(text.find("host pc-10-0-1-6-10-0-1-7 {") != std::string::npos);
    CHECK(text.find("host host-10-0-1-8 {") != std::string::npos);
    auto back = parse_config(text);
    REQUIRE(back.has_value());
    const auto& reservations = back->model.scopes.begin()->second.reservations;
    REQUIRE(reservations.size() == 4);
    CHECK(reservations[1].name == "PC");  // NetBox's name comes back from the note
    CHECK(reservations[3].name.empty());
}

TEST_CASE("renderer: options dhcpd cannot hold are left out and reported") {
    ServerModel m;
    auto& s = m.scopes[ip("10.0.1.0").value];
    s.scope = scope("10.0.1.0", "10.0.1.10", "10.0.1.200");
    s.options = {{1, "Subnet Mask", {"255.255.255.0"}, "IPAddress", ""},
                 {26, "MTU", {"99999"}, "Word", ""},
                 {43, "Vendor", {"01:02"}, "BinaryData", "MSFT 5.0"},
                 {150, "TFTP addresses", {"10.0.0.5"}, "IPAddress", ""},
                 {160, "Pair", {"1 2"}, "DWORD DWORD", ""},
                 {161, "Captive", {"http://portal"}, "String", ""}};
    auto out = render_config(input_for(m));
    CHECK(out.text.find("option nds-option-150 code 150 = array of ip-address;") != std::string::npos);
    CHECK(out.text.find("option nds-option-150 10.0.0.5;") != std::string::npos);
    CHECK(out.text.find("option nds-option-161 \"http://portal\";") != std::string::npos);
    CHECK(out.text.find("nds-option-160") == std::string::npos);
    CHECK(out.text.find("interface-mtu") == std::string::npos);
    REQUIRE(out.problems.size() == 4);
    CHECK(out.problems[0].note.reason.find("set by dhcpd itself") != std::string::npos);
    CHECK(out.problems[1].note.reason.find("'99999'") != std::string::npos);
    CHECK(out.problems[2].note.reason.find("vendor class 'MSFT 5.0'") != std::string::npos);
    CHECK(out.problems[3].note.reason.find("'DWORD DWORD'") != std::string::npos);
    for (const auto& p : out.problems) CHECK(p.note.scope == "10.0.1.0");
}

TEST_CASE("renderer: one code with two types in two scopes is declared once") {
    ServerModel m;
    m.scopes[ip("10.0.1.0").value].scope = scope("10.0.1.0", "10.0.1.10", "10.0.1.200");
    m.scopes[ip("10.0.1.0").value].options = {{200, "x", {"text"}, "String", ""}};
    m.scopes[ip("10.0.2.0").value].scope = scope("10.0.2.0", "10.0.2.10", "10.0.2.200");
    m.scopes[ip("10.0.2.0").value].options = {{200, "x", {"5"}, "DWORD", ""}};
    auto out = render_config(input_for(m));
    CHECK(out.text.find("option nds-option-200 code 200 = text;") != std::string::npos);
    REQUIRE(out.problems.size() == 1);
    CHECK(out.problems[0].note.scope == "10.0.2.0");
}

TEST_CASE("renderer: failover peers from NetBox, primary and secondary, and the pools that use them") {
    auto ctx = context_for("dhcpd01", "192.0.2.1");
    nds::engine::NetBoxServer partner;
    partner.id = 2;
    partner.name = "dhcpd02";
    partner.hostname = "192.0.2.2";
    ctx.partners = {partner};
    nds::engine::NetBoxFailover lb;
    lb.id = 10;
    lb.name = "FO-LB";
    lb.primary_server_id = 1;
    lb.secondary_server_id = 2;
    lb.mode = "LoadBalance";
    auto hs = lb;
    hs.id = 11;
    hs.name = "FO-HS";
    hs.mode = "HotStandby";
    hs.primary_server_id = 2;
    hs.secondary_server_id = 1;
    ctx.failovers = {lb, hs};
    nds::engine::DhcpFailover timing;
    timing.name = "FO-LB";
    timing.max_client_lead_time = 1800;
    timing.max_response_delay = 45;
    timing.state_switchover_interval = 600;
    ctx.failover_settings = {timing};
    FailoverOptions options;
    options.peer_port = 847;
    std::vector<nds::engine::Problem> problems;
    auto peers = failover_peers_for(ctx, options, problems);
    CHECK(problems.empty());
    REQUIRE(peers.size() == 2);
    CHECK(peers[0].name == "FO-HS");
    CHECK_FALSE(peers[0].primary);
    CHECK_FALSE(peers[0].split);
    CHECK_FALSE(peers[0].mclt);
    CHECK(peers[0].max_response_delay == 30);  // plugin default: no timing given
    CHECK(peers[1].name == "FO-LB");
    CHECK(peers[1].primary);
    CHECK(peers[1].address == "192.0.2.1");
    CHECK(peers[1].peer_address == "192.0.2.2");
    CHECK(peers[1].peer_port == 847);
    CHECK(peers[1].mclt == 1800);
    CHECK(peers[1].split == 128);
    CHECK(peers[1].auto_partner_down == 600);

    ServerModel m;
    auto& s = m.scopes[ip("192.0.2.0").value];
    s.scope = scope("192.0.2.0", "192.0.2.100", "192.0.2.200");
    s.scope.failover_name = "FO-LB";
    auto in = input_for(m);
    in.failover_peers = peers;
    auto text = render_config(in).text;
    CHECK(text.find("failover peer \"FO-LB\" {\n  primary;\n  address 192.0.2.1;\n  port 647;\n  peer address 192.0.2.2;\n"
                    "  peer port 847;\n  max-response-delay 45;\n  max-unacked-updates 10;\n  load balance max seconds 3;\n"
                    "  mclt 1800;\n  split 128;\n  auto-partner-down 600;\n}\n") != std::string::npos);
    CHECK(text.find("failover peer \"FO-HS\" {\n  secondary;\n") != std::string::npos);
    CHECK(text.find("  pool {\n    failover peer \"FO-LB\";\n    range 192.0.2.100 192.0.2.200;\n  }\n") != std::string::npos);
    auto back = parse_config(text);
    REQUIRE(back.has_value());
    CHECK(back->failover_peers == std::vector<FailoverPeer>{peers[0], peers[1]});
    CHECK(back->model.scopes.begin()->second.scope.failover_name == "FO-LB");

    // Hot standby as primary: split 255.
    ctx.failovers[1].primary_server_id = 1;
    ctx.failovers[1].secondary_server_id = 2;
    CHECK(failover_peers_for(ctx, options, problems)[0].split == 255);
}

TEST_CASE("renderer: failovers it cannot declare are reported, and their pools rendered without") {
    auto ctx = context_for("dhcpd01");
    nds::engine::NetBoxFailover f;
    f.name = "FO-X";
    f.primary_server_id = 1;
    f.secondary_server_id = 7;  // not among the partners
    nds::engine::NetBoxFailover other = f;
    other.name = "FO-Y";
    other.primary_server_id = 8;
    other.secondary_server_id = 9;
    nds::engine::NetBoxFailover auth = f;
    auth.name = "FO-AUTH";
    auth.secondary_server_id = 2;
    nds::engine::NetBoxServer partner;
    partner.id = 2;
    partner.hostname = "dhcpd02.example.net";
    ctx.partners = {partner};
    nds::engine::DhcpFailover timing;
    timing.name = "FO-AUTH";
    timing.enable_auth = true;
    ctx.failover_settings = {timing};
    ctx.failovers = {f, other, auth};
    std::vector<nds::engine::Problem> problems;
    auto peers = failover_peers_for(ctx, FailoverOptions{}, problems);
    REQUIRE(peers.size() == 1);
    CHECK(peers[0].peer_address == "dhcpd02.example.net");
    REQUIRE(problems.size() == 3);
    CHECK(problems[0].note.reason.find("partner server (id 7)") != std::string::npos);
    CHECK(problems[1].note.reason.find("neither primary nor secondary") != std::string::npos);
    CHECK(problems[2].note.reason.find("authentication") != std::string::npos);

    ServerModel m;
    auto& s = m.scopes[ip("192.0.2.0").value];
    s.scope = scope("192.0.2.0", "192.0.2.100", "192.0.2.200");
    s.scope.failover_name = "FO-X";
    auto out = render_config(input_for(m));
    CHECK(out.text.find("failover peer \"FO-X\"") == std::string::npos);
    CHECK(out.text.find("  range 192.0.2.100 192.0.2.200;") != std::string::npos);
    REQUIRE(out.problems.size() == 1);
    CHECK(out.problems[0].note.reason.find("rendered without failover") != std::string::npos);
}

TEST_CASE("renderer: kept statements, shared networks and other hosts come back as they were") {
    const std::string original = R"(
shared-network "campus" {
  option domain-name "campus.example.net";
  subnet 10.1.0.0 netmask 255.255.0.0 {
    next-server 10.0.0.5;
    pool { deny unknown-clients; range 10.1.0.10 10.1.0.20; }
  }
}
host by-id { option dhcp-client-identifier "abc"; fixed-address 10.1.0.5; }
)";
    auto parsed = parse_config(original);
    REQUIRE(parsed.has_value());
    auto text = render_config(input_for(parsed->model)).text;
    CHECK(text.find("shared-network \"campus\" {\n  option domain-name \"campus.example.net\";\n") != std::string::npos);
    CHECK(text.find("    next-server 10.0.0.5;\n") != std::string::npos);
    CHECK(text.find("    pool {\n      deny unknown-clients;\n      range 10.1.0.10 10.1.0.20;\n    }\n") != std::string::npos);
    CHECK(text.find("host by-id { option dhcp-client-identifier \"abc\"; fixed-address 10.1.0.5; }\n") != std::string::npos);
    auto again = parse_config(text);
    REQUIRE(again.has_value());
    CHECK(render_config(input_for(again->model)).text == text);
}

TEST_CASE("renderer: parse(render(model)) gives the model back, for many random models") {
    std::mt19937 random(42);
    auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    const std::vector<std::string> names = {"", "Building A", "Büro \"3\"", "a\\b", "x", "line\nbreak"};
    for (int round = 0; round < 300; ++round) {
        ServerModel m;
        int scopes = 1 + pick(4);
        for (int i = 0; i < scopes; ++i) {
            std::string net = "10." + std::to_string(pick(200)) + "." + std::to_string(i) + ".0";
            auto key = ip(net).value;
            if (m.scopes.count(key)) continue;
            auto& s = m.scopes[key];
            int a = 1 + pick(50), b = a + pick(200);
            if (b > 254) b = 254;
            s.scope = scope(net, net.substr(0, net.size() - 1) + std::to_string(a), net.substr(0, net.size() - 1) + std::to_string(b));
            s.scope.name = names[pick(static_cast<int>(names.size()))];
            s.scope.description = names[pick(static_cast<int>(names.size()))];
            s.scope.lease_duration_seconds = 60 + pick(100000);
            if (pick(2)) s.scope.router = ip(net.substr(0, net.size() - 1) + "254");
            // Exclusions well inside the range and away from reservations (the unambiguous case).
            int e = a + 2 + pick(20);
            if (e + 5 < b - 2) s.exclusions = {{ip(net.substr(0, net.size() - 1) + std::to_string(e)), ip(net.substr(0, net.size() - 1) + std::to_string(e + 5))}};
            for (int r = 0; r < pick(4); ++r) {
                int host = (e + 20 + r * 3) % 250 + 2;
                if (!s.exclusions.empty() && host >= e - 1 && host <= e + 6) continue;
                char mac[32];
                std::snprintf(mac, sizeof mac, "02-00-00-%02x-%02x-%02x", i, r, round % 256);
                s.reservations.push_back({ip(net.substr(0, net.size() - 1) + std::to_string(host)), mac,
                                          names[pick(static_cast<int>(names.size()))], names[pick(static_cast<int>(names.size()))], "Dhcp"});
            }
            std::sort(s.reservations.begin(), s.reservations.end(), [](auto& x, auto& y) { return x.ip < y.ip; });
            if (pick(2)) s.options = {{6, "domain-name-servers", {"10.0.0.53", "10.0.0.54"}, "IPv4Address", ""}};
        }
        auto text = render_config(input_for(m)).text;
        auto back = parse_config(text);
        REQUIRE_MESSAGE(back.has_value(), text);
        CHECK(back->problems.empty());
        REQUIRE(back->model.scopes.size() == m.scopes.size());
        for (const auto& [key, s] : m.scopes) {
            const auto& r = back->model.scopes.at(key);
            CHECK(r.scope.name == s.scope.name);
            CHECK(r.scope.description == s.scope.description);
            CHECK(r.scope.start_ip == s.scope.start_ip);
            CHECK(r.scope.end_ip == s.scope.end_ip);
            CHECK(r.scope.subnet_mask == s.scope.subnet_mask);
            CHECK(r.scope.router == s.scope.router);
            CHECK(r.scope.lease_duration_seconds == s.scope.lease_duration_seconds);
            bool exclusion_next_to_reservation = false;
            for (const auto& e : s.exclusions)
                for (const auto& res : s.reservations)
                    if (res.ip.value + 1 == e.start_ip.value || res.ip.value == e.end_ip.value + 1) exclusion_next_to_reservation = true;
            if (!exclusion_next_to_reservation) CHECK(r.exclusions == s.exclusions);
            REQUIRE(r.reservations.size() == s.reservations.size());
            for (std::size_t k = 0; k < s.reservations.size(); ++k) {
                CHECK(r.reservations[k].ip == s.reservations[k].ip);
                CHECK(r.reservations[k].client_id == s.reservations[k].client_id);
                CHECK(r.reservations[k].name == s.reservations[k].name);
                CHECK(r.reservations[k].description == s.reservations[k].description);
            }
            CHECK(r.options.size() == s.options.size());
        }
        // And rendering what was read gives the same file: a second run pushes nothing.
        CHECK(render_config(input_for(back->model)).text == text);
    }
}
