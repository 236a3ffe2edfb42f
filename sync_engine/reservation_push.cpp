#include "sync_engine/reservation_push.hpp"

#include "sync_engine/client_id.hpp"
#include "sync_engine/dns_name.hpp"
#include "sync_engine/labels.hpp"

#include <map>

namespace nds::engine {
namespace {

/// NetBox's IPs in the scope as the plan leaves them: existing ones with their pending changes (deleted ones
/// dropped), then the ones the plan creates.
std::vector<const NetBoxIpAddress*> scope_ips(const ScopeIpContext& scope, const IpIndex& index,
                                              const IpChangeSet& changes) {
    std::vector<const NetBoxIpAddress*> out;
    for (const NetBoxIpAddress* ip : index.in_range(scope.vrf_id, scope.start_ip, scope.end_ip)) {
        if (ip->prefix_length < scope.prefix.length || changes.removed(*ip)) continue;
        out.push_back(&changes.effective(*ip));
    }
    for (const NetBoxIpAddress* ip : changes.creates_in_range(scope.vrf_id, scope.start_ip, scope.end_ip))
        out.push_back(ip);
    return out;
}

DhcpReservation desired_reservation(const NetBoxIpAddress& ip) {
    DhcpReservation r;
    r.ip = ip.address;
    r.client_id = normalize_client_id(ip.client_id);
    r.name = ip.dns_name;
    r.description = ip.description;
    r.type = "Dhcp";
    return r;
}

}  // namespace

void plan_reservation_push(const ScopeIpContext& scope, const std::vector<DhcpReservation>& on_server,
                           const IpIndex& index, const IpChangeSet& changes, const Protection& protection,
                           const SyncSettings& settings, Plan& plan) {
    std::map<Ipv4Address, const DhcpReservation*> server_by_ip;
    std::map<std::string, const DhcpReservation*> server_by_client;
    for (const auto& r : on_server) {
        server_by_ip.emplace(r.ip, &r);
        server_by_client.emplace(normalize_client_id(r.client_id), &r);
    }
    auto note = [&](const NetBoxIpAddress& ip, std::string reason) {
        return make_note(scope.server, scope.scope, ip_label(ip.address, ip.prefix_length), std::move(reason));
    };

    std::map<Ipv4Address, bool> netbox_reserved;  // address -> protected
    std::map<std::string, Ipv4Address> claimed;   // client id -> first IP that claimed it in this scope
    for (const NetBoxIpAddress* ip : scope_ips(scope, index, changes)) {
        if (ip->status != settings.reservation_status) continue;
        bool is_protected = protection.protects(*ip);
        netbox_reserved[ip->address] = netbox_reserved[ip->address] || is_protected;
        if (ip->client_id.empty()) continue;
        DhcpReservation want = desired_reservation(*ip);

        // Windows allows one reservation per MAC in a scope. The first IP (by address) keeps the MAC.
        auto [claim, fresh] = claimed.emplace(want.client_id, ip->address);
        if (!fresh && claim->second != ip->address) {
            plan.problems.push_back(Problem{Severity::warning,
                                            note(*ip, "client id " + want.client_id + " is already pushed for " +
                                                          claim->second.to_string() +
                                                          " in this scope (one reservation per MAC); not pushed")});
            continue;
        }

        auto existing = server_by_ip.find(ip->address);
        if (existing == server_by_ip.end()) {
            if (is_protected) {
                plan.skips.push_back(Skip{note(*ip, "protected IP: reservation not pushed"), ObjectKind::reservation});
                continue;
            }
            if (auto other = server_by_client.find(want.client_id); other != server_by_client.end()) {
                plan.problems.push_back(Problem{
                    Severity::warning, note(*ip, "client id " + want.client_id + " is reserved for " +
                                                     other->second->ip.to_string() + " on the server; not pushed")});
                continue;
            }
            plan.dhcp_writes.push_back(DhcpWrite::reservation(
                note(*ip, "reserved in NetBox, not on server (push_reservations)"), Verb::create, scope.scope_id, want));
            continue;
        }

        const DhcpReservation& have = *existing->second;
        if (is_protected) {
            plan.skips.push_back(Skip{note(*ip, "protected IP: reservation not updated"), ObjectKind::reservation});
            continue;
        }
        std::string have_client = normalize_client_id(have.client_id);
        if (have_client != want.client_id) {
            plan.dhcp_writes.push_back(DhcpWrite::reservation(
                note(*ip, "MAC changed in NetBox (" + have_client + " \u2192 " + want.client_id + "); old reservation removed"),
                Verb::remove, scope.scope_id, have));
            DhcpReservation replacement = want;
            if (replacement.name.empty()) replacement.name = have.name;
            if (replacement.description.empty()) replacement.description = have.description;
            replacement.type = have.type;
            plan.dhcp_writes.push_back(DhcpWrite::reservation(
                note(*ip, "MAC changed in NetBox (" + have_client + " \u2192 " + want.client_id + "); re-created"),
                Verb::create, scope.scope_id, replacement));
            continue;
        }
        DhcpReservation updated = have;
        std::vector<std::string> changed;
        if (!want.name.empty() && !same_dns_name(want.name, have.name)) {
            updated.name = want.name;
            changed.push_back("name '" + have.name + "' \u2192 '" + want.name + "'");
        }
        if (!want.description.empty() && want.description != have.description) {
            updated.description = want.description;
            changed.push_back("description '" + have.description + "' \u2192 '" + want.description + "'");
        }
        if (changed.empty()) continue;
        std::string reason = "NetBox differs: ";
        for (std::size_t i = 0; i < changed.size(); ++i) reason += (i ? ", " : "") + changed[i];
        plan.dhcp_writes.push_back(DhcpWrite::reservation(note(*ip, reason), Verb::update, scope.scope_id, updated));
    }

    if (!settings.prune_reservations) return;
    for (const auto& r : on_server) {
        if (netbox_reserved.count(r.ip)) continue;
        // Hands off addresses NetBox protects, even though the object is the server's.
        const NetBoxIpAddress* ip = index.find(scope.vrf_id, r.ip);
        if ((ip && protection.tagged(*ip)) || protection.prefix_protects(scope.vrf_id, r.ip)) continue;
        plan.dhcp_writes.push_back(DhcpWrite::reservation(
            make_note(scope.server, scope.scope, ip_label(r.ip, scope.prefix.length),
                      "reservation on server, not reserved in NetBox (prune_reservations)"),
            Verb::remove, scope.scope_id, r));
    }
}

}  // namespace nds::engine
