#include "sync_engine/import_scopes.hpp"

#include "sync_engine/labels.hpp"
#include "sync_engine/scope_attributes.hpp"
#include "sync_engine/scope_import.hpp"
#include "sync_engine/scope_matcher.hpp"

namespace nds::engine {
namespace {

std::string scope_name(const DhcpScope& remote) {
    return remote.name.empty() ? remote.scope_id.to_string() : remote.name;
}

/// Exclusion ranges of a scope: each one NetBox lacks is created (for an existing scope by id, for a new one by
/// its index in the plan); the ones it has are skipped.
void import_exclusions(ImportScopeContext& ctx, const std::string& scope, const DhcpScope& remote,
                       const ImportScopeData* data, const NetBoxScope* existing, std::optional<std::size_t> created) {
    const std::string& server = ctx.server.name;
    if (!data || !data->exclusions) {
        std::string why = data ? data->exclusions_error : "not read";
        ctx.out.error(ImportCategory::exclusion_ranges,
                      make_note(server, scope, remote.scope_id.to_string(),
                                "scope '" + scope + "': could not fetch exclusion ranges" + (why.empty() ? "" : ": " + why)));
        return;
    }
    std::set<DhcpExclusion> have;
    if (existing)
        for (const auto& range : existing->exclusion_ranges) have.insert(DhcpExclusion{range.start_ip, range.end_ip});
    for (const auto& range : *data->exclusions) {
        std::string object = range_label(range.start_ip, range.end_ip);
        if (!have.insert(range).second) {
            ctx.out.plan.skips.push_back(
                Skip{make_note(server, scope, object, "exclusion range already in NetBox"), ObjectKind::exclusion_range});
            continue;
        }
        ExclusionRangeCreate create;
        create.note = make_note(server, scope, object, existing ? "on server, missing from the existing NetBox scope"
                                                                : "exclusion range of the imported scope");
        create.scope_id = existing ? existing->id : 0;
        create.start_ip = range.start_ip;
        create.end_ip = range.end_ip;
        create.new_scope = created;
        ctx.out.plan.exclusion_creates.push_back(std::move(create));
    }
}

/// The existing NetBox scope this server scope already is, or nullptr.
const NetBoxScope* existing_scope(const ImportScopeContext& ctx, const DhcpScope& remote, const ImportPrefix& prefix) {
    ScopeMatcher matcher(ctx.netbox.snapshot, ctx.server.id);
    if (const NetBoxScope* owned = matcher.match(remote)) return owned;
    if (prefix.lookup != PrefixLookup::found) return nullptr;
    for (const auto& scope : ctx.netbox.snapshot.scopes)
        if (scope.prefix_id == prefix.prefix->id && scope.name == scope_name(remote)) return &scope;
    return nullptr;
}

}  // namespace

void import_scope(ImportScopeContext& ctx, const DhcpScope& remote, const ImportScopeData* data) {
    const std::string& server = ctx.server.name;
    const std::string name = scope_name(remote);
    auto fail = [&](const std::string& object, const std::string& reason) {
        ctx.out.error(ImportCategory::scopes, make_note(server, name, object, reason));
    };

    ImportPrefix prefix = import_prefix(ctx.netbox.snapshot, remote, ctx.settings);
    if (const NetBoxScope* existing = existing_scope(ctx, remote, prefix)) {
        std::string object = existing->name;
        if (const NetBoxPrefix* p = find_prefix(ctx.netbox.snapshot, existing->prefix_id)) object += " (" + p->prefix.to_string() + ")";
        std::string reason = existing->name == name ? "scope already in NetBox (not changed)"
                                                    : "already in NetBox as '" + existing->name + "' (not changed)";
        ctx.out.plan.skips.push_back(Skip{make_note(server, name, object, reason), ObjectKind::scope});
        import_exclusions(ctx, existing->name, remote, data, existing, std::nullopt);
        return;
    }

    switch (prefix.lookup) {
        case PrefixLookup::bad_mask:
            fail(remote.scope_id.to_string(), remote.scope_id.to_string() + ": cannot compute CIDR — subnet mask " +
                                                  remote.subnet_mask.to_string() + " is not a valid netmask");
            return;
        case PrefixLookup::ambiguous:
            fail(prefix.network.to_string(), "prefix " + prefix.network.to_string() + " exists in " +
                                                 std::to_string(prefix.matches) +
                                                 " VRFs; not guessing which one — scope not imported");
            return;
        case PrefixLookup::missing:
            fail(prefix.network.to_string(), "prefix " + prefix.network.to_string() +
                                                 " does not exist in NetBox and create_missing_prefixes is off — skipped");
            return;
        case PrefixLookup::found:
        case PrefixLookup::to_create:
            break;
    }

    ScopeCreate create;
    create.name = name;
    create.prefix = prefix.network;
    if (prefix.prefix) {
        create.prefix_id = prefix.prefix->id;
        create.vrf_id = prefix.prefix->vrf_id;
    }
    create.start_ip = remote.start_ip;
    create.end_ip = remote.end_ip;
    create.router = normalized_router(remote.router);
    create.lease_lifetime = normalized_lease(remote.lease_duration_seconds);

    std::string owner = "standalone on " + server;
    if (!remote.failover_name.empty()) {
        const NetBoxFailover* failover = find_failover_by_name(ctx.netbox.snapshot, remote.failover_name);
        bool planned = false;
        for (const auto& f : ctx.out.plan.failover_creates) planned = planned || f.name == remote.failover_name;
        if (failover) {
            if (failover->primary_server_id != ctx.server.id && failover->secondary_server_id != ctx.server.id) {
                fail(name + " (" + prefix.network.to_string() + ")",
                     "server reports it in failover '" + remote.failover_name +
                         "', which NetBox does not link to server '" + server + "' — not imported");
                return;
            }
            create.failover_id = failover->id;
            owner = "failover " + failover->name;
        } else if (planned) {
            create.failover_name = remote.failover_name;
            owner = "failover " + remote.failover_name + " (imported now)";
        } else {
            ctx.out.plan.problems.push_back(Problem{
                Severity::warning,
                make_note(server, name, name,
                          "failover '" + remote.failover_name +
                              "' is not in NetBox (see the failover errors); the scope is imported as a standalone "
                              "scope of " + server)});
        }
    }
    if (!create.failover_id && create.failover_name.empty()) create.server_id = ctx.server.id;

    if (prefix.lookup == PrefixLookup::to_create && ctx.prefixes_planned.insert(prefix.network).second) {
        ctx.out.plan.prefix_creates.push_back(PrefixCreate{
            make_note(server, name, prefix.network.to_string(),
                      "prefix of scope " + remote.scope_id.to_string() + " not in NetBox (create_missing_prefixes)"),
            prefix.network, std::nullopt, "active"});
    }

    if (!data || !data->options) {
        std::string why = data ? data->options_error : "not read";
        ctx.out.error(ImportCategory::option_values,
                      make_note(server, name, remote.scope_id.to_string(),
                                "scope '" + name + "': could not fetch options" + (why.empty() ? "" : ": " + why)));
    } else {
        ctx.options.import(name, *data->options, create);
    }

    create.note = make_note(server, name, name + " (" + prefix.network.to_string() + ")",
                            std::string("on server, not in NetBox (") + (remote.active ? "" : "inactive, ") + owner + ")");
    std::size_t index = ctx.out.plan.scope_creates.size();
    ctx.out.plan.scope_creates.push_back(std::move(create));
    import_exclusions(ctx, name, remote, data, nullptr, index);
}

}  // namespace nds::engine
