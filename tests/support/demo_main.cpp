// The demo: simulators for NetBox and three Windows DHCP servers, seeded with a small estate, then one
// real sync, printing what it changed in NetBox (from NetBox's own change log), then a second sync that
// has nothing to do.
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
        auto changes = env.netbox().get("/_sim/changes");
        for (const auto& change : changes.as_array()) {
            const auto& c = change.as_object();
            auto action = c.contains("action") && c.at("action").is_object() ? text(c.at("action").at("value")) : text(c.at("action"));
            std::cout << "  " << action << " " << text(c.at("changed_object_type")) << " " << text(c.at("object_repr"))
                      << "  by " << text(c.at("user_name")) << "\n";
        }
        std::cout << "\n== A second sync: nothing changed on either side, so no writes\n";
        env.reset_stats();
        auto second = env.run({"sync"});
        std::cout << second.out;
        std::cout << "NetBox writes during the second run: " << env.netbox_writes() << "\n";
        return first.exit_code == 0 && second.exit_code == 0 && env.netbox_writes() == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "demo failed: " << e.what() << "\n";
        return 1;
    }
}
