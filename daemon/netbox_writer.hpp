// The NetBox half of applying a plan: every NetBox write list in apply order (engine::kNetBoxWriteLists),
// in batches, through NetBoxClient's bulk writes. It takes no decision of its own; it only hands the ids
// NetBox gives new objects to the objects of the same plan that refer to them (a new scope's prefix; on an
// import, failovers, option codes and values, a new scope's exclusion ranges) and records each action's
// outcome, matched to the action by its position.
//
// Stopping: before each batch the writer checks the run's cancellation (util/cancellation.hpp); once the run
// is stopped, the batch in flight finishes and every later action is recorded as skipped (kStoppedReason).
#pragma once

#include "daemon/import_references.hpp"
#include "daemon/logger.hpp"
#include "daemon/run_report.hpp"
#include "netbox_client/netbox_client.hpp"
#include "sync_engine/plan.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <vector>

namespace nds::daemon {

class NetBoxWriter {
public:
    /// `batch_size`: objects written between two checks for a stop (0 = each list in one go).
    NetBoxWriter(netbox::NetBoxClient& netbox, Logger& log, std::size_t batch_size);

    boost::asio::awaitable<void> apply(const engine::Plan& plan, RunReport& report);

    /// Actions recorded as skipped because the run was stopped.
    std::size_t not_applied() const { return not_applied_; }

private:
    template <class Action>
    boost::asio::awaitable<void> write_list(const std::vector<Action>& actions, engine::ObjectKind kind,
                                            engine::Verb verb, RunReport& report);
    /// Writes one batch of a list; the report's failures index into the batch.
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::FailoverCreate>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::OptionCodeCreate>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::OptionValueCreate>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::PrefixCreate>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::ScopeCreate>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::ScopeUpdate>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::ExclusionRangeDelete>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::ExclusionRangeCreate>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::ScopeDelete>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::IpAddressDelete>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::IpAddressUpdate>& batch);
    boost::asio::awaitable<netbox::WriteReport> send(const std::vector<engine::IpAddressCreate>& batch);

    /// What NetBox created, for the objects that refer to it.
    template <class Action>
    void remember_created(const std::vector<Action>& actions, const std::vector<engine::ObjectId>& ids);

    netbox::NetBoxClient& netbox_;
    Logger& log_;
    std::size_t batch_size_;
    const engine::Plan* plan_ = nullptr;
    ImportReferences references_;
    std::vector<engine::ObjectId> created_prefix_ids_;  ///< per plan.prefix_creates (0 = not created)
    std::size_t not_applied_ = 0;
};

}  // namespace nds::daemon
