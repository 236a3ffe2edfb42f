#include "daemon/plan_executor.hpp"

#include "util/bounded_parallel.hpp"
#include "daemon/import_references.hpp"
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

PlanExecutor::PlanExecutor(netbox::NetBoxClient& netbox, PsuLookup psu, Logger& log, int max_concurrent_servers,
                           const std::atomic<bool>* stop, std::size_t batch_size)
    : netbox_(netbox), psu_(std::move(psu)), log_(log), max_concurrent_servers_(max_concurrent_servers), stop_(stop),
      batch_size_(batch_size) {}

void PlanExecutor::skip_stopped(ObjectKind kind, Verb verb, engine::ActionNote note, RunReport& report) {
    note.reason = kStoppedReason;
    report.note_server(note.server);
    report.actions.push_back(ReportedAction{kind, verb, ActionStatus::skipped, std::move(note), {}});
    ++not_applied_;
}

template <class Action, class Call>
asio::awaitable<std::vector<engine::ObjectId>> PlanExecutor::write_batches(ObjectKind kind, Verb verb,
                                                                           const std::vector<Action>& actions,
                                                                           RunReport& report, Call call) {
    std::vector<engine::ObjectId> created;
    if (actions.empty()) co_return created;
    // With a stop flag (the service) a batch is one wave of requests, so a stop is honoured between waves.
    // Without one, a batch spans several waves: the client then holds the serialised objects of one slice,
    // not of the whole plan (100,000 creates on a first sync), at the cost of a pause between slices.
    std::size_t size = batch_size_ ? batch_size_ * (stop_ ? 1 : kWavesPerSlice) : actions.size();
    if (!stop_ && size >= actions.size()) {
        auto result = co_await call(actions, std::size_t{0});
        record(report, log_, kind, verb, actions, result);
        co_return result.created_ids;
    }
    for (std::size_t offset = 0; offset < actions.size(); offset += size) {
        auto end = std::min(actions.size(), offset + size);
        if (stopping()) {
            for (std::size_t i = offset; i < end; ++i) {
                skip_stopped(kind, verb, actions[i].note, report);
                created.push_back(0);
            }
            continue;
        }
        std::vector<Action> batch(actions.begin() + static_cast<std::ptrdiff_t>(offset),
                                  actions.begin() + static_cast<std::ptrdiff_t>(end));
        auto result = co_await call(batch, offset);
        record(report, log_, kind, verb, batch, result);
        for (std::size_t i = 0; i < batch.size(); ++i)
            created.push_back(i < result.created_ids.size() ? result.created_ids[i] : 0);
    }
    co_return created;
}

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
    using netbox::WriteReport;
    // Import only: the plugin's shared objects first, so the scopes created below can refer to them.
    ImportReferences references;
    co_await apply_import_library(plan, report, references);
    auto created_prefix_ids = co_await write_batches(
        ObjectKind::prefix, Verb::create, plan.prefix_creates, report,
        [&](const std::vector<engine::PrefixCreate>& batch, std::size_t) { return netbox_.create_prefixes(batch); });
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
        // Import: scopes joining a failover or option values created above take their ids here, and the ids
        // of the new scopes are kept for their exclusion ranges.
        auto created_scope_ids = co_await write_batches(
            ObjectKind::scope, Verb::create, plan.scope_creates, report,
            [&](const std::vector<engine::ScopeCreate>& batch, std::size_t offset) {
                std::vector<engine::ObjectId> ids(prefix_ids.begin() + static_cast<std::ptrdiff_t>(offset),
                                                  prefix_ids.begin() + static_cast<std::ptrdiff_t>(offset + batch.size()));
                return create_resolved_scopes(batch, std::move(ids), references);
            });
        references.scopes_created(std::move(created_scope_ids));
    }
    co_await write_batches(ObjectKind::scope, Verb::update, plan.scope_updates, report,
                           [&](const auto& batch, std::size_t) { return netbox_.update_scopes(batch); });
    co_await write_batches(ObjectKind::exclusion_range, Verb::remove, plan.exclusion_deletes, report,
                           [&](const auto& batch, std::size_t) { return netbox_.delete_exclusion_ranges(batch); });
    co_await write_batches(ObjectKind::exclusion_range, Verb::create, plan.exclusion_creates, report,
                           [&](const auto& batch, std::size_t) { return create_resolved_exclusions(batch, references); });
    co_await write_batches(ObjectKind::scope, Verb::remove, plan.scope_deletes, report,
                           [&](const auto& batch, std::size_t) { return netbox_.delete_scopes(batch); });
    // Deletes first: a deleted stale IP may hold an address a create needs.
    co_await write_batches(ObjectKind::ip_address, Verb::remove, plan.ip_deletes, report,
                           [&](const auto& batch, std::size_t) { return netbox_.delete_ip_addresses(batch); });
    co_await write_batches(ObjectKind::ip_address, Verb::update, plan.ip_updates, report,
                           [&](const auto& batch, std::size_t) { return netbox_.update_ip_addresses(batch); });
    co_await write_batches(ObjectKind::ip_address, Verb::create, plan.ip_creates, report,
                           [&](const auto& batch, std::size_t) { return netbox_.create_ip_addresses(batch); });
}

asio::awaitable<netbox::WriteReport> PlanExecutor::create_scopes_with(std::vector<engine::ScopeCreate> creates,
                                                                      std::vector<engine::ObjectId> prefix_ids) {
    co_return co_await netbox_.create_scopes(creates, prefix_ids);
}

asio::awaitable<void> PlanExecutor::apply_import_library(const engine::Plan& plan, RunReport& report,
                                                        ImportReferences& references) {
    references.failovers_created(
        plan.failover_creates,
        co_await write_batches(ObjectKind::failover, Verb::create, plan.failover_creates, report,
                               [&](const auto& batch, std::size_t) { return netbox_.create_failovers(batch); }));
    references.option_codes_created(
        plan.option_code_creates,
        co_await write_batches(ObjectKind::option_code, Verb::create, plan.option_code_creates, report,
                               [&](const auto& batch, std::size_t) { return netbox_.create_option_codes(batch); }));
    references.option_values_created(
        plan.option_value_creates,
        co_await write_batches(ObjectKind::option_value, Verb::create, plan.option_value_creates, report,
                               [&](const auto& batch, std::size_t) {
                                   auto definition_ids = references.definition_ids(batch);
                                   return netbox_.create_option_values(batch, definition_ids);
                               }));
}

asio::awaitable<netbox::WriteReport> PlanExecutor::create_resolved_scopes(std::vector<engine::ScopeCreate> creates,
                                                                          std::vector<engine::ObjectId> prefix_ids,
                                                                          const ImportReferences& references) {
    auto resolved = references.resolve(creates);
    std::vector<engine::ObjectId> sent_prefix_ids;
    for (auto index : resolved.sent) sent_prefix_ids.push_back(prefix_ids[index]);
    auto result = co_await netbox_.create_scopes(resolved.actions, sent_prefix_ids);
    // created_ids per input action, as write_batches expects; the unresolved ones failed without a request.
    std::vector<engine::ObjectId> ids(creates.size(), 0);
    for (std::size_t k = 0; k < resolved.sent.size() && k < result.created_ids.size(); ++k)
        ids[resolved.sent[k]] = result.created_ids[k];
    result.created_ids = std::move(ids);
    for (auto& failure : resolved.failures) result.failures.push_back(std::move(failure));
    co_return result;
}

asio::awaitable<netbox::WriteReport> PlanExecutor::create_resolved_exclusions(
    std::vector<engine::ExclusionRangeCreate> creates, const ImportReferences& references) {
    auto resolved = references.resolve(creates);
    auto result = co_await netbox_.create_exclusion_ranges(resolved.actions);
    for (auto& failure : resolved.failures) result.failures.push_back(std::move(failure));
    co_return result;
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
            if (stopping()) return skip_stopped(kind, verb, note, report);
            record_one(report, log_, kind, verb, note, Error{0, "no PSU client for server '" + server + "'"});
        };
        // One request at a time per server: Windows DHCP serialises writes anyway, and the order
        // (scope before its exclusions, delete before re-create) matters.
        for (const auto& write : plan.dhcp_scope_writes) {
            if (write.note.server != server) continue;
            if (!client || stopping()) { missing(ObjectKind::dhcp_scope, write.verb, write.note); continue; }
            // if/else, not a conditional operator: GCC 12 miscompiles co_await inside one (double free).
            if (write.verb == Verb::create)
                record_one(report, log_, ObjectKind::dhcp_scope, write.verb, write.note, co_await client->create_scope(write.scope));
            else
                record_one(report, log_, ObjectKind::dhcp_scope, write.verb, write.note, co_await client->update_scope(write.scope));
        }
        for (const auto& write : plan.dhcp_exclusion_writes) {
            if (write.note.server != server) continue;
            if (!client || stopping()) { missing(ObjectKind::dhcp_exclusion, write.verb, write.note); continue; }
            if (write.verb == Verb::remove)
                record_one(report, log_, ObjectKind::dhcp_exclusion, write.verb, write.note,
                           co_await client->delete_exclusion(write.scope_id, write.exclusion));
            else
                record_one(report, log_, ObjectKind::dhcp_exclusion, write.verb, write.note,
                           co_await client->create_exclusion(write.scope_id, write.exclusion));
        }
        for (const auto& remove : plan.reservation_deletes) {
            if (remove.note.server != server) continue;
            if (!client || stopping()) { missing(ObjectKind::reservation, Verb::remove, remove.note); continue; }
            record_one(report, log_, ObjectKind::reservation, Verb::remove, remove.note,
                       co_await client->delete_reservation(remove.client_id));
        }
        for (const auto& create : plan.reservation_creates) {
            if (create.note.server != server) continue;
            if (!client || stopping()) { missing(ObjectKind::reservation, Verb::create, create.note); continue; }
            record_one(report, log_, ObjectKind::reservation, Verb::create, create.note,
                       co_await client->create_reservation(create.scope_id, create.reservation));
        }
        for (const auto& update : plan.reservation_updates) {
            if (update.note.server != server) continue;
            if (!client || stopping()) { missing(ObjectKind::reservation, Verb::update, update.note); continue; }
            record_one(report, log_, ObjectKind::reservation, Verb::update, update.note,
                       co_await client->update_reservation(update.reservation));
        }
    });
}

}  // namespace nds::daemon
