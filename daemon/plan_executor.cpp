#include "daemon/plan_executor.hpp"

#include "http/bounded_parallel.hpp"
#include "daemon/log_messages.hpp"

#include <map>
#include <set>

namespace nds::daemon {

namespace asio = boost::asio;
using engine::ObjectKind;
using engine::Verb;

namespace {

/// Records the outcome of one bulk write: the actions NetBox rejected (matched by their label) as failed
/// with NetBox's message, the rest as applied.
template <class Action>
void record(RunReport& report, Logger& log, ObjectKind kind, Verb verb, const std::vector<Action>& actions,
            const netbox::WriteReport& result) {
    auto log_rejected = [&](ObjectKind rejected_kind, const engine::ActionNote& note, const std::string& error) {
        log.error(msg::WRITE_REJECTED, "NetBox rejected " + std::string(engine::to_string(rejected_kind)) + " " +
                                           note.object + ": " + error,
                  {{"server", note.server}, {"scope", note.scope}});
    };
    std::multimap<std::string, const netbox::WriteFailure*> failures;
    for (const auto& failure : result.failures)
        if (failure.kind == kind) failures.emplace(failure.object, &failure);
    for (const auto& action : actions) {
        ReportedAction reported{kind, verb, ActionStatus::applied, action.note, {}};
        if (auto found = failures.find(action.note.object); found != failures.end()) {
            reported.status = ActionStatus::failed;
            reported.error = found->second->error;
            failures.erase(found);
            log_rejected(kind, action.note, reported.error);
        }
        report.note_server(action.note.server);
        report.actions.push_back(std::move(reported));
    }
    // Objects written on the side (a new scope's exclusion ranges) fail under their own kind.
    for (const auto& failure : result.failures) {
        if (failure.kind == kind) continue;
        engine::ActionNote note{failure.server, failure.scope, failure.object, "written with its scope"};
        log_rejected(failure.kind, note, failure.error);
        report.note_server(note.server);
        report.actions.push_back(ReportedAction{failure.kind, Verb::create, ActionStatus::failed, note, failure.error});
    }
}

void record_one(RunReport& report, Logger& log, ObjectKind kind, Verb verb, const engine::ActionNote& note,
                const Expected<Done>& result) {
    ReportedAction reported{kind, verb, ActionStatus::applied, note, {}};
    if (!result) {
        reported.status = ActionStatus::failed;
        reported.error = result.error().message;
        log.error(msg::DHCP_WRITE_FAILED, "DHCP server write failed: " + reported.error,
                  {{"server", note.server}, {"scope", note.scope}, {"object", note.object}});
    }
    report.note_server(note.server);
    report.actions.push_back(std::move(reported));
}

}  // namespace

PlanExecutor::PlanExecutor(netbox::NetBoxClient& netbox, PsuLookup psu, Logger& log, int max_concurrent_servers)
    : netbox_(netbox), psu_(std::move(psu)), log_(log), max_concurrent_servers_(max_concurrent_servers) {}

asio::awaitable<void> PlanExecutor::apply(const engine::Plan& plan, RunReport& report) {
    for (const auto& skip : plan.skips) {
        report.note_server(skip.note.server);
        report.actions.push_back(ReportedAction{skip.kind, Verb::update, ActionStatus::skipped, skip.note, {}});
    }
    for (const auto& problem : plan.problems) {
        report.note_server(problem.note.server);
        report.problems.push_back(problem);
    }
    co_await apply_netbox(plan, report);
    co_await apply_dhcp(plan, report);
}

asio::awaitable<void> PlanExecutor::apply_netbox(const engine::Plan& plan, RunReport& report) {
    std::vector<engine::ObjectId> created_prefix_ids;
    if (!plan.prefix_creates.empty()) {
        auto result = co_await netbox_.create_prefixes(plan.prefix_creates);
        record(report, log_, ObjectKind::prefix, Verb::create, plan.prefix_creates, result);
        created_prefix_ids = result.created_ids;
    }
    if (!plan.scope_creates.empty()) {
        // A scope whose prefix is created in this plan takes the id NetBox gave that prefix.
        std::vector<engine::ObjectId> prefix_ids;
        for (const auto& create : plan.scope_creates) {
            engine::ObjectId id = create.prefix_id.value_or(0);
            if (!create.prefix_id) {
                for (std::size_t i = 0; i < plan.prefix_creates.size() && i < created_prefix_ids.size(); ++i)
                    if (plan.prefix_creates[i].prefix == create.prefix && plan.prefix_creates[i].vrf_id == create.vrf_id)
                        id = created_prefix_ids[i];
            }
            prefix_ids.push_back(id);
        }
        auto result = co_await netbox_.create_scopes(plan.scope_creates, prefix_ids);
        record(report, log_, ObjectKind::scope, Verb::create, plan.scope_creates, result);
    }
    if (!plan.scope_updates.empty())
        record(report, log_, ObjectKind::scope, Verb::update, plan.scope_updates,
               co_await netbox_.update_scopes(plan.scope_updates));
    if (!plan.exclusion_deletes.empty())
        record(report, log_, ObjectKind::exclusion_range, Verb::remove, plan.exclusion_deletes,
               co_await netbox_.delete_exclusion_ranges(plan.exclusion_deletes));
    if (!plan.exclusion_creates.empty())
        record(report, log_, ObjectKind::exclusion_range, Verb::create, plan.exclusion_creates,
               co_await netbox_.create_exclusion_ranges(plan.exclusion_creates));
    if (!plan.scope_deletes.empty())
        record(report, log_, ObjectKind::scope, Verb::remove, plan.scope_deletes,
               co_await netbox_.delete_scopes(plan.scope_deletes));
    // Deletes first: a deleted stale IP may hold an address a create needs.
    if (!plan.ip_deletes.empty())
        record(report, log_, ObjectKind::ip_address, Verb::remove, plan.ip_deletes,
               co_await netbox_.delete_ip_addresses(plan.ip_deletes));
    if (!plan.ip_updates.empty())
        record(report, log_, ObjectKind::ip_address, Verb::update, plan.ip_updates,
               co_await netbox_.update_ip_addresses(plan.ip_updates));
    if (!plan.ip_creates.empty())
        record(report, log_, ObjectKind::ip_address, Verb::create, plan.ip_creates,
               co_await netbox_.create_ip_addresses(plan.ip_creates));
}

asio::awaitable<void> PlanExecutor::apply_dhcp(const engine::Plan& plan, RunReport& report) {
    std::set<std::string> server_set;
    for_each_action(plan, [&](ObjectKind kind, Verb, const engine::ActionNote& note) {
        if (kind == ObjectKind::reservation || kind == ObjectKind::dhcp_scope || kind == ObjectKind::dhcp_exclusion)
            server_set.insert(note.server);
    });
    std::vector<std::string> servers(server_set.begin(), server_set.end());

    co_await bounded_parallel(servers.size(), static_cast<std::size_t>(max_concurrent_servers_),
                              [&](std::size_t index) -> asio::awaitable<void> {
        const auto& server = servers[index];
        auto* client = psu_(server);
        auto missing = [&](ObjectKind kind, Verb verb, const engine::ActionNote& note) {
            record_one(report, log_, kind, verb, note, Error{0, "no PSU client for server '" + server + "'"});
        };
        // One request at a time per server: Windows DHCP serialises writes anyway, and the order
        // (scope before its exclusions, delete before re-create) matters.
        for (const auto& write : plan.dhcp_scope_writes) {
            if (write.note.server != server) continue;
            if (!client) { missing(ObjectKind::dhcp_scope, write.verb, write.note); continue; }
            auto result = write.verb == Verb::create ? co_await client->create_scope(write.scope)
                                                     : co_await client->update_scope(write.scope);
            record_one(report, log_, ObjectKind::dhcp_scope, write.verb, write.note, result);
        }
        for (const auto& write : plan.dhcp_exclusion_writes) {
            if (write.note.server != server) continue;
            if (!client) { missing(ObjectKind::dhcp_exclusion, write.verb, write.note); continue; }
            auto result = write.verb == Verb::remove ? co_await client->delete_exclusion(write.scope_id, write.exclusion)
                                                     : co_await client->create_exclusion(write.scope_id, write.exclusion);
            record_one(report, log_, ObjectKind::dhcp_exclusion, write.verb, write.note, result);
        }
        for (const auto& remove : plan.reservation_deletes) {
            if (remove.note.server != server) continue;
            if (!client) { missing(ObjectKind::reservation, Verb::remove, remove.note); continue; }
            record_one(report, log_, ObjectKind::reservation, Verb::remove, remove.note,
                       co_await client->delete_reservation(remove.client_id));
        }
        for (const auto& create : plan.reservation_creates) {
            if (create.note.server != server) continue;
            if (!client) { missing(ObjectKind::reservation, Verb::create, create.note); continue; }
            record_one(report, log_, ObjectKind::reservation, Verb::create, create.note,
                       co_await client->create_reservation(create.scope_id, create.reservation));
        }
        for (const auto& update : plan.reservation_updates) {
            if (update.note.server != server) continue;
            if (!client) { missing(ObjectKind::reservation, Verb::update, update.note); continue; }
            record_one(report, log_, ObjectKind::reservation, Verb::update, update.note,
                       co_await client->update_reservation(update.reservation));
        }
    });
}

}  // namespace nds::daemon
