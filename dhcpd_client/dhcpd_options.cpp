#include "dhcpd_client/dhcpd_options.hpp"

#include "dhcpd_client/option_catalog.hpp"

namespace nds::dhcpd {
namespace {

Error bad(const std::string& server, const std::string& key, const std::string& what) {
    return Error{make_error_code(errc::config), "dhcp_servers." + server + "." + key + ": " + what};
}

bool valid_port(int port) { return port > 0 && port < 65536; }

}  // namespace

Expected<Done> validate(const DhcpdOptions& o, const std::string& server) {
    if (o.ssh.host.empty()) return bad(server, "ssh.host", "is required");
    if (!valid_port(o.ssh.port)) return bad(server, "ssh.port", std::to_string(o.ssh.port) + " is not a port (1-65535)");
    if (o.ssh.user.empty()) return bad(server, "ssh.user", "is required");
    if (o.ssh.key_file.empty() == o.ssh.password_file.empty())
        return bad(server, "ssh", "set exactly one of key_file and password_file");
    if (o.ssh.known_hosts.empty())
        return bad(server, "ssh.known_hosts", "is required (the host key is always checked; accept_new_host_key records new ones)");
    if (o.ssh.timeout.count() <= 0) return bad(server, "ssh.timeout", "must be positive");
    if (o.config_path.empty() || o.config_path.front() != '/')
        return bad(server, "config_path", "'" + o.config_path + "' is not an absolute path");
    if (o.leases_path.empty() || o.leases_path.front() != '/')
        return bad(server, "leases_path", "'" + o.leases_path + "' is not an absolute path");
    if (!o.config_test.empty() && o.config_test.find("{file}") == std::string::npos)
        return bad(server, "config_test", "'" + o.config_test + "' does not name {file}: it would not test the uploaded candidate");
    if (o.server_start.empty()) return bad(server, "server_start", "is required (dhcpd has no reload: it is restarted)");
    if (o.command_timeout.count() <= 0) return bad(server, "command_timeout", "must be positive");
    if (o.server_check_delay.count() < 0) return bad(server, "server_check_delay", "must not be negative");
    if (o.globals.default_lease_time < 0) return bad(server, "globals.default_lease_time", "must not be negative");
    if (o.globals.max_lease_time < 0) return bad(server, "globals.max_lease_time", "must not be negative");
    if (o.globals.local_port != 0 && !valid_port(o.globals.local_port))
        return bad(server, "globals.local_port", std::to_string(o.globals.local_port) + " is not a port");
    for (char c : o.globals.log_facility)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            return bad(server, "globals.log_facility", "'" + o.globals.log_facility + "' is not a syslog facility name");
    if (!o.globals.option_routers.empty())
        if (auto v = format_option_value(OptionFormat::ip_list, {o.globals.option_routers}); !v)
            return bad(server, "globals.option_routers", v.error().message);
    if (!o.globals.option_domain_name_servers.empty())
        if (auto v = format_option_value(OptionFormat::ip_list, {o.globals.option_domain_name_servers}); !v)
            return bad(server, "globals.option_domain_name_servers", v.error().message);
    for (std::size_t i = 0; i < o.free_lines.size(); ++i)
        if (o.free_lines[i].find('\n') != std::string::npos)
            return bad(server, "free_lines[" + std::to_string(i) + "]", "holds a line break: give one line per entry");
    if (!valid_port(o.failover.port)) return bad(server, "failover.port", "is not a port");
    if (!valid_port(o.failover.peer_port)) return bad(server, "failover.peer_port", "is not a port");
    if (o.failover.max_unacked_updates <= 0) return bad(server, "failover.max_unacked_updates", "must be positive");
    if (o.failover.load_balance_max_seconds <= 0) return bad(server, "failover.load_balance_max_seconds", "must be positive");
    return Done{};
}

}  // namespace nds::dhcpd
