#include "dhcpd_instance.hpp"

#include "sshd_instance.hpp"
#include "tests/support/child_process.hpp"

#include <csignal>
#include <filesystem>
#include <thread>

namespace nds::dhcpd::test {

DhcpdInstance::DhcpdInstance(const std::string& dir, const nds::testing::NetworkNamespacePair* ns) : ns_(ns) {
    config_path = dir + "/dhcpd.conf";
    leases_path = dir + "/dhcpd.leases";
    pid_path = dir + "/dhcpd.pid";
    const std::string start = dir + "/start-dhcpd.sh", stop = dir + "/stop-dhcpd.sh", check = dir + "/check-dhcpd.sh";
    std::string start_script =
        "#!/bin/sh\n"
        "# Starts the test's dhcpd unless it runs; the exit status is dhcpd's.\n"
        "[ -f '" + leases_path + "' ] || : > '" + leases_path + "'\n"
        "if [ -f '" + pid_path + "' ] && kill -0 \"$(cat '" + pid_path + "')\" 2>/dev/null; then exit 0; fi\n";
    if (ns)
        start_script += "exec /usr/sbin/ip netns exec " + ns->server_namespace() + " /usr/sbin/dhcpd -4 -cf '" + config_path +
                        "' -lf '" + leases_path + "' -pf '" + pid_path + "' " + ns->server_interface() + "\n";
    else
        start_script += "/usr/sbin/dhcpd -t -4 -cf '" + config_path + "' || exit 1\n"
                        "setsid sleep 3600 </dev/null >/dev/null 2>&1 &\n"
                        "echo $! > '" + pid_path + "'\n";
    write_text(start, start_script, std::filesystem::perms(0755));
    write_text(stop,
               "#!/bin/sh\n"
               "[ -f '" + pid_path + "' ] || exit 0\n"
               "pid=$(cat '" + pid_path + "')\n"
               "kill \"$pid\" 2>/dev/null || { rm -f '" + pid_path + "'; exit 0; }\n"
               "i=0\n"
               "while kill -0 \"$pid\" 2>/dev/null; do\n"
               "  i=$((i+1)); [ $i -gt 100 ] && { echo \"dhcpd $pid did not stop\" >&2; exit 1; }\n"
               "  sleep 0.1\n"
               "done\n"
               "rm -f '" + pid_path + "'\n",
               std::filesystem::perms(0755));
    write_text(check,
               "#!/bin/sh\n"
               "[ -f '" + pid_path + "' ] && kill -0 \"$(cat '" + pid_path + "')\" 2>/dev/null && exit 0\n"
               "echo 'dhcpd is not running' >&2\n"
               "exit 1\n",
               std::filesystem::perms(0755));
    start_command = start;
    stop_command = stop;
    check_command = check;
}

DhcpdInstance::~DhcpdInstance() { stop(); }

std::optional<pid_t> DhcpdInstance::pid() const {
    auto text = read_text(pid_path);
    if (text.empty()) return std::nullopt;
    pid_t p = static_cast<pid_t>(std::stol(text));
    if (p <= 0 || ::kill(p, 0) != 0) return std::nullopt;
    return p;
}

void DhcpdInstance::stop() {
    auto running = pid();
    nds::testing::run_program("/bin/sh", {stop_command}, {}, std::chrono::seconds(20));
    if (running && ::kill(*running, 0) == 0) ::kill(*running, SIGKILL);
}

std::optional<std::string> run_udhcpc(const nds::testing::NetworkNamespacePair& ns, const std::string& dir,
                                      const std::string& hostname, std::string& log) {
    const std::string script = dir + "/udhcpc-script.sh", result = dir + "/udhcpc-address";
    std::filesystem::remove(result);
    // Only records the address: the stock scripts would rewrite the host's resolv.conf.
    write_text(script,
               "#!/bin/sh\n"
               "[ \"$1\" = bound ] || [ \"$1\" = renew ] || exit 0\n"
               "echo \"$ip\" > '" + result + "'\n",
               std::filesystem::perms(0755));
    auto r = nds::testing::run_program(
        nds::testing::kIp,
        ns.in_client({"/bin/busybox", "udhcpc", "-i", ns.client_interface(), "-n", "-q", "-f", "-t", "6", "-T", "1",
                      "-x", "hostname:" + hostname, "-s", script}),
        {}, std::chrono::seconds(30));
    log = r.out + r.err;
    auto address = read_text(result);
    while (!address.empty() && (address.back() == '\n' || address.back() == ' ')) address.pop_back();
    if (r.exit_code != 0 || address.empty()) return std::nullopt;
    return address;
}

}  // namespace nds::dhcpd::test
