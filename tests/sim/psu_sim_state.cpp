// PSU simulator state: object shapes of the plugin's behaviour (snake_case keys, in the script's order),
// and the /_sim/seed + /_sim/state control bodies, which use the same shapes.
#include "tests/sim/psu_sim.hpp"

namespace nds::sim::psu {

namespace {


Ipv4Address ip_of(const json::object& o, std::string_view key, std::string_view what) {
    auto s = string_field(o, key);
    if (!s) fail(std::string(what) + ": \"" + std::string(key) + "\" is required");
    auto ip = Ipv4Address::parse(*s);
    if (!ip) fail(std::string(what) + ": \"" + std::string(key) + "\" is not an IPv4 address");
    return *ip;
}

json::value opt_string(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

OptionValue parse_option(const json::object& o) {
    OptionValue opt;
    opt.code = int_or(o, "code", 0);
    opt.name = string_or(o, "name", "");
    if (const json::value* v = field(o, "value")) {
        if (v->is_array()) {
            for (const auto& item : v->get_array())
                opt.value.push_back(item.is_string() ? std::string(item.get_string()) : json::serialize(item));
        } else if (!v->is_null()) {
            opt.value.push_back(v->is_string() ? std::string(v->get_string()) : json::serialize(*v));
        }
    }
    opt.type = string_or(o, "type", "String");
    opt.vendor_class = string_or(o, "vendor_class", "");
    return opt;
}

}  // namespace

Ipv4Network Scope::network() const {
    auto net = Ipv4Network::from_mask(scope_id, subnet_mask);
    return net ? *net : Ipv4Network{scope_id, 32};
}

const Scope* PsuState::scope(Ipv4Address id) const {
    auto it = scopes.find(id.value);
    return it == scopes.end() ? nullptr : &it->second;
}

const Failover* PsuState::failover_of(Ipv4Address scope_id) const {
    for (const auto& f : failovers)
        if (std::find(f.scope_ids.begin(), f.scope_ids.end(), scope_id) != f.scope_ids.end()) return &f;
    return nullptr;
}

std::string normalise_client_id(std::string_view raw) {
    std::string hex;
    for (char c : raw) {
        char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if ((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f')) hex.push_back(l);
    }
    std::string out;
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (i > 0 && i % 2 == 0) out.push_back('-');
        out.push_back(hex[i]);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// JSON shapes (§3.4)

json::object PsuSim::scope_json(const Scope& s, bool list_form) const {
    json::object o{{"scope_id", s.scope_id.to_string()},
                   {"name", s.name},
                   {"start_ip", s.start_ip.to_string()},
                   {"end_ip", s.end_ip.to_string()},
                   {"subnet_mask", s.subnet_mask.to_string()},
                   {"description", s.description},
                   {"state", s.state},
                   {"lease_duration_seconds", s.lease_duration_seconds}};
    if (list_form) {
        o["router"] = s.router ? json::value(s.router->to_string()) : json::value(nullptr);
        const Failover* f = state_.failover_of(s.scope_id);
        o["failover_name"] = f ? json::value(f->name) : json::value(nullptr);
    }
    return o;
}

json::object PsuSim::lease_json(const Lease& l) const {
    // Windows lists a leased address that also has a reservation as "ActiveReservation".
    bool reserved = state_.reservations.count(l.ip_address.value) > 0;
    return {{"ip_address", l.ip_address.to_string()},
            {"client_id", l.client_id},
            {"hostname", l.hostname},
            {"scope_id", l.scope_id.to_string()},
            {"lease_expiry", opt_string(l.lease_expiry)},
            {"address_state", reserved ? "ActiveReservation" : l.address_state}};
}

json::object PsuSim::reservation_json(const Reservation& r) const {
    return {{"ip_address", r.ip_address.to_string()},
            {"client_id", r.client_id},
            {"name", r.name},
            {"description", r.description},
            {"type", r.type},
            {"scope_id", r.scope_id.to_string()}};
}

json::object PsuSim::failover_json(const Failover& f, bool as_reported) const {
    json::array ids;
    for (const auto& id : f.scope_ids) ids.emplace_back(id.to_string());
    // primary_server is always the queried server's own name, whatever its real role (§3.4, B15).
    return {{"name", f.name},
            {"primary_server", hostname_},
            {"secondary_server", f.secondary_server},
            {"mode", f.mode},
            {"scope_ids", std::move(ids)},
            {"max_client_lead_time", f.max_client_lead_time},
            // 1.0.2 reads $Failover.MaxResponseDelay, a property DhcpServerv4Failover does not have: always 0.
            {"max_response_delay", as_reported && script_ == Script::v1_0_2 ? 0 : f.max_response_delay},
            {"state_switchover_interval",
             f.state_switchover_interval && *f.state_switchover_interval != 0 ? json::value(*f.state_switchover_interval)
                                                                              : json::value(nullptr)},
            {"enable_auth", f.enable_auth}};
}

namespace {
json::object option_json(const OptionValue& o) {
    json::array values;
    for (const auto& v : o.value) values.emplace_back(v);
    return {{"code", o.code}, {"name", o.name}, {"value", std::move(values)}, {"type", o.type}, {"vendor_class", o.vendor_class}};
}
}  // namespace

json::array PsuSim::scope_options(const Scope& scope) const {
    // Options 3 (router) and 51 (lease time) come from the scope itself; the rest from the seed.
    std::map<std::int64_t, json::object> by_code;
    auto it = state_.options.find(scope.scope_id.to_string());
    if (it != state_.options.end())
        for (const auto& o : it->second) by_code[o.code] = option_json(o);
    if (scope.router) by_code[3] = option_json({3, "Router", {scope.router->to_string()}, "IPv4Address", ""});
    by_code[51] = option_json({51, "Lease", {std::to_string(scope.lease_duration_seconds)}, "DWord", ""});
    json::array out;
    for (auto& [code, o] : by_code) out.push_back(std::move(o));
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// Seed and dump

http::Response PsuSim::seed(const json::value& body) {
    if (!body.is_object()) return message_reply(400, "error", "seed body must be a JSON object");
    const json::object& o = body.get_object();
    PsuState next = state_;  // seeds are small: copy, apply, swap keeps a failed seed from half-applying
    try {
        for (const auto& item : array_of(o, "scopes")) {
            const json::object& s = object_of(item, "scopes");
            Scope scope;
            scope.subnet_mask = ip_of(s, "subnet_mask", "scope");
            auto net = Ipv4Network::from_mask(ip_of(s, "scope_id", "scope"), scope.subnet_mask);
            if (!net) fail("scope: subnet_mask is not contiguous");
            scope.scope_id = net->network;
            scope.name = string_or(s, "name", "");
            scope.start_ip = ip_of(s, "start_ip", "scope");
            scope.end_ip = ip_of(s, "end_ip", "scope");
            scope.description = string_or(s, "description", "");
            scope.state = string_or(s, "state", "Active");
            scope.lease_duration_seconds = int_or(s, "lease_duration_seconds", 691200);
            if (auto r = string_field(s, "router"); r && !r->empty()) scope.router = ip_of(s, "router", "scope");
            next.scopes[scope.scope_id.value] = scope;
            if (auto fo = string_field(s, "failover_name"); fo && !fo->empty()) {
                // A scope may name its failover; the relationship is created on the fly if not seeded.
                auto f = std::find_if(next.failovers.begin(), next.failovers.end(), [&](const Failover& x) { return x.name == *fo; });
                if (f == next.failovers.end()) {
                    next.failovers.push_back(Failover{});
                    f = next.failovers.end() - 1;
                    f->name = *fo;
                }
                if (std::find(f->scope_ids.begin(), f->scope_ids.end(), scope.scope_id) == f->scope_ids.end())
                    f->scope_ids.push_back(scope.scope_id);
            }
        }
        auto scope_for = [&](const json::object& x, Ipv4Address ip, std::string_view what) {
            // scope_id may be omitted: then the scope whose subnet holds the address.
            if (field(x, "scope_id")) {
                Ipv4Address id = ip_of(x, "scope_id", what);
                if (!next.scopes.count(id.value)) fail(std::string(what) + ": unknown scope " + id.to_string());
                return id;
            }
            for (const auto& [key, s] : next.scopes)
                if (s.network().contains(ip)) return s.scope_id;
            fail(std::string(what) + ": no scope contains " + ip.to_string());
        };
        for (const auto& item : array_of(o, "leases")) {
            const json::object& l = object_of(item, "leases");
            Lease lease;
            lease.ip_address = ip_of(l, "ip_address", "lease");
            lease.scope_id = scope_for(l, lease.ip_address, "lease");
            lease.client_id = string_or(l, "client_id", "");
            lease.hostname = string_or(l, "hostname", "");
            if (auto e = string_field(l, "lease_expiry")) lease.lease_expiry = *e;
            lease.address_state = string_or(l, "address_state", "Active");
            next.leases[lease.ip_address.value] = lease;
        }
        for (const auto& item : array_of(o, "reservations")) {
            const json::object& r = object_of(item, "reservations");
            Reservation res;
            res.ip_address = ip_of(r, "ip_address", "reservation");
            res.scope_id = scope_for(r, res.ip_address, "reservation");
            res.client_id = string_or(r, "client_id", "");
            res.name = string_or(r, "name", "");
            res.description = string_or(r, "description", "");
            res.type = string_or(r, "type", "Dhcp");
            next.reservations[res.ip_address.value] = res;
        }
        for (const auto& item : array_of(o, "exclusions")) {
            const json::object& e = object_of(item, "exclusions");
            Ipv4Address scope = ip_of(e, "scope_id", "exclusion");
            if (!next.scopes.count(scope.value)) fail("exclusion: unknown scope " + scope.to_string());
            next.exclusions.emplace(scope.value, ip_of(e, "start_ip", "exclusion").value, ip_of(e, "end_ip", "exclusion").value);
        }
        for (const auto& item : array_of(o, "failovers")) {
            const json::object& f = object_of(item, "failovers");
            Failover fo;
            fo.name = string_or(f, "name", "");
            if (fo.name.empty()) fail("failover: \"name\" is required");
            fo.secondary_server = string_or(f, "secondary_server", "");
            fo.mode = string_or(f, "mode", "LoadBalance");
            for (const auto& id : array_of(f, "scope_ids")) {
                auto ip = id.is_string() ? Ipv4Address::parse(id.get_string()) : std::nullopt;
                if (!ip) fail("failover " + fo.name + ": bad scope id");
                fo.scope_ids.push_back(*ip);
            }
            fo.max_client_lead_time = int_or(f, "max_client_lead_time", 3600);
            fo.max_response_delay = int_or(f, "max_response_delay", 30);
            if (auto s = int_field(f, "state_switchover_interval")) fo.state_switchover_interval = *s;
            fo.enable_auth = bool_or(f, "enable_auth", false);
            auto existing = std::find_if(next.failovers.begin(), next.failovers.end(), [&](const Failover& x) { return x.name == fo.name; });
            if (existing != next.failovers.end()) {
                for (const auto& id : existing->scope_ids)
                    if (std::find(fo.scope_ids.begin(), fo.scope_ids.end(), id) == fo.scope_ids.end()) fo.scope_ids.push_back(id);
                *existing = fo;
            } else {
                next.failovers.push_back(fo);
            }
        }
        if (const json::value* opts = field(o, "options"); opts && !opts->is_null()) {
            if (!opts->is_object()) fail("\"options\" must be an object keyed by scope id or \"server\"");
            for (const auto& [key, list] : opts->get_object()) {
                if (!list.is_array()) fail("options: each value must be an array");
                for (const auto& item : list.get_array())
                    next.options[std::string(key)].push_back(parse_option(object_of(item, "options")));
            }
        }
    } catch (const SeedError& e) {
        return message_reply(400, "error", e.message);
    }
    state_ = std::move(next);
    return json_reply(200, json::object{{"ok", true}});
}

json::object PsuSim::dump() const {
    json::array scopes, leases, reservations, exclusions, failovers;
    for (const auto& [k, s] : state_.scopes) scopes.push_back(scope_json(s, true));
    for (const auto& [k, l] : state_.leases) {
        json::object o = lease_json(l);
        o["address_state"] = l.address_state;  // stored value, as seeded
        leases.push_back(std::move(o));
    }
    for (const auto& [k, r] : state_.reservations) reservations.push_back(reservation_json(r));
    for (const auto& [scope, start, end] : state_.exclusions)
        exclusions.push_back(json::object{{"scope_id", Ipv4Address{scope}.to_string()},
                                          {"start_ip", Ipv4Address{start}.to_string()},
                                          {"end_ip", Ipv4Address{end}.to_string()}});
    for (const auto& f : state_.failovers) {
        json::object o = failover_json(f, false);  // the stored value
        o.erase("primary_server");
        failovers.push_back(std::move(o));
    }
    json::object options;
    for (const auto& [key, list] : state_.options) {
        json::array a;
        for (const auto& o : list) a.push_back(option_json(o));
        options[key] = std::move(a);
    }
    return {{"scopes", std::move(scopes)},       {"leases", std::move(leases)},
            {"reservations", std::move(reservations)}, {"exclusions", std::move(exclusions)},
            {"failovers", std::move(failovers)}, {"options", std::move(options)}};
}

}  // namespace nds::sim::psu
