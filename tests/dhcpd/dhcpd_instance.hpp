// The server side of a dhcpd push test: where dhcpd's files live and the commands the backend runs over SSH
// to stop, start and check it. With a network namespace pair the server is a real dhcpd (daemon mode, in the
// server namespace, on the veth end); without one it is a stand-in process that only runs after the real
// `dhcpd -t` accepted the file (the push steps are then still real, the DHCP traffic is not). The server is
// stopped when the object goes away.
#pragma once

#include "tests/support/network_namespace.hpp"

#include <optional>
#include <string>
#include <sys/types.h>

namespace nds::dhcpd::test {

class DhcpdInstance {
public:
    /// `ns` nullptr: the stand-in. Writes the start/stop/check scripts into `dir`.
    DhcpdInstance(const std::string& dir, const nds::testing::NetworkNamespacePair* ns);
    ~DhcpdInstance();

    bool real() const { return ns_ != nullptr; }
    std::string config_path, leases_path, pid_path, start_command, stop_command, check_command;

    /// The pid of the running server; nullopt when it does not run.
    std::optional<pid_t> pid() const;
    /// Stops it from the test side (the same script the backend runs).
    void stop();

private:
    const nds::testing::NetworkNamespacePair* ns_;
};

/// Runs busybox udhcpc once in the client namespace (the client end's MAC as it is set); returns the address
/// it was given, or nullopt (with udhcpc's output in `log`). Its script only records the address: the
/// host's resolv.conf and routes are never touched.
std::optional<std::string> run_udhcpc(const nds::testing::NetworkNamespacePair& ns, const std::string& dir,
                                      const std::string& hostname, std::string& log);

}  // namespace nds::dhcpd::test
