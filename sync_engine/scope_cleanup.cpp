#include "sync_engine/scope_cleanup.hpp"

#include "sync_engine/cleanup_rules.hpp"
#include "sync_engine/labels.hpp"
#include "sync_engine/mass_delete_guard.hpp"

#include <set>

namespace nds::engine {

void plan_scope_cleanup(const ScopeIpContext& scope, const std::vector<DhcpLease>& leases,
                        const std::vector<DhcpReservation>& reservations, const IpIndex& index,
                        IpChangeSet& changes, const Protection& protection, const SyncSettings& settings, Plan& plan) {
    std::set<Ipv4Address> leased;
    for (const auto& lease : leases) leased.insert(lease.ip);
    std::set<Ipv4Address> reserved;
    for (const auto& reservation : reservations) reserved.insert(reservation.ip);

    struct Decision {
        const NetBoxIpAddress* ip;
        CleanupVerdict verdict;
    };
    std::vector<Decision> decisions;
    std::size_t deletable = 0;

    for (const NetBoxIpAddress* candidate : index.in_range(scope.vrf_id, scope.start_ip, scope.end_ip)) {
        // A shorter mask than the prefix (a /16 inside a /24 scope) is not in the scope (the plugin's rules).
        if (candidate->prefix_length < scope.prefix.length) continue;
        const NetBoxIpAddress& ip = changes.effective(*candidate);
        bool is_reserved = ip.status == settings.reservation_status;
        if (!is_reserved && ip.status != settings.lease_status) continue;
        CleanupFacts facts;
        facts.protect_tagged = protection.tagged(ip);
        facts.in_protected_prefix = protection.prefix_protects(ip.vrf_id, ip.address);
        facts.reserved = is_reserved;
        facts.has_client_id = !ip.client_id.empty();
        facts.managed = has_tag(ip.tags, settings.managed_tag);
        facts.on_server_reserved = reserved.count(ip.address) > 0;
        facts.on_server_leased = leased.count(ip.address) > 0;
        facts.push_reservations = settings.push_reservations;
        if (cleanup_may_delete(facts)) ++deletable;
        CleanupVerdict verdict = evaluate_cleanup(facts);
        if (verdict.action != CleanupAction::keep) decisions.push_back(Decision{candidate, verdict});
    }

    std::size_t deletes = 0;
    for (const auto& d : decisions) deletes += d.verdict.action == CleanupAction::remove;
    GuardVerdict guard = check_mass_delete(deletes, deletable, settings);
    if (guard.tripped) {
        plan.problems.push_back(Problem{
            Severity::error,
            make_note(scope.server, scope.scope, scope.scope,
                      "cleanup would delete " + std::to_string(deletes) + " of " + std::to_string(deletable) +
                          " deletable IPs in scope " + scope.scope + " (limit: more than " +
                          std::to_string(settings.max_delete_fraction) + " of them and more than " +
                          std::to_string(settings.max_delete_min) +
                          "); deletes skipped — check the server, or rerun with --allow-mass-delete")});
    }

    for (const auto& d : decisions) {
        const ActionNote where = make_note(scope.server, scope.scope, "", "");
        if (d.verdict.action == CleanupAction::remove) {
            if (guard.tripped) continue;
            IpWork& work = changes.work_on(*d.ip, where);
            work.remove = true;
            work.reasons = {d.verdict.reason};
        } else {
            IpWork& work = changes.work_on(*d.ip, where);
            work.current.status = settings.lease_status;
            work.reasons.push_back(d.verdict.reason);
        }
    }
}

}  // namespace nds::engine
