// `netbox-dhcp-sync run` as a child process for the service's integration tests: started with a config,
// its log (stderr) written to a file the test reads, its port taken from the SERVICE_LISTENING line
// (the config asks for port 0), signals sent by the test, and killed when the object goes away.
#pragma once

#include "http/http_message.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace nds::testing {

class ServiceProcess {
public:
    /// Starts `program run --config <config_path>` with `env` added (NETBOX_TOKEN is cleared unless given)
    /// and waits up to 20 s for it to listen. Throws when it does not.
    ServiceProcess(const std::string& program, const std::string& config_path, const std::string& log_path,
                   const std::vector<std::pair<std::string, std::string>>& env = {});
    ~ServiceProcess();
    ServiceProcess(const ServiceProcess&) = delete;
    ServiceProcess& operator=(const ServiceProcess&) = delete;

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }

    /// One HTTP request to the service (127.0.0.1:port).
    http::Response call(const std::string& method, const std::string& target, const std::string& body = "",
                        const http::Headers& headers = {});

    void signal(int signal_number);
    /// Waits for the process to exit; its exit code (128 + signal when killed), or nullopt after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    bool running();

    /// The whole log so far.
    std::string log() const;
    /// Waits until the log contains `text` `count` times; false after `timeout`.
    bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout, std::size_t count = 1) const;

    /// Polls GET /metrics until `line_prefix` appears with a value >= `at_least`; false after `timeout`.
    bool wait_for_metric(const std::string& line_prefix, double at_least, std::chrono::milliseconds timeout);
    /// The value of the first metrics line starting with `line_prefix` followed by a space (0 when absent).
    double metric(const std::string& line_prefix);

private:
    pid_t pid_ = -1;
    std::string log_path_;
    std::uint16_t port_ = 0;
    bool exited_ = false;
    int status_ = 0;
};

/// NetBox's webhook signature: lowercase hex HMAC-SHA512 of `body` keyed with `secret`.
std::string webhook_signature(const std::string& secret, const std::string& body);

/// Streams the service's log when a check fails: `LogDump dump{&service}; INFO(dump);` (INFO keeps a
/// reference, so the object must outlive the checks).
struct LogDump {
    ServiceProcess* service;
};
inline std::ostream& operator<<(std::ostream& out, const LogDump& dump) {
    return out << "service log:\n" << dump.service->log();
}

}  // namespace nds::testing
