#include "daemon/dhcp_writer.hpp"

#include "daemon/log_messages.hpp"
#include "util/bounded_parallel.hpp"
#include "util/cancellation.hpp"

#include <map>
#include <optional>

namespace nds::daemon {

namespace asio = boost::asio;

namespace {

ReportedAction outcome_of(const engine::DhcpWrite& write, const backend::WriteOutcome& outcome) {
    ReportedAction reported{write.kind(), write.verb, ActionStatus::applied, write.note, {}};
    switch (outcome.status) {
    case backend::WriteStatus::applied: break;
    case backend::WriteStatus::failed:
        reported.status = ActionStatus::failed;
        reported.error = outcome.error;
        break;
    case backend::WriteStatus::skipped:  // not attempted: the run was stopped
        return ReportedAction::stopped(write.kind(), write.verb, write.note);
    }
    return reported;
}

}  // namespace

DhcpWriter::DhcpWriter(BackendLookup backends, Logger& log, std::size_t max_concurrent_servers)
    : backends_(std::move(backends)), log_(log), max_concurrent_servers_(max_concurrent_servers) {}

asio::awaitable<void> DhcpWriter::apply(const std::vector<engine::DhcpWrite>& writes, RunReport& report,
                                        const std::set<std::string>& also) {
    // Each server's writes, in the plan's order (it is the apply order: engine::order_dhcp_writes).
    std::map<std::string, std::vector<std::size_t>> by_server;
    for (const auto& server : also) by_server[server];
    for (std::size_t i = 0; i < writes.size(); ++i) by_server[writes[i].note.server].push_back(i);
    std::vector<const std::pair<const std::string, std::vector<std::size_t>>*> servers;
    for (const auto& entry : by_server) servers.push_back(&entry);

    std::vector<std::optional<ReportedAction>> outcomes(writes.size());
    std::vector<engine::Problem> problems;
    co_await bounded_parallel(servers.size(), max_concurrent_servers_, [&](std::size_t s) -> asio::awaitable<void> {
        const auto& [server, indexes] = *servers[s];
        auto* backend = backends_(server);
        auto fail_all = [&](backend::WriteStatus status, const std::string& why) {
            for (auto i : indexes) outcomes[i] = outcome_of(writes[i], {status, why});
        };
        if (co_await stop_requested()) co_return fail_all(backend::WriteStatus::skipped, kStoppedReason);
        if (!backend) co_return fail_all(backend::WriteStatus::failed, "no DHCP backend for server '" + server + "'");
        std::vector<engine::DhcpWrite> mine;
        mine.reserve(indexes.size());
        for (auto i : indexes) mine.push_back(writes[i]);
        auto result = co_await backend->apply(std::move(mine));
        for (std::size_t k = 0; k < indexes.size(); ++k) {
            backend::WriteOutcome outcome = k < result.outcomes.size()
                                                ? result.outcomes[k]
                                                : backend::WriteOutcome{backend::WriteStatus::failed,
                                                                        "the backend reported no outcome for it"};
            outcomes[indexes[k]] = outcome_of(writes[indexes[k]], outcome);
        }
        for (auto& problem : result.problems) problems.push_back(std::move(problem));
    });

    for (auto& outcome : outcomes) {
        if (outcome->status == ActionStatus::failed)
            log_.error(msg::DHCP_WRITE_FAILED, "DHCP server write failed: " + outcome->error,
                       {{"server", outcome->note.server}, {"scope", outcome->note.scope}, {"object", outcome->note.object}});
        if (outcome->was_stopped()) ++not_applied_;
        report.note_server(outcome->note.server);
        report.actions.push_back(std::move(*outcome));
    }
    for (auto& problem : problems) {
        report.note_server(problem.note.server);
        report.problems.push_back(std::move(problem));
    }
}

}  // namespace nds::daemon
