#include "sync_engine/scope_matcher.hpp"

#include <tuple>

namespace nds::engine {

bool server_owns_scope(const NetBoxSnapshot& netbox, ObjectId server_id, const NetBoxScope& scope) {
    if (scope.server_id && *scope.server_id == server_id) return true;
    if (!scope.failover_id) return false;
    const NetBoxFailover* failover = find_failover(netbox, *scope.failover_id);
    return failover && (failover->primary_server_id == server_id || failover->secondary_server_id == server_id);
}

ScopeMatcher::ScopeMatcher(const NetBoxSnapshot& netbox, ObjectId server_id) {
    for (const auto& scope : netbox.scopes) {
        if (!server_owns_scope(netbox, server_id, scope)) continue;
        if (const NetBoxPrefix* prefix = find_prefix(netbox, scope.prefix_id)) {
            owned_.push_back(Owned{&scope, prefix});
        } else {
            unkeyed_.push_back(&scope);
        }
    }
}

const NetBoxScope* ScopeMatcher::match(const DhcpScope& remote) const {
    auto remote_net = Ipv4Network::from_mask(remote.scope_id, remote.subnet_mask);
    const Owned* best = nullptr;
    auto rank = [&](const Owned& o) {
        bool same_length = remote_net && remote_net->length == o.prefix->prefix.length;
        bool same_range = o.scope->start_ip == remote.start_ip && o.scope->end_ip == remote.end_ip;
        bool same_name = o.scope->name == remote.name;
        // Lower is better; name and id make the choice deterministic.
        return std::make_tuple(!same_length, !same_range, !same_name, o.scope->name, o.scope->id);
    };
    for (const auto& o : owned_) {
        if (o.prefix->prefix.network != remote.scope_id) continue;
        if (!best || rank(o) < rank(*best)) best = &o;
    }
    return best ? best->scope : nullptr;
}

}  // namespace nds::engine
