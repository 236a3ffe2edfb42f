// Applies a Plan: the NetBox writes (NetBoxWriter), then the DHCP-server writes (DhcpWriter), and records the
// plan's skips and problems. It takes no decision of its own (those are the engine's).
#pragma once

#include "daemon/dhcp_writer.hpp"
#include "daemon/logger.hpp"
#include "daemon/netbox_writer.hpp"
#include "daemon/run_report.hpp"
#include "netbox_client/netbox_client.hpp"
#include "sync_engine/plan.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <set>
#include <string>

namespace nds::daemon {

struct ExecutorLimits {
    std::size_t max_concurrent_servers = 4;  ///< DHCP servers written at once
    std::size_t netbox_batch_size = 0;       ///< NetBox objects written between two checks for a stop (0 = no batches)
};

class PlanExecutor {
public:
    PlanExecutor(netbox::NetBoxClient& netbox, DhcpWriter::BackendLookup backends, Logger& log, ExecutorLimits limits);

    /// Applies every action and records each one in `report` as applied or failed (or skipped once stopped).
    boost::asio::awaitable<void> apply(const engine::Plan& plan, RunReport& report);

    /// The two halves, for a run that writes its DHCP servers once, after all of its NetBox writes: the
    /// plan's skips, problems and NetBox writes...
    boost::asio::awaitable<void> apply_netbox(const engine::Plan& plan, RunReport& report);
    /// ...and DHCP writes, one apply() per server; `also` are servers whose backend gets an apply() even
    /// without writes (their configuration comes from NetBox).
    boost::asio::awaitable<void> apply_dhcp(const std::vector<engine::DhcpWrite>& writes, RunReport& report,
                                            const std::set<std::string>& also = {});

    /// Actions recorded as skipped because the run was stopped.
    std::size_t not_applied() const { return netbox_.not_applied() + dhcp_.not_applied(); }

private:
    NetBoxWriter netbox_;
    DhcpWriter dhcp_;
};

}  // namespace nds::daemon
