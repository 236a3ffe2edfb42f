// `import --server NAME` (the plugin's behaviour) with the real binary: into an empty NetBox, twice, with a
// failover partner NetBox does not know, and as a dry run.
#include "integration_fixture.hpp"

#include <doctest/doctest.h>

#include <set>
#include <tuple>

using namespace nds::testing;
namespace json = boost::json;

namespace {

json::object psu_scope(const std::string& id, const std::string& name, const std::string& failover, bool active) {
    std::string base = id.substr(0, id.rfind('.') + 1);
    return {{"scope_id", id}, {"name", name}, {"start_ip", base + "10"}, {"end_ip", base + "200"},
            {"subnet_mask", "255.255.255.0"}, {"description", ""}, {"state", active ? "Active" : "InActive"},
            {"lease_duration_seconds", 28800}, {"router", base + "1"},
            {"failover_name", failover.empty() ? json::value(nullptr) : json::value(failover)}};
}

json::object option(int code, const std::string& name, json::array value, const std::string& type) {
    return {{"code", code}, {"name", name}, {"value", std::move(value)}, {"type", type}, {"vendor_class", ""}};
}

/// NetBox knows dhcp01 (the PSU simulator) and, when `with_partner`, its failover partner dhcp02 by the
/// hostname the server reports for it. The option library holds the built-ins 6 and 15 and one shared value.
/// dhcp01 has a failover scope with options and exclusions, and an inactive standalone scope.
SyncEnvironment import_environment(bool with_partner = true) {
    SyncEnvironment env = make_environment({"dhcp01"}, false);
    json::array servers{json::object{{"name", "dhcp01"}, {"hostname", "127.0.0.1"}, {"port", env.dhcp_ports().at("dhcp01")},
                                     {"use_https", false}}};
    if (with_partner)
        servers.push_back(json::object{{"name", "dhcp02"}, {"hostname", "dhcp02.corp.example.com"}, {"port", 9}, {"use_https", false}});
    env.netbox().seed(json::object{
        {"users", json::array{json::object{{"username", "alice"}, {"token", kAliceToken}}}},
        {"servers", std::move(servers)},
        {"option_codes", json::array{json::object{{"code", 6}, {"name", "DNS Servers"}, {"data_type", "IPAddressList"}, {"is_builtin", true}},
                                     json::object{{"code", 15}, {"name", "DNS Domain Name"}, {"is_builtin", true}}}},
        {"option_values", json::array{json::object{{"code", 15}, {"value", "corp.example.com"}}}}});
    env.dhcp("dhcp01").seed(json::object{
        {"scopes", json::array{psu_scope("10.30.1.0", "Import A", "FO-IMPORT", true), psu_scope("10.30.2.0", "Import B", "", false)}},
        {"failovers", json::array{json::object{{"name", "FO-IMPORT"}, {"secondary_server", "dhcp02.corp.example.com"},
                                               {"mode", "HotStandby"}, {"scope_ids", json::array{"10.30.1.0"}},
                                               {"max_client_lead_time", 1800}, {"max_response_delay", 30},
                                               {"state_switchover_interval", nullptr}, {"enable_auth", false}}}},
        {"exclusions", json::array{json::object{{"scope_id", "10.30.1.0"}, {"start_ip", "10.30.1.10"}, {"end_ip", "10.30.1.19"}},
                                   json::object{{"scope_id", "10.30.2.0"}, {"start_ip", "10.30.2.10"}, {"end_ip", "10.30.2.11"}}}},
        {"options", json::object{{"10.30.1.0", json::array{option(6, "DNS Servers", {"10.0.0.53", "10.0.1.53"}, "IPv4Address"),
                                                           option(15, "DNS Domain Name", {"corp.example.com"}, "String"),
                                                           option(252, "WPAD", {"http://wpad/wpad.dat"}, "String")}},
                                 {"10.30.2.0", json::array{option(15, "DNS Domain Name", {"corp.example.com"}, "String")}}}}});
    return env;
}

const json::object* find_named(const json::value& list, const std::string& name) {
    for (const auto& item : list.as_array())
        if (item.at("name").as_string() == name) return &item.as_object();
    return nullptr;
}

std::size_t count(const json::object& categories, const char* category, const char* what) {
    return categories.at(category).at(what).as_array().size();
}

}  // namespace

TEST_CASE("import into an empty NetBox creates failover, prefixes, scopes, options and exclusion ranges") {
    auto env = import_environment();
    auto result = env.run({"import", "--server", "dhcp01", "--output", "json"});
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    auto doc = json::parse(result.out).as_object();
    CHECK(doc.at("command").as_string() == "import");
    const auto& categories = doc.at("categories").as_object();
    CHECK(count(categories, "failovers", "created") == 1);
    CHECK(count(categories, "prefixes", "created") == 2);
    CHECK(count(categories, "scopes", "created") == 2);
    CHECK(count(categories, "option_codes", "created") == 1);   // 252
    CHECK(count(categories, "option_values", "created") == 2);  // 6 and 252; 15 is the existing shared value
    CHECK(count(categories, "option_values", "skipped") == 2);
    CHECK(count(categories, "exclusion_ranges", "created") == 2);
    for (const auto& [name, c] : categories) CHECK_MESSAGE(c.at("errors").as_array().empty(), name);

    auto state = env.netbox().state();
    const auto* failover = find_named(state.at("failovers"), "FO-IMPORT");
    REQUIRE(failover);
    CHECK(failover->at("primary_server").at("name").as_string() == "dhcp01");
    CHECK(failover->at("secondary_server").at("name").as_string() == "dhcp02");
    CHECK(failover->at("mode").as_string() == "HotStandby");
    CHECK(failover->at("max_client_lead_time").to_number<int>() == 1800);

    const auto* a = find_named(state.at("scopes"), "Import A");
    REQUIRE(a);
    CHECK(a->at("failover").at("name").as_string() == "FO-IMPORT");
    CHECK(a->at("server").is_null());
    CHECK(a->at("router").as_string() == "10.30.1.1");
    CHECK(a->at("lease_lifetime").to_number<int>() == 28800);
    CHECK(a->at("prefix").at("prefix").as_string() == "10.30.1.0/24");
    std::set<std::string> values;
    for (const auto& v : a->at("option_values").as_array()) values.insert(std::string(v.at("value").as_string()));
    CHECK(values == std::set<std::string>{"10.0.0.53, 10.0.1.53", "corp.example.com", "http://wpad/wpad.dat"});
    REQUIRE(a->at("exclusion_ranges").as_array().size() == 1);
    CHECK(a->at("exclusion_ranges").as_array()[0].at("start_ip").as_string() == "10.30.1.10");

    const auto* b = find_named(state.at("scopes"), "Import B");  // inactive on the server: imported too
    REQUIRE(b);
    CHECK(b->at("server").at("name").as_string() == "dhcp01");
    CHECK(b->at("option_values").as_array().size() == 1);
    // One shared row for corp.example.com, used by both scopes.
    CHECK(state.at("option_values").as_array().size() == 3);
    bool wpad = false;
    for (const auto& code : state.at("option_codes").as_array())
        wpad = wpad || (code.at("code").to_number<int>() == 252 && code.at("name").as_string() == "WPAD");
    CHECK(wpad);
    // Nothing is written to the server.
    CHECK(env.dhcp_writes("dhcp01") == 0);
}

TEST_CASE("import twice: the second run creates nothing and writes nothing") {
    auto env = import_environment();
    REQUIRE(env.run({"import", "--server", "dhcp01"}).exit_code == 0);
    env.reset_stats();
    auto second = env.run({"import", "--server", "dhcp01", "--output", "json"});
    INFO(second.out << second.err);
    CHECK(second.exit_code == 0);
    CHECK(env.netbox_writes() == 0);
    auto categories = json::parse(second.out).at("categories").as_object();
    for (const auto& [name, c] : categories) {
        CHECK_MESSAGE(c.at("created").as_array().empty(), name);
        CHECK_MESSAGE(c.at("errors").as_array().empty(), name);
    }
    CHECK(count(categories, "failovers", "skipped") == 1);
    CHECK(count(categories, "scopes", "skipped") == 2);
    CHECK(count(categories, "exclusion_ranges", "skipped") == 2);
    // The text form: one line per category, as the plugin logs it.
    auto text = env.run({"import", "--server", "dhcp01"});
    CHECK(text.out.find("Scopes: 0 created, 2 skipped, 0 error(s)") != std::string::npos);
    CHECK(text.out.find("Import complete for dhcp01") != std::string::npos);
}

TEST_CASE("import with a failover partner NetBox does not know: the error names the server to add") {
    auto env = import_environment(false);
    auto result = env.run({"import", "--server", "dhcp01"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("Failovers: 0 created, 0 skipped, 1 error(s)") != std::string::npos);
    CHECK(result.out.find("FO-IMPORT: secondary server 'dhcp02.corp.example.com' not found — add it as a DHCP Server "
                          "in NetBox first") != std::string::npos);
    // Its scope is imported as a standalone scope of the server, as the plugin does, with a warning.
    auto state = env.netbox().state();
    CHECK(state.at("failovers").as_array().empty());
    const auto* a = find_named(state.at("scopes"), "Import A");
    REQUIRE(a);
    CHECK(a->at("server").at("name").as_string() == "dhcp01");
    CHECK(result.out.find("imported as a standalone scope of dhcp01") != std::string::npos);
}

TEST_CASE("import --dry-run writes nothing and shows exactly the plan the real import applies") {
    auto env = import_environment();
    env.reset_stats();
    auto dry = env.run({"import", "--server", "dhcp01", "--dry-run", "--output", "json"});
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(env.netbox_writes() == 0);
    CHECK(env.dhcp_writes("dhcp01") == 0);
    CHECK(json::parse(dry.out).at("dry_run").as_bool());

    auto real = env.run({"import", "--server", "dhcp01", "--output", "json"});
    INFO(real.out << real.err);
    REQUIRE(real.exit_code == 0);
    using Key = std::tuple<std::string, std::string, std::string, std::string>;
    auto actions = [](const std::string& out, const char* status) {
        std::multiset<Key> keys;
        auto doc = json::parse(out);  // named: a temporary would die before the loop body runs
        for (const auto& a : doc.at("actions").as_array())
            if (a.at("status").as_string() == status)
                keys.emplace(std::string(a.at("kind").as_string()), std::string(a.at("action").as_string()),
                             std::string(a.at("object").as_string()), std::string(a.at("scope").as_string()));
        return keys;
    };
    auto planned = actions(dry.out, "planned");
    CHECK(planned.size() == 10);  // failover, 2 prefixes, 2 scopes, 1 code, 2 values, 2 ranges
    CHECK(planned == actions(real.out, "applied"));
    auto text = env.run({"import", "--server", "dhcp01", "--dry-run", "-v"});
    CHECK(text.out.find("[dry-run: nothing written]") != std::string::npos);
}

TEST_CASE("import of a server NetBox does not have fails without writing") {
    auto env = import_environment();
    env.reset_stats();
    auto result = env.run({"import", "--server", "nope"});
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("unknown DHCP server 'nope'") != std::string::npos);
    CHECK(env.netbox_writes() == 0);
    CHECK(env.run({"import"}).exit_code == 2);  // exactly one --server is required
}
