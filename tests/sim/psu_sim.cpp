// PSU simulator: the 18 endpoints of the plugin's PSU endpoint script with its status codes and messages.
// Script 1.0.2 (the default) is modelled defects included; each defect is marked "1.0.2:" below and
// README.md lists them.
#include "tests/sim/psu_sim.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace nds::sim::psu {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kApi = "/api/dhcp/";

http::Response error(unsigned status, std::string_view message) { return message_reply(status, "error", message); }

/// PowerShell's parameter-binding failure when a cmdlet has no parameter of that name (1.0.2 passes
/// -Force, -ScopeId and -MaxResponseDelay to cmdlets that have none); the script's catch-all answers 500.
http::Response no_such_parameter(std::string_view parameter) {
    return error(500, "A parameter cannot be found that matches parameter name '" + std::string(parameter) + "'.");
}

/// PowerShell's binding failure when a string does not convert to [IPAddress]: where an invalid address ends
/// up under 1.0.2, whose Assert-ValidIPv4 does not stop the request.
http::Response not_an_ip_address(std::string_view parameter, std::string_view value) {
    return error(500, "Cannot process argument transformation on parameter '" + std::string(parameter) +
                          "'. Cannot convert value \"" + std::string(value) +
                          "\" to type \"System.Net.IPAddress\". Error: \"An invalid IP address was specified.\"");
}

/// The script reads request bodies with ConvertFrom-Json; a missing or non-object body behaves as empty.
json::object body_object(const http::Request& request) {
    auto v = parse_json(request.body);
    return v && v->is_object() ? v->get_object() : json::object{};
}

/// A "required" field in the script's sense: present and not an empty string.
std::optional<std::string> required(const json::object& o, std::string_view key) {
    const json::value* v = field(o, key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    std::string s = v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
    if (s.empty()) return std::nullopt;
    return s;
}

}  // namespace

std::optional<Script> parse_script(std::string_view text) {
    if (text == "1.0.2") return Script::v1_0_2;
    if (text == "fixed") return Script::fixed;
    return std::nullopt;
}

std::string_view to_string(Script script) { return script == Script::v1_0_2 ? "1.0.2" : "fixed"; }

PsuSim::PsuSim(PsuOptions options)
    : token_(std::move(options.token)),
      reader_token_(std::move(options.reader_token)),
      hostname_(std::move(options.hostname)),
      script_(options.script),
      script_version_(std::move(options.script_version)) {}

std::optional<http::Response> PsuSim::assert_ipv4(std::string_view value, std::string_view field_name) const {
    if (Ipv4Address::parse(value)) return std::nullopt;
    // 1.0.2: the function emits its 400 response and then returns $false; the caller's -not (...) sees a
    // two-element array, which is truthy, so the request goes on with the invalid value.
    if (script_ == Script::v1_0_2) return std::nullopt;
    return error(400, "'" + std::string(field_name) + "' must be a valid IPv4 address.");
}

std::chrono::microseconds PsuSim::read_cost(const Result& result) const {
    std::chrono::microseconds cost{static_cast<std::int64_t>(result.rendered) * read_costs_.latency_us_per_object_rendered};
    if (result.lease_read) cost += std::chrono::milliseconds(read_costs_.latency_ms_per_lease_read);
    return cost;
}

asio::awaitable<http::Response> PsuSim::handle(http::Request request) {
    http::Target target = http::Target::parse(request.target);
    if (target.path.rfind("/_sim/", 0) == 0) {
        if (auto r = handle_shared_control(request, target.path, faults_, stats_)) co_return std::move(*r);
        co_return handle_control(request, target);
    }
    auto injected = co_await pre_handle(request, target, faults_, stats_, costs_);
    if (injected.response) co_return std::move(*injected.response);
    Result result = handle_api(request, target);
    if (auto cost = read_cost(result); cost.count() > 0) {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(cost);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (result.wrote) {
        stats_.add_objects_written(1);
        co_await sleep_ms(costs_.latency_ms_per_object_written);
    }
    co_return cut_response(std::move(result.response), injected.cut);
}

// ---------------------------------------------------------------------------------------------------------
// Control API

http::Response PsuSim::handle_control(const http::Request& request, const http::Target& target) {
    const std::string& path = target.path;
    const std::string& method = request.method;
    if (path == "/_sim/seed" && method == "POST") {
        auto body = parse_json(request.body);
        if (!body) return error(400, "seed body is not valid JSON");
        return seed(*body);
    }
    if (path == "/_sim/reset" && method == "POST") {
        state_.clear();
        return json_reply(200, json::object{{"ok", true}});
    }
    if (path == "/_sim/state" && method == "GET") return json_reply(200, dump());
    if (path == "/_sim/config") {
        if (method == "GET") return json_reply(200, config_json());
        if (method == "POST") {
            auto body = parse_json(request.body);
            if (!body) return error(400, "config body is not valid JSON");
            return set_config(*body);
        }
    }
    return error(404, "unknown control endpoint " + method + " " + path);
}

http::Response PsuSim::set_config(const json::value& body) {
    if (!body.is_object()) return error(400, "config must be an object");
    const json::object& o = body.get_object();
    // Validate everything first: a bad body changes nothing.
    std::optional<Script> script;
    if (const json::value* v = field(o, "script")) {
        script = v->is_string() ? parse_script(v->get_string()) : std::nullopt;
        if (!script) return error(400, "\"script\" must be \"1.0.2\" or \"fixed\"");
    }
    ReadCosts read_costs = read_costs_;
    if (const json::value* v = field(o, "profile")) {
        // Named cost profiles; explicit keys in the same body override them.
        if (v->is_string() && v->get_string() == "realistic") {
            read_costs.latency_ms_per_lease_read = 150;
            read_costs.latency_us_per_object_rendered = 100;
        } else if (v->is_string() && v->get_string() == "none") {
            read_costs = ReadCosts{};
        } else {
            return error(400, "\"profile\" must be \"realistic\" or \"none\"");
        }
    }
    for (auto [key, target] : {std::pair<const char*, unsigned*>{"latency_ms_per_lease_read", &read_costs.latency_ms_per_lease_read},
                               {"latency_us_per_object_rendered", &read_costs.latency_us_per_object_rendered}}) {
        if (const json::value* v = field(o, key)) {
            auto n = as_int(*v);
            if (!n || *n < 0 || *n > 600000) return error(400, std::string("\"") + key + "\" must be an integer 0..600000");
            *target = static_cast<unsigned>(*n);
        }
    }
    if (const json::value* v = field(o, "script_version"); v && !v->is_string())
        return error(400, "\"script_version\" must be a string");
    Costs costs = costs_;
    if (auto e = costs.apply(o)) return error(400, *e);

    costs_ = costs;
    read_costs_ = read_costs;
    if (script) script_ = *script;
    if (auto t = string_field(o, "script_version")) script_version_ = *t;
    if (auto t = string_field(o, "reader_token")) reader_token_ = *t;
    if (auto t = string_field(o, "token")) token_ = *t;
    if (auto h = string_field(o, "hostname")) hostname_ = *h;
    return json_reply(200, config_json());
}

json::object PsuSim::config_json() const {
    json::object o = costs_.to_json();
    o["latency_ms_per_lease_read"] = read_costs_.latency_ms_per_lease_read;
    o["latency_us_per_object_rendered"] = read_costs_.latency_us_per_object_rendered;
    o["script"] = to_string(script_);
    o["script_version"] = script_version_;
    o["hostname"] = hostname_;
    o["reader_token_set"] = !reader_token_.empty();
    return o;
}

// ---------------------------------------------------------------------------------------------------------
// Routing

PsuSim::Result PsuSim::handle_api(const http::Request& request, const http::Target& target) {
    const std::string& path = target.path;
    if (path.rfind(kApi, 0) != 0 && path != "/api/dhcp") return {error(404, "Not found."), false};

    // Every endpoint requires the App Token. A reader token (if configured) may only GET.
    std::string_view auth = request.header("Authorization");
    bool bearer = auth.size() > 7 && iequals(auth.substr(0, 7), "Bearer ");
    std::string_view presented = bearer ? auth.substr(7) : std::string_view{};
    bool writer = bearer && presented == token_;
    bool reader = bearer && !reader_token_.empty() && presented == reader_token_;
    if (!writer && !reader) return {error(401, "Unauthorized"), false};
    if (!writer && request.method != "GET") return {error(403, "Forbidden"), false};

    std::string_view rest = path.size() > kApi.size() ? std::string_view(path).substr(kApi.size()) : "";
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);  // PSU routes ignore a trailing slash
    auto segment = [&](std::string_view name) { return rest == name || rest.rfind(std::string(name) + "/", 0) == 0; };
    auto tail = [&](std::string_view name) {
        return rest.size() > name.size() ? rest.substr(name.size() + 1) : std::string_view{};
    };
    const std::string& method = request.method;
    Result result;

    if (rest == "health") {
        return health(request);
    } else if (segment("scopes")) {
        return scopes(request, target, tail("scopes"));
    } else if (rest == "leases" && method == "GET") {
        return leases(target);
    } else if (segment("reservations")) {
        return reservations(request, target, tail("reservations"));
    } else if (rest == "failover") {
        return failover(request);
    } else if (segment("options") && method == "GET") {
        return options(request, tail("options"));
    } else if (rest == "exclusions") {
        return exclusions(request, target);
    }
    return {error(404, "Not found."), false};
}

// ---------------------------------------------------------------------------------------------------------
// Health (rows 1–2). POST is the plugin's check that the token may write: the role check above already
// answered 403 for a reader token.

PsuSim::Result PsuSim::health(const http::Request& request) const {
    if (request.method == "GET")
        return {json_reply(200, json::object{{"status", "ok"}, {"version", script_version_}}), false};
    if (request.method == "POST") return {json_reply(200, json::object{{"status", "ok"}}), false};
    return {error(405, "Method not allowed."), false};
}

// ---------------------------------------------------------------------------------------------------------
// Scopes (rows 3–6)

PsuSim::Result PsuSim::scopes(const http::Request& request, const http::Target& target, std::string_view rest) {
    const std::string& method = request.method;
    if (rest.empty() && method == "GET") {
        bool active_only = iequals(target.get("active_only").value_or(""), "true");
        json::array out;
        for (const auto& [k, s] : state_.scopes)
            if (!active_only || s.state == "Active") out.push_back(scope_json(s, true));
        std::size_t n = out.size();
        return {json_reply(200, out), false, n};
    }
    if (rest.empty() && method == "POST") return create_scope(request);
    if (rest.empty()) return {error(405, "Method not allowed."), false};

    std::string id_text = http::percent_decode(rest);
    if (method == "GET") {
        if (auto bad = assert_ipv4(id_text, "scope_id")) return {std::move(*bad), false};
        // The catch-all answers 404 for any failure, an unconvertible address included (1.0.2).
        auto id = Ipv4Address::parse(id_text);
        const Scope* s = id ? state_.scope(*id) : nullptr;
        if (s == nullptr) return {error(404, "Scope not found."), false};
        return {json_reply(200, scope_json(*s, false)), false};
    }
    if (method == "PUT") return update_scope(request, id_text);
    return {error(405, "Method not allowed."), false};
}

PsuSim::Result PsuSim::create_scope(const http::Request& request) {
    json::object b = body_object(request);
    auto scope_id = required(b, "scope_id"), start = required(b, "start_ip"), end = required(b, "end_ip"),
         mask = required(b, "subnet_mask");
    if (!scope_id || !start || !end || !mask)
        return {error(400, "scope_id, start_ip, end_ip, and subnet_mask are required."), false};
    for (auto [value, name] : {std::pair{&*scope_id, "scope_id"}, {&*start, "start_ip"}, {&*end, "end_ip"},
                               {&*mask, "subnet_mask"}})
        if (auto bad = assert_ipv4(*value, name)) return {std::move(*bad), false};
    auto router_text = required(b, "router");
    if (router_text)
        if (auto bad = assert_ipv4(*router_text, "router")) return {std::move(*bad), false};
    // 1.0.2 passes -ScopeId to Add-DhcpServerv4Scope, which has no such parameter: nothing is created.
    if (script_ == Script::v1_0_2) return {no_such_parameter("ScopeId"), false};

    // Fixed script: every address is valid here (the checks above answered 400).
    auto id_ip = *Ipv4Address::parse(*scope_id);
    auto start_ip = *Ipv4Address::parse(*start);
    auto end_ip = *Ipv4Address::parse(*end);
    auto mask_ip = *Ipv4Address::parse(*mask);
    std::optional<Ipv4Address> router = router_text ? Ipv4Address::parse(*router_text) : std::nullopt;
    // Add-DhcpServerv4Scope failures (bad mask, range, existing or overlapping scope) surface as 500.
    auto net = Ipv4Network::from_mask(id_ip, mask_ip);
    if (!net) return {error(500, "Failed to create scope: the subnet mask is invalid."), false};
    if (!net->contains(start_ip) || !net->contains(end_ip) || end_ip < start_ip)
        return {error(500, "Failed to create scope: the specified IP address range is invalid."), false};
    for (const auto& [k, s] : state_.scopes)
        if (s.network().contains(net->network) || net->contains(s.scope_id))
            return {error(500, "Failed to create scope: the scope " + s.scope_id.to_string() + " already exists or overlaps."),
                    false};
    Scope scope;
    scope.scope_id = net->network;
    scope.subnet_mask = mask_ip;
    scope.start_ip = start_ip;
    scope.end_ip = end_ip;
    scope.name = string_or(b, "name", "");
    scope.description = string_or(b, "description", "");
    scope.router = router;
    if (auto d = int_field(b, "lease_duration_seconds"); d && *d > 0) scope.lease_duration_seconds = *d;
    state_.scopes[scope.scope_id.value] = scope;
    return {json_reply(201, scope_json(scope, false)), true};
}

PsuSim::Result PsuSim::update_scope(const http::Request& request, const std::string& id_text) {
    if (auto bad = assert_ipv4(id_text, "scope_id")) return {std::move(*bad), false};
    auto id = Ipv4Address::parse(id_text);
    // 1.0.2: the invalid id reaches Get-DhcpServerv4Scope; a binding error is no CimException, so the
    // generic catch answers 500.
    if (!id) return {not_an_ip_address("ScopeId", id_text), false};
    auto it = state_.scopes.find(id->value);
    if (it == state_.scopes.end()) return {error(404, "Scope not found."), false};

    json::object b = body_object(request);
    std::optional<Ipv4Address> start, end;
    if (auto v = required(b, "start_ip")) {
        if (auto bad = assert_ipv4(*v, "start_ip")) return {std::move(*bad), false};
        start = Ipv4Address::parse(*v);
        if (!start) return {not_an_ip_address("StartRange", *v), false};  // 1.0.2: Set-DhcpServerv4Scope binding
    }
    if (auto v = required(b, "end_ip")) {
        if (auto bad = assert_ipv4(*v, "end_ip")) return {std::move(*bad), false};
        end = Ipv4Address::parse(*v);
        if (!end) return {not_an_ip_address("EndRange", *v), false};
    }
    bool router_given = field(b, "router") != nullptr;
    std::optional<Ipv4Address> router;
    bool router_unusable = false;
    if (auto v = required(b, "router")) {
        if (auto bad = assert_ipv4(*v, "router")) return {std::move(*bad), false};
        router = Ipv4Address::parse(*v);
        // 1.0.2: Set-DhcpServerv4OptionValue runs with -ErrorAction SilentlyContinue: option 3 stays as it was.
        router_unusable = !router;
    }
    Scope next = it->second;
    if (auto n = string_field(b, "name")) next.name = *n;
    if (auto d = string_field(b, "description")) next.description = *d;
    if (start) next.start_ip = *start;
    if (end) next.end_ip = *end;
    if (auto d = int_field(b, "lease_duration_seconds"); d && *d > 0) next.lease_duration_seconds = *d;
    if (router_given && !router_unusable) next.router = router;  // "" or null removes option 3
    // The script maps every CIM error (including an invalid range) to 404 "Scope not found." (B18).
    if (!next.network().contains(next.start_ip) || !next.network().contains(next.end_ip) || next.end_ip < next.start_ip)
        return {error(404, "Scope not found."), false};
    it->second = next;
    return {json_reply(200, scope_json(next, false)), true};
}

// ---------------------------------------------------------------------------------------------------------
// Leases (row 7)

PsuSim::Result PsuSim::leases(const http::Target& target) {
    auto scope_param = target.get("scope_id");
    json::array out;
    auto emit = [&](const Lease& l) {
        // The script only returns Active and ActiveReservation leases.
        if (l.address_state != "Active" && l.address_state != "ActiveReservation") return;
        out.push_back(lease_json(l));
    };
    if (scope_param && !scope_param->empty()) {
        if (auto bad = assert_ipv4(*scope_param, "scope_id")) return {std::move(*bad), false};
        auto id = Ipv4Address::parse(*scope_param);
        if (!id) return {not_an_ip_address("ScopeId", *scope_param), false};
        const Scope* s = state_.scope(*id);
        // Unknown scope is a 500 here, not a 404 (B18).
        if (s == nullptr) return {error(500, "Failed to get leases for scope " + id->to_string() + ": scope not found."), false};
        Ipv4Network net = s->network();
        for (auto it = state_.leases.lower_bound(net.network.value);
             it != state_.leases.end() && it->first <= net.broadcast().value; ++it)
            if (it->second.scope_id == s->scope_id) emit(it->second);
    } else {
        for (const auto& [k, l] : state_.leases) emit(l);
    }
    std::size_t n = out.size();
    return {json_reply(200, out), false, n, true};
}

// ---------------------------------------------------------------------------------------------------------
// Reservations (rows 8–11)

std::map<std::uint32_t, Reservation>::iterator PsuSim::find_reservation_by_client_id(std::string_view client_id) {
    // Every scope in order (Get-DhcpServerv4Scope), then its reservations; PowerShell's -eq ignores case.
    for (const auto& [key, scope] : state_.scopes) {
        Ipv4Network net = scope.network();
        for (auto it = state_.reservations.lower_bound(net.network.value);
             it != state_.reservations.end() && it->first <= net.broadcast().value; ++it)
            if (it->second.scope_id == scope.scope_id && iequals(it->second.client_id, client_id)) return it;
    }
    return state_.reservations.end();
}

PsuSim::Result PsuSim::reservations(const http::Request& request, const http::Target& target, std::string_view rest) {
    const std::string& method = request.method;
    if (rest.empty() && method == "GET") {
        auto scope_param = target.get("scope_id");
        json::array out;
        if (scope_param && !scope_param->empty()) {
            if (auto bad = assert_ipv4(*scope_param, "scope_id")) return {std::move(*bad), false};
            auto id = Ipv4Address::parse(*scope_param);
            if (!id) return {not_an_ip_address("ScopeId", *scope_param), false};
            const Scope* s = state_.scope(*id);
            if (s == nullptr)
                return {error(500, "Failed to get reservations for scope " + id->to_string() + ": scope not found."), false};
            Ipv4Network net = s->network();
            for (auto it = state_.reservations.lower_bound(net.network.value);
                 it != state_.reservations.end() && it->first <= net.broadcast().value; ++it)
                if (it->second.scope_id == s->scope_id) out.push_back(reservation_json(it->second));
        } else {
            for (const auto& [k, r] : state_.reservations) out.push_back(reservation_json(r));
        }
        std::size_t n = out.size();
        return {json_reply(200, out), false, n};
    }
    if (rest.empty() && method == "POST") return create_reservation(request);
    if (rest.empty()) return {error(405, "Method not allowed."), false};
    if (method != "PUT" && method != "DELETE") return {error(405, "Method not allowed."), false};

    // PUT/DELETE /reservations/:client_id: the first reservation with that client id in any scope (exact
    // compare ignoring case, not normalised); a scope_id in the request is not used to choose.
    std::string cid = http::percent_decode(rest);
    auto found = find_reservation_by_client_id(cid);
    if (found == state_.reservations.end())
        return {error(404, "Reservation with client_id '" + cid + "' not found."), false};
    if (method == "DELETE") {
        // 1.0.2: Remove-DhcpServerv4Reservation has no -Force (and -ScopeId/-IPAddress are different sets).
        if (script_ == Script::v1_0_2) return {no_such_parameter("Force"), false};
        state_.reservations.erase(found);
        return {no_content(), true};
    }
    json::object b = body_object(request);
    Reservation& r = found->second;
    if (auto t = string_field(b, "type"); t && !t->empty() && *t != "Dhcp" && *t != "Bootp" && *t != "Both")
        return {error(500, "Failed to update reservation: invalid type."), false};
    if (auto n = string_field(b, "name")) r.name = *n;
    if (auto d = string_field(b, "description")) r.description = *d;
    if (auto t = string_field(b, "type"); t && !t->empty()) r.type = *t;
    return {json_reply(200, reservation_json(r)), true};
}

PsuSim::Result PsuSim::create_reservation(const http::Request& request) {
    json::object b = body_object(request);
    auto scope_text = required(b, "scope_id"), ip_text = required(b, "ip_address"), cid = required(b, "client_id");
    if (!scope_text || !ip_text || !cid) return {error(400, "scope_id, ip_address, and client_id are required."), false};
    if (auto bad = assert_ipv4(*scope_text, "scope_id")) return {std::move(*bad), false};
    if (auto bad = assert_ipv4(*ip_text, "ip_address")) return {std::move(*bad), false};
    auto scope_id = Ipv4Address::parse(*scope_text);
    if (!scope_id) return {not_an_ip_address("ScopeId", *scope_text), false};  // 1.0.2: Add-DhcpServerv4Reservation binding
    auto ip = Ipv4Address::parse(*ip_text);
    if (!ip) return {not_an_ip_address("IPAddress", *ip_text), false};
    std::string client_id = normalise_client_id(*cid);
    const Scope* s = state_.scope(*scope_id);
    // Add-DhcpServerv4Reservation failures are all 500.
    if (s == nullptr) return {error(500, "Failed to create reservation: scope " + scope_id->to_string() + " not found."), false};
    if (client_id.empty()) return {error(500, "Failed to create reservation: invalid client id."), false};
    if (*ip < s->start_ip || s->end_ip < *ip)
        return {error(500, "Failed to create reservation: " + ip->to_string() + " is not within the scope range."), false};
    if (state_.reservations.count(ip->value))
        return {error(500, "Failed to create reservation: a reservation for " + ip->to_string() + " already exists."), false};
    // One reservation per client id within a scope; the same client id in other scopes is allowed.
    for (const auto& [k, r] : state_.reservations)
        if (r.scope_id == s->scope_id && iequals(r.client_id, client_id))
            return {error(500, "Failed to create reservation: client id " + client_id + " is already reserved in scope " +
                                   s->scope_id.to_string() + "."), false};
    std::string type = string_or(b, "type", "Dhcp");
    if (type.empty()) type = "Dhcp";
    if (type != "Dhcp" && type != "Bootp" && type != "Both")
        return {error(500, "Failed to create reservation: invalid type " + type + "."), false};
    Reservation r{*ip, client_id, string_or(b, "name", ""), string_or(b, "description", ""), type, s->scope_id};
    state_.reservations[ip->value] = r;
    return {json_reply(201, reservation_json(r)), true};
}

// ---------------------------------------------------------------------------------------------------------
// Failover (rows 12–13)

PsuSim::Result PsuSim::failover(const http::Request& request) {
    if (request.method == "GET") {
        json::array out;
        for (const auto& f : state_.failovers) out.push_back(failover_json(f));
        std::size_t n = out.size();
        return {json_reply(200, out), false, n};
    }
    if (request.method != "POST") return {error(405, "Method not allowed."), false};
    json::object b = body_object(request);
    auto name = required(b, "name"), secondary = required(b, "secondary_server");
    const json::value* ids = field(b, "scope_ids");
    if (!name || !secondary || ids == nullptr || !ids->is_array() || ids->get_array().empty())
        return {error(400, "name, secondary_server, and scope_ids are required."), false};
    // 1.0.2 passes -MaxResponseDelay (and -Mode, -EnableAuth) to Add-DhcpServerv4Failover, which has none.
    if (script_ == Script::v1_0_2) return {no_such_parameter("MaxResponseDelay"), false};
    Failover f;
    f.name = *name;
    f.secondary_server = *secondary;
    for (const auto& v : ids->get_array()) {
        auto ip = v.is_string() ? Ipv4Address::parse(v.get_string()) : std::nullopt;
        if (!ip || state_.scope(*ip) == nullptr)
            return {error(500, "Failed to create failover: scope " + (v.is_string() ? std::string(v.get_string()) : json::serialize(v)) +
                                   " not found."), false};
        if (const Failover* other = state_.failover_of(*ip))
            return {error(500, "Failed to create failover: scope " + ip->to_string() + " is already part of failover " +
                                   other->name + "."), false};
        f.scope_ids.push_back(*ip);
    }
    for (const auto& other : state_.failovers)
        if (iequals(other.name, f.name)) return {error(500, "Failed to create failover: " + f.name + " already exists."), false};
    f.mode = string_or(b, "mode", "LoadBalance");
    if (f.mode.empty()) f.mode = "LoadBalance";
    // The script turns 0 / absent into its defaults.
    f.max_client_lead_time = int_or(b, "max_client_lead_time", 0) > 0 ? int_or(b, "max_client_lead_time", 0) : 3600;
    f.max_response_delay = int_or(b, "max_response_delay", 0) > 0 ? int_or(b, "max_response_delay", 0) : 30;
    if (auto s = int_field(b, "state_switchover_interval"); s && *s > 0) f.state_switchover_interval = *s;
    f.enable_auth = bool_or(b, "enable_auth", false);
    state_.failovers.push_back(f);
    return {json_reply(201, failover_json(f)), true};
}

// ---------------------------------------------------------------------------------------------------------
// Options (rows 14–15)

PsuSim::Result PsuSim::options(const http::Request&, std::string_view rest) {
    if (rest == "server") {
        json::array out;
        auto it = state_.options.find("server");
        if (it != state_.options.end())
            for (const auto& o : it->second)
                out.push_back(json::object{{"code", o.code},
                                           {"name", o.name},
                                           {"value", json::value_from(o.value)},
                                           {"type", o.type},
                                           {"vendor_class", o.vendor_class}});
        std::size_t n = out.size();
        return {json_reply(200, out), false, n};
    }
    if (rest.rfind("scope/", 0) == 0) {
        std::string id_text = http::percent_decode(rest.substr(6));
        if (auto bad = assert_ipv4(id_text, "scope_id")) return {std::move(*bad), false};
        auto id = Ipv4Address::parse(id_text);
        if (!id) return {not_an_ip_address("ScopeId", id_text), false};  // 1.0.2: no CimException → 500
        const Scope* s = state_.scope(*id);
        if (s == nullptr) return {error(404, "Scope not found."), false};
        json::array out = scope_options(*s);
        std::size_t n = out.size();
        return {json_reply(200, out), false, n};
    }
    return {error(404, "Not found."), false};
}

// ---------------------------------------------------------------------------------------------------------
// Exclusions (rows 16–18)

PsuSim::Result PsuSim::exclusions(const http::Request& request, const http::Target& target) {
    const std::string& method = request.method;
    if (method == "GET") {
        auto scope_param = target.get("scope_id");
        if (!scope_param || scope_param->empty()) return {error(400, "scope_id query parameter is required."), false};
        if (auto bad = assert_ipv4(*scope_param, "scope_id")) return {std::move(*bad), false};
        auto id = Ipv4Address::parse(*scope_param);
        if (!id) return {not_an_ip_address("ScopeId", *scope_param), false};
        if (state_.scope(*id) == nullptr) return {error(404, "Scope not found."), false};
        json::array out;
        for (auto it = state_.exclusions.lower_bound({id->value, 0, 0});
             it != state_.exclusions.end() && std::get<0>(*it) == id->value; ++it)
            out.push_back(json::object{{"scope_id", id->to_string()},
                                       {"start_ip", Ipv4Address{std::get<1>(*it)}.to_string()},
                                       {"end_ip", Ipv4Address{std::get<2>(*it)}.to_string()}});
        std::size_t n = out.size();
        return {json_reply(200, out), false, n};
    }
    if (method != "POST" && method != "DELETE") return {error(405, "Method not allowed."), false};
    json::object b = body_object(request);
    auto scope_text = required(b, "scope_id"), start_text = required(b, "start_ip"), end_text = required(b, "end_ip");
    if (!scope_text || !start_text || !end_text) return {error(400, "scope_id, start_ip, and end_ip are required."), false};
    for (auto [value, name] : {std::pair{&*scope_text, "scope_id"}, {&*start_text, "start_ip"}, {&*end_text, "end_ip"}})
        if (auto bad = assert_ipv4(*value, name)) return {std::move(*bad), false};
    // 1.0.2: Remove-DhcpServerv4ExclusionRange has no -Force; every delete fails, whatever the range.
    if (method == "DELETE" && script_ == Script::v1_0_2) return {no_such_parameter("Force"), false};
    auto scope_id = Ipv4Address::parse(*scope_text);
    if (!scope_id) return {not_an_ip_address("ScopeId", *scope_text), false};  // 1.0.2 only (see assert_ipv4)
    auto start = Ipv4Address::parse(*start_text);
    if (!start) return {not_an_ip_address("StartRange", *start_text), false};
    auto end = Ipv4Address::parse(*end_text);
    if (!end) return {not_an_ip_address("EndRange", *end_text), false};
    const Scope* s = state_.scope(*scope_id);
    if (s == nullptr) return {error(500, "Scope " + scope_id->to_string() + " not found."), false};
    auto key = std::make_tuple(scope_id->value, start->value, end->value);
    json::object shape{{"scope_id", scope_id->to_string()}, {"start_ip", start->to_string()}, {"end_ip", end->to_string()}};
    if (method == "POST") {
        if (*end < *start || !s->network().contains(*start) || !s->network().contains(*end))
            return {error(500, "Failed to add exclusion range: the range is not valid for scope " + scope_id->to_string() + "."), false};
        if (state_.exclusions.count(key))
            return {error(500, "Failed to add exclusion range: the range already exists."), false};
        state_.exclusions.insert(key);
        return {json_reply(201, shape), true};
    }
    if (!state_.exclusions.erase(key))
        return {error(500, "Failed to remove exclusion range: the range does not exist."), false};
    return {no_content(), true};
}

}  // namespace nds::sim::psu
