#include "sync_engine/netbox_snapshot.hpp"

#include <algorithm>

namespace nds::engine {

bool has_tag(const std::vector<std::string>& tags, const std::string& slug) {
    // An unset tag setting (empty slug) must never match, or every object would count as tagged.
    return !slug.empty() && std::find(tags.begin(), tags.end(), slug) != tags.end();
}

const NetBoxServer* find_server(const NetBoxSnapshot& netbox, ObjectId id) {
    auto it = std::find_if(netbox.servers.begin(), netbox.servers.end(), [&](const auto& s) { return s.id == id; });
    return it == netbox.servers.end() ? nullptr : &*it;
}

const NetBoxFailover* find_failover(const NetBoxSnapshot& netbox, ObjectId id) {
    auto it = std::find_if(netbox.failovers.begin(), netbox.failovers.end(),
                           [&](const auto& f) { return f.id == id; });
    return it == netbox.failovers.end() ? nullptr : &*it;
}

const NetBoxFailover* find_failover_by_name(const NetBoxSnapshot& netbox, const std::string& name) {
    auto it = std::find_if(netbox.failovers.begin(), netbox.failovers.end(),
                           [&](const auto& f) { return f.name == name; });
    return it == netbox.failovers.end() ? nullptr : &*it;
}

const NetBoxPrefix* find_prefix(const NetBoxSnapshot& netbox, ObjectId id) {
    auto it = netbox.prefixes.find(id);
    return it == netbox.prefixes.end() ? nullptr : &it->second;
}

}  // namespace nds::engine
