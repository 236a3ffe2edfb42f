// A real Kea 2.2 for tests: kea-dhcp4 + kea-ctrl-agent started by hand with their own temporary directory
// (KEA_PIDFILE_DIR / KEA_LOCKFILE_DIR, memfile lease file, unix control socket, logs), the CA on
// 127.0.0.1 at a port of 18000-18999, lease_cmds (and the ha hook when asked) loaded. kea-dhcp4 runs in the
// host namespace with an empty interface list (control only, DHCP port moved off 67 with -p), or in the
// server namespace of a NetworkNamespacePair serving its veth end (the CA stays on 127.0.0.1 and reaches
// kea-dhcp4's unix socket through the file system). Both are stopped, and the directory removed, when the
// object goes away.
#pragma once

#include "tests/support/child_process.hpp"
#include "tests/support/network_namespace.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nds::testing {

inline constexpr const char* kKeaHooks = "/usr/lib/x86_64-linux-gnu/kea/hooks";

/// TLS for the Control Agent (Kea's trust-anchor, cert-file, key-file, cert-required). The instance's own
/// commands (command(), readiness) present `client_cert_file` when it is set.
struct KeaTls {
    std::string ca_file;           ///< the CA that signed both certificates (the agent's trust-anchor)
    std::string cert_file;         ///< the agent's certificate and key
    std::string key_file;
    bool cert_required = true;     ///< clients must present a certificate signed by ca_file
    std::string client_cert_file;  ///< what command() presents
    std::string client_key_file;
};

struct KeaInstanceOptions {
    std::string name = "kea";  ///< temporary directory prefix and HA peer name
    /// Dhcp4 members of the test (subnet4, shared-networks, valid-lifetime, option-data, reservations...) as
    /// a JSON object text. Interfaces, control socket, lease database, hooks and loggers are added.
    std::string dhcp4 = "{}";
    const NetworkNamespacePair* netns = nullptr;  ///< serve DHCP on its server interface, from its namespace
    bool lease_cmds = true;
    /// The ha hook's "high-availability" list as JSON text; "" = no ha hook.
    std::string ha = "";
    std::uint16_t ca_port = 0;  ///< 0 = a free port of 18000-18999
    std::string username;       ///< CA basic auth ("" = none)
    std::string password;
    std::optional<KeaTls> tls;  ///< the CA speaks HTTPS
};

class KeaInstance {
public:
    /// "" when Kea can run here; else why not (the skip message).
    static std::optional<std::string> unavailable();

    /// Writes the configurations, starts kea-dhcp4 and the CA, and waits until version-get answers.
    /// Throws std::runtime_error with the logs when it does not start.
    explicit KeaInstance(KeaInstanceOptions options);
    ~KeaInstance();
    KeaInstance(const KeaInstance&) = delete;
    KeaInstance& operator=(const KeaInstance&) = delete;

    std::string url() const;  ///< "http://127.0.0.1:<port>/" ("https://" with tls)
    std::uint16_t ca_port() const { return ca_port_; }
    const std::string& directory() const { return dir_; }
    const std::string& dhcp4_config_path() const { return dhcp4_path_; }  ///< kea-dhcp4's -c file

    /// Sends one command to the CA and returns the first element of its answer (throws when there is none).
    boost::json::object command(const std::string& name, const boost::json::object* arguments = nullptr) const;
    /// config-get's Dhcp4 object.
    boost::json::object config() const;
    /// Sets `dhcp4` with config-set (throws unless result 0).
    void set_config(const boost::json::object& dhcp4) const;

    void stop_agent();
    void start_agent();  ///< again, on the same port
    void stop_server();
    /// The last lines of both logs, for failure messages.
    std::string logs() const;

private:
    std::string authorization() const;
    const KeaTls* tls() const { return options_.tls ? &*options_.tls : nullptr; }
    void write_configs();
    void start_server();
    bool wait_until_ready(std::chrono::milliseconds timeout) const;

    KeaInstanceOptions options_;
    std::string dir_;
    std::string dhcp4_path_;
    std::string ca_path_;
    std::uint16_t ca_port_ = 0;
    std::unique_ptr<ChildProcess> server_;
    std::unique_ptr<ChildProcess> agent_;
};

/// A port of 18000-18999 that nothing listens on now and that this process has not handed out before.
std::uint16_t free_kea_port();

/// Blocking POST of one body to a Kea HTTP endpoint: the HTTP status and body (status 0: no answer).
std::pair<unsigned, std::string> post_json(std::uint16_t port, const std::string& body,
                                           const std::string& content_type = "application/json",
                                           const std::string& authorization = "", const KeaTls* tls = nullptr);

}  // namespace nds::testing
