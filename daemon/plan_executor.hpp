// Applies a Plan: NetBox writes in bulk through NetBoxClient, DHCP-server writes one by one through the
// server's PsuClient. It takes no decision of its own (those are the engine's); it only orders the writes
// so that dependencies exist (prefix before scope, deletes before creates) and records each outcome.
#pragma once

#include "daemon/logger.hpp"
#include "daemon/run_report.hpp"
#include "netbox_client/netbox_client.hpp"
#include "psu_client/psu_client.hpp"
#include "sync_engine/plan.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>

namespace nds::daemon {

class PlanExecutor {
public:
    using PsuLookup = std::function<psu::PsuClient*(const std::string& server)>;

    PlanExecutor(netbox::NetBoxClient& netbox, PsuLookup psu, Logger& log, int max_concurrent_servers);

    /// Applies every action and records each one in `report` as applied or failed.
    boost::asio::awaitable<void> apply(const engine::Plan& plan, RunReport& report);

private:
    boost::asio::awaitable<void> apply_netbox(const engine::Plan& plan, RunReport& report);
    boost::asio::awaitable<void> apply_dhcp(const engine::Plan& plan, RunReport& report);

    netbox::NetBoxClient& netbox_;
    PsuLookup psu_;
    Logger& log_;
    int max_concurrent_servers_;
};

}  // namespace nds::daemon
