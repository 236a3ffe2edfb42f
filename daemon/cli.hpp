// Command line (README, "Usage"). Parsing only; main.cpp runs the command.
#pragma once

#include "daemon/config.hpp"
#include "util/expected.hpp"

#include <string>
#include <vector>

namespace nds::daemon {

enum class Command { sync, import, run, check, version, help };

struct CliOptions {
    Command command = Command::help;
    std::string config_path;
    std::vector<std::string> servers;
    bool dry_run = false;
    bool allow_mass_delete = false;
    bool output_json = false;
    bool verbose = false;
};

/// The config path is --config, else $NETBOX_DHCP_SYNC_CONFIG, else /etc/netbox-dhcp-sync/config.yaml.
Expected<CliOptions> parse_cli(const std::vector<std::string>& args, EnvLookup env = process_env);

std::string usage_text();

}  // namespace nds::daemon
