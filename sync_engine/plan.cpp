#include "sync_engine/plan.hpp"

#include <algorithm>
#include <iterator>
#include <type_traits>

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
    std::size_t count = dhcp_writes.size();
    visit_netbox_writes(*this, [&](const auto& list, ObjectKind, Verb) { count += list.size(); });
    return count;
}

bool Plan::empty() const { return write_count() == 0; }

bool Plan::has_netbox_writes() const { return write_count() > dhcp_writes.size(); }

void Plan::append(Plan&& other) {
    std::apply([&](const auto&... list) { (move_append(this->*(list.member), other.*(list.member)), ...); },
               kNetBoxWriteLists);
    move_append(dhcp_writes, other.dhcp_writes);
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

DhcpWrite DhcpWrite::scope(ActionNote note, Verb verb, DhcpScope scope, std::vector<std::string> changed_fields) {
    Ipv4Address id = scope.scope_id;
    return DhcpWrite{std::move(note), verb, id, ScopeChange{std::move(scope), std::move(changed_fields)}};
}

DhcpWrite DhcpWrite::exclusion(ActionNote note, Verb verb, Ipv4Address scope_id, DhcpExclusion range) {
    return DhcpWrite{std::move(note), verb, scope_id, ExclusionChange{range}};
}

DhcpWrite DhcpWrite::reservation(ActionNote note, Verb verb, Ipv4Address scope_id, DhcpReservation reservation) {
    return DhcpWrite{std::move(note), verb, scope_id, ReservationChange{std::move(reservation)}};
}

void order_dhcp_writes(std::vector<DhcpWrite>& writes) {
    auto rank = [](const DhcpWrite& write) {
        switch (write.kind()) {
        case ObjectKind::dhcp_scope: return 0;
        case ObjectKind::dhcp_exclusion: return 1;
        default: return write.verb == Verb::remove ? 2 : write.verb == Verb::create ? 3 : 4;
        }
    };
    std::stable_sort(writes.begin(), writes.end(),
                     [&](const DhcpWrite& a, const DhcpWrite& b) { return rank(a) < rank(b); });
}

DhcpOperation DhcpWrite::operation() const {
    switch (kind()) {
    case ObjectKind::dhcp_scope:
        return verb == Verb::create   ? DhcpOperation::scope_create
               : verb == Verb::update ? DhcpOperation::scope_update
                                      : DhcpOperation::scope_delete;
    case ObjectKind::dhcp_exclusion:
        return verb == Verb::remove ? DhcpOperation::exclusion_delete : DhcpOperation::exclusion_create;
    default:
        return verb == Verb::create   ? DhcpOperation::reservation_create
               : verb == Verb::update ? DhcpOperation::reservation_update
                                      : DhcpOperation::reservation_delete;
    }
}

}  // namespace nds::engine
