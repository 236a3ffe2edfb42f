// Network namespaces for tests with real DHCP traffic: a server namespace and a client namespace joined by a
// veth pair, each end with its own address and MAC, removed again when the object goes away. Real DHCP
// servers (kea-dhcp4, dhcpd) run in the server namespace on the veth end; real clients (udhcpc, dhclient,
// perfdhcp) run in the client namespace. Loopback and the host's network are never touched.
//
// Namespaces need root (CAP_SYS_ADMIN). Where the machine forbids them, NetworkNamespacePair::available()
// says why, and the tests that need real traffic are skipped with that message (never a silent pass).
#pragma once

#include "tests/support/child_process.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nds::testing {

class NetworkNamespacePair {
public:
    struct Options {
        std::string prefix = "nds";             ///< namespace and link names start with it (made unique per process)
        std::string server_address = "192.0.2.1/24";  ///< on the server's veth end
        std::string client_address;             ///< "" = none (DHCP clients get theirs); perfdhcp needs one
        std::string client_mac = "02:00:00:00:00:01";
    };

    /// nullopt when namespaces work here; otherwise why they do not (the skip message).
    static std::optional<std::string> unavailable();

    /// Creates both namespaces and the veth pair; throws std::runtime_error naming the failed command.
    explicit NetworkNamespacePair(Options options);
    NetworkNamespacePair() : NetworkNamespacePair(Options{}) {}
    ~NetworkNamespacePair();
    NetworkNamespacePair(const NetworkNamespacePair&) = delete;
    NetworkNamespacePair& operator=(const NetworkNamespacePair&) = delete;

    const std::string& server_namespace() const { return server_ns_; }
    const std::string& client_namespace() const { return client_ns_; }
    const std::string& server_interface() const { return server_if_; }  ///< the veth end in the server namespace
    const std::string& client_interface() const { return client_if_; }  ///< the veth end in the client namespace

    /// The arguments of kIp for `ip netns exec <ns> argv...`: ChildProcess(kIp, in_server({...})).
    std::vector<std::string> in_server(const std::vector<std::string>& argv) const;
    std::vector<std::string> in_client(const std::vector<std::string>& argv) const;
    /// Sets the client end's MAC (a second client, or a client NetBox has a reservation for).
    void set_client_mac(const std::string& mac);

private:
    std::string server_ns_, client_ns_, server_if_, client_if_;
};

inline constexpr const char* kIp = "/usr/sbin/ip";

/// Runs `ip` with the arguments; throws std::runtime_error with its output when it fails.
void run_ip(const std::vector<std::string>& args);

}  // namespace nds::testing
