#include "dhcpd_client/server_model.hpp"

#include "sync_engine/client_id.hpp"

#include <algorithm>
#include <optional>

namespace nds::dhcpd {
namespace {

using engine::DhcpExclusion;
using engine::DhcpReservation;
using engine::Ipv4Address;
using engine::Ipv4Network;

backend::WriteOutcome applied() { return {backend::WriteStatus::applied, ""}; }
backend::WriteOutcome failed(std::string why) { return {backend::WriteStatus::failed, std::move(why)}; }

std::optional<Ipv4Network> network_of(const engine::DhcpScope& scope) {
    auto network = Ipv4Network::from_mask(scope.scope_id, scope.subnet_mask);
    if (!network || network->network != scope.scope_id) return std::nullopt;
    return network;
}

std::string range_text(Ipv4Address a, Ipv4Address b) { return a.to_string() + "-" + b.to_string(); }

std::optional<std::string> scope_problem(const engine::DhcpScope& scope) {
    auto network = network_of(scope);
    if (!network)
        return "scope " + scope.scope_id.to_string() + " mask " + scope.subnet_mask.to_string() +
               " is not a network address with a contiguous mask";
    if (scope.start_ip > scope.end_ip)
        return "scope range " + range_text(scope.start_ip, scope.end_ip) + " starts after it ends";
    if (!network->contains(scope.start_ip) || !network->contains(scope.end_ip))
        return "scope range " + range_text(scope.start_ip, scope.end_ip) + " is not inside " + network->to_string();
    if (scope.router && !network->contains(*scope.router))
        return "router " + scope.router->to_string() + " is not inside " + network->to_string();
    if (scope.lease_duration_seconds <= 0)
        return "lease time " + std::to_string(scope.lease_duration_seconds) + " s is not positive";
    return std::nullopt;
}

backend::WriteOutcome write_scope(ServerModel& model, const engine::DhcpWrite& write, const engine::ScopeChange& change) {
    auto key = write.scope_id.value;
    if (write.verb == engine::Verb::remove) {
        model.scopes.erase(key);
        return applied();
    }
    if (change.scope.scope_id != write.scope_id)
        return failed("the scope's id " + change.scope.scope_id.to_string() + " differs from the write's " +
                      write.scope_id.to_string());
    if (auto problem = scope_problem(change.scope)) return failed(*problem);
    auto found = model.scopes.find(key);
    if (found == model.scopes.end()) {
        if (write.verb == engine::Verb::update)
            return failed("scope " + write.scope_id.to_string() + " is not in the server's configuration");
        ScopeModel scope;
        scope.scope = change.scope;
        model.scopes.emplace(key, std::move(scope));
        return applied();
    }
    found->second.scope = change.scope;
    return applied();
}

backend::WriteOutcome write_exclusion(ScopeModel& scope, const engine::DhcpWrite& write, const engine::ExclusionChange& change) {
    auto& list = scope.exclusions;
    const auto& range = change.range;
    if (write.verb == engine::Verb::remove) {
        list.erase(std::remove(list.begin(), list.end(), range), list.end());
        return applied();
    }
    auto network = network_of(scope.scope);
    if (range.start_ip > range.end_ip) return failed("exclusion " + range_text(range.start_ip, range.end_ip) + " starts after it ends");
    if (!network || !network->contains(range.start_ip) || !network->contains(range.end_ip))
        return failed("exclusion " + range_text(range.start_ip, range.end_ip) + " is not inside the scope's subnet");
    if (std::find(list.begin(), list.end(), range) == list.end()) {
        list.push_back(range);
        std::sort(list.begin(), list.end());
    }
    return applied();
}

backend::WriteOutcome write_reservation(ScopeModel& scope, const engine::DhcpWrite& write,
                                        const engine::ReservationChange& change) {
    auto& list = scope.reservations;
    auto wanted = change.reservation;
    wanted.client_id = engine::normalize_client_id(wanted.client_id);
    if (write.verb == engine::Verb::remove) {
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const DhcpReservation& r) {
                                      return r.client_id == wanted.client_id &&
                                             (wanted.ip.value == 0 || r.ip == wanted.ip);
                                  }),
                   list.end());
        return applied();
    }
    if (!engine::is_mac_address(wanted.client_id))
        return failed("client id '" + wanted.client_id +
                      "' is not a MAC address: a dhcpd host pool identifies the client by its hardware address");
    auto network = network_of(scope.scope);
    if (!network || !network->contains(wanted.ip))
        return failed("address " + wanted.ip.to_string() + " is not inside the scope's subnet");
    for (const auto& r : list) {
        if (r.ip == wanted.ip && r.client_id != wanted.client_id && write.verb == engine::Verb::create)
            return failed("address " + wanted.ip.to_string() + " is already reserved for " + r.client_id);
        if (r.client_id == wanted.client_id && r.ip != wanted.ip && write.verb == engine::Verb::create)
            return failed(wanted.client_id + " is already reserved at " + r.ip.to_string() + " in this scope");
    }
    if (write.verb == engine::Verb::update) {
        // The client id identifies the reservation (as on Windows); the address may move with it.
        auto found = std::find_if(list.begin(), list.end(), [&](const DhcpReservation& r) { return r.client_id == wanted.client_id; });
        if (found == list.end()) return failed("no reservation for " + wanted.client_id + " in this scope");
        auto clash = std::find_if(list.begin(), list.end(), [&](const DhcpReservation& r) {
            return r.ip == wanted.ip && r.client_id != wanted.client_id;
        });
        if (clash != list.end()) return failed("address " + wanted.ip.to_string() + " is already reserved for " + clash->client_id);
        *found = wanted;
    } else {
        auto found = std::find_if(list.begin(), list.end(), [&](const DhcpReservation& r) { return r.ip == wanted.ip; });
        if (found != list.end()) *found = wanted;
        else list.push_back(wanted);
    }
    std::sort(list.begin(), list.end(), [](const DhcpReservation& a, const DhcpReservation& b) { return a.ip < b.ip; });
    return applied();
}

}  // namespace

std::vector<backend::WriteOutcome> apply_writes(ServerModel& model, const std::vector<engine::DhcpWrite>& writes) {
    std::vector<backend::WriteOutcome> outcomes;
    outcomes.reserve(writes.size());
    for (const auto& write : writes) {
        if (const auto* scope_change = std::get_if<engine::ScopeChange>(&write.change)) {
            outcomes.push_back(write_scope(model, write, *scope_change));
            continue;
        }
        auto scope = model.scopes.find(write.scope_id.value);
        if (scope == model.scopes.end()) {
            outcomes.push_back(failed("scope " + write.scope_id.to_string() + " is not in the server's configuration"));
            continue;
        }
        if (const auto* exclusion = std::get_if<engine::ExclusionChange>(&write.change))
            outcomes.push_back(write_exclusion(scope->second, write, *exclusion));
        else
            outcomes.push_back(write_reservation(scope->second, write, std::get<engine::ReservationChange>(write.change)));
    }
    return outcomes;
}

void apply_scope_options(ServerModel& model,
                         const std::map<std::uint32_t, std::vector<engine::DhcpOptionValue>>& scope_options) {
    for (auto& [key, scope] : model.scopes) {
        auto found = scope_options.find(key);
        if (found == scope_options.end()) continue;
        scope.options.clear();
        for (const auto& option : found->second)
            if (option.code != 3 && option.code != 51) scope.options.push_back(option);  // scope fields
        std::stable_sort(scope.options.begin(), scope.options.end(),
                         [](const auto& a, const auto& b) { return a.code < b.code; });
    }
}

std::vector<DhcpExclusion> pool_ranges(const ScopeModel& scope) {
    // Holes: the exclusions and every reserved address, sorted; the ranges are what lies between them.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> holes;
    for (const auto& e : scope.exclusions) holes.emplace_back(e.start_ip.value, e.end_ip.value);
    for (const auto& r : scope.reservations) holes.emplace_back(r.ip.value, r.ip.value);
    std::sort(holes.begin(), holes.end());
    std::vector<DhcpExclusion> ranges;
    std::uint64_t next = scope.scope.start_ip.value;  // 64 bits: end may be 255.255.255.255
    const std::uint64_t last = scope.scope.end_ip.value;
    for (const auto& [from, to] : holes) {
        if (to < next) continue;
        if (from > last) break;
        if (from > next) ranges.push_back({Ipv4Address{static_cast<std::uint32_t>(next)}, Ipv4Address{from - 1}});
        next = std::max<std::uint64_t>(next, std::uint64_t{to} + 1);
    }
    if (next <= last)
        ranges.push_back({Ipv4Address{static_cast<std::uint32_t>(next)}, Ipv4Address{static_cast<std::uint32_t>(last)}});
    return ranges;
}

std::vector<DhcpExclusion> exclusions_from_pools(Ipv4Address start, Ipv4Address end, std::vector<DhcpExclusion> ranges,
                                                 const std::vector<DhcpReservation>& reservations) {
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::uint32_t> reserved;
    for (const auto& r : reservations) reserved.push_back(r.ip.value);
    std::sort(reserved.begin(), reserved.end());
    auto is_reserved = [&](std::uint64_t a) { return std::binary_search(reserved.begin(), reserved.end(), a); };

    std::vector<DhcpExclusion> gaps;
    auto add_gap = [&](std::uint64_t from, std::uint64_t to) {
        while (from <= to && is_reserved(from)) ++from;
        while (to >= from && is_reserved(to)) {
            if (to == 0) return;
            --to;
        }
        if (from <= to)
            gaps.push_back({Ipv4Address{static_cast<std::uint32_t>(from)}, Ipv4Address{static_cast<std::uint32_t>(to)}});
    };
    std::uint64_t next = start.value;
    const std::uint64_t last = end.value;
    for (const auto& r : ranges) {
        std::uint64_t from = std::max<std::uint64_t>(r.start_ip.value, start.value);
        std::uint64_t to = std::min<std::uint64_t>(r.end_ip.value, last);
        if (from > to) continue;
        if (from > next) add_gap(next, from - 1);
        next = std::max(next, to + 1);
    }
    if (next <= last) add_gap(next, last);
    return gaps;
}

const ScopeModel* scope_of_address(const ServerModel& model, Ipv4Address address) {
    // Subnets of one dhcpd file do not overlap: the only candidate is the last network at or below the address.
    auto it = model.scopes.upper_bound(address.value);
    if (it == model.scopes.begin()) return nullptr;
    --it;
    auto network = network_of(it->second.scope);
    return network && network->contains(address) ? &it->second : nullptr;
}

}  // namespace nds::dhcpd
