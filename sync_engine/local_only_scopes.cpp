#include "sync_engine/local_only_scopes.hpp"

#include "sync_engine/exclusion_sync.hpp"
#include "sync_engine/labels.hpp"
#include "sync_engine/scope_attributes.hpp"
#include "sync_engine/scope_eligibility.hpp"

namespace nds::engine {

void plan_local_only_scopes(const NetBoxSnapshot& netbox, const ServerRun& run, const ScopeMatcher& owned,
                            const std::set<std::uint32_t>& remote_networks, const SyncSettings& settings,
                            ExclusionModel exclusions, Plan& plan) {
    for (const auto& [scope, prefix] : owned.owned()) {
        if (remote_networks.count(prefix->prefix.network.value)) continue;
        Eligibility eligibility = scope_eligibility(netbox, run, *scope, settings);
        if (!eligibility.eligible()) continue;
        const std::string label = scope_label(*scope);
        if (settings.active_scopes_only) {
            // The list holds active scopes only, so a scope absent from it may simply be inactive on the
            // server. Deleting it (the plugin's behaviour) or re-creating it would both be wrong; leave it.
            plan.skips.push_back(Skip{make_note(run.name, label, label,
                                                "not in the server's active scope list (active_scopes_only); "
                                                "it may be inactive — left alone"),
                                      ObjectKind::scope});
            continue;
        }
        if (settings.push_scope_info) {
            auto write = create_scope_on_server(*scope, *prefix, failover_name_of(netbox, *scope), run.name);
            DhcpScope created = std::get<ScopeChange>(write.change).scope;
            plan.dhcp_writes.push_back(std::move(write));
            // A new scope has no exclusions: NetBox's follow it in the same run (the executor writes a
            // server's scopes before its exclusions), instead of leaving the range open until the next one.
            push_exclusions(*scope, created, {}, exclusions, run.name, plan);
        } else {
            plan.scope_deletes.push_back(ScopeDelete{
                make_note(run.name, label, label + " (" + prefix->prefix.to_string() + ")",
                          "scope no longer exists on server (push_scope_info off)"),
                scope->id});
        }
    }
}

}  // namespace nds::engine
