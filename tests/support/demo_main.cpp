// The demo: simulators for NetBox and three Windows DHCP servers, seeded with a small estate, then one
// real sync, printing what it changed in NetBox (from NetBox's own change log), then a second sync that
// has nothing to do. Where ISC Kea is installed (scripts/install-deps.sh installs it), a real kea-dhcp4 +
// kea-ctrl-agent joins as kea01: its leases come into NetBox and a NetBox reservation goes into Kea.
#include "tests/kea/kea_instance.hpp"
#include "tests/support/sync_environment.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <iostream>

using namespace nds::testing;
namespace json = boost::json;

namespace {

std::string text(const json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_null()) return "";
    return json::serialize(v);
}

void print_changes_since(Simulator& netbox, std::size_t first) {
    auto changes = netbox.get("/_sim/changes");
    const auto& list = changes.as_array();
    for (std::size_t i = first; i < list.size(); ++i) {
        const auto& c = list[i].as_object();
        auto action = c.contains("action") && c.at("action").is_object() ? text(c.at("action").at("value")) : text(c.at("action"));
        std::cout << "  " << action << " " << text(c.at("changed_object_type")) << " " << text(c.at("object_repr"))
                  << "  by " << text(c.at("user_name")) << "\n";
    }
}

std::size_t change_count(Simulator& netbox) { return netbox.get("/_sim/changes").as_array().size(); }

const char* kKeaDemoConfig = R"({
  "valid-lifetime": 3600,
  "subnet4": [
    { "id": 60, "subnet": "10.60.1.0/24",
      "pools": [ {"pool": "10.60.1.100 - 10.60.1.200"} ],
      "option-data": [ {"name": "routers", "data": "10.60.1.1"} ] }
  ]
})";

/// kea01: a real Kea whose subnet NetBox holds as a scope, with three leases and a NetBox reservation to push.
/// Returns false when the sync did not do what the demo says.
bool kea_demo(SyncEnvironment& env, const std::string& dir) {
    if (auto why = KeaInstance::unavailable()) {
        std::cout << "\n== ISC Kea: not shown (" << *why << "; scripts/install-deps.sh installs it)\n";
        return true;
    }
    std::cout << "\n== A real ISC Kea 2.2 (kea-dhcp4 + kea-ctrl-agent on 127.0.0.1) as kea01, backend: kea\n";
    KeaInstanceOptions options;
    options.name = "nds-demo-kea";
    options.dhcp4 = kKeaDemoConfig;
    KeaInstance kea(options);
    for (int host = 101; host <= 103; ++host) {
        json::object lease{{"ip-address", "10.60.1." + std::to_string(host)},
                           {"hw-address", "02:00:00:60:01:" + std::to_string(host - 100 + 10)},
                           {"hostname", "kea-client-" + std::to_string(host)}, {"valid-lft", 3600}};
        kea.command("lease4-add", &lease);
    }
    env.netbox().seed(json::object{
        {"prefixes", json::array{json::object{{"prefix", "10.60.1.0/24"}, {"vrf", nullptr}, {"tags", json::array{}},
                                              {"status", "active"}}}},
        {"servers", json::array{json::object{{"name", "kea01"}, {"hostname", "127.0.0.1"}, {"port", kea.ca_port()},
                                             {"use_https", false}, {"verify_ssl", true},
                                             {"sync_standalone_scopes", true}, {"tags", json::array{}}}}},
        {"scopes", json::array{json::object{
            {"name", "Kea Lab"}, {"prefix", "10.60.1.0/24"}, {"vrf", nullptr}, {"start_ip", "10.60.1.100"},
            {"end_ip", "10.60.1.200"}, {"router", "10.60.1.1"}, {"lease_lifetime", 3600}, {"server", "kea01"},
            {"failover", nullptr}, {"tags", json::array{}}, {"exclusion_ranges", json::array{}}}}},
        {"ip_addresses", json::array{json::object{
            {"address", "10.60.1.150/24"}, {"vrf", nullptr}, {"status", "reserved"}, {"dns_name", "lab-printer"},
            {"description", ""}, {"tags", json::array{}},
            {"custom_fields", json::object{{"dhcp_client_id", "02-00-00-60-01-50"}}}}}}});
    std::cout << "Kea holds 3 leases in 10.60.1.0/24; NetBox has the scope and a reservation for 10.60.1.150.\n\n";

    auto config = dir + "/kea.yaml";
    std::ofstream(config) << "netbox:\n  url: " << env.netbox().url() << "\n  token: " << kAliceToken << "\n"
                          << "sync:\n  protect_tag: dhcp-protect\n  push_reservations: true\n"
                          << "dhcp_servers:\n  kea01:\n    backend: kea\n    url: " << kea.url() << "\n"
                          << "log:\n  level: info\n";
    std::cout << "== netbox-dhcp-sync sync --server kea01 -v   (config " << config << ")\n";
    auto before = change_count(env.netbox());
    auto run = env.run({"sync", "--server", "kea01", "-v"}, config);
    std::cout << run.out << "(exit code " << run.exit_code << ")\n\n== What changed in NetBox\n";
    print_changes_since(env.netbox(), before);
    bool pushed = false;
    auto running = kea.config();
    for (const auto& subnet : running.at("subnet4").as_array())
        for (const auto& r : subnet.at("reservations").as_array())
            pushed = pushed || r.at("ip-address").as_string() == "10.60.1.150";
    std::cout << "\nKea's running configuration now holds the reservation 10.60.1.150: " << (pushed ? "yes" : "NO") << "\n";
    if (run.exit_code != 0) std::cerr << run.err;
    return run.exit_code == 0 && pushed;
}

}  // namespace

int main() {
    try {
        auto dir = make_temp_dir("netbox-dhcp-sync-demo");
        std::cout << "== netbox-dhcp-sync demo (work dir " << dir << ")\n"
                  << "Starting a NetBox simulator and PSU simulators for dhcp01 + dhcp02 (failover FO-CAMPUS)\n"
                  << "and dhcp03 (standalone), seeded with scopes, leases, reservations and a few NetBox IPs.\n\n";
        SyncEnvironment env({NDS_DEMO_DAEMON, NDS_DEMO_NETBOX_SIM, NDS_DEMO_PSU_SIM}, dir);
        std::cout << "NetBox at " << env.netbox().url() << "; config " << dir << "/config.yaml\n\n";

        std::cout << "== netbox-dhcp-sync sync -v\n";
        auto first = env.run({"sync", "-v"});
        std::cout << first.out;
        std::cout << "(exit code " << first.exit_code << "; log lines on stderr: " << dir << "/sync.log)\n\n";
        { std::ofstream(dir + "/sync.log") << first.err; }

        std::cout << "== What changed in NetBox (its change log)\n";
        print_changes_since(env.netbox(), 0);
        std::cout << "\n== A second sync: nothing changed on either side, so no writes\n";
        env.reset_stats();
        auto second = env.run({"sync"});
        std::cout << second.out;
        auto second_writes = env.netbox_writes();
        std::cout << "NetBox writes during the second run: " << second_writes << "\n";
        bool kea_ok = kea_demo(env, dir);
        return first.exit_code == 0 && second.exit_code == 0 && second_writes == 0 && kea_ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "demo failed: " << e.what() << "\n";
        return 1;
    }
}
