// plan_addresses, phase 2 of a run: per synced scope, the reservation and lease passes, cleanup (with the
// mass-delete guard) and the reservation push. All scopes share one IpChangeSet, so whatever touches an IP,
// the plan holds one action for it.
#include "sync_engine/backend_limits.hpp"
#include "sync_engine/ip_change_set.hpp"
#include "sync_engine/ip_index.hpp"
#include "sync_engine/ip_reconciler.hpp"
#include "sync_engine/labels.hpp"
#include "sync_engine/populated_ranges.hpp"
#include "sync_engine/protection.hpp"
#include "sync_engine/reservation_push.hpp"
#include "sync_engine/scope_cleanup.hpp"
#include "sync_engine/synced_scopes.hpp"
#include "sync_engine/sync_planner.hpp"

namespace nds::engine {
namespace {

std::string read_error(const DhcpScopeData* data) {
    return data && !data->error.empty() ? " (" + data->error + ")" : "";
}

}  // namespace

Plan plan_addresses(const NetBoxSnapshot& netbox, const std::vector<ServerRun>& runs, const DhcpSnapshots& dhcp,
                    const SyncSettings& common_settings) {
    Plan plan;
    IpIndex index(netbox.ip_addresses);
    IpChangeSet changes(index);
    Protection protection(common_settings, netbox.protected_prefixes);

    for (const auto& run : runs) {
        auto it = dhcp.find(run.name);
        if (it == dhcp.end() || !it->second.scopes) continue;  // reported by plan_scopes
        const auto settings = settings_for(common_settings, it->second.capabilities);
        for (const auto& synced : synced_scopes(netbox, run, *it->second.scopes, &it->second, settings)) {
            const std::string label = scope_label(*synced.local);
            if (!synced.prefix) continue;  // reported by plan_scopes
            ScopeIpContext scope{run.name,           label,
                                 synced.remote->scope_id, synced.prefix->prefix,
                                 synced.prefix->vrf_id, synced.local->start_ip,
                                 synced.local->end_ip};
            const DhcpScopeData* data = synced.data;

            if (settings.ip_addresses && !(data && data->created_by_this_run)) {
                if (data && data->leases && data->reservations) {
                    IpReconciler reconciler(scope, settings, protection, changes, plan);
                    reconciler.reservation_pass(*data->reservations);
                    reconciler.lease_pass(*data->leases);
                    if (data->complete) {
                        plan_scope_cleanup(scope, *data->leases, *data->reservations, index, changes, protection,
                                           settings, plan);
                    } else {
                        plan.problems.push_back(Problem{
                            Severity::warning,
                            make_note(run.name, label, label,
                                      "lease/reservation records of scope " + synced.remote->scope_id.to_string() +
                                          " were skipped — no cleanup (deletes) for scope this run")});
                    }
                } else {
                    // A failed read says nothing about what is gone: no creates, updates or deletes (B4).
                    plan.problems.push_back(Problem{
                        Severity::error, make_note(run.name, label, label,
                                                   "lease/reservation read failed for scope " +
                                                       synced.remote->scope_id.to_string() + read_error(data) +
                                                       " — no IP changes for scope")});
                }
            }
            if (settings.push_reservations) {
                if (data && data->reservations) {
                    plan_reservation_push(scope, *data->reservations, index, changes, protection, settings, plan);
                } else {
                    plan.problems.push_back(Problem{
                        Severity::error, make_note(run.name, label, label,
                                                   "reservation read failed for scope " +
                                                       synced.remote->scope_id.to_string() + read_error(data) +
                                                       " — no reservation push for scope")});
                }
            }
        }
    }
    std::move(changes).emit(plan);
    skip_creates_in_populated_ranges(plan, netbox.populated_ranges);
    copy_to_failover_partners(netbox, dhcp, common_settings.maintenance_tag, plan);
    fit_to_backends(dhcp, plan);
    order_dhcp_writes(plan.dhcp_writes);
    return plan;
}

}  // namespace nds::engine
