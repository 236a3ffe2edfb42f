#include "tests/support/network_namespace.hpp"

#include <atomic>
#include <stdexcept>
#include <unistd.h>

namespace nds::testing {
namespace {

std::string join(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
    return out;
}

std::vector<std::string> exec_in(const std::string& ns, const std::vector<std::string>& argv) {
    std::vector<std::string> out{"netns", "exec", ns};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

}  // namespace

void run_ip(const std::vector<std::string>& args) {
    auto result = run_program("/usr/sbin/ip", args, {}, std::chrono::seconds(30));
    if (result.exit_code != 0)
        throw std::runtime_error("ip " + join(args) + " failed (exit " + std::to_string(result.exit_code) +
                                 "): " + result.out + result.err);
}

std::optional<std::string> NetworkNamespacePair::unavailable() {
    if (::access("/usr/sbin/ip", X_OK) != 0) return "no /usr/sbin/ip (package iproute2)";
    if (::geteuid() != 0) return "network namespaces need root";
    std::string probe = "nds-probe-" + std::to_string(::getpid());
    auto added = run_program("/usr/sbin/ip", {"netns", "add", probe}, {}, std::chrono::seconds(10));
    if (added.exit_code != 0) return "ip netns add is refused here: " + added.err;
    run_program("/usr/sbin/ip", {"netns", "del", probe}, {}, std::chrono::seconds(10));
    return std::nullopt;
}

NetworkNamespacePair::NetworkNamespacePair(Options options) {
    static std::atomic<int> counter{0};
    // Interface names are at most 15 characters: keep the unique part short.
    auto unique = std::to_string(::getpid() % 100000) + "x" + std::to_string(counter++);
    server_ns_ = options.prefix + "-s" + unique;
    client_ns_ = options.prefix + "-c" + unique;
    server_if_ = "vs" + unique;
    client_if_ = "vc" + unique;
    run_ip({"netns", "add", server_ns_});
    try {
        run_ip({"netns", "add", client_ns_});
        run_ip({"-n", server_ns_, "link", "add", server_if_, "type", "veth", "peer", "name", client_if_, "netns", client_ns_});
        run_ip({"-n", server_ns_, "link", "set", "lo", "up"});
        run_ip({"-n", client_ns_, "link", "set", "lo", "up"});
        run_ip({"-n", server_ns_, "addr", "add", options.server_address, "dev", server_if_});
        run_ip({"-n", server_ns_, "link", "set", server_if_, "up"});
        run_ip({"-n", client_ns_, "link", "set", client_if_, "address", options.client_mac});
        if (!options.client_address.empty())
            run_ip({"-n", client_ns_, "addr", "add", options.client_address, "dev", client_if_});
        run_ip({"-n", client_ns_, "link", "set", client_if_, "up"});
    } catch (...) {
        run_program("/usr/sbin/ip", {"netns", "del", client_ns_}, {}, std::chrono::seconds(10));
        run_program("/usr/sbin/ip", {"netns", "del", server_ns_}, {}, std::chrono::seconds(10));
        throw;
    }
}

NetworkNamespacePair::~NetworkNamespacePair() {
    // Deleting a namespace removes its end of the veth pair, and with it the other end.
    run_program("/usr/sbin/ip", {"netns", "del", client_ns_}, {}, std::chrono::seconds(10));
    run_program("/usr/sbin/ip", {"netns", "del", server_ns_}, {}, std::chrono::seconds(10));
}

std::vector<std::string> NetworkNamespacePair::in_server(const std::vector<std::string>& argv) const {
    return exec_in(server_ns_, argv);
}

std::vector<std::string> NetworkNamespacePair::in_client(const std::vector<std::string>& argv) const {
    return exec_in(client_ns_, argv);
}

void NetworkNamespacePair::set_client_mac(const std::string& mac) {
    run_ip({"-n", client_ns_, "link", "set", client_if_, "down"});
    run_ip({"-n", client_ns_, "link", "set", client_if_, "address", mac});
    run_ip({"-n", client_ns_, "link", "set", client_if_, "up"});
}

}  // namespace nds::testing
