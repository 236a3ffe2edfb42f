#include "sync_engine/scope_import.hpp"

#include "sync_engine/labels.hpp"

namespace nds::engine {
namespace {

std::int64_t lease_or_default(std::int64_t seconds) { return seconds > 0 ? seconds : 86400; }

std::optional<Ipv4Address> router_or_none(const std::optional<Ipv4Address>& router) {
    if (!router || router->value == 0) return std::nullopt;
    return router;
}

}  // namespace

ImportOwner import_owner(const NetBoxSnapshot& netbox, const ServerRun& run, const DhcpScope& remote,
                         const SyncSettings& settings) {
    ImportOwner owner;
    if (!remote.failover_name.empty()) owner.failover = find_failover_by_name(netbox, remote.failover_name);
    if (owner.failover && owner.failover->primary_server_id != run.server_id &&
        owner.failover->secondary_server_id != run.server_id) {
        // Importing it under a failover this server is not part of would make a scope it does not own, so the
        // next run would not match it and would import it again, every run.
        owner.refusal = "server reports it in failover '" + remote.failover_name +
                        "', which NetBox does not link to server '" + run.name + "'";
        return owner;
    }
    owner.eligibility = import_eligibility(netbox, run, owner.failover, settings);
    return owner;
}

ImportPrefix import_prefix(const NetBoxSnapshot& netbox, const DhcpScope& remote, const SyncSettings& settings) {
    ImportPrefix result;
    auto network = Ipv4Network::from_mask(remote.scope_id, remote.subnet_mask);
    if (!network) {
        result.lookup = PrefixLookup::bad_mask;
        return result;
    }
    result.network = *network;
    for (const auto& [id, prefix] : netbox.prefixes) {
        if (prefix.prefix != *network) continue;
        ++result.matches;
        if (!result.prefix) result.prefix = &prefix;
    }
    if (result.matches == 1) result.lookup = PrefixLookup::found;
    else if (result.matches > 1) result.lookup = PrefixLookup::ambiguous;
    else result.lookup = settings.create_missing_prefixes ? PrefixLookup::to_create : PrefixLookup::missing;
    return result;
}

bool will_import_and_sync(const NetBoxSnapshot& netbox, const ServerRun& run, const DhcpScope& remote,
                          const SyncSettings& settings) {
    if (settings.push_scope_info) return false;
    auto owner = import_owner(netbox, run, remote, settings);
    if (!owner.refusal.empty() || !owner.eligibility.eligible()) return false;
    auto lookup = import_prefix(netbox, remote, settings).lookup;
    return lookup == PrefixLookup::found || lookup == PrefixLookup::to_create;
}

ScopeImporter::ScopeImporter(const NetBoxSnapshot& netbox, const SyncSettings& settings, Plan& plan)
    : netbox_(netbox), settings_(settings), plan_(plan) {}

void ScopeImporter::add_prefix_create(const ServerRun& run, const DhcpScope& remote, const Ipv4Network& network) {
    if (!prefixes_created_.insert(network).second) return;
    plan_.prefix_creates.push_back(PrefixCreate{
        make_note(run.name, scope_label(remote), network.to_string(),
                  "prefix of scope " + remote.scope_id.to_string() + " on server, not in NetBox (create_missing_prefixes)"),
        network, std::nullopt, "active"});
}

void ScopeImporter::import(const ServerRun& run, const DhcpScope& remote, const DhcpScopeData* data) {
    const std::string label = scope_label(remote);
    auto problem = [&](Severity severity, const std::string& object, const std::string& reason) {
        plan_.problems.push_back(Problem{severity, make_note(run.name, label, object, reason)});
    };

    ImportOwner owner = import_owner(netbox_, run, remote, settings_);
    if (!owner.refusal.empty()) {
        problem(Severity::warning, label, owner.refusal + " — scope " + remote.scope_id.to_string() + " not imported");
        return;
    }
    if (!owner.eligibility.eligible()) {
        if (!owner.eligibility.quiet()) {
            plan_.skips.push_back(Skip{make_note(run.name, label, label,
                                                 "not imported: " + owner.eligibility.reason),
                                       ObjectKind::scope});
        }
        return;
    }

    ImportPrefix prefix = import_prefix(netbox_, remote, settings_);
    switch (prefix.lookup) {
        case PrefixLookup::bad_mask:
            problem(Severity::error, label,
                    "subnet mask " + remote.subnet_mask.to_string() + " is not a valid netmask — scope not imported");
            return;
        case PrefixLookup::ambiguous:
            problem(Severity::error, prefix.network.to_string(),
                    "prefix " + prefix.network.to_string() + " exists in " + std::to_string(prefix.matches) +
                        " VRFs; not guessing which one — scope " + remote.scope_id.to_string() + " not imported");
            return;
        case PrefixLookup::missing:
            problem(Severity::error, prefix.network.to_string(),
                    "prefix " + prefix.network.to_string() +
                        " does not exist in NetBox and create_missing_prefixes is off — scope " +
                        remote.scope_id.to_string() + " not imported");
            return;
        case PrefixLookup::to_create:
        case PrefixLookup::found:
            break;
    }

    auto key = owner.failover ? std::make_tuple(true, owner.failover->id, remote.scope_id.value)
                              : std::make_tuple(false, run.server_id, remote.scope_id.value);
    if (!scopes_created_.insert(key).second) return;

    if (prefix.lookup == PrefixLookup::to_create) add_prefix_create(run, remote, prefix.network);

    ScopeCreate create;
    create.name = remote.name.empty() ? remote.scope_id.to_string() : remote.name;
    create.prefix = prefix.network;
    if (prefix.prefix) {
        create.prefix_id = prefix.prefix->id;
        create.vrf_id = prefix.prefix->vrf_id;
    }
    create.start_ip = remote.start_ip;
    create.end_ip = remote.end_ip;
    create.router = router_or_none(remote.router);
    create.lease_lifetime = lease_or_default(remote.lease_duration_seconds);
    if (owner.failover) create.failover_id = owner.failover->id;
    else create.server_id = run.server_id;

    std::string reason = "scope on server, not in NetBox (auto-import)";
    if (!remote.failover_name.empty() && !owner.failover)
        reason += "; failover '" + remote.failover_name + "' is not in NetBox, imported as standalone";
    if (data && data->exclusions) {
        create.exclusions = *data->exclusions;
    } else {
        problem(Severity::warning, label,
                "exclusions of scope " + remote.scope_id.to_string() +
                    " could not be read; imported without them (the next sync pulls them)");
    }
    create.note = make_note(run.name, label, create.name + " (" + prefix.network.to_string() + ")", reason);
    plan_.scope_creates.push_back(std::move(create));
}

}  // namespace nds::engine
