// plan_scopes, phase 1 of a run: the scope structure of every running server (the plugin's behaviour steps
// 4-8 without the IP work). Each rule lives in its own file; this file only walks the servers and scopes.
#include "sync_engine/backend_limits.hpp"
#include "sync_engine/exclusion_sync.hpp"
#include "sync_engine/labels.hpp"
#include "sync_engine/local_only_scopes.hpp"
#include "sync_engine/scope_attributes.hpp"
#include "sync_engine/scope_eligibility.hpp"
#include "sync_engine/scope_import.hpp"
#include "sync_engine/scope_matcher.hpp"
#include "sync_engine/sync_planner.hpp"

namespace nds::engine {
namespace {

const DhcpScopeData* scope_data(const DhcpServerSnapshot& snapshot, const DhcpScope& remote) {
    auto it = snapshot.scope_data.find(remote.scope_id.value);
    return it == snapshot.scope_data.end() ? nullptr : &it->second;
}

void plan_matched_scope(const NetBoxSnapshot& netbox, const ServerRun& run, const NetBoxScope& local,
                        const DhcpScope& remote, const DhcpScopeData* data, const SyncSettings& settings,
                        const BackendCapabilities& capabilities, Plan& plan) {
    if (settings.push_scope_info) {
        if (auto write = push_scope_attributes(local, remote, failover_name_of(netbox, local),
                                               capabilities.config_from_netbox, run.name))
            plan.dhcp_writes.push_back(std::move(*write));
    } else {
        if (auto update = pull_scope_attributes(local, remote, run.name)) plan.scope_updates.push_back(std::move(*update));
    }
    if (!data || !data->exclusions) {
        plan.problems.push_back(Problem{
            Severity::warning,
            make_note(run.name, scope_label(local), scope_label(local),
                      "exclusions of scope " + remote.scope_id.to_string() +
                          " could not be read" + (data && !data->error.empty() ? " (" + data->error + ")" : "") +
                          " — exclusions not reconciled")});
        return;
    }
    if (settings.push_scope_info) push_exclusions(local, remote, *data->exclusions, capabilities.exclusions, run.name, plan);
    else pull_exclusions(local, *data->exclusions, capabilities.exclusions, run.name, plan);
}

/// A server whose configuration comes from NetBox loses a scope it got from NetBox once NetBox no longer has
/// it; scopes it never got from NetBox stay, as everywhere.
void plan_server_only_scope(const ServerRun& run, const DhcpScope& remote, const SyncSettings& settings,
                            const BackendCapabilities& capabilities, ScopeImporter& importer, const DhcpScopeData* data,
                            Plan& plan) {
    if (capabilities.config_from_netbox && remote.written_by_sync) {
        plan.dhcp_writes.push_back(DhcpWrite::scope(
            make_note(run.name, scope_label(remote), remote.scope_id.to_string(),
                      "scope no longer in NetBox (this server's configuration comes from NetBox)"),
            Verb::remove, remote));
    } else if (settings.push_scope_info) {
        plan.skips.push_back(Skip{make_note(run.name, scope_label(remote), remote.scope_id.to_string(),
                                            "scope on server has no NetBox scope (push_scope_info: not imported)"),
                                  ObjectKind::scope});
    } else {
        importer.import(run, remote, data);
    }
}

void plan_server_scopes(const NetBoxSnapshot& netbox, const ServerRun& run, const DhcpServerSnapshot& snapshot,
                        const SyncSettings& common_settings, ScopeImporter& importer, Plan& plan) {
    const auto settings = settings_for(common_settings, snapshot.capabilities);
    ScopeMatcher matcher(netbox, run.server_id);
    for (const NetBoxScope* scope : matcher.unkeyed()) {
        plan.problems.push_back(Problem{Severity::warning,
                                        make_note(run.name, scope_label(*scope), scope_label(*scope),
                                                  "scope's prefix is not in the NetBox snapshot — scope not synced")});
    }

    std::set<std::uint32_t> remote_networks;
    for (const auto& remote : *snapshot.scopes) {
        remote_networks.insert(remote.scope_id.value);
        if (settings.active_scopes_only && !remote.active) {
            plan.skips.push_back(Skip{make_note(run.name, scope_label(remote), scope_label(remote),
                                                "scope inactive on server (active_scopes_only) — left alone"),
                                      ObjectKind::scope});
            continue;
        }
        const DhcpScopeData* data = scope_data(snapshot, remote);
        const NetBoxScope* local = matcher.match(remote);
        if (!local) {
            plan_server_only_scope(run, remote, settings, snapshot.capabilities, importer, data, plan);
            continue;
        }
        Eligibility eligibility = scope_eligibility(netbox, run, *local, settings);
        if (!eligibility.eligible()) {
            if (!eligibility.quiet()) {
                plan.skips.push_back(Skip{make_note(run.name, scope_label(*local), scope_label(*local), eligibility.reason),
                                          ObjectKind::scope});
            }
            continue;
        }
        plan_matched_scope(netbox, run, *local, remote, data, settings, snapshot.capabilities, plan);
    }

    if (snapshot.scope_list_complete) {
        Plan local_only;
        plan_local_only_scopes(netbox, run, matcher, remote_networks, settings, snapshot.capabilities.exclusions, local_only);
        if (snapshot.scopes->empty() && snapshot.capabilities.empty_list_may_be_error &&
            !local_only.scope_deletes.empty() && !settings.allow_mass_delete) {
            // An empty scope list is how a server that swallows errors reports one (PSU, B4): deleting every
            // scope of the server from NetBox on it would be the scope-level mass delete the guard exists for.
            plan.problems.push_back(Problem{
                Severity::error,
                make_note(run.name, "", "",
                          "the server answered an empty scope list while NetBox has " +
                              std::to_string(local_only.scope_deletes.size()) +
                              " of its scopes; no scope deleted — check the server, or rerun with --allow-mass-delete")});
            local_only.scope_deletes.clear();
        }
        plan.append(std::move(local_only));
    } else {
        plan.problems.push_back(Problem{Severity::warning,
                                        make_note(run.name, "", "",
                                                  "the server's scope list had records that could not be used; "
                                                  "scopes missing from it are not deleted this run")});
    }
}

}  // namespace

Plan plan_scopes(const NetBoxSnapshot& netbox, const std::vector<ServerRun>& runs, const DhcpSnapshots& dhcp,
                 const SyncSettings& settings) {
    Plan plan;
    ScopeImporter importer(netbox, settings, plan);
    for (const auto& run : runs) {
        auto it = dhcp.find(run.name);
        if (it == dhcp.end() || !it->second.scopes) {
            std::string why = it == dhcp.end() ? "not read" : it->second.error;
            plan.problems.push_back(Problem{Severity::error,
                                            make_note(run.name, "", run.name,
                                                      "scope list read failed" + (why.empty() ? "" : " (" + why + ")") +
                                                          " — no changes for this server")});
            continue;
        }
        plan_server_scopes(netbox, run, it->second, settings, importer, plan);
    }
    copy_to_failover_partners(netbox, dhcp, settings.maintenance_tag, plan);
    fit_to_backends(dhcp, plan);
    order_dhcp_writes(plan.dhcp_writes);
    return plan;
}

}  // namespace nds::engine
