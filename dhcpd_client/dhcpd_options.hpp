// The settings of one ISC dhcpd server (`dhcp_servers.<name>` with `backend: dhcpd`). The daemon's config
// loader fills this struct from the YAML; the key of each field is named in its comment and is the contract
// (docs/dhcpd.md lists them with examples). Defaults are the values of a Debian isc-dhcp-server install.
#pragma once

#include "util/expected.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::dhcpd {

using namespace std::chrono_literals;

/// `ssh:` — how the sync reaches the server. Authentication: key_file or password_file (exactly one).
struct SshOptions {
    std::string host;                  ///< `host`: name or address of the server (required)
    int port = 22;                     ///< `port`
    std::string user;                  ///< `user` (required)
    std::string key_file;              ///< `key_file`: private key (OpenSSH or PEM format, no passphrase)
    std::string password_file;         ///< `password_file`: file holding the password (trailing newline ignored)
    std::string known_hosts;           ///< `known_hosts`: OpenSSH known_hosts file of the trusted host keys (required)
    /// `accept_new_host_key`: a host key the known_hosts file has no entry for is accepted and recorded there
    /// (OpenSSH's StrictHostKeyChecking=accept-new). false: an unknown key refuses the connection. A key that
    /// differs from a recorded one is refused either way: remove the old line to accept a re-keyed server.
    bool accept_new_host_key = false;
    /// `timeout`: bound of every SSH step (connect, authentication, each SFTP request). Commands have their own.
    std::chrono::milliseconds timeout = 15s;
};

/// `globals:` — the global parameters at the top of the rendered file.
struct GlobalOptions {
    bool authoritative = true;              ///< `authoritative`: `authoritative;` or `not authoritative;`
    std::int64_t default_lease_time = 600;  ///< `default_lease_time` (s); 0 = not written
    std::int64_t max_lease_time = 7200;     ///< `max_lease_time` (s); 0 = not written
    int local_port = 0;                     ///< `local_port`: `local-port N;`; 0 = not written (dhcpd uses 67)
    std::string log_facility = "local7";    ///< `log_facility`: `log-facility X;`; "" = not written
    std::string option_routers;             ///< `option_routers`: comma-separated addresses; "" = not written
    std::string option_domain_name_servers; ///< `option_domain_name_servers`: comma-separated names/addresses
    std::string option_domain_name;         ///< `option_domain_name`; "" = not written
};

/// `failover:` — the parts of a `failover peer` declaration NetBox does not hold.
struct FailoverOptions {
    std::string address;               ///< `address`: this server's failover address; "" = its NetBox hostname
    int port = 647;                    ///< `port`: where this server listens for its peer (IANA 647)
    int peer_port = 647;               ///< `peer_port`: where the partner listens
    int max_unacked_updates = 10;      ///< `max_unacked_updates`
    int load_balance_max_seconds = 3;  ///< `load_balance_max_seconds`
};

struct DhcpdOptions {
    SshOptions ssh;                                           ///< `ssh:`
    std::string config_path = "/etc/dhcp/dhcpd.conf";         ///< `config_path`
    std::string leases_path = "/var/lib/dhcp/dhcpd.leases";   ///< `leases_path`
    /// `config_test`: run on the uploaded candidate before it replaces the file; {file} becomes its
    /// shell-quoted path. Must exit 0 for a good file. "" skips the test (not recommended).
    std::string config_test = "dhcpd -t -4 -cf {file}";
    std::string server_stop = "systemctl stop isc-dhcp-server";    ///< `server_stop`
    std::string server_start = "systemctl start isc-dhcp-server";  ///< `server_start`
    /// `server_check`: after server_start and server_check_delay, must exit 0 while the server runs (dhcpd
    /// can exit a moment after a successful start, e.g. when it cannot bind). "" skips the check.
    std::string server_check = "systemctl is-active --quiet isc-dhcp-server";
    std::chrono::milliseconds server_check_delay = 2s;       ///< `server_check_delay`
    /// `version_command`: prints dhcpd's version (health check); "" = not asked.
    std::string version_command = "dhcpd --version";
    std::chrono::milliseconds command_timeout = 60s;         ///< `command_timeout`: bound of each command
    GlobalOptions globals;                                   ///< `globals:`
    std::vector<std::string> free_lines;                     ///< `free_lines`: appended verbatim, in order
    FailoverOptions failover;                                ///< `failover:`
    std::uint64_t max_config_bytes = 64ull << 20;            ///< `max_config_bytes`: a larger file is refused
    std::uint64_t max_leases_bytes = 4ull << 30;             ///< `max_leases_bytes`: a larger file is refused

    /// Not a configuration key: tests set it to break a push at a step ("upload", "config test", ...). It
    /// runs on the backend's SSH thread, before the step.
    std::function<void(std::string_view step)> before_step;
};

/// Checks the values (required keys, ports, {file} in config_test, option values of `globals`); the error
/// (errc::config) names the key under `dhcp_servers.<server>` and the value. The loader calls it.
Expected<Done> validate(const DhcpdOptions& options, const std::string& server);

}  // namespace nds::dhcpd
