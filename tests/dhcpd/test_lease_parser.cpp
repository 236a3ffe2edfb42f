// dhcpd.leases: the last block per address, active and not ended, with MAC, host name and end.
#include "dhcpd_client/lease_parser.hpp"
#include "test_helpers.hpp"

using namespace nds::dhcpd;
using namespace nds::dhcpd::test;

namespace {

// 2026-11-23 07:35:00 UTC
constexpr std::int64_t kNow = 1795419300;

// The format of build-environment measurements of dhcpd 4.4.3-P1, plus what dhcpd writes with failover,
// DDNS and OMAPI.
const char* kLeases = R"(# The format of this file is documented in the dhcpd.leases(5) manual page.
# This lease file was written by isc-dhcp-4.4.3-P1

# authoring-byte-order entry is generated, DO NOT DELETE
authoring-byte-order little-endian;

server-duid "\000\001\000\0012\226\250\230\"\250\015\356m\355";

failover peer "FO-1" state {
  my state normal at 1 2026/11/23 07:00:00;
  partner state normal at 1 2026/11/23 07:00:00;
}

lease 192.0.2.100 {
  starts 1 2026/11/23 07:32:45;
  ends 1 2026/11/23 07:42:45;
  cltt 1 2026/11/23 07:32:45;
  binding state active;
  next binding state free;
  rewind binding state free;
  hardware ethernet 02:00:00:00:00:03;
  client-hostname "vm";
}
lease 192.0.2.100 {
  starts 1 2026/11/23 07:32:45;
  ends 1 2026/11/23 07:32:46;
  tstp 1 2026/11/23 07:32:46;
  cltt 1 2026/11/23 07:32:45;
  binding state free;
  hardware ethernet 02:00:00:00:00:03;
}
lease 192.0.2.101 {
  starts 1 2026/11/23 07:30:00;
  ends 1 2026/11/23 08:30:00;
  tstp 1 2026/11/23 09:00:00;
  tsfp 1 2026/11/23 09:00:00;
  atsfp 1 2026/11/23 09:00:00;
  cltt 1 2026/11/23 07:30:00;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:04;
  uid "\001\002\000\000\000\000\004";
  set ddns-fwd-name = "pc-{braces}.example.net";
  set vendor-class-identifier = "MSFT 5.0; with } and {";
  client-hostname "pc \"four\"\011x";
  on expiry {
    if (exists ddns-fwd-name) { unset ddns-fwd-name; }
  }
}
lease 192.0.2.102 {
  starts 1 2026/11/23 06:00:00;
  ends 1 2026/11/23 07:00:00;
  binding state active;
  hardware ethernet 02:00:00:00:00:05;
}
lease 192.0.2.103 {
  starts 1 2026/11/23 07:00:00;
  ends never;
  binding state active;
  hardware ethernet 02:00:00:00:00:06;
}
lease 192.0.2.104 {
  starts epoch 1795417200; # Mon Nov 23 07:00:00 2026
  ends epoch 1795424400; # Mon Nov 23 09:00:00 2026
  binding state active;
  hardware ethernet 02:00:00:00:00:07;
}
lease 192.0.2.105 { ends 1 2026/11/23 09:00:00; binding state backup; }
lease 192.0.2.106 {
  ends 1 2026/11/23 09:00:00;
  binding state abandoned;
}
lease 192.0.2.107 {
  ends 1 2026/11/23 09:00:00;
  binding state released;
  hardware ethernet 02:00:00:00:00:08;
}
host dyn-host {
  dynamic;
  hardware ethernet 02:00:00:00:00:09;
  fixed-address 192.0.2.50;
}
lease 192.0.2.999 {
  binding state active;
}
lease 192.0.2.108 {
  ends 1 2026/13/23 09:00:00;
  binding state active;
}
lease 10.0.0.1 {
  ends 1 2026/11/23 09:00:00;
  binding state active;
  hardware ethernet 02:00:00:00:00:0a;
}
lease 192.0.2.109 {
  starts 1 2026/11/23 07:30:00;
  binding state act)";

}  // namespace

TEST_CASE("leases: the last block of an address wins, only active unexpired leases count") {
    auto file = parse_leases(kLeases, kNow);
    std::vector<std::string> active;
    for (const auto& l : file.active) active.push_back(l.ip.to_string());
    CHECK(active == std::vector<std::string>{"10.0.0.1", "192.0.2.101", "192.0.2.103", "192.0.2.104"});
    CHECK(file.blocks == 12);  // the cut-off last block is not one
    CHECK(file.malformed == 2);
    CHECK(file.addresses == 9);
    REQUIRE(file.problems.size() == 2);
    CHECK(file.problems[0].find("line ") != std::string::npos);
}

TEST_CASE("leases: MAC, host name and end of a lease") {
    auto file = parse_leases(kLeases, kNow);
    REQUIRE(file.active.size() == 4);
    const auto& pc = file.active[1];
    CHECK(pc.client_id == "02-00-00-00-00-04");
    CHECK(pc.hostname == "pc \"four\"\tx");
    CHECK(pc.lease_expiry == "2026-11-23T08:30:00Z");
    CHECK(file.active[2].lease_expiry.empty());  // ends never
    CHECK(file.active[3].lease_expiry == "2026-11-23T09:00:00Z");
    CHECK(file.active[3].hostname.empty());
}

TEST_CASE("leases: a released lease is no longer counted, a renewed one is") {
    std::string text =
        "lease 10.0.0.5 {\n  ends 1 2026/11/23 09:00:00;\n  binding state active;\n  hardware ethernet 02:00:00:00:00:01;\n}\n"
        "lease 10.0.0.5 {\n  ends 1 2026/11/23 07:00:00;\n  binding state free;\n}\n";
    CHECK(parse_leases(text, kNow).active.empty());
    text += "lease 10.0.0.5 {\n  ends 1 2026/11/23 10:00:00;\n  binding state active;\n  hardware ethernet 02:00:00:00:00:02;\n"
            "  client-hostname \"second\";\n}\n";
    auto file = parse_leases(text, kNow);
    REQUIRE(file.active.size() == 1);
    CHECK(file.active[0].client_id == "02-00-00-00-00-02");
    CHECK(file.active[0].hostname == "second");
}

TEST_CASE("leases: an empty file, a file of comments, CRLF-free whitespace") {
    CHECK(parse_leases("", kNow).active.empty());
    CHECK(parse_leases("# nothing\n\n", kNow).blocks == 0);
    auto file = parse_leases("\tlease 10.0.0.9 {\n\tends never;\n\tbinding state active;\n\t}\n", kNow);
    CHECK(file.active.size() == 1);
}

TEST_CASE("leases: times") {
    CHECK(parse_lease_time("1 2026/11/23 07:42:45;") == 1795419765);
    CHECK(parse_lease_time("4 1970/01/01 00:00:00;") == 0);
    CHECK(parse_lease_time("2 2024/02/29 12:00:00;") == 1709208000);
    CHECK_FALSE(parse_lease_time("1 2026/11/23;"));
    CHECK_FALSE(parse_lease_time("x 2026/11/23 07:42:45;"));
    CHECK_FALSE(parse_lease_time("1 2026/00/23 07:42:45;"));
    CHECK_FALSE(parse_lease_time("1 2026/11/23 24:00:00;"));
    CHECK(format_expiry(1795419765) == "2026-11-23T07:42:45Z");
    CHECK(format_expiry(0) == "1970-01-01T00:00:00Z");
    CHECK(format_expiry(1709208000) == "2024-02-29T12:00:00Z");
    for (std::int64_t t : {0ll, 86399ll, 951782400ll, 1795419765ll, 4102444800ll}) {
        auto text = format_expiry(t);
        // "YYYY-MM-DDTHH:MM:SSZ" -> dhcpd's form -> the same seconds
        std::string dhcpd = "0 " + text.substr(0, 4) + "/" + text.substr(5, 2) + "/" + text.substr(8, 2) + " " + text.substr(11, 8) + ";";
        CHECK(parse_lease_time(dhcpd) == t);
    }
}

TEST_CASE("leases: many leases, many rewrites of each, in file order") {
    std::string text;
    for (int round = 0; round < 3; ++round)
        for (int i = 0; i < 500; ++i) {
            char block[256];
            std::snprintf(block, sizeof block,
                          "lease 10.1.%d.%d {\n  ends 1 2026/11/23 09:00:00;\n  binding state %s;\n"
                          "  hardware ethernet 02:00:00:00:%02x:%02x;\n}\n",
                          i / 250, i % 250, (round == 2 && i % 2) ? "free" : "active", round, i % 256);
            text += block;
        }
    auto file = parse_leases(text, kNow);
    CHECK(file.blocks == 1500);
    CHECK(file.addresses == 500);
    REQUIRE(file.active.size() == 250);
    for (std::size_t i = 1; i < file.active.size(); ++i) CHECK(file.active[i - 1].ip < file.active[i].ip);
    CHECK(file.active[0].client_id.substr(0, 14) == "02-00-00-00-02");  // the third round's block
}
