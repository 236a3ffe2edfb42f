// Applies a Plan: NetBox writes in bulk through NetBoxClient, DHCP-server writes one by one through the
// server's PsuClient. It takes no decision of its own (those are the engine's); it only orders the writes
// so that dependencies exist (prefix before scope, deletes before creates) and records each outcome.
//
// Stopping (service mode): with a stop flag, NetBox writes go out in batches of `batch_size` objects and the
// flag is checked before each batch and before each DHCP-server write. Once it is set, the batch in flight
// finishes and every later action is recorded as skipped ("not applied: stopping"). Without a flag (the
// `sync` command) each object type is written in one bulk call, as before.
#pragma once

#include "daemon/logger.hpp"
#include "daemon/run_report.hpp"
#include "netbox_client/netbox_client.hpp"
#include "psu_client/psu_client.hpp"
#include "sync_engine/plan.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

namespace nds::daemon {

class ImportReferences;  // daemon/import_references.hpp

class PlanExecutor {
public:
    using PsuLookup = std::function<psu::PsuClient*(const std::string& server)>;

    PlanExecutor(netbox::NetBoxClient& netbox, PsuLookup psu, Logger& log, int max_concurrent_servers,
                 const std::atomic<bool>* stop = nullptr, std::size_t batch_size = 0);

    /// Applies every action and records each one in `report` as applied or failed (or skipped once stopped).
    boost::asio::awaitable<void> apply(const engine::Plan& plan, RunReport& report);

    /// Actions recorded as skipped because the stop flag was set.
    std::size_t not_applied() const { return not_applied_; }

    /// The reason given to actions skipped because of the stop flag.
    static constexpr const char* kStoppedReason = "not applied: the service is stopping";

private:
    bool stopping() const { return stop_ && stop_->load(); }
    void skip_stopped(engine::ObjectKind kind, engine::Verb verb, engine::ActionNote note, RunReport& report);
    /// Writes `actions` through `call(batch)` in batches (one wave with a stop flag, kWavesPerSlice waves
    /// without); returns the created ids of all batches in order (0 for skipped ones).
    template <class Action, class Call>
    boost::asio::awaitable<std::vector<engine::ObjectId>> write_batches(engine::ObjectKind kind, engine::Verb verb,
                                                                          const std::vector<Action>& actions,
                                                                          RunReport& report, Call call);

    boost::asio::awaitable<void> apply_netbox(const engine::Plan& plan, RunReport& report);
    boost::asio::awaitable<void> apply_dhcp(const engine::Plan& plan, RunReport& report);
    /// create_scopes with arguments owned by the coroutine frame (batches are temporaries).
    boost::asio::awaitable<netbox::WriteReport> create_scopes_with(std::vector<engine::ScopeCreate> creates,
                                                                   std::vector<engine::ObjectId> prefix_ids);
    /// Import: failovers, option codes and option values, recorded in `references` for what follows.
    boost::asio::awaitable<void> apply_import_library(const engine::Plan& plan, RunReport& report,
                                                      ImportReferences& references);
    /// create_scopes / create_exclusion_ranges after filling in the ids of objects created earlier in the plan
    /// (import); an action whose dependency was not created fails without a request.
    boost::asio::awaitable<netbox::WriteReport> create_resolved_scopes(std::vector<engine::ScopeCreate> creates,
                                                                       std::vector<engine::ObjectId> prefix_ids,
                                                                       const ImportReferences& references);
    boost::asio::awaitable<netbox::WriteReport> create_resolved_exclusions(
        std::vector<engine::ExclusionRangeCreate> creates, const ImportReferences& references);

    netbox::NetBoxClient& netbox_;
    PsuLookup psu_;
    Logger& log_;
    int max_concurrent_servers_;
    const std::atomic<bool>* stop_ = nullptr;
    std::size_t batch_size_ = 0;  ///< objects in one wave of NetBox requests (page size x writes in flight)
    static constexpr std::size_t kWavesPerSlice = 8;
    std::size_t not_applied_ = 0;
};

}  // namespace nds::daemon
