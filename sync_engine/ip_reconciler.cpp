#include "sync_engine/ip_reconciler.hpp"

#include "sync_engine/client_id.hpp"
#include "sync_engine/dns_name.hpp"
#include "sync_engine/labels.hpp"

#include <algorithm>

namespace nds::engine {
namespace {

std::string quoted(const std::string& text) { return "'" + text + "'"; }

void add_managed_tag(NetBoxIpAddress& ip, const std::string& managed_tag) {
    if (managed_tag.empty() || has_tag(ip.tags, managed_tag)) return;
    ip.tags.push_back(managed_tag);
}

}  // namespace

IpReconciler::IpReconciler(const ScopeIpContext& scope, const SyncSettings& settings, const Protection& protection,
                           IpChangeSet& changes, Plan& plan)
    : scope_(scope), settings_(settings), protection_(protection), changes_(changes), plan_(plan) {}

void IpReconciler::reservation_pass(const std::vector<DhcpReservation>& reservations) {
    for (const auto& r : reservations) upsert(Offer{r.ip, Pass::reservation, r.name, normalize_client_id(r.client_id)});
}

void IpReconciler::lease_pass(const std::vector<DhcpLease>& leases) {
    for (const auto& l : leases) upsert(Offer{l.ip, Pass::lease, l.hostname, normalize_client_id(l.client_id)});
}

const std::string& IpReconciler::target_status(Pass pass) const {
    return pass == Pass::reservation ? settings_.reservation_status : settings_.lease_status;
}

const char* IpReconciler::source(Pass pass) const { return pass == Pass::reservation ? "reservation" : "lease"; }

ActionNote IpReconciler::where(Ipv4Address ip) const {
    return make_note(scope_.server, scope_.scope, ip_label(ip, scope_.prefix.length), "");
}

std::optional<std::string> IpReconciler::dns_name_to_write(const Offer& offer) {
    if (offer.name.empty()) return std::nullopt;
    std::string name = normalize_dns_name(offer.name);
    if (!is_valid_dns_name(name)) {
        plan_.problems.push_back(Problem{
            Severity::warning,
            make_note(scope_.server, scope_.scope, ip_label(offer.ip, scope_.prefix.length),
                      std::string(source(offer.pass)) + " name " + quoted(offer.name) + " of " + offer.ip.to_string() +
                          " is not a valid NetBox dns_name; dns_name not written")});
        return std::nullopt;
    }
    return name;
}

IpWork& IpReconciler::Target::edit() {
    if (!slot_.work) slot_.work = &owner_.changes_.work_on(*slot_.existing, owner_.where(address_));
    return *slot_.work;
}

void IpReconciler::upsert(const Offer& offer) {
    if (!scope_.prefix.contains(offer.ip)) {
        plan_.problems.push_back(Problem{
            Severity::warning,
            make_note(scope_.server, scope_.scope, offer.ip.to_string(),
                      std::string(source(offer.pass)) + " address outside the scope's prefix " +
                          scope_.prefix.to_string() + "; ignored")});
        return;
    }
    auto slot = changes_.lookup(scope_.vrf_id, offer.ip);
    // With push_reservations and prune_reservations NetBox is the whole truth for reservations: a server
    // reservation that NetBox does not hold as reserved is removed from the server (reservation_push), not
    // first imported into NetBox, which would make the prune a no-op.
    if (offer.pass == Pass::reservation && settings_.push_reservations && settings_.prune_reservations &&
        (slot.empty() || slot.ip().status != settings_.reservation_status))
        return;
    if (slot.empty()) {
        create(offer);
        return;
    }
    Target target(*this, slot, offer.ip);
    const NetBoxIpAddress& current = target.ip();
    if (!target.is_create()) {
        bool tag_protected = protection_.tagged(current);
        if (tag_protected || protection_.prefix_protects(scope_.vrf_id, offer.ip)) {
            protected_ip(target, offer, tag_protected);
            return;
        }
    }
    // Matrix row "R + lease": a reservation outranks a lease.
    if (offer.pass == Pass::lease && current.status == settings_.reservation_status) {
        reservation_precedence(target, offer);
        return;
    }
    // README "How it differs from the plugin": with push_reservations NetBox owns reserved IPs that have a client id; differences are
    // pushed to the server by reservation_push, not pulled.
    if (offer.pass == Pass::reservation && settings_.push_reservations &&
        current.status == settings_.reservation_status && !current.client_id.empty()) {
        return;
    }
    normal_update(target, offer);
}

void IpReconciler::create(const Offer& offer) {
    if (protection_.prefix_protects(scope_.vrf_id, offer.ip)) {
        plan_.skips.push_back(Skip{make_note(scope_.server, scope_.scope, ip_label(offer.ip, scope_.prefix.length),
                                             std::string(source(offer.pass)) + " not created: inside a protected prefix"),
                                   ObjectKind::ip_address});
        return;
    }
    NetBoxIpAddress ip;
    ip.address = offer.ip;
    ip.prefix_length = scope_.prefix.length;
    ip.vrf_id = scope_.vrf_id;
    ip.status = target_status(offer.pass);
    ip.dns_name = dns_name_to_write(offer).value_or("");
    ip.client_id = offer.client_id;
    if (!settings_.managed_tag.empty()) ip.tags.push_back(settings_.managed_tag);
    IpWork& work = changes_.add_create(std::move(ip), where(offer.ip));
    work.reasons.push_back(std::string(source(offer.pass)) + " on server, not in NetBox");
}

void IpReconciler::protected_ip(Target& target, const Offer& offer, bool tag_protected) {
    const auto& ip = target.ip();
    bool exception = tag_protected && offer.pass == Pass::lease && protection_.allows_lease_client_id_update(ip) &&
                     !offer.client_id.empty();
    if (exception) {
        if (ip.client_id != offer.client_id && normalize_client_id(ip.client_id) != offer.client_id) {
            IpWork& work = target.edit();
            work.reasons.push_back("client id " + quoted(work.current.client_id) + " \u2192 " + quoted(offer.client_id) +
                                   " from lease on protected IP (protect_update_client_id)");
            work.current.client_id = offer.client_id;
        }
        return;
    }
    plan_.skips.push_back(Skip{make_note(scope_.server, scope_.scope, ip_label(ip.address, ip.prefix_length),
                                         tag_protected ? "protected by tag '" + settings_.protect_tag + "'"
                                                       : std::string("inside a protected prefix")),
                               ObjectKind::ip_address});
}

void IpReconciler::reservation_precedence(Target& target, const Offer& offer) {
    // Status and dns_name stay; only an empty client id is back-filled. Not a takeover: no managed tag, so a
    // pre-staged reservation never becomes deletable (differs from the plugin, B3).
    if (target.ip().client_id.empty() && !offer.client_id.empty()) {
        IpWork& work = target.edit();
        work.reasons.push_back("client id back-filled from lease " + quoted(offer.client_id) +
                               " (reserved status kept)");
        work.current.client_id = offer.client_id;
    }
}

void IpReconciler::normal_update(Target& target, const Offer& offer) {
    // Decide on the IP as it stands; copy it into the change set only when something differs.
    const auto& ip = target.ip();
    const std::string& status = target_status(offer.pass);
    const bool new_status = ip.status != status;
    // Empty server values never clear what NetBox has.
    const auto name = dns_name_to_write(offer);
    const bool new_name = name && !same_dns_name(*name, ip.dns_name);
    const bool new_client_id = !offer.client_id.empty() && ip.client_id != offer.client_id &&
                               normalize_client_id(ip.client_id) != offer.client_id;
    if (!new_status && !new_name && !new_client_id) return;

    IpWork& work = target.edit();
    auto& current = work.current;
    std::vector<std::string> changes;
    if (new_status) {
        changes.push_back("status " + quoted(current.status) + " \u2192 " + quoted(status));
        current.status = status;
    }
    if (new_name) {
        changes.push_back("dns_name " + quoted(current.dns_name) + " \u2192 " + quoted(*name));
        current.dns_name = *name;
    }
    if (new_client_id) {
        changes.push_back("client id " + quoted(current.client_id) + " \u2192 " + quoted(offer.client_id));
        current.client_id = offer.client_id;
    }
    std::string reason = std::string("from ") + source(offer.pass) + ": ";
    for (std::size_t i = 0; i < changes.size(); ++i) reason += (i ? ", " : "") + changes[i];
    if (!work.is_create()) add_managed_tag(current, settings_.managed_tag);
    work.reasons.push_back(std::move(reason));
}

}  // namespace nds::engine
