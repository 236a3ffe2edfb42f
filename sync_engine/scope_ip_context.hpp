// What the address phase needs to know about the scope it is working on.
#pragma once

#include "sync_engine/ipv4.hpp"
#include "sync_engine/netbox_snapshot.hpp"

#include <optional>
#include <string>

namespace nds::engine {

struct ScopeIpContext {
    std::string server;              ///< server name, for notes
    std::string scope;               ///< scope label, for notes
    Ipv4Address scope_id;            ///< the scope's id on the wire
    Ipv4Network prefix;              ///< the scope's NetBox prefix
    std::optional<ObjectId> vrf_id;  ///< the prefix's VRF: only IPs in it belong to the scope
    Ipv4Address start_ip;
    Ipv4Address end_ip;
};

}  // namespace nds::engine
