// Which NetBox scope a remote (server) scope is. The plugin keys every NetBox scope of every server by network
// address, so scopes of other servers, other VRFs or sharing a prefix shadow each other (the plugin's rules B6). Here a
// remote scope is matched only among the scopes this server owns.
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"

#include <vector>

namespace nds::engine {

/// True when the scope is this server's: standalone on it, or in a failover where it is primary or secondary.
bool server_owns_scope(const NetBoxSnapshot& netbox, ObjectId server_id, const NetBoxScope& scope);

class ScopeMatcher {
public:
    ScopeMatcher(const NetBoxSnapshot& netbox, ObjectId server_id);

    /// The owned scope whose prefix network address is the remote scope id. Among several, prefer the one whose
    /// prefix length equals the remote subnet mask, then the same address range, then the same name.
    const NetBoxScope* match(const DhcpScope& remote) const;

    struct Owned {
        const NetBoxScope* scope;
        const NetBoxPrefix* prefix;
    };
    const std::vector<Owned>& owned() const { return owned_; }
    /// Owned scopes whose prefix is not in the snapshot: they cannot be keyed, so they are never matched.
    const std::vector<const NetBoxScope*>& unkeyed() const { return unkeyed_; }

private:
    std::vector<Owned> owned_;
    std::vector<const NetBoxScope*> unkeyed_;
};

}  // namespace nds::engine
