#include "sync_engine/labels.hpp"

namespace nds::engine {

std::string ip_label(Ipv4Address address, int length) { return Ipv4Interface{address, length}.to_string(); }

std::string range_label(Ipv4Address start, Ipv4Address end) {
    return start.to_string() + "\u2013" + end.to_string();
}

std::string scope_label(const NetBoxScope& scope) {
    return scope.name.empty() ? "scope #" + std::to_string(scope.id) : scope.name;
}

std::string scope_label(const DhcpScope& scope) {
    return scope.name.empty() ? scope.scope_id.to_string() : scope.name;
}

ActionNote make_note(std::string server, std::string scope, std::string object, std::string reason) {
    return ActionNote{std::move(server), std::move(scope), std::move(object), std::move(reason)};
}

}  // namespace nds::engine
