#include "kea_client/kea_config_edit.hpp"

#include "sync_engine/client_id.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace nds::kea {
namespace {

using engine::Ipv4Address;

EditOutcome failed(errc code, std::string message) {
    EditOutcome out;
    out.ok = false;
    out.code = make_error_code(code);
    out.message = std::move(message);
    return out;
}

EditOutcome done(bool changed) {
    EditOutcome out;
    out.changed = changed;
    return out;
}

/// A subnet entry that can be edited, and where it sits.
struct SubnetSlot {
    json::array* list = nullptr;  ///< the subnet4 list holding it
    std::size_t position = 0;
    json::object* shared_network = nullptr;
    json::object& subnet() const { return (*list)[position].get_object(); }
};

std::optional<SubnetSlot> find_slot(json::object& dhcp4, Ipv4Address network) {
    auto search = [&](json::array& list, json::object* shared) -> std::optional<SubnetSlot> {
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_object()) continue;
            auto parsed = engine::Ipv4Network::parse(string_member(list[i].get_object(), "subnet"));
            if (parsed && parsed->network == network) return SubnetSlot{&list, i, shared};
        }
        return std::nullopt;
    };
    if (json::value* top = dhcp4.if_contains("subnet4"); top && top->is_array())
        if (auto slot = search(top->get_array(), nullptr)) return slot;
    if (json::value* shared = dhcp4.if_contains("shared-networks"); shared && shared->is_array()) {
        for (auto& network_entry : shared->get_array()) {
            if (!network_entry.is_object()) continue;
            json::value* inner = network_entry.get_object().if_contains("subnet4");
            if (inner && inner->is_array())
                if (auto slot = search(inner->get_array(), &network_entry.get_object())) return slot;
        }
    }
    return std::nullopt;
}

SubnetView view_of(const SubnetSlot& slot, engine::Ipv4Network network) {
    return SubnetView{&slot.subnet(), slot.shared_network, integer_of(slot.subnet().if_contains("id")).value_or(0),
                      network};
}

/// The scope's description as the reader sees it, and whether setting `wanted` would change it: a
/// description read from Kea's "comment" that equals the wanted one stays where it is.
bool set_description(json::object& entry, const std::string& wanted, const std::string& current_view) {
    if (wanted == current_view) return false;
    return set_context_field(entry, "description", wanted);
}

void set_lifetime(json::object& subnet, const SubnetView& view, const json::object& dhcp4, std::int64_t value) {
    subnet["valid-lifetime"] = value;
    if (auto min = integer_of(inherited(view, dhcp4, "min-valid-lifetime")); min && *min > value)
        subnet["min-valid-lifetime"] = value;
    if (auto max = integer_of(inherited(view, dhcp4, "max-valid-lifetime")); max && *max < value)
        subnet["max-valid-lifetime"] = value;
}

/// The router a subnet would get from its shared network or the global option-data, without its own.
std::optional<Ipv4Address> router_above(const SubnetView& view, const json::object& dhcp4) {
    json::object bare;  // the subnet without its own option-data
    SubnetView above{&bare, view.shared_network, view.id, view.network};
    return effective_router(above, dhcp4);
}

/// Checked before anything is edited, so that a refused write leaves the configuration as it was.
std::optional<EditOutcome> router_refusal(const SubnetView& view, const json::object& dhcp4,
                                          std::optional<Ipv4Address> router) {
    if (router) return std::nullopt;
    if (auto still = router_above(view, dhcp4))
        return failed(errc::refused, "the router " + still->to_string() +
                                         " is set for the shared network or all subnets (option-data routers there); "
                                         "Kea cannot clear it for subnet " + view.network.to_string() + " alone");
    return std::nullopt;
}

/// Makes the subnet's own routers option say `router` (its first address replaced, others kept), or
/// removes it (router_refusal() said that this is enough).
void set_router(json::object& subnet, std::optional<Ipv4Address> router) {
    json::value& data_value = subnet["option-data"];
    if (!data_value.is_array()) data_value = json::array();
    json::array& data = data_value.get_array();
    int index = find_routers_option(&data_value);
    if (!router) {
        if (index >= 0) data.erase(data.begin() + index);
        return;
    }
    if (index < 0) {
        json::object option;
        option["name"] = "routers";
        option["code"] = 3;
        option["space"] = "dhcp4";
        option["csv-format"] = true;
        option["data"] = router->to_string();
        data.push_back(std::move(option));
        return;
    }
    json::object& option = data[index].get_object();
    std::string old = string_member(option, "data");
    auto comma = old.find(',');
    option["data"] = router->to_string() + (comma == std::string::npos ? std::string() : old.substr(comma));
}

/// Rewrites the pools so that they are `range` minus `exclusions`, keeping each existing pool's other
/// members (client-class, option-data, ...) and its text when its span is unchanged; keeps the range in
/// the user-context when the pools cannot show it. True when anything changed.
bool set_pools(json::object& subnet, AddressSpan range, const std::vector<AddressSpan>& exclusions) {
    json::value& pools_value = subnet["pools"];
    if (!pools_value.is_array()) pools_value = json::array();
    json::array& pools = pools_value.get_array();
    // Pools that differ only in their addresses share a tag, so that pieces of them that come to touch
    // (an exclusion removed between them) become one pool again.
    std::vector<TaggedSpan> existing;
    std::vector<json::object> attributes;  // by pool index: the pool without "pool"
    for (std::size_t i = 0; i < pools.size(); ++i) {
        attributes.push_back(pools[i].is_object() ? pools[i].get_object() : json::object());
        attributes.back().erase("pool");
        auto span = pools[i].is_object() ? parse_pool(string_member(pools[i].get_object(), "pool")) : std::nullopt;
        if (!span) continue;
        int tag = static_cast<int>(i);
        for (std::size_t j = 0; j < i; ++j)
            if (attributes[j] == attributes[i]) {
                tag = static_cast<int>(j);
                break;
            }
        existing.push_back({*span, tag});
    }
    auto target = subtract(range, exclusions);
    auto reshaped = reshape_pools(existing, target);
    bool changed = false;
    // Unchanged when each pool keeps its span (compared by index, before tags were shared).
    bool same = reshaped.size() == existing.size();
    for (std::size_t i = 0; same && i < reshaped.size(); ++i) same = reshaped[i].span == existing[i].span;
    if (!same) {
        json::array rebuilt;
        for (const auto& piece : reshaped) {
            json::object pool;
            if (piece.tag >= 0) {
                pool = pools[piece.tag].get_object();
                if (parse_pool(string_member(pool, "pool")) != piece.span) pool["pool"] = format_pool(piece.span);
            } else {
                pool["pool"] = format_pool(piece.span);
            }
            rebuilt.push_back(std::move(pool));
        }
        pools = std::move(rebuilt);
        changed = true;
    }
    auto keep = range_to_store(range, target);
    changed = set_context_field(subnet, "range", keep ? format_pool(*keep) : std::string()) || changed;
    return changed;
}

json::array& reservations_list(json::object& subnet) {
    json::value& list = subnet["reservations"];
    if (!list.is_array()) list = json::array();
    return list.get_array();
}

/// Index of the reservation with this client id (and this address, when `ip` is given), or -1.
int find_reservation(const json::array& list, const std::string& client_id, std::optional<Ipv4Address> ip) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_object()) continue;
        const auto& record = list[i].get_object();
        if (!client_id.empty() && reservation_client_id(record) != client_id) continue;
        if (ip && engine::Ipv4Address::parse(string_member(record, "ip-address")) != ip) continue;
        if (client_id.empty() && !ip) continue;
        return static_cast<int>(i);
    }
    return -1;
}

std::int64_t next_subnet_id(const json::object& dhcp4) {
    std::int64_t highest = 0;
    for (const auto& view : index_subnets(dhcp4).subnets) highest = std::max(highest, view.id);
    return highest + 1;
}

EditOutcome create_scope(json::object& dhcp4, const engine::DhcpScope& scope) {
    auto network = engine::Ipv4Network::from_mask(scope.scope_id, scope.subnet_mask);
    if (!network)
        return failed(errc::refused, "subnet mask " + scope.subnet_mask.to_string() + " of scope " +
                                         scope.scope_id.to_string() + " is not a contiguous mask");
    if (network->network != scope.scope_id)
        return failed(errc::refused, "scope id " + scope.scope_id.to_string() + " is not the network address of " +
                                         network->to_string());
    if (find_slot(dhcp4, scope.scope_id))
        return failed(errc::conflict, "subnet " + network->to_string() +
                                          " already exists in Kea's configuration (someone created it meanwhile); "
                                          "not created again");
    if (scope.start_ip > scope.end_ip)
        return failed(errc::refused, "scope range " + scope.start_ip.to_string() + " - " + scope.end_ip.to_string() +
                                         " ends before it starts");
    json::object subnet;
    subnet["id"] = next_subnet_id(dhcp4);
    subnet["subnet"] = network->to_string();
    subnet["pools"] = json::array();
    set_pools(subnet, AddressSpan{scope.start_ip.value, scope.end_ip.value}, {});
    set_context_field(subnet, "name", scope.name);
    set_context_field(subnet, "description", scope.description);
    // A top-level subnet inherits lifetime and router from the global level only.
    SubnetView view{&subnet, nullptr, 0, *network};
    if (auto refused = router_refusal(view, dhcp4, scope.router)) return *refused;
    if (effective_router(view, dhcp4) != scope.router) set_router(subnet, scope.router);
    if (effective_valid_lifetime(view, dhcp4) != scope.lease_duration_seconds)
        set_lifetime(subnet, view, dhcp4, scope.lease_duration_seconds);
    json::value& list = dhcp4["subnet4"];
    if (!list.is_array()) list = json::array();
    list.get_array().push_back(std::move(subnet));
    return done(true);
}

EditOutcome update_scope(json::object& dhcp4, const engine::DhcpScope& wanted) {
    auto slot = find_slot(dhcp4, wanted.scope_id);
    if (!slot) return failed(errc::not_found, "no subnet " + wanted.scope_id.to_string() + " in Kea's configuration");
    auto network = engine::Ipv4Network::parse(string_member(slot->subnet(), "subnet"));
    SubnetView view = view_of(*slot, *network);
    if (wanted.subnet_mask != network->netmask())
        return failed(errc::refused, "Kea cannot change the prefix length of subnet " + network->to_string() +
                                         " in place (mask " + wanted.subnet_mask.to_string() + " asked for)");
    std::string problem;
    auto current = scope_of(view, dhcp4, "", &problem);
    auto shape = subnet_shape(view, &problem);
    if (!current || !shape) return failed(errc::refused, "subnet " + network->to_string() + ": " + problem);
    bool range_changes = wanted.start_ip != current->start_ip || wanted.end_ip != current->end_ip;
    if (range_changes && wanted.start_ip > wanted.end_ip)
        return failed(errc::refused, "scope range " + wanted.start_ip.to_string() + " - " + wanted.end_ip.to_string() +
                                         " ends before it starts");
    bool router_changes = wanted.router != current->router;
    if (router_changes)
        if (auto refused = router_refusal(view, dhcp4, wanted.router)) return *refused;

    json::object& subnet = slot->subnet();
    bool changed = false;
    if (wanted.name != current->name) changed = set_context_field(subnet, "name", wanted.name) || changed;
    changed = set_description(subnet, wanted.description, current->description) || changed;
    if (range_changes)
        changed = set_pools(subnet, AddressSpan{wanted.start_ip.value, wanted.end_ip.value}, shape->exclusions) || changed;
    if (wanted.lease_duration_seconds != current->lease_duration_seconds) {
        set_lifetime(subnet, view, dhcp4, wanted.lease_duration_seconds);
        changed = true;
    }
    if (router_changes) {
        set_router(subnet, wanted.router);
        changed = true;
    }
    return done(changed);
}

EditOutcome delete_scope(json::object& dhcp4, Ipv4Address network) {
    auto slot = find_slot(dhcp4, network);
    if (!slot) return done(false);
    slot->list->erase(slot->list->begin() + static_cast<std::ptrdiff_t>(slot->position));
    return done(true);
}

EditOutcome edit_exclusion(json::object& dhcp4, const engine::DhcpWrite& write, const engine::DhcpExclusion& range) {
    auto slot = find_slot(dhcp4, write.scope_id);
    if (!slot) return failed(errc::not_found, "no subnet " + write.scope_id.to_string() + " in Kea's configuration");
    auto network = engine::Ipv4Network::parse(string_member(slot->subnet(), "subnet"));
    SubnetView view = view_of(*slot, *network);
    std::string problem;
    auto shape = subnet_shape(view, &problem);
    if (!shape) return failed(errc::refused, "subnet " + network->to_string() + ": " + problem);
    if (range.start_ip > range.end_ip)
        return failed(errc::refused, "exclusion " + range.start_ip.to_string() + " - " + range.end_ip.to_string() +
                                         " ends before it starts");
    AddressSpan span{range.start_ip.value, range.end_ip.value};
    std::vector<AddressSpan> exclusions = shape->exclusions;
    if (write.verb == engine::Verb::create) {
        if (span.first < shape->range.first || span.last > shape->range.last)
            return failed(errc::refused, "exclusion " + describe(span) + " is not inside the scope's range " +
                                             describe(shape->range));
        exclusions.push_back(span);
        exclusions = normalize(exclusions);
    } else {
        std::vector<AddressSpan> remaining;
        for (const auto& e : exclusions) {
            auto rest = subtract(e, {span});
            remaining.insert(remaining.end(), rest.begin(), rest.end());
        }
        exclusions = normalize(remaining);
    }
    if (exclusions == shape->exclusions) return done(false);
    return done(set_pools(slot->subnet(), shape->range, exclusions));
}

EditOutcome edit_reservation(json::object& dhcp4, const engine::DhcpWrite& write, const engine::DhcpReservation& r) {
    auto slot = find_slot(dhcp4, write.scope_id);
    if (!slot) return failed(errc::not_found, "no subnet " + write.scope_id.to_string() + " in Kea's configuration");
    json::array& list = reservations_list(slot->subnet());
    std::string client_id = engine::normalize_client_id(r.client_id);

    if (write.verb == engine::Verb::remove) {
        std::optional<Ipv4Address> ip;
        if (r.ip.value != 0) ip = r.ip;
        int index = find_reservation(list, client_id, ip);
        if (index < 0) return done(false);  // already gone
        list.erase(list.begin() + index);
        if (list.empty()) slot->subnet().erase("reservations");
        return done(true);
    }

    auto id = host_identifier(client_id);
    if (!id) return failed(errc::refused, id.error().message);
    int index = find_reservation(list, client_id, std::nullopt);
    if (write.verb == engine::Verb::create) {
        if (index >= 0) {
            std::string ignored;
            auto existing = parse_reservation(list[index].get_object(), &ignored);
            if (existing && existing->ip == r.ip && existing->name == r.name && existing->description == r.description)
                return done(false);  // already there as asked
        }
        // A duplicate client id or address is left to config-test: Kea names it.
        list.push_back(reservation_record(*id, r));
        return done(true);
    }
    if (index < 0)
        return failed(errc::not_found, "no reservation for " + client_id + " in subnet " + write.scope_id.to_string());
    json::object& record = list[index].get_object();
    std::string ignored;
    auto existing = parse_reservation(record, &ignored);
    bool changed = false;
    if (!existing || existing->ip != r.ip) {
        record["ip-address"] = r.ip.to_string();
        changed = true;
    }
    if (!existing || existing->name != r.name) {
        if (r.name.empty()) record.erase("hostname");
        else record["hostname"] = r.name;
        changed = true;
    }
    changed = set_description(record, r.description, existing ? existing->description : std::string()) || changed;
    return done(changed);
}

/// What the sync reads of one network, as one comparable line ("" when the subnet is absent).
std::string view_line(const json::object& dhcp4, Ipv4Address network) {
    auto index = index_subnets(dhcp4);
    const SubnetView* view = find_subnet(index, network);
    if (!view) return {};
    std::string problem;
    auto scope = scope_of(*view, dhcp4, "", &problem);
    if (!scope) return "unreadable: " + problem;
    auto shape = subnet_shape(*view, &problem);
    std::string line = view->network.to_string() + " name='" + scope->name + "' description='" + scope->description +
                       "' range=" + scope->start_ip.to_string() + "-" + scope->end_ip.to_string() +
                       " lease=" + std::to_string(scope->lease_duration_seconds) +
                       " router=" + (scope->router ? scope->router->to_string() : "none") + " exclusions=[";
    for (const auto& e : shape->exclusions) line += describe(e) + ";";
    auto reservations = reservations_of(*view, "").items;
    std::sort(reservations.begin(), reservations.end(), [](const auto& a, const auto& b) {
        return std::tie(a.ip, a.client_id) < std::tie(b.ip, b.client_id);
    });
    line += "] reservations=[";
    for (const auto& r : reservations)
        line += r.ip.to_string() + " " + r.client_id + " '" + r.name + "' '" + r.description + "';";
    return line + "]";
}

/// The subnets of a configuration by network text, for the preview.
std::map<std::string, const json::object*> subnets_by_network(const json::object& dhcp4) {
    std::map<std::string, const json::object*> out;
    for (const auto& view : index_subnets(dhcp4).subnets) out[view.network.to_string()] = view.subnet;
    return out;
}

}  // namespace

EditOutcome apply_write(json::object& dhcp4, const engine::DhcpWrite& write) {
    if (const auto* scope = std::get_if<engine::ScopeChange>(&write.change)) {
        switch (write.verb) {
        case engine::Verb::create: return create_scope(dhcp4, scope->scope);
        case engine::Verb::update: return update_scope(dhcp4, scope->scope);
        case engine::Verb::remove: return delete_scope(dhcp4, write.scope_id);
        }
    }
    if (const auto* exclusion = std::get_if<engine::ExclusionChange>(&write.change)) {
        if (write.verb == engine::Verb::update)
            return failed(errc::refused, "an exclusion range is created or deleted, never updated");
        return edit_exclusion(dhcp4, write, exclusion->range);
    }
    const auto& reservation = std::get<engine::ReservationChange>(write.change);
    return edit_reservation(dhcp4, write, reservation.reservation);
}

EditedConfig apply_writes(const json::object& original, const std::vector<engine::DhcpWrite>& writes,
                          const std::vector<bool>& include) {
    EditedConfig out;
    out.dhcp4 = original;
    out.outcomes.resize(writes.size());
    for (std::size_t i = 0; i < writes.size(); ++i) {
        if (!include.empty() && !include[i]) {
            out.outcomes[i].included = false;
            continue;
        }
        out.outcomes[i] = apply_write(out.dhcp4, writes[i]);
        out.changed = out.changed || out.outcomes[i].changed;
    }
    return out;
}

std::vector<engine::Ipv4Address> touched_networks(const std::vector<engine::DhcpWrite>& writes) {
    std::set<std::uint32_t> seen;
    std::vector<engine::Ipv4Address> out;
    for (const auto& w : writes)
        if (seen.insert(w.scope_id.value).second) out.push_back(w.scope_id);
    return out;
}

std::string compare_views(const json::object& expected, const json::object& actual,
                          const std::vector<engine::Ipv4Address>& networks) {
    std::string out;
    int shown = 0;
    for (const auto& network : networks) {
        std::string want = view_line(expected, network);
        std::string have = view_line(actual, network);
        if (want == have) continue;
        if (++shown > 3) {
            out += "; ...";
            break;
        }
        if (!out.empty()) out += "; ";
        out += network.to_string() + ": sent " + (want.empty() ? "no subnet" : want) + ", Kea holds " +
               (have.empty() ? "no subnet" : have);
    }
    return out;
}

std::string describe_changes(const json::object& before, const json::object& after) {
    auto old_subnets = subnets_by_network(before);
    auto new_subnets = subnets_by_network(after);
    std::set<std::string> networks;
    for (const auto& [n, s] : old_subnets) networks.insert(n);
    for (const auto& [n, s] : new_subnets) networks.insert(n);
    json::array changes;
    for (const auto& network : networks) {
        auto o = old_subnets.find(network);
        auto n = new_subnets.find(network);
        json::object change;
        change["subnet"] = network;
        if (o == old_subnets.end()) {
            change["change"] = "create";
            change["after"] = *n->second;
        } else if (n == new_subnets.end()) {
            change["change"] = "delete";
            change["before"] = *o->second;
        } else {
            json::object was, becomes;
            for (const auto& [key, value] : *o->second) {
                const json::value* other = n->second->if_contains(key);
                if (!other || *other != value) was[key] = value;
            }
            for (const auto& [key, value] : *n->second) {
                const json::value* other = o->second->if_contains(key);
                if (!other || *other != value) becomes[key] = value;
            }
            if (was.empty() && becomes.empty()) continue;
            change["change"] = "update";
            change["before"] = std::move(was);
            change["after"] = std::move(becomes);
        }
        changes.push_back(std::move(change));
    }
    return json::serialize(changes);
}

}  // namespace nds::kea
