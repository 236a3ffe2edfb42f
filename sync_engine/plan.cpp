#include "sync_engine/plan.hpp"

#include <iterator>

namespace nds::engine {
namespace {

template <typename T>
void move_append(std::vector<T>& to, std::vector<T>& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

const char* to_string(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::ip_address: return "ip_address";
        case ObjectKind::prefix: return "prefix";
        case ObjectKind::scope: return "scope";
        case ObjectKind::exclusion_range: return "exclusion_range";
        case ObjectKind::reservation: return "reservation";
        case ObjectKind::dhcp_scope: return "dhcp_scope";
        case ObjectKind::dhcp_exclusion: return "dhcp_exclusion";
        case ObjectKind::server: return "server";
        case ObjectKind::failover: return "failover";
        case ObjectKind::option_code: return "option_code";
        case ObjectKind::option_value: return "option_value";
    }
    return "unknown";
}

const char* to_string(Verb verb) {
    switch (verb) {
        case Verb::create: return "create";
        case Verb::update: return "update";
        case Verb::remove: return "delete";
    }
    return "unknown";
}

std::size_t Plan::write_count() const {
    return failover_creates.size() + option_code_creates.size() + option_value_creates.size() + prefix_creates.size() + scope_creates.size() + scope_updates.size() + scope_deletes.size() +
           exclusion_creates.size() + exclusion_deletes.size() + ip_creates.size() + ip_updates.size() +
           ip_deletes.size() + reservation_creates.size() + reservation_updates.size() +
           reservation_deletes.size() + dhcp_scope_writes.size() + dhcp_exclusion_writes.size();
}

bool Plan::empty() const { return write_count() == 0; }

void Plan::append(Plan&& other) {
    move_append(failover_creates, other.failover_creates);
    move_append(option_code_creates, other.option_code_creates);
    move_append(option_value_creates, other.option_value_creates);
    move_append(prefix_creates, other.prefix_creates);
    move_append(scope_creates, other.scope_creates);
    move_append(scope_updates, other.scope_updates);
    move_append(scope_deletes, other.scope_deletes);
    move_append(exclusion_creates, other.exclusion_creates);
    move_append(exclusion_deletes, other.exclusion_deletes);
    move_append(ip_creates, other.ip_creates);
    move_append(ip_updates, other.ip_updates);
    move_append(ip_deletes, other.ip_deletes);
    move_append(reservation_creates, other.reservation_creates);
    move_append(reservation_updates, other.reservation_updates);
    move_append(reservation_deletes, other.reservation_deletes);
    move_append(dhcp_scope_writes, other.dhcp_scope_writes);
    move_append(dhcp_exclusion_writes, other.dhcp_exclusion_writes);
    move_append(skips, other.skips);
    move_append(problems, other.problems);
}

}  // namespace nds::engine

namespace nds::engine {

ObjectKind DhcpWrite::kind() const {
    if (std::holds_alternative<ScopeChange>(change)) return ObjectKind::dhcp_scope;
    if (std::holds_alternative<ExclusionChange>(change)) return ObjectKind::dhcp_exclusion;
    return ObjectKind::reservation;
}

DhcpOperation DhcpWrite::operation() const {
    switch (kind()) {
    case ObjectKind::dhcp_scope: return verb == Verb::create ? DhcpOperation::scope_create : DhcpOperation::scope_update;
    case ObjectKind::dhcp_exclusion:
        return verb == Verb::remove ? DhcpOperation::exclusion_delete : DhcpOperation::exclusion_create;
    default:
        return verb == Verb::create   ? DhcpOperation::reservation_create
               : verb == Verb::update ? DhcpOperation::reservation_update
                                      : DhcpOperation::reservation_delete;
    }
}

}  // namespace nds::engine
