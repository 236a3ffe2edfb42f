// The whole sync with a real Kea: the netbox-dhcp-sync binary against the NetBox simulator and a real
// kea-dhcp4 + kea-ctrl-agent. Leases come into NetBox with the engine's rules, reservations made in NetBox
// go into Kea's running configuration and its file, a run with nothing to change changes nothing in Kea,
// and import reads Kea's subnets, pools and options.
#include "tests/kea/kea_instance.hpp"
#include "tests/support/demo_estate.hpp"
#include "tests/support/simulator.hpp"
#include "tests/support/sync_environment.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include "tests/kea/kea_skip.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace json = boost::json;
using namespace nds::testing;

namespace {

const char* kKeaConfig = R"({
  "valid-lifetime": 3600,
  "subnet4": [
    { "id": 7, "subnet": "10.50.1.0/24",
      "pools": [ {"pool": "10.50.1.10 - 10.50.1.19"}, {"pool": "10.50.1.30 - 10.50.1.200"} ],
      "option-data": [ {"name": "routers", "data": "10.50.1.1"}, {"name": "domain-name-servers", "data": "10.50.0.53"} ],
      "user-context": {"netbox-dhcp-sync": {"name": "Kea Office"}},
      "reservations": [ {"hw-address": "02:00:00:00:00:42", "ip-address": "10.50.1.42", "hostname": "printer"} ] }
  ]
})";

/// The NetBox simulator (a process) seeded with kea01 and its scope, a config pointing the daemon at both.
struct KeaSyncEnvironment {
    std::string dir = make_temp_dir("nds-kea-sync");
    KeaInstance kea;
    Simulator netbox{NDS_NETBOX_SIM, {}, dir + "/netbox_sim.log"};

    explicit KeaSyncEnvironment(bool seed_scope = true) : kea(options()) {
        json::object nb{
            {"users", json::array{json::object{{"username", "alice"}, {"token", kAliceToken}}}},
            {"tags", json::array{json::object{{"name", "dhcp-sync"}, {"slug", "dhcp-sync"}},
                                 json::object{{"name", "dhcp-protect"}, {"slug", "dhcp-protect"}}}},
            {"prefixes", json::array{json::object{{"prefix", "10.50.1.0/24"}, {"vrf", nullptr}, {"tags", json::array{}},
                                                  {"status", "active"}}}},
            {"servers", json::array{json::object{{"name", "kea01"}, {"hostname", "127.0.0.1"}, {"port", kea.ca_port()},
                                                 {"use_https", false}, {"verify_ssl", true},
                                                 {"sync_standalone_scopes", true}, {"tags", json::array{}}}}}};
        if (seed_scope)
            nb["scopes"] = json::array{json::object{
                {"name", "Kea Office"}, {"prefix", "10.50.1.0/24"}, {"vrf", nullptr}, {"start_ip", "10.50.1.10"},
                {"end_ip", "10.50.1.200"}, {"router", "10.50.1.1"}, {"lease_lifetime", 3600}, {"server", "kea01"},
                {"failover", nullptr}, {"tags", json::array{}},
                {"exclusion_ranges", json::array{json::object{{"start_ip", "10.50.1.20"}, {"end_ip", "10.50.1.29"}}}}}};
        netbox.seed(nb);
    }

    static KeaInstanceOptions options() {
        KeaInstanceOptions o;
        o.name = "kea-sync";
        o.dhcp4 = kKeaConfig;
        return o;
    }

    std::string config(const std::string& sync_yaml = "") {
        std::string path = dir + "/config.yaml";
        std::ofstream out(path);
        out << "netbox:\n  url: " << netbox.url() << "\n  token: " << kAliceToken << "\n  max_retries: 0\n"
            << "sync:\n  protect_tag: dhcp-protect\n" << sync_yaml
            << "dhcp_servers:\n  kea01:\n    backend: kea\n    url: " << kea.url() << "\n    kea_service: dhcp4\n"
            << "log:\n  level: debug\n";
        return path;
    }

    RunResult run(std::vector<std::string> args, const std::string& config_path) {
        args.push_back("--config");
        args.push_back(config_path);
        return run_program(NDS_BINARY, args, {{"NETBOX_TOKEN", ""}});
    }

    void add_lease(const char* ip, const char* mac, const char* hostname, int state = 0) {
        json::object lease{{"ip-address", ip}, {"hw-address", mac}, {"hostname", hostname}, {"valid-lft", 3600},
                           {"state", state}};
        auto answer = kea.command("lease4-add", &lease);
        REQUIRE(answer.at("result").to_number<int>() == 0);
    }

    std::map<std::string, json::object> ips() {
        std::map<std::string, json::object> out;
        auto state = netbox.state();
        for (const auto& ip : state.at("ip_addresses").as_array())
            out[std::string(ip.at("address").as_string())] = ip.as_object();
        return out;
    }

    long netbox_writes() { return netbox.stats().at("writes").to_number<long>(); }
};

std::string status_of(const json::object& ip) { return std::string(ip.at("status").at("value").as_string()); }

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool kea_has_reservation(const json::object& dhcp4, const std::string& ip, const std::string& mac) {
    for (const auto& subnet : dhcp4.at("subnet4").as_array())
        for (const auto& r : subnet.at("reservations").as_array())
            if (r.at("ip-address").as_string() == ip && r.at("hw-address").as_string() == mac) return true;
    return false;
}

}  // namespace

TEST_CASE("sync with Kea: leases become NetBox IPs, stale ones go, declined leases are not leases, a second run changes nothing") {
    SKIP_WITHOUT_KEA();
    KeaSyncEnvironment env;
    env.add_lease("10.50.1.50", "02:00:00:00:01:50", "laptop-50");
    env.add_lease("10.50.1.51", "02:00:00:00:01:51", "Phone-51.Example.Net");
    env.add_lease("10.50.1.52", "02:00:00:00:01:52", "declined", 1);
    env.netbox.seed(json::object{{"ip_addresses", json::array{
        json::object{{"address", "10.50.1.60/24"}, {"vrf", nullptr}, {"status", "dhcp"}, {"dns_name", "gone"},
                     {"description", ""}, {"tags", json::array{"dhcp-sync"}},
                     {"custom_fields", json::object{{"dhcp_client_id", "02-00-00-00-01-60"}}}},
        json::object{{"address", "10.50.1.61/24"}, {"vrf", nullptr}, {"status", "dhcp"}, {"dns_name", "kept"},
                     {"description", ""}, {"tags", json::array{"dhcp-sync", "dhcp-protect"}},
                     {"custom_fields", json::object{{"dhcp_client_id", "02-00-00-00-01-61"}}}}}}});
    auto config = env.config();
    auto result = env.run({"sync", "--output", "json"}, config);
    INFO(result.out << result.err << env.kea.logs());
    REQUIRE(result.exit_code == 0);
    auto ips = env.ips();
    REQUIRE(ips.count("10.50.1.50/24"));
    CHECK(status_of(ips["10.50.1.50/24"]) == "dhcp");
    CHECK(ips["10.50.1.50/24"].at("custom_fields").at("dhcp_client_id").as_string() == "02-00-00-00-01-50");
    CHECK(ips["10.50.1.51/24"].at("dns_name").as_string() == "phone-51.example.net");
    // The reservation Kea holds becomes a reserved IP (the reservations pass).
    REQUIRE(ips.count("10.50.1.42/24"));
    CHECK(status_of(ips["10.50.1.42/24"]) == "reserved");
    CHECK_FALSE(ips.count("10.50.1.52/24"));  // declined
    CHECK_FALSE(ips.count("10.50.1.60/24"));  // stale managed lease IP: deleted
    CHECK(ips.count("10.50.1.61/24"));        // protected: kept

    // Nothing changed since: no NetBox write, and Kea's configuration and file untouched.
    auto before = env.kea.config();
    auto file_before = file_text(env.kea.dhcp4_config_path());
    env.netbox.reset_stats();
    auto again = env.run({"sync"}, config);
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    CHECK(env.netbox_writes() == 0);
    CHECK(json::serialize(env.kea.config()) == json::serialize(before));
    CHECK(file_text(env.kea.dhcp4_config_path()) == file_before);
    CHECK(again.err.find("config-set") == std::string::npos);
}

TEST_CASE("sync with Kea: a reservation made in NetBox is pushed into Kea's running configuration and its file") {
    SKIP_WITHOUT_KEA();
    KeaSyncEnvironment env;
    env.netbox.seed(json::object{{"ip_addresses", json::array{json::object{
        {"address", "10.50.1.77/24"}, {"vrf", nullptr}, {"status", "reserved"}, {"dns_name", "camera-77"},
        {"description", ""}, {"tags", json::array{}}, {"custom_fields", json::object{{"dhcp_client_id", "AA:BB:CC:00:07:77"}}}}}}});
    auto config = env.config("  push_reservations: true\n");
    auto dry = env.run({"sync", "--dry-run", "--output", "json"}, config);
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK_FALSE(kea_has_reservation(env.kea.config(), "10.50.1.77", "aa:bb:cc:00:07:77"));  // dry run: nothing sent

    auto result = env.run({"sync", "-v"}, config);
    INFO(result.out << result.err << env.kea.logs());
    REQUIRE(result.exit_code == 0);
    CHECK(kea_has_reservation(env.kea.config(), "10.50.1.77", "aa:bb:cc:00:07:77"));
    auto file = json::parse(file_text(env.kea.dhcp4_config_path())).at("Dhcp4").as_object();
    CHECK(kea_has_reservation(file, "10.50.1.77", "aa:bb:cc:00:07:77"));
    // NetBox's exclusion range is pushed too (push_scope_info is off, so it is pulled instead: Kea's gap
    // 10.50.1.20-29 equals NetBox's range, nothing changes either way).
    auto again = env.run({"sync"}, config);
    CHECK(again.exit_code == 0);
}

TEST_CASE("import from Kea: the subnet becomes a scope with its range, the gap between pools an exclusion, options values") {
    SKIP_WITHOUT_KEA();
    KeaSyncEnvironment env(/*seed_scope=*/false);
    auto config = env.config();
    auto result = env.run({"import", "--server", "kea01", "--output", "json"}, config);
    INFO(result.out << result.err << env.kea.logs());
    REQUIRE(result.exit_code == 0);
    auto state = env.netbox.state();
    const json::object* scope = nullptr;
    for (const auto& s : state.at("scopes").as_array())
        if (s.at("name").as_string() == "Kea Office") scope = &s.as_object();
    REQUIRE(scope);
    CHECK(scope->at("start_ip").as_string() == "10.50.1.10");
    CHECK(scope->at("end_ip").as_string() == "10.50.1.200");
    CHECK(scope->at("lease_lifetime").to_number<int>() == 3600);
    bool gap = false;
    for (const auto& range : state.at("exclusion_ranges").as_array())
        gap = gap || (range.at("start_ip").as_string() == "10.50.1.20" && range.at("end_ip").as_string() == "10.50.1.29");
    CHECK(gap);
    bool dns = false;
    for (const auto& value : state.at("option_values").as_array()) dns = dns || value.at("value").as_string() == "10.50.0.53";
    CHECK(dns);
}

TEST_CASE("sync with Kea: a Kea that cannot be reached is reported, and nothing in NetBox is deleted") {
    SKIP_WITHOUT_KEA();
    KeaSyncEnvironment env;
    env.netbox.seed(json::object{{"ip_addresses", json::array{json::object{
        {"address", "10.50.1.60/24"}, {"vrf", nullptr}, {"status", "dhcp"}, {"dns_name", "still-here"},
        {"description", ""}, {"tags", json::array{"dhcp-sync"}},
        {"custom_fields", json::object{{"dhcp_client_id", "02-00-00-00-01-60"}}}}}}});
    auto config = env.config();
    env.kea.stop_server();  // the agent answers, kea-dhcp4 does not
    auto result = env.run({"sync"}, config);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(env.ips().count("10.50.1.60/24"));
}
