// Short human labels for ActionNote::object and ::scope, so every part of the engine names things the same way.
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"

#include <string>

namespace nds::engine {

std::string ip_label(Ipv4Address address, int length);          ///< "10.0.1.5/24"
std::string range_label(Ipv4Address start, Ipv4Address end);    ///< "10.0.1.10–10.0.1.20"
std::string scope_label(const NetBoxScope& scope);              ///< its name, or its id when unnamed
std::string scope_label(const DhcpScope& scope);                ///< its name, or its scope id when unnamed

ActionNote make_note(std::string server, std::string scope, std::string object, std::string reason);

}  // namespace nds::engine
