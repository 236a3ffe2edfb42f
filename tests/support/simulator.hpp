// A running simulator (tests/sim/) and blocking calls to its REST and /_sim/ control API, for integration
// tests and the demo. Blocking is fine here: each call runs its own short io_context.
#pragma once

#include "http/http_message.hpp"
#include "tests/support/child_process.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nds::testing {

/// One HTTP request to 127.0.0.1:port (HTTPS without verification when `tls`). Throws std::runtime_error
/// when no response arrives.
http::Response http_call(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body = "", const http::Headers& headers = {}, bool tls = false);

class Simulator {
public:
    /// Starts `program` with `--port 0` plus `args` and waits for its "LISTENING <port>" line.
    Simulator(const std::string& program, std::vector<std::string> args, const std::string& log_path = "");

    std::uint16_t port() const { return port_; }
    /// http://, or https:// when started with --tls-cert.
    std::string url() const { return (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_); }
    pid_t pid() const { return process_->pid(); }

    /// Control API; throws when the simulator does not answer 2xx.
    boost::json::value get(const std::string& target);
    boost::json::value post(const std::string& target, const boost::json::value& body);
    void remove(const std::string& target);

    void seed(const boost::json::value& data) { post("/_sim/seed", data); }
    boost::json::value state() { return get("/_sim/state"); }
    boost::json::value stats() { return get("/_sim/stats"); }
    void reset_stats() { post("/_sim/stats/reset", boost::json::object{}); }
    void add_fault(const boost::json::object& rule);
    void clear_faults() { remove("/_sim/faults"); }

    /// Kills the process (a DHCP server going down).
    void stop() { process_->stop(); }

private:
    std::unique_ptr<ChildProcess> process_;
    std::uint16_t port_ = 0;
    bool tls_ = false;
};

}  // namespace nds::testing
