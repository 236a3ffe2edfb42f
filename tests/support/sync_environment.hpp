// A NetBox simulator, one PSU simulator per DHCP server and a config file pointing the daemon at them:
// what the demo and every integration test start from.
#pragma once

#include "tests/support/child_process.hpp"
#include "tests/support/demo_estate.hpp"
#include "tests/support/simulator.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nds::testing {

struct Programs {
    std::string daemon;
    std::string netbox_sim;
    std::string psu_sim;
};

class SyncEnvironment {
public:
    /// Starts the simulators (logs under `work_dir`) and seeds the demo estate.
    SyncEnvironment(Programs programs, std::string work_dir,
                    std::vector<std::string> servers = {"dhcp01", "dhcp02", "dhcp03"}, bool seed_demo = true);

    Simulator& netbox() { return *netbox_; }
    Simulator& dhcp(const std::string& server) { return *dhcp_.at(server); }
    const std::map<std::string, std::uint16_t>& dhcp_ports() const { return ports_; }

    /// Writes the config (demo defaults plus `extra_sync_yaml` lines under `sync:`) and returns its path.
    std::string write_config(const std::string& extra_sync_yaml = "", const std::string& token = kAliceToken);
    /// For the service: the demo config with `netbox_yaml` lines added under `netbox:`, `service_yaml` lines
    /// under `service:` and `log_yaml` under `log:` (default: level info, text), written to `file_name`.
    std::string write_service_config(const std::string& service_yaml, const std::string& token = kAliceToken,
                                     const std::string& netbox_yaml = "", const std::string& log_yaml = "",
                                     const std::string& file_name = "service.yaml");
    const std::string& work_dir() const { return work_dir_; }
    /// `server`'s simulator runs the corrected endpoint script, and the configs written from now on say so
    /// (dhcp_servers.<server>.psu_script_fixed: true).
    void use_corrected_psu_script(const std::string& server);

    /// Runs `netbox-dhcp-sync <args> --config <config>`.
    RunResult run(std::vector<std::string> args, const std::string& config_path = "");

    /// Requests and writes the NetBox simulator has counted since the last reset.
    long netbox_writes();
    long dhcp_writes(const std::string& server);
    void reset_stats();

private:
    Programs programs_;
    std::string work_dir_;
    std::string config_path_;
    std::unique_ptr<Simulator> netbox_;
    std::map<std::string, std::unique_ptr<Simulator>> dhcp_;
    std::map<std::string, std::uint16_t> ports_;
    std::vector<std::string> corrected_scripts_;
    std::string server_sections() const;
};

/// A fresh directory under /tmp.
std::string make_temp_dir(const std::string& prefix);

}  // namespace nds::testing
