#include "sync_engine/scope_attributes.hpp"

#include "sync_engine/labels.hpp"

namespace nds::engine {
namespace {

std::string router_text(const std::optional<Ipv4Address>& router) { return router ? router->to_string() : "none"; }

/// Collects "field old → new" fragments for the reason.
struct Changes {
    std::vector<std::string> fields;
    std::string text;
    void add(const std::string& field, const std::string& from, const std::string& to) {
        fields.push_back(field);
        if (!text.empty()) text += ", ";
        text += field + " " + from + " \u2192 " + to;
    }
};

}  // namespace

std::int64_t normalized_lease(std::int64_t seconds) { return seconds > 0 ? seconds : 86400; }

std::optional<Ipv4Address> normalized_router(const std::optional<Ipv4Address>& router) {
    if (!router || router->value == 0) return std::nullopt;
    return router;
}

std::optional<ScopeUpdate> pull_scope_attributes(const NetBoxScope& local, const DhcpScope& remote,
                                                 const std::string& server) {
    ScopeUpdate update;
    update.id = local.id;
    Changes changes;
    if (!remote.name.empty() && remote.name != local.name) {
        update.name = remote.name;
        changes.add("name", "'" + local.name + "'", "'" + remote.name + "'");
    }
    if (remote.start_ip != local.start_ip) {
        update.start_ip = remote.start_ip;
        changes.add("start_ip", local.start_ip.to_string(), remote.start_ip.to_string());
    }
    if (remote.end_ip != local.end_ip) {
        update.end_ip = remote.end_ip;
        changes.add("end_ip", local.end_ip.to_string(), remote.end_ip.to_string());
    }
    auto remote_router = normalized_router(remote.router);
    auto local_router = normalized_router(local.router);
    if (remote_router != local_router) {
        update.set_router = true;
        update.router = remote_router;
        changes.add("router", router_text(local_router), router_text(remote_router));
    }
    auto remote_lease = normalized_lease(remote.lease_duration_seconds);
    if (remote_lease != local.lease_lifetime) {
        update.lease_lifetime = remote_lease;
        changes.add("lease_lifetime", std::to_string(local.lease_lifetime), std::to_string(remote_lease));
    }
    if (changes.fields.empty()) return std::nullopt;
    update.note = make_note(server, scope_label(local), scope_label(local), "server differs: " + changes.text);
    return update;
}

std::string failover_name_of(const NetBoxSnapshot& netbox, const NetBoxScope& local) {
    if (!local.failover_id) return "";
    const NetBoxFailover* failover = find_failover(netbox, *local.failover_id);
    return failover ? failover->name : "";
}

std::optional<DhcpWrite> push_scope_attributes(const NetBoxScope& local, const DhcpScope& remote,
                                               const std::string& failover_name, bool compare_failover,
                                               const std::string& server) {
    DhcpScope desired = remote;
    desired.failover_name = failover_name;
    Changes changes;
    if (compare_failover && failover_name != remote.failover_name)
        changes.add("failover", "'" + remote.failover_name + "'", "'" + failover_name + "'");
    if (local.name != remote.name) {
        desired.name = local.name;
        changes.add("name", "'" + remote.name + "'", "'" + local.name + "'");
    }
    if (local.start_ip != remote.start_ip) {
        desired.start_ip = local.start_ip;
        changes.add("start_ip", remote.start_ip.to_string(), local.start_ip.to_string());
    }
    if (local.end_ip != remote.end_ip) {
        desired.end_ip = local.end_ip;
        changes.add("end_ip", remote.end_ip.to_string(), local.end_ip.to_string());
    }
    auto local_router = normalized_router(local.router);
    if (local_router != normalized_router(remote.router)) {
        desired.router = local_router;
        changes.add("router", router_text(normalized_router(remote.router)), router_text(local_router));
    }
    auto local_lease = normalized_lease(local.lease_lifetime);
    if (local_lease != normalized_lease(remote.lease_duration_seconds)) {
        desired.lease_duration_seconds = local_lease;
        changes.add("lease_duration_seconds", std::to_string(remote.lease_duration_seconds), std::to_string(local_lease));
    }
    if (changes.fields.empty()) return std::nullopt;
    return DhcpWrite::scope(make_note(server, scope_label(local), remote.scope_id.to_string(), "NetBox differs: " + changes.text),
                            Verb::update, std::move(desired), std::move(changes.fields));
}

DhcpWrite create_scope_on_server(const NetBoxScope& local, const NetBoxPrefix& prefix, const std::string& failover_name,
                                 const std::string& server) {
    DhcpScope scope;
    scope.failover_name = failover_name;
    scope.scope_id = prefix.prefix.network;
    scope.name = local.name;
    scope.start_ip = local.start_ip;
    scope.end_ip = local.end_ip;
    scope.subnet_mask = prefix.prefix.netmask();
    scope.router = normalized_router(local.router);
    scope.lease_duration_seconds = normalized_lease(local.lease_lifetime);
    return DhcpWrite::scope(make_note(server, scope_label(local), prefix.prefix.to_string(),
                                      "scope in NetBox, not on server (push_scope_info)"),
                            Verb::create, std::move(scope));
}

}  // namespace nds::engine
