// Rendered files against the real `dhcpd -t` (dhcpd 4.4.3-P1): every option of the catalog, failover peers
// of both roles, shared networks, odd names. No SSH and no namespace needed.
#include "dhcpd_client/conf_renderer.hpp"
#include "dhcpd_client/option_catalog.hpp"
#include "sshd_instance.hpp"
#include "test_helpers.hpp"
#include "tests/support/child_process.hpp"

using namespace nds::dhcpd;
using namespace nds::dhcpd::test;

namespace {

/// Runs `dhcpd -t` on the text; returns its output when it refuses.
std::optional<std::string> dhcpd_refuses(const std::string& text) {
    TempDir dir("dhcpd-t");
    auto path = dir.file("dhcpd.conf");
    write_text(path, text);
    auto r = nds::testing::run_program("/usr/sbin/dhcpd", {"-t", "-4", "-cf", path, "-lf", dir.file("leases"), "-pf", dir.file("pid")});
    if (r.exit_code == 0) return std::nullopt;
    return r.out + r.err;
}

std::vector<std::string> sample_value(OptionFormat f) {
    switch (f) {
    case OptionFormat::ip: return {"192.0.2.5"};
    case OptionFormat::ip_list: return {"192.0.2.5, 192.0.2.6"};
    case OptionFormat::text: return {"some text"};
    case OptionFormat::domain_list: return {"example.net, corp.example.net"};
    case OptionFormat::u8: return {"8"};
    case OptionFormat::u16: return {"1500"};
    case OptionFormat::u32: return {"3600"};
    case OptionFormat::i32: return {"-3600"};
    case OptionFormat::flag: return {"1"};
    case OptionFormat::u16_list: return {"1500, 1400"};
    case OptionFormat::hex: return {"01:02:0a"};
    }
    return {};
}

RenderInput input(const ServerModel& m) {
    RenderInput in;
    in.model = &m;
    in.server_name = "dhcpd01";
    in.netbox_url = "https://netbox.example.net";
    in.globals.option_domain_name_servers = "192.0.2.53, ns1.example.net";
    in.globals.option_domain_name = "example.net";
    in.globals.option_routers = "192.0.2.1";
    in.globals.local_port = 67;
    in.free_lines = {"ddns-update-style none;", "deny bootp;"};
    return in;
}

}  // namespace

TEST_CASE("dhcpd -t: every option of the catalog, and custom codes of every data type, are accepted") {
    ServerModel m;
    auto& s = m.scopes[ip("192.0.2.0").value];
    s.scope = scope("192.0.2.0", "192.0.2.100", "192.0.2.200");
    for (const auto& o : option_catalog())
        if (o.code != 3) s.options.push_back({o.code, std::string(o.name), sample_value(o.format), "", ""});
    int code = 200;
    for (auto [type, value] : std::vector<std::pair<std::string, std::string>>{
             {"String", "x"}, {"IPAddress", "192.0.2.9"}, {"IPAddressList", "192.0.2.9, 192.0.2.10"}, {"DWORD", "7"},
             {"Word", "7"}, {"Byte", "7"}, {"Binary", "de:ad:be:ef"}})
        s.options.push_back({code++, "custom", {value}, type, ""});
    auto out = render_config(input(m));
    CHECK(out.problems.empty());
    auto refusal = dhcpd_refuses(out.text);
    CHECK_MESSAGE(!refusal, *refusal << "\n" << out.text);
}

TEST_CASE("dhcpd -t: failover peers as primary and as secondary, with their pools and hosts") {
    auto ctx = context_for("dhcpd01", "192.0.2.1");
    nds::engine::NetBoxServer partner;
    partner.id = 2;
    partner.name = "dhcpd02";
    partner.hostname = "192.0.2.2";
    ctx.partners = {partner};
    nds::engine::NetBoxFailover lb;
    lb.name = "FO-LB";
    lb.primary_server_id = 1;
    lb.secondary_server_id = 2;
    nds::engine::NetBoxFailover hs = lb;
    hs.name = "FO-HS";
    hs.mode = "HotStandby";
    nds::engine::DhcpFailover timing;
    timing.name = "FO-LB";
    timing.state_switchover_interval = 600;
    ctx.failover_settings = {timing};
    ServerModel m;
    auto& a = m.scopes[ip("192.0.2.0").value];
    a.scope = scope("192.0.2.0", "192.0.2.100", "192.0.2.200");
    a.scope.failover_name = "FO-LB";
    a.exclusions = {{ip("192.0.2.150"), ip("192.0.2.160")}};
    a.reservations = {{ip("192.0.2.120"), "02-00-00-00-00-42", "Printer", "", "Dhcp"}};
    auto& b = m.scopes[ip("198.51.100.0").value];
    b.scope = scope("198.51.100.0", "198.51.100.10", "198.51.100.20");
    b.scope.failover_name = "FO-HS";
    for (bool primary : {true, false}) {
        for (auto* f : {&lb, &hs}) {
            f->primary_server_id = primary ? 1 : 2;
            f->secondary_server_id = primary ? 2 : 1;
        }
        ctx.failovers = {lb, hs};
        std::vector<nds::engine::Problem> problems;
        auto in = input(m);
        in.failover_peers = failover_peers_for(ctx, FailoverOptions{}, problems);
        CHECK(problems.empty());
        auto text = render_config(in).text;
        auto refusal = dhcpd_refuses(text);
        CHECK_MESSAGE(!refusal, (primary ? "primary: " : "secondary: ") << *refusal << "\n" << text);
    }
}

TEST_CASE("dhcpd -t: shared networks, kept statements, odd names and an empty server") {
    ServerModel m;
    auto& a = m.scopes[ip("10.1.0.0").value];
    a.scope = scope("10.1.0.0", "10.1.0.10", "10.1.0.250", "255.255.0.0");
    a.scope.name = "Büro \"Nord\" \\ {x}; # not a comment";
    a.shared_network = "campus net";
    a.extra_statements = {"next-server 10.0.0.5;", "filename \"pxelinux.0\";"};
    a.extra_pool_statements = {"allow unknown-clients;"};
    a.reservations = {{ip("10.1.0.5"), "02-00-00-00-00-01", "--", "new\nline", "Dhcp"},
                      {ip("10.1.0.6"), "02-00-00-00-00-02", "--", "", "Dhcp"},
                      {ip("10.1.0.7"), "02-00-00-00-00-03", "日本", "", "Dhcp"}};
    auto& b = m.scopes[ip("10.2.0.0").value];
    b.scope = scope("10.2.0.0", "10.2.0.10", "10.2.0.250", "255.255.0.0");
    b.shared_network = "campus net";
    m.shared_network_statements["campus net"] = {"option domain-name \"campus.example.net\";"};
    m.other_hosts = {"host by-id { option dhcp-client-identifier \"abc\"; fixed-address 10.1.0.9; }"};
    auto text = render_config(input(m)).text;
    auto refusal = dhcpd_refuses(text);
    CHECK_MESSAGE(!refusal, *refusal << "\n" << text);
    ServerModel empty;
    CHECK_FALSE(dhcpd_refuses(render_config(input(empty)).text));
}

TEST_CASE("dhcpd -t: the refusal of a bad free line names the line") {
    ServerModel m;
    auto in = input(m);
    in.free_lines = {"bogus-statement yes;"};
    auto refusal = dhcpd_refuses(render_config(in).text);
    REQUIRE(refusal);
    CHECK(refusal->find("semicolon expected") != std::string::npos);
}
