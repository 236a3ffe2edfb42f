#include "tests/support/sync_environment.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace nds::testing {

namespace json = boost::json;

std::string make_temp_dir(const std::string& prefix) {
    std::string pattern = "/tmp/" + prefix + "-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

SyncEnvironment::SyncEnvironment(Programs programs, std::string work_dir, std::vector<std::string> servers,
                                 bool seed_demo)
    : programs_(std::move(programs)), work_dir_(std::move(work_dir)) {
    for (const auto& name : servers) {
        dhcp_[name] = std::make_unique<Simulator>(
            programs_.psu_sim, std::vector<std::string>{"--token", kPsuToken, "--hostname", name + ".corp.example.com"},
            work_dir_ + "/psu-" + name + ".log");
        ports_[name] = dhcp_[name]->port();
    }
    netbox_ = std::make_unique<Simulator>(programs_.netbox_sim, std::vector<std::string>{}, work_dir_ + "/netbox-sim.log");
    if (seed_demo) {
        auto estate = demo_estate(ports_);
        netbox_->seed(estate.netbox);
        for (const auto& [name, seed] : estate.dhcp)
            if (dhcp_.count(name)) dhcp_[name]->seed(seed);
    }
    config_path_ = write_config();
}

std::string SyncEnvironment::write_config(const std::string& extra_sync_yaml, const std::string& token) {
    auto path = work_dir_ + "/config.yaml";
    std::ofstream out(path);
    out << "netbox:\n"
        << "  url: " << netbox_->url() << "\n"
        << "  token: " << token << "\n"
        << "  timeout: 10s\n"
        << "sync:\n"
        << "  protect_tag: dhcp-protect\n"
        << extra_sync_yaml
        << "dhcp_servers:\n"
        << "  default:\n"
        << "    token: " << kPsuToken << "\n"
        << "    timeout: 5s\n"
        << server_sections()
        << "log:\n"
        << "  level: info\n";
    config_path_ = path;
    return path;
}

std::string SyncEnvironment::write_service_config(const std::string& service_yaml, const std::string& token,
                                                  const std::string& netbox_yaml, const std::string& log_yaml,
                                                  const std::string& file_name) {
    auto path = work_dir_ + "/" + file_name;
    std::ofstream out(path);
    out << "netbox:\n"
        << "  url: " << netbox_->url() << "\n"
        << "  token: " << token << "\n"
        << "  timeout: 10s\n"
        << netbox_yaml
        << "sync:\n"
        << "  protect_tag: dhcp-protect\n"
        << "dhcp_servers:\n"
        << "  default:\n"
        << "    token: " << kPsuToken << "\n"
        << "    timeout: 5s\n"
        << server_sections()
        << "service:\n"
        << "  listen: 127.0.0.1:0\n"
        << service_yaml
        << "log:\n"
        << (log_yaml.empty() ? std::string("  level: info\n") : log_yaml);
    return path;
}

void SyncEnvironment::use_corrected_psu_script(const std::string& server) {
    dhcp(server).post("/_sim/config", boost::json::object{{"script", "fixed"}});
    corrected_scripts_.push_back(server);
}

std::string SyncEnvironment::server_sections() const {
    std::string out;
    for (const auto& server : corrected_scripts_) out += "  " + server + ":\n    psu_script_fixed: true\n";
    return out;
}

RunResult SyncEnvironment::run(std::vector<std::string> args, const std::string& config_path) {
    args.push_back("--config");
    args.push_back(config_path.empty() ? config_path_ : config_path);
    return run_program(programs_.daemon, args, {{"NETBOX_TOKEN", ""}});
}

long SyncEnvironment::netbox_writes() { return static_cast<long>(netbox_->stats().at("writes").to_number<double>()); }

long SyncEnvironment::dhcp_writes(const std::string& server) {
    return static_cast<long>(dhcp_.at(server)->stats().at("writes").to_number<double>());
}

void SyncEnvironment::reset_stats() {
    netbox_->reset_stats();
    for (auto& [name, sim] : dhcp_) sim->reset_stats();
}

}  // namespace nds::testing
