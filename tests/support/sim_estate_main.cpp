// netbox-dhcp-sync-sim-estate: the demo's simulators (NetBox + dhcp01/dhcp02/dhcp03), seeded with the demo
// estate, kept running for a daemon started by someone else (scripts/container-test.sh runs the daemon in a
// container and on the host against two of these and compares what each wrote).
//
//   netbox-dhcp-sync-sim-estate --work-dir DIR [--service-listen ADDR:PORT] [--max-seconds N]
//
// Writes DIR/config.yaml (for `sync`) and DIR/service.yaml (the same plus service.listen, for `run`), prints
// NETBOX_URL=..., CONFIG=..., SERVICE_CONFIG=... and then READY on stdout, and serves until SIGTERM/SIGINT.
// Then it writes DIR/writes.json: what the daemon changed, with everything that differs between two
// identically seeded estates (times, request ids, URLs and the simulators' ports) taken out, so two files
// are byte-identical exactly when two daemons made the same writes; prints NETBOX_CHANGES=<count> and exits 0.
// Without a signal it gives up after --max-seconds (default 1800) and exits 1, so it never outlives a
// script that was killed; errors exit 1 with a message.
#include "tests/support/sync_environment.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <pthread.h>
#include <string>

using namespace nds::testing;
namespace json = boost::json;

namespace {

/// Fields that say when or in which request a change happened, not what changed.
bool volatile_key(json::string_view key) {
    return key == "time" || key == "request_id" || key == "created" || key == "last_updated";
}

/// `value` without volatile fields, with each simulator's port replaced by its name ("<port:dhcp01>"), and
/// in strings the simulators' URLs (links) replaced by "<url>" and timestamps (the change message names the
/// run's start) by "<time>".
json::value normalized(const json::value& value, const std::map<std::uint16_t, std::string>& port_names) {
    static const std::regex local_url(R"(https?://127\.0\.0\.1:[0-9]+)");
    static const std::regex timestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d))");
    if (value.is_string()) {
        auto text = std::regex_replace(std::string(value.get_string()), local_url, "<url>");
        return json::value(std::regex_replace(text, timestamp, "<time>"));
    }
    if (value.is_object()) {
        json::object out;
        for (const auto& [key, field] : value.get_object()) {
            if (volatile_key(key)) continue;
            if (key == "port" && field.is_int64()) {
                auto name = port_names.find(static_cast<std::uint16_t>(field.get_int64()));
                if (name != port_names.end()) {
                    out[key] = "<port:" + name->second + ">";
                    continue;
                }
            }
            out[key] = normalized(field, port_names);
        }
        return out;
    }
    if (value.is_array()) {
        json::array out;
        for (const auto& element : value.get_array()) out.push_back(normalized(element, port_names));
        return out;
    }
    return value;
}

struct Options {
    std::string work_dir;
    std::string service_listen = "127.0.0.1:0";
    int max_seconds = 1800;
};

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
        if (arg == "--work-dir") options.work_dir = argv[++i];
        else if (arg == "--service-listen") options.service_listen = argv[++i];
        else if (arg == "--max-seconds") options.max_seconds = std::stoi(argv[++i]);
        else throw std::invalid_argument("unknown argument " + arg);
    }
    if (options.work_dir.empty()) throw std::invalid_argument("--work-dir DIR is required");
    return options;
}

sigset_t stop_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    return signals;
}

void block_stop_signals() {
    auto signals = stop_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

/// Waits for SIGTERM or SIGINT (both blocked by block_stop_signals); false when `seconds` passed first.
bool wait_for_stop_signal(int seconds) {
    auto signals = stop_signals();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        timespec timeout{static_cast<time_t>(left.count()), 0};
        if (sigtimedwait(&signals, nullptr, &timeout) >= 0) return true;
        if (errno != EINTR && errno != EAGAIN) return false;
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        auto options = parse_options(argc, argv);
        SyncEnvironment env({"", NDS_ESTATE_NETBOX_SIM, NDS_ESTATE_PSU_SIM}, options.work_dir);
        // Blocked after the simulators started (they would inherit the mask) and before READY, so the stop
        // signal is taken by sigwait, not by the default action, and the simulators are stopped cleanly.
        block_stop_signals();
        auto config = env.write_config();
        auto service_config = options.work_dir + "/service.yaml";
        {
            std::ifstream in(config);
            std::ofstream out(service_config);
            out << in.rdbuf() << "service:\n  listen: " << options.service_listen << "\n";
        }
        std::cout << "NETBOX_URL=" << env.netbox().url() << "\nCONFIG=" << config << "\nSERVICE_CONFIG=" << service_config
                  << "\nREADY" << std::endl;

        if (!wait_for_stop_signal(options.max_seconds)) {
            std::cerr << "netbox-dhcp-sync-sim-estate: no stop signal within " << options.max_seconds << " s\n";
            return 1;
        }

        std::map<std::uint16_t, std::string> port_names;
        for (const auto& [name, port] : env.dhcp_ports()) port_names[port] = name;
        json::object dhcp;
        for (const auto& [name, port] : env.dhcp_ports()) dhcp[name] = normalized(env.dhcp(name).state(), port_names);
        json::object writes{{"netbox_changes", normalized(env.netbox().get("/_sim/changes"), port_names)},
                            {"netbox_state", normalized(env.netbox().state(), port_names)},
                            {"dhcp_state", std::move(dhcp)}};
        auto changes = writes.at("netbox_changes").as_array().size();
        std::ofstream(options.work_dir + "/writes.json") << json::serialize(writes) << "\n";
        std::cout << "NETBOX_CHANGES=" << changes << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "netbox-dhcp-sync-sim-estate: " << e.what() << "\n";
        return 1;
    }
}
