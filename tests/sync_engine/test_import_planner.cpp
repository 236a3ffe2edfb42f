// import --server (the plugin's behaviour, with B15 fixed): failovers, scopes, options and exclusion ranges
// as one plan, never overwriting what NetBox has.
#include "sync_engine/import_failovers.hpp"
#include "sync_engine/import_options.hpp"
#include "sync_engine/import_planner.hpp"

#include "snapshot_builders.hpp"

using namespace nds::test;

namespace {

/// NetBox with dhcp01 (id 1, hostname dhcp01.example.com) and dhcp02 (id 2), no scopes; dhcp01 reports one
/// scope 10.0.1.0/24 "Building A" with no options or exclusions and no failovers.
struct ImportWorld {
    World base;
    ImportNetBox netbox;
    ImportServerData server;
    SyncSettings settings;

    ImportWorld() {
        base.add_server(1, "dhcp01");
        base.add_server(2, "dhcp02");
        server.failovers.emplace();
        server.scopes.emplace();
        add_remote_scope("10.0.1.0", "Building A");
    }

    DhcpScope& add_remote_scope(const char* scope_id, const std::string& name, const std::string& failover = "") {
        DhcpScope s;
        s.scope_id = ip(scope_id);
        s.subnet_mask = ip("255.255.255.0");
        auto base_ip = s.scope_id.value;
        s.start_ip = Ipv4Address{base_ip + 10};
        s.end_ip = Ipv4Address{base_ip + 200};
        s.name = name;
        s.router = Ipv4Address{base_ip + 1};
        s.lease_duration_seconds = 28800;
        s.failover_name = failover;
        server.scopes->push_back(s);
        auto& data = server.scope_data[s.scope_id.value];
        data.options.emplace();
        data.exclusions.emplace();
        return server.scopes->back();
    }

    ImportScopeData& data(const char* scope_id) { return server.scope_data[ip(scope_id).value]; }

    void add_option(const char* scope_id, int code, const std::string& name, std::vector<std::string> value,
                    const std::string& type = "String", const std::string& vendor = "") {
        data(scope_id).options->push_back(DhcpOptionValue{code, name, std::move(value), type, vendor});
    }

    void add_exclusion(const char* scope_id, const char* start, const char* end) {
        data(scope_id).exclusions->push_back(DhcpExclusion{ip(start), ip(end)});
    }

    void add_remote_failover(const std::string& name, const std::string& partner, bool auth = false) {
        DhcpFailover f;
        f.name = name;
        f.primary_server = "dhcp01.example.com";
        f.secondary_server = partner;
        f.mode = "HotStandby";
        f.max_client_lead_time = 1800;
        f.max_response_delay = 0;
        f.enable_auth = auth;
        server.failovers->push_back(f);
    }

    ImportPlan plan(const std::string& name = "dhcp01") {
        netbox.snapshot = base.netbox;
        return plan_import(netbox, name, server, settings);
    }
};

bool has_error(const ImportPlan& p, ImportCategory category, const std::string& fragment) {
    return std::any_of(p.errors.begin(), p.errors.end(), [&](const ImportError& e) {
        return e.category == category && e.note.reason.find(fragment) != std::string::npos;
    });
}

std::size_t skips_of(const ImportPlan& p, ObjectKind kind) {
    return static_cast<std::size_t>(
        std::count_if(p.plan.skips.begin(), p.plan.skips.end(), [&](const Skip& s) { return s.kind == kind; }));
}

}  // namespace

TEST_CASE("import into an empty NetBox: prefix and standalone scope with the server's attributes") {
    ImportWorld w;
    w.add_exclusion("10.0.1.0", "10.0.1.10", "10.0.1.19");
    auto p = w.plan();
    CHECK(p.errors.empty());
    REQUIRE(p.plan.prefix_creates.size() == 1);
    CHECK(p.plan.prefix_creates[0].prefix == net("10.0.1.0/24"));
    REQUIRE(p.plan.scope_creates.size() == 1);
    const auto& s = p.plan.scope_creates[0];
    CHECK(s.name == "Building A");
    CHECK_FALSE(s.prefix_id);
    CHECK(s.server_id == 1);
    CHECK_FALSE(s.failover_id);
    CHECK(s.router == ip("10.0.1.1"));
    CHECK(s.lease_lifetime == 28800);
    CHECK(s.note.object == "Building A (10.0.1.0/24)");
    REQUIRE(p.plan.exclusion_creates.size() == 1);
    CHECK(p.plan.exclusion_creates[0].new_scope == std::optional<std::size_t>(0));
    CHECK(p.plan.exclusion_creates[0].scope_id == 0);
    CHECK(p.plan.exclusion_creates[0].note.scope == "Building A");
}

TEST_CASE("import: an existing prefix is used, without create_missing_prefixes a missing one is an error") {
    ImportWorld w;
    w.add_remote_scope("10.0.2.0", "Building B");
    w.base.add_prefix(10, "10.0.1.0/24", 7);
    w.settings.create_missing_prefixes = false;
    auto p = w.plan();
    REQUIRE(p.plan.scope_creates.size() == 1);
    CHECK(p.plan.scope_creates[0].prefix_id == 10);
    CHECK(p.plan.scope_creates[0].vrf_id == 7);
    CHECK(p.plan.prefix_creates.empty());
    CHECK(has_error(p, ImportCategory::scopes, "prefix 10.0.2.0/24 does not exist in NetBox and create_missing_prefixes is off"));
}

TEST_CASE("import: a network in several VRFs is an error, not a guess") {
    ImportWorld w;
    w.base.add_prefix(10, "10.0.1.0/24");
    w.base.add_prefix(11, "10.0.1.0/24", 7);
    auto p = w.plan();
    CHECK(p.plan.scope_creates.empty());
    CHECK(has_error(p, ImportCategory::scopes, "exists in 2 VRFs"));
}

TEST_CASE("import: an existing scope (same prefix and name) is skipped, its missing exclusion ranges are added") {
    ImportWorld w;
    w.base.add_prefix(10, "10.0.1.0/24");
    w.base.add_scope(100, "Building A", 10, "10.0.1.10", "10.0.1.200", 2);  // another server's
    w.base.scope(100).exclusion_ranges.push_back(NetBoxExclusionRange{500, 100, ip("10.0.1.10"), ip("10.0.1.19")});
    w.add_exclusion("10.0.1.0", "10.0.1.10", "10.0.1.19");
    w.add_exclusion("10.0.1.0", "10.0.1.30", "10.0.1.39");
    w.add_option("10.0.1.0", 6, "DNS Servers", {"8.8.8.8"}, "IPv4Address");
    auto p = w.plan();
    CHECK(p.plan.scope_creates.empty());
    CHECK(p.plan.scope_updates.empty());
    CHECK(skips_of(p, ObjectKind::scope) == 1);
    REQUIRE(p.plan.exclusion_creates.size() == 1);
    CHECK(p.plan.exclusion_creates[0].scope_id == 100);
    CHECK_FALSE(p.plan.exclusion_creates[0].new_scope);
    CHECK(p.plan.exclusion_creates[0].start_ip == ip("10.0.1.30"));
    CHECK(skips_of(p, ObjectKind::exclusion_range) == 1);
    CHECK(p.plan.option_value_creates.empty());  // options are not re-imported for existing scopes
}

TEST_CASE("import: a scope this server already owns on the network is skipped even under another name") {
    ImportWorld w;
    w.base.add_prefix(10, "10.0.1.0/24");
    w.base.add_scope(100, "Renamed in NetBox", 10, "10.0.1.10", "10.0.1.200", 1);
    auto p = w.plan();
    CHECK(p.plan.scope_creates.empty());
    CHECK(has_skip(p.plan, "already in NetBox as 'Renamed in NetBox'"));
}

TEST_CASE("import: same prefix, other name, other owner -> a second scope is created (the plugin's rule)") {
    ImportWorld w;
    w.base.add_prefix(10, "10.0.1.0/24");
    w.base.add_scope(100, "Other half", 10, "10.0.1.201", "10.0.1.250", 2);
    auto p = w.plan();
    REQUIRE(p.plan.scope_creates.size() == 1);
    CHECK(p.plan.scope_creates[0].prefix_id == 10);
}

TEST_CASE("import: inactive scopes are imported, lease 0 and router 0.0.0.0 mean default and none") {
    ImportWorld w;
    auto& s = w.server.scopes->front();
    s.active = false;
    s.lease_duration_seconds = 0;
    s.router = ip("0.0.0.0");
    s.name = "";
    auto p = w.plan();
    REQUIRE(p.plan.scope_creates.size() == 1);
    CHECK(p.plan.scope_creates[0].name == "10.0.1.0");
    CHECK(p.plan.scope_creates[0].lease_lifetime == 86400);
    CHECK_FALSE(p.plan.scope_creates[0].router);
    CHECK(p.plan.scope_creates[0].note.reason.find("inactive") != std::string::npos);
}

TEST_CASE("import: failover created with this server as primary and the partner found by hostname") {
    ImportWorld w;
    w.add_remote_failover("FO-1", "DHCP02.example.com.");
    w.server.scopes->front().failover_name = "FO-1";
    auto p = w.plan();
    CHECK(p.errors.empty());
    REQUIRE(p.plan.failover_creates.size() == 1);
    const auto& f = p.plan.failover_creates[0];
    CHECK(f.name == "FO-1");
    CHECK(f.primary_server_id == 1);
    CHECK(f.secondary_server_id == 2);
    CHECK(f.mode == "HotStandby");
    CHECK(f.max_client_lead_time == 1800);
    CHECK(f.max_response_delay == 30);
    REQUIRE(p.plan.scope_creates.size() == 1);
    CHECK(p.plan.scope_creates[0].failover_name == "FO-1");
    CHECK_FALSE(p.plan.scope_creates[0].failover_id);
    CHECK_FALSE(p.plan.scope_creates[0].server_id);
}

TEST_CASE("import: a missing failover partner is an error naming the host, its scopes become standalone") {
    ImportWorld w;
    w.add_remote_failover("FO-1", "dhcp09.example.com");
    w.server.scopes->front().failover_name = "FO-1";
    auto p = w.plan();
    CHECK(p.plan.failover_creates.empty());
    CHECK(has_error(p, ImportCategory::failovers,
                    "FO-1: secondary server 'dhcp09.example.com' not found — add it as a DHCP Server in NetBox first"));
    REQUIRE(p.plan.scope_creates.size() == 1);
    CHECK(p.plan.scope_creates[0].server_id == 1);
    CHECK(has_problem(p.plan, Severity::warning, "imported as a standalone scope of dhcp01"));
}

TEST_CASE("import: an existing failover is skipped and its scopes link to it") {
    ImportWorld w;
    w.base.add_failover(30, "FO-1", 2, 1);
    w.add_remote_failover("FO-1", "dhcp02.example.com");
    w.server.scopes->front().failover_name = "FO-1";
    auto p = w.plan();
    CHECK(p.plan.failover_creates.empty());
    CHECK(skips_of(p, ObjectKind::failover) == 1);
    REQUIRE(p.plan.scope_creates.size() == 1);
    CHECK(p.plan.scope_creates[0].failover_id == 30);
}

TEST_CASE("import: a failover NetBox does not link to this server -> the scope is an error") {
    ImportWorld w;
    w.base.add_server(3, "dhcp03");
    w.base.add_failover(30, "FO-X", 2, 3);
    w.server.scopes->front().failover_name = "FO-X";
    auto p = w.plan();
    CHECK(p.plan.scope_creates.empty());
    CHECK(has_error(p, ImportCategory::scopes, "which NetBox does not link to server 'dhcp01'"));
}

TEST_CASE("import: authenticated failover imported with enable_auth off and a warning, partner = self is an error") {
    ImportWorld w;
    w.add_remote_failover("FO-AUTH", "dhcp02.example.com", true);
    w.add_remote_failover("FO-SELF", "dhcp01.example.com");
    auto p = w.plan();
    REQUIRE(p.plan.failover_creates.size() == 1);
    CHECK_FALSE(p.plan.failover_creates[0].enable_auth);
    CHECK(has_problem(p.plan, Severity::warning, "shared secret cannot be read"));
    CHECK(has_error(p, ImportCategory::failovers, "FO-SELF: the partner 'dhcp01.example.com' is server 'dhcp01' itself"));
}

TEST_CASE("import: partner hostname match is exact or case-insensitive, never ambiguous") {
    World w;
    w.add_server(1, "a");
    w.add_server(2, "b");
    w.netbox.servers[1].hostname = "DHCP02.corp";
    CHECK(find_server_by_hostname(w.netbox, "DHCP02.corp")->id == 2);
    CHECK(find_server_by_hostname(w.netbox, "dhcp02.corp")->id == 2);
    CHECK(find_server_by_hostname(w.netbox, "dhcp02") == nullptr);
    w.netbox.servers[0].hostname = "dhcp02.CORP";
    CHECK(find_server_by_hostname(w.netbox, "dhcp02.corp") == nullptr);
}

TEST_CASE("import: failover and scope list read failures are errors of their category") {
    ImportWorld w;
    w.server.failovers.reset();
    w.server.failovers_error = "HTTP 500";
    w.server.scopes.reset();
    w.server.scopes_error = "timeout";
    auto p = w.plan();
    CHECK(p.plan.empty());
    CHECK(has_error(p, ImportCategory::failovers, "could not fetch failover list: HTTP 500"));
    CHECK(has_error(p, ImportCategory::scopes, "could not fetch scope list: timeout"));
}

TEST_CASE("import: an unknown server is an error and nothing is planned") {
    ImportWorld w;
    auto p = w.plan("nope");
    CHECK(p.plan.empty());
    CHECK(has_problem(p.plan, Severity::error, "unknown DHCP server 'nope'"));
}

TEST_CASE("import options: 3 and 51 stay on the scope, unknown codes get a definition, values joined with ', '") {
    ImportWorld w;
    w.add_option("10.0.1.0", 3, "Router", {"10.0.1.1"}, "IPv4Address");
    w.add_option("10.0.1.0", 51, "Lease", {"28800"}, "DWord");
    w.add_option("10.0.1.0", 6, "DNS Servers", {"8.8.8.8", "8.8.4.4"}, "IPv4Address");
    w.add_option("10.0.1.0", 252, "WPAD", {"http://wpad/wpad.dat"});
    w.netbox.option_codes.push_back(NetBoxOptionCode{40, 6, "DNS Servers", "IPAddressList", ""});
    auto p = w.plan();
    CHECK(p.errors.empty());
    REQUIRE(p.plan.option_code_creates.size() == 1);
    CHECK(p.plan.option_code_creates[0].code == 252);
    CHECK(p.plan.option_code_creates[0].name == "WPAD");
    CHECK(p.plan.option_code_creates[0].data_type == "String");
    REQUIRE(p.plan.option_value_creates.size() == 2);
    CHECK(p.plan.option_value_creates[0].definition_id == 40);
    CHECK(p.plan.option_value_creates[0].value == "8.8.8.8, 8.8.4.4");
    CHECK(p.plan.option_value_creates[0].note.object == "Option 6 (DNS Servers): 8.8.8.8, 8.8.4.4");
    CHECK_FALSE(p.plan.option_value_creates[1].definition_id);  // created by this plan
    const auto& refs = p.plan.scope_creates.at(0).option_values;
    REQUIRE(refs.size() == 2);
    CHECK(refs[0].code == 6);
    CHECK_FALSE(refs[0].id);
}

TEST_CASE("import options: an existing value row is shared, and a value new to two scopes is created once") {
    ImportWorld w;
    w.add_remote_scope("10.0.2.0", "Building B");
    w.netbox.option_codes.push_back(NetBoxOptionCode{40, 6, "DNS Servers", "IPAddressList", ""});
    w.netbox.option_codes.push_back(NetBoxOptionCode{41, 15, "DNS Domain Name", "String", ""});
    w.netbox.option_values.push_back(NetBoxOptionValue{70, 40, "8.8.8.8", ""});
    for (const char* scope : {"10.0.1.0", "10.0.2.0"}) {
        w.add_option(scope, 6, "DNS Servers", {"8.8.8.8"}, "IPv4Address");
        w.add_option(scope, 15, "DNS Domain Name", {"corp.example.com"});
    }
    auto p = w.plan();
    REQUIRE(p.plan.option_value_creates.size() == 1);
    CHECK(p.plan.option_value_creates[0].value == "corp.example.com");
    CHECK(skips_of(p, ObjectKind::option_value) == 3);
    for (const auto& scope : p.plan.scope_creates) {
        REQUIRE(scope.option_values.size() == 2);
        CHECK(scope.option_values[0].id == 70);
        CHECK_FALSE(scope.option_values[1].id);
        CHECK(scope.option_values[1].value == "corp.example.com");
    }
}

TEST_CASE("import options (B15): vendor-class collisions and a second value of one code are errors") {
    ImportWorld w;
    w.netbox.option_codes.push_back(NetBoxOptionCode{40, 43, "Vendor Specific", "Binary", ""});
    w.add_option("10.0.1.0", 43, "Vendor Specific", {"01:02"}, "BinaryData", "MSFT 5.0");
    w.add_option("10.0.1.0", 60, "Class", {"PXEClient"});
    w.add_option("10.0.1.0", 60, "Class", {"Other"}, "String", "");
    auto p = w.plan();
    CHECK(has_error(p, ImportCategory::option_values, "code 43 is defined for vendor class ''"));
    CHECK(has_error(p, ImportCategory::option_values, "several values for option 60"));
    REQUIRE(p.plan.option_value_creates.size() == 1);
    CHECK(p.plan.option_value_creates[0].value == "PXEClient");
}

TEST_CASE("import options: the Windows option type chooses the definition's data type") {
    CHECK(option_data_type(DhcpOptionValue{6, "", {"1.1.1.1"}, "IPv4Address", ""}) == "IPAddress");
    CHECK(option_data_type(DhcpOptionValue{6, "", {"1.1.1.1", "1.0.0.1"}, "IPv4Address", ""}) == "IPAddressList");
    CHECK(option_data_type(DhcpOptionValue{23, "", {"64"}, "Byte", ""}) == "DWORD");
    CHECK(option_data_type(DhcpOptionValue{43, "", {"01"}, "BinaryData", ""}) == "Binary");
    CHECK(option_data_type(DhcpOptionValue{15, "", {"x"}, "String", ""}) == "String");
}

TEST_CASE("import: failed option or exclusion reads are errors of their category, the scope is still created") {
    ImportWorld w;
    auto& data = w.data("10.0.1.0");
    data.options.reset();
    data.options_error = "HTTP 404";
    data.exclusions.reset();
    data.exclusions_error = "HTTP 500";
    auto p = w.plan();
    CHECK(p.plan.scope_creates.size() == 1);
    CHECK(has_error(p, ImportCategory::option_values, "could not fetch options: HTTP 404"));
    CHECK(has_error(p, ImportCategory::exclusion_ranges, "could not fetch exclusion ranges: HTTP 500"));
}

TEST_CASE("import twice: after the first import is applied, the second plans no writes") {
    ImportWorld w;
    w.add_remote_failover("FO-1", "dhcp02.example.com");
    w.server.scopes->front().failover_name = "FO-1";
    w.add_exclusion("10.0.1.0", "10.0.1.10", "10.0.1.19");
    w.add_option("10.0.1.0", 252, "WPAD", {"http://wpad/wpad.dat"});
    // NetBox after the first import:
    w.base.add_failover(30, "FO-1", 1, 2);
    w.base.add_prefix(10, "10.0.1.0/24");
    w.base.add_scope(100, "Building A", 10, "10.0.1.10", "10.0.1.200", std::nullopt, 30);
    w.base.scope(100).exclusion_ranges.push_back(NetBoxExclusionRange{500, 100, ip("10.0.1.10"), ip("10.0.1.19")});
    w.netbox.option_codes.push_back(NetBoxOptionCode{40, 252, "WPAD", "String", ""});
    w.netbox.option_values.push_back(NetBoxOptionValue{70, 40, "http://wpad/wpad.dat", ""});
    auto p = w.plan();
    CHECK(p.plan.empty());
    CHECK(p.errors.empty());
    CHECK(skips_of(p, ObjectKind::failover) == 1);
    CHECK(skips_of(p, ObjectKind::scope) == 1);
    CHECK(skips_of(p, ObjectKind::exclusion_range) == 1);
}

TEST_CASE("import categories: every kind import writes has its category") {
    CHECK(import_category(ObjectKind::failover) == ImportCategory::failovers);
    CHECK(import_category(ObjectKind::option_value) == ImportCategory::option_values);
    CHECK(import_category(ObjectKind::exclusion_range) == ImportCategory::exclusion_ranges);
    CHECK_FALSE(import_category(ObjectKind::reservation));
    CHECK(std::string(to_string(ImportCategory::option_codes)) == "option_codes");
}
