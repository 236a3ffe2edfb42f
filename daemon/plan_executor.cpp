#include "daemon/plan_executor.hpp"

namespace nds::daemon {

PlanExecutor::PlanExecutor(netbox::NetBoxClient& netbox, DhcpWriter::BackendLookup backends, Logger& log,
                           ExecutorLimits limits)
    : netbox_(netbox, log, limits.netbox_batch_size), dhcp_(std::move(backends), log, limits.max_concurrent_servers) {}

boost::asio::awaitable<void> PlanExecutor::apply(const engine::Plan& plan, RunReport& report) {
    co_await apply_netbox(plan, report);
    co_await apply_dhcp(plan.dhcp_writes, report);
}

boost::asio::awaitable<void> PlanExecutor::apply_dhcp(const std::vector<engine::DhcpWrite>& writes, RunReport& report,
                                                      const std::set<std::string>& also) {
    co_await dhcp_.apply(writes, report, also);
}

boost::asio::awaitable<void> PlanExecutor::apply_netbox(const engine::Plan& plan, RunReport& report) {
    for (const auto& skip : plan.skips) {
        report.note_server(skip.note.server);
        report.actions.push_back(ReportedAction{skip.kind, engine::Verb::update, ActionStatus::skipped, skip.note, {}});
    }
    for (const auto& problem : plan.problems) {
        report.note_server(problem.note.server);
        report.problems.push_back(problem);
    }
    co_await netbox_.apply(plan, report);
}

}  // namespace nds::daemon
