// The DHCP half of applying a plan: each server's writes, in the plan's order, handed to the server's backend
// in one apply() call (a PSU backend sends them one by one, Kea makes one config transaction of them, dhcpd
// renders and pushes one file). Servers are written in parallel, at most max_concurrent_servers at a time.
// Every write's outcome is recorded in the plan's order, so the report lists them as they were applied.
#pragma once

#include "daemon/logger.hpp"
#include "daemon/run_report.hpp"
#include "dhcp_backend/dhcp_backend.hpp"
#include "sync_engine/plan.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace nds::daemon {

class DhcpWriter {
public:
    /// The backend of a server, nullptr when the run has none for it.
    using BackendLookup = std::function<backend::DhcpBackend*(const std::string& server)>;

    DhcpWriter(BackendLookup backends, Logger& log, std::size_t max_concurrent_servers);

    /// `also`: servers whose backend gets an apply() even without writes (config_from_netbox).
    boost::asio::awaitable<void> apply(const std::vector<engine::DhcpWrite>& writes, RunReport& report,
                                       const std::set<std::string>& also = {});

    /// Writes recorded as skipped because the run was stopped.
    std::size_t not_applied() const { return not_applied_; }

private:
    BackendLookup backends_;
    Logger& log_;
    std::size_t max_concurrent_servers_;
    std::size_t not_applied_ = 0;
};

}  // namespace nds::daemon
