#include "daemon/netbox_writer.hpp"

#include "daemon/log_messages.hpp"
#include "util/cancellation.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <type_traits>

namespace nds::daemon {

namespace asio = boost::asio;
using engine::ObjectId;
using engine::ObjectKind;
using engine::Verb;

namespace {

void log_rejected(Logger& log, ObjectKind kind, const engine::ActionNote& note, const std::string& error) {
    log.error(msg::WRITE_REJECTED,
              "NetBox rejected " + std::string(engine::to_string(kind)) + " " + note.object + ": " + error,
              {{"server", note.server}, {"scope", note.scope}});
}

/// Records a batch's outcome: the actions NetBox refused (by position) as failed with NetBox's message, the
/// rest as applied; objects written on the side (a new scope's exclusion ranges) fail under their own kind.
template <class Action>
void record(RunReport& report, Logger& log, ObjectKind kind, Verb verb, const std::vector<Action>& batch,
            const netbox::WriteReport& result) {
    std::map<std::size_t, const netbox::WriteFailure*> refused;
    for (const auto& failure : result.failures)
        if (failure.kind == kind) refused.emplace(failure.action, &failure);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        ReportedAction reported{kind, verb, ActionStatus::applied, batch[i].note, {}};
        if (auto found = refused.find(i); found != refused.end()) {
            reported.status = ActionStatus::failed;
            reported.error = found->second->error;
            log_rejected(log, kind, batch[i].note, reported.error);
        }
        report.note_server(reported.note.server);
        report.actions.push_back(std::move(reported));
    }
    for (const auto& failure : result.failures) {
        if (failure.kind == kind) continue;
        engine::ActionNote note{failure.server, failure.scope, failure.object, "written with its scope"};
        log_rejected(log, failure.kind, note, failure.error);
        report.note_server(note.server);
        report.actions.push_back(ReportedAction{failure.kind, Verb::create, ActionStatus::failed, note, failure.error});
    }
}

template <class Action>
std::vector<Action> slice(const std::vector<Action>& actions, std::size_t offset, std::size_t size) {
    auto begin = actions.begin() + static_cast<std::ptrdiff_t>(offset);
    return std::vector<Action>(begin, begin + static_cast<std::ptrdiff_t>(size));
}

/// A resolved import batch was sent without the actions whose references are missing: maps the client's
/// failure positions and created ids back to the batch, and adds the unresolved actions' failures.
template <class Action>
netbox::WriteReport merge_resolved(std::size_t batch_size, const ImportReferences::Resolved<Action>& resolved,
                                   netbox::WriteReport sent) {
    netbox::WriteReport report;
    report.applied = sent.applied;
    report.exclusions_applied = sent.exclusions_applied;
    report.created_ids.assign(batch_size, 0);
    for (std::size_t k = 0; k < resolved.sent.size() && k < sent.created_ids.size(); ++k)
        report.created_ids[resolved.sent[k]] = sent.created_ids[k];
    for (auto failure : sent.failures) {
        if (failure.action < resolved.sent.size()) failure.action = resolved.sent[failure.action];
        report.failures.push_back(std::move(failure));
    }
    for (const auto& failure : resolved.failures) report.failures.push_back(failure);
    return report;
}

}  // namespace

NetBoxWriter::NetBoxWriter(netbox::NetBoxClient& netbox, Logger& log, std::size_t batch_size)
    : netbox_(netbox), log_(log), batch_size_(batch_size) {}

asio::awaitable<void> NetBoxWriter::apply(const engine::Plan& plan, RunReport& report) {
    plan_ = &plan;
    created_prefix_ids_.assign(plan.prefix_creates.size(), 0);
    // The lists in apply order, from the plan's one table; each is written to the end before the next.
    std::vector<std::function<asio::awaitable<void>()>> lists;
    engine::visit_netbox_writes(plan, [&](const auto& actions, ObjectKind kind, Verb verb) {
        lists.push_back([this, &actions, kind, verb, &report] { return write_list(actions, kind, verb, report); });
    });
    for (auto& list : lists) co_await list();
    plan_ = nullptr;
}

template <class Action>
asio::awaitable<void> NetBoxWriter::write_list(const std::vector<Action>& actions, ObjectKind kind, Verb verb,
                                               RunReport& report) {
    std::vector<ObjectId> created;
    created.reserve(actions.size());
    std::size_t size = batch_size_ ? batch_size_ : actions.size();
    for (std::size_t offset = 0; offset < actions.size(); offset += size) {
        auto count = std::min(size, actions.size() - offset);
        if (co_await stop_requested()) {
            for (std::size_t i = offset; i < offset + count; ++i) {
                report.note_server(actions[i].note.server);
                report.actions.push_back(ReportedAction::stopped(kind, verb, actions[i].note));
                created.push_back(0);
                ++not_applied_;
            }
            continue;
        }
        // The whole list when it is one batch (no copy of 100,000 IP creates), else a copy of the slice.
        std::vector<Action> sliced;
        if (count != actions.size()) sliced = slice(actions, offset, count);
        const auto& batch = count == actions.size() ? actions : sliced;
        auto result = co_await send(batch);
        record(report, log_, kind, verb, batch, result);
        for (std::size_t i = 0; i < count; ++i)
            created.push_back(i < result.created_ids.size() ? result.created_ids[i] : 0);
    }
    remember_created(actions, created);
}

template <class Action>
void NetBoxWriter::remember_created(const std::vector<Action>& actions, const std::vector<ObjectId>& ids) {
    if constexpr (std::is_same_v<Action, engine::FailoverCreate>) references_.failovers_created(actions, ids);
    if constexpr (std::is_same_v<Action, engine::OptionCodeCreate>) references_.option_codes_created(actions, ids);
    if constexpr (std::is_same_v<Action, engine::OptionValueCreate>) references_.option_values_created(actions, ids);
    if constexpr (std::is_same_v<Action, engine::PrefixCreate>) created_prefix_ids_ = ids;
    if constexpr (std::is_same_v<Action, engine::ScopeCreate>) references_.scopes_created(ids);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::FailoverCreate>& batch) {
    co_return co_await netbox_.create_failovers(batch);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::OptionCodeCreate>& batch) {
    co_return co_await netbox_.create_option_codes(batch);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::OptionValueCreate>& batch) {
    auto definition_ids = references_.definition_ids(batch);
    co_return co_await netbox_.create_option_values(batch, definition_ids);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::PrefixCreate>& batch) {
    co_return co_await netbox_.create_prefixes(batch);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::ScopeCreate>& batch) {
    // Import: a scope joining a failover or linking option values created above takes their ids.
    auto resolved = references_.resolve(batch);
    // A scope whose prefix the same plan creates takes the id NetBox gave that prefix.
    std::vector<ObjectId> prefix_ids;
    for (const auto& create : resolved.actions) {
        ObjectId id = create.prefix_id.value_or(0);
        for (std::size_t i = 0; !create.prefix_id && i < plan_->prefix_creates.size(); ++i)
            if (plan_->prefix_creates[i].prefix == create.prefix && plan_->prefix_creates[i].vrf_id == create.vrf_id)
                id = created_prefix_ids_[i];
        prefix_ids.push_back(id);
    }
    auto sent = co_await netbox_.create_scopes(resolved.actions, prefix_ids);
    co_return merge_resolved(batch.size(), resolved, std::move(sent));
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::ScopeUpdate>& batch) {
    co_return co_await netbox_.update_scopes(batch);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::ExclusionRangeDelete>& batch) {
    co_return co_await netbox_.delete_exclusion_ranges(batch);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::ExclusionRangeCreate>& batch) {
    // Import: a range of a scope the same plan creates takes that scope's new id.
    auto resolved = references_.resolve(batch);
    auto sent = co_await netbox_.create_exclusion_ranges(resolved.actions);
    co_return merge_resolved(batch.size(), resolved, std::move(sent));
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::ScopeDelete>& batch) {
    co_return co_await netbox_.delete_scopes(batch);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::IpAddressDelete>& batch) {
    co_return co_await netbox_.delete_ip_addresses(batch);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::IpAddressUpdate>& batch) {
    co_return co_await netbox_.update_ip_addresses(batch);
}

asio::awaitable<netbox::WriteReport> NetBoxWriter::send(const std::vector<engine::IpAddressCreate>& batch) {
    co_return co_await netbox_.create_ip_addresses(batch);
}

}  // namespace nds::daemon
