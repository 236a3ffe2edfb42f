// PSU JSON <-> engine types (see psu_json.hpp for the tolerance rules).
#include "psu_client/psu_json.hpp"

#include "sync_engine/client_id.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <optional>

namespace nds::psu::json_codec {
namespace json = boost::json;
using engine::Ipv4Address;

namespace {

std::string trim_copy(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return std::string(text);
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string shorten(std::string_view text, std::size_t limit) {
    std::string t = trim_copy(text);
    if (t.size() <= limit) return t;
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
    return t.substr(0, cut) + "...";
}

std::string shown(const json::value& v) {
    if (v.is_string()) return "'" + shorten(v.get_string(), 100) + "'";
    return shorten(json::serialize(v), 100);
}

const char* kind_name(json::kind k) {
    switch (k) {
    case json::kind::string: return "a string";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::bool_: return "a boolean";
    default: return "an unexpected value";
    }
}

std::string prefix(const Source& s) {
    std::string out = s.server;
    if (!s.endpoint.empty()) out += (out.empty() ? "" : ": ") + s.endpoint;
    return out;
}

Error body_error(const Source& s, std::string_view what, std::string_view body) {
    std::string message = prefix(s) + ": " + std::string(what);
    std::string excerpt = shorten(body, 200);
    if (!excerpt.empty()) message += ": " + excerpt;
    return Error{make_error_code(errc::malformed), message};
}

Expected<json::value> parse_body(std::string_view body, const Source& s, json::storage_ptr storage = {}) {
    boost::system::error_code ec;
    json::value doc = json::parse(json::string_view(body.data(), body.size()), ec, std::move(storage));
    if (ec) {
        std::string t = trim_copy(body);
        if (t.empty()) return body_error(s, "invalid JSON response (empty body)", body);
        if (t.front() == '<') return body_error(s, "invalid JSON response (an HTML page, not JSON)", body);
        return body_error(s, "invalid JSON response (" + ec.message() + ")", body);
    }
    return doc;
}

/// null -> [], a lone object -> [object], an array as is; anything else is an Error.
/// `storage` must outlive the returned array (parse_records passes a monotonic_resource, the benchmark (bench/)).
Expected<json::array> parse_list(std::string_view body, const Source& s, json::storage_ptr storage = {}) {
    auto doc = parse_body(body, s, std::move(storage));
    if (!doc) return doc.error();
    if (doc->is_null()) return json::array{};
    if (doc->is_array()) return std::move(doc->get_array());
    if (doc->is_object()) {
        const auto& o = doc->get_object();
        // {"error": "..."} is PSU's error shape; seen with a 2xx it is still an error, not a record.
        if (o.size() == 1 && o.contains("error")) {
            const auto& e = o.at("error");
            return Error{make_error_code(errc::refused), prefix(s) + ": PSU reported an error: " + (e.is_string() ? std::string(e.get_string()) : json::serialize(e))};
        }
        json::array one;
        one.push_back(std::move(*doc));
        return one;
    }
    return body_error(s, std::string("response is not a JSON list (got ") + kind_name(doc->kind()) + ")", body);
}

std::optional<std::int64_t> to_integer(const json::value& v) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(v.get_uint64());
    if (v.is_double()) {
        double d = v.get_double();
        if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<std::int64_t>(d)))
            return static_cast<std::int64_t>(d);
        return std::nullopt;
    }
    if (v.is_string()) {
        std::string t = trim_copy(v.get_string());
        std::int64_t n = 0;
        auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (!t.empty() && ec == std::errc{} && ptr == t.data() + t.size()) return n;
    }
    return std::nullopt;
}

/// One PSU record: fields by a list of names, snake_case first. The first fatal problem makes the record
/// unusable; `notes` are problems that leave the record usable.
class Record {
public:
    Record(const json::object& o, std::string kind) : o_(o), kind_(std::move(kind)) {}

    bool ok() const { return problem_.empty(); }
    const std::string& problem() const { return problem_; }
    std::vector<std::string>& notes() { return notes_; }
    const std::string& kind() const { return kind_; }
    void fail(std::string why) {
        if (problem_.empty()) problem_ = std::move(why);
    }

    /// The first of `keys` that is present and not null.
    const json::value* find(std::initializer_list<std::string_view> keys) const {
        for (auto k : keys) {
            if (const auto* v = o_.if_contains(k); v && !v->is_null()) return v;
        }
        return nullptr;
    }

    /// Text; null/missing -> ""; numbers and booleans are taken as their JSON text.
    std::string text(std::initializer_list<std::string_view> keys) {
        const auto* v = find(keys);
        if (!v) return {};
        if (v->is_string()) return std::string(v->get_string());
        if (v->is_object() || v->is_array()) {
            fail(std::string(*keys.begin()) + " " + shown(*v) + " is not text");
            return {};
        }
        return json::serialize(*v);
    }

    std::optional<Ipv4Address> address(std::initializer_list<std::string_view> keys, bool required = true) {
        const auto* v = find(keys);
        std::string field(*keys.begin());
        if (!v) {
            if (required) fail(kind_ + " " + field + " is missing");
            return std::nullopt;
        }
        if (v->is_string()) {
            if (auto a = Ipv4Address::parse(trim_copy(v->get_string()))) return a;
        }
        fail(kind_ + " " + field + " " + shown(*v) + " is not an IPv4 address");
        return std::nullopt;
    }

    std::optional<std::int64_t> integer(std::initializer_list<std::string_view> keys) {
        const auto* v = find(keys);
        if (!v) return std::nullopt;
        auto n = to_integer(*v);
        if (!n) fail(kind_ + " " + std::string(*keys.begin()) + " " + shown(*v) + " is not an integer");
        return n;
    }

    bool boolean(std::initializer_list<std::string_view> keys, bool fallback) {
        const auto* v = find(keys);
        if (!v) return fallback;
        if (v->is_bool()) return v->get_bool();
        if (auto n = to_integer(*v); n && (*n == 0 || *n == 1)) return *n == 1;
        if (v->is_string()) {
            auto t = lower(trim_copy(v->get_string()));
            if (t == "true") return true;
            if (t == "false") return false;
        }
        fail(kind_ + " " + std::string(*keys.begin()) + " " + shown(*v) + " is not a boolean");
        return fallback;
    }

private:
    const json::object& o_;
    std::string kind_;
    std::string problem_;
    std::vector<std::string> notes_;
};

/// Parses every element of a list body with `parse(record) -> T` and collects problems.
/// `scope_of(record)` names the scope of a problem (the list's scope, or the record's own scope id).
template <class T, class F>
Expected<ParsedList<T>> parse_records(std::string_view body, const Source& source, const char* kind, F parse) {
    json::monotonic_resource arena(body.size());  // declared before the list: outlives it
    auto list = parse_list(body, source, &arena);
    if (!list) return list.error();
    ParsedList<T> out;
    out.items.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto& item = (*list)[i];
        std::string scope = source.scope;
        if (!item.is_object()) {
            out.problems.push_back({source.server, scope,
                                    prefix(source) + ": " + kind + " #" + std::to_string(i) + " " + shown(item) +
                                        " is not an object — skipped"});
            ++out.skipped;
            continue;
        }
        Record record(item.get_object(), kind);
        std::string record_scope;
        T value = parse(record, record_scope);
        if (!record_scope.empty()) scope = record_scope;
        for (const auto& note : record.notes())
            out.problems.push_back({source.server, scope, prefix(source) + ": " + note});
        if (!record.ok()) {
            out.problems.push_back({source.server, scope, prefix(source) + ": " + record.problem() + " — skipped"});
            ++out.skipped;
            continue;
        }
        out.items.push_back(std::move(value));
    }
    return out;
}

std::string to_text(const json::object& o) { return json::serialize(o); }

}  // namespace

Expected<ParsedList<engine::DhcpScope>> parse_scopes(std::string_view body, const Source& source) {
    return parse_records<engine::DhcpScope>(body, source, "scope", [](Record& r, std::string& scope) {
        engine::DhcpScope s;
        // The scope id names the problem's scope, even when it is the invalid value itself.
        if (const auto* id = r.find({"scope_id", "ScopeId", "network_address"}))
            scope = id->is_string() ? std::string(id->get_string()) : json::serialize(*id);
        if (auto id = r.address({"scope_id", "ScopeId", "network_address"})) s.scope_id = *id;
        s.name = r.text({"name", "Name"});
        if (auto a = r.address({"start_ip", "StartRange"})) s.start_ip = *a;
        if (auto a = r.address({"end_ip", "EndRange"})) s.end_ip = *a;
        if (auto a = r.address({"subnet_mask", "SubnetMask"})) s.subnet_mask = *a;
        if (r.ok() && !engine::Ipv4Network::from_mask(s.scope_id, s.subnet_mask))
            r.fail("scope subnet_mask '" + s.subnet_mask.to_string() + "' is not a contiguous netmask");
        s.description = r.text({"description", "Description"});
        if (const auto* state = r.find({"state", "State"})) {
            std::string t = state->is_string() ? lower(trim_copy(state->get_string())) : std::string();
            if (t == "active") {
                s.active = true;
            } else if (t == "inactive") {
                s.active = false;
            } else {
                // Kept as active on purpose (see psu_json.hpp): a scope must not vanish over an enum.
                s.active = true;
                r.notes().push_back("scope state " + shown(*state) + " is not Active or InActive — treated as Active");
            }
        }
        if (auto lease = r.integer({"lease_duration_seconds", "LeaseDuration"})) {
            if (*lease < 0) r.fail("scope lease_duration_seconds '" + std::to_string(*lease) + "' is negative");
            // 0 means "not set" to the plugin (§4.9): the Windows default then applies.
            s.lease_duration_seconds = *lease == 0 ? 86400 : *lease;
        }
        if (const auto* router = r.find({"router", "Router"})) {
            std::string t = router->is_string() ? trim_copy(router->get_string()) : std::string("?");
            if (t.empty() || t == "0.0.0.0") s.router = std::nullopt;
            else s.router = r.address({"router", "Router"});
        }
        s.failover_name = r.text({"failover_name", "FailoverName", "FailoverRelationshipName"});
        return s;
    });
}

Expected<ParsedList<engine::DhcpLease>> parse_leases(std::string_view body, const Source& source) {
    return parse_records<engine::DhcpLease>(body, source, "lease", [](Record& r, std::string&) {
        engine::DhcpLease l;
        if (auto a = r.address({"ip_address", "IPAddress"})) l.ip = *a;
        l.client_id = engine::normalize_client_id(r.text({"client_id", "ClientId"}));
        l.hostname = r.text({"hostname", "HostName"});
        l.lease_expiry = r.text({"lease_expiry", "LeaseExpiry"});
        // The endpoint returns Active and ActiveReservation only. Another value is kept as a lease (dropping
        // it would make cleanup delete the IP over an enum we could not read) and reported.
        std::string state = r.text({"address_state", "AddressState"});
        std::string s = lower(trim_copy(state));
        if (!s.empty() && s != "active" && s != "activereservation")
            r.notes().push_back("lease " + l.ip.to_string() + " address_state '" + state +
                                "' is not Active or ActiveReservation — kept as a lease");
        return l;
    });
}

Expected<ParsedList<engine::DhcpReservation>> parse_reservations(std::string_view body, const Source& source) {
    return parse_records<engine::DhcpReservation>(body, source, "reservation", [](Record& r, std::string&) {
        engine::DhcpReservation v;
        if (auto a = r.address({"ip_address", "IPAddress"})) v.ip = *a;
        v.client_id = engine::normalize_client_id(r.text({"client_id", "ClientId"}));
        v.name = r.text({"name", "Name"});
        v.description = r.text({"description", "Description"});
        std::string type = r.text({"type", "Type"});
        std::string t = lower(trim_copy(type));
        if (t.empty() || t == "dhcp") {
            v.type = "Dhcp";
        } else if (t == "bootp") {
            v.type = "Bootp";
        } else if (t == "both") {
            v.type = "Both";
        } else {
            v.type = type;  // kept as sent: the reservation itself is fine
            r.notes().push_back("reservation " + v.ip.to_string() + " type '" + type + "' is not Dhcp, Bootp or Both");
        }
        return v;
    });
}

Expected<ParsedList<engine::DhcpExclusion>> parse_exclusions(std::string_view body, const Source& source) {
    return parse_records<engine::DhcpExclusion>(body, source, "exclusion", [](Record& r, std::string&) {
        engine::DhcpExclusion e;
        if (auto a = r.address({"start_ip", "StartRange"})) e.start_ip = *a;
        if (auto a = r.address({"end_ip", "EndRange"})) e.end_ip = *a;
        if (r.ok() && e.end_ip < e.start_ip)
            r.fail("exclusion " + e.start_ip.to_string() + "-" + e.end_ip.to_string() + " ends before it starts");
        return e;
    });
}

Expected<ParsedList<Failover>> parse_failovers(std::string_view body, const Source& source) {
    return parse_records<Failover>(body, source, "failover", [](Record& r, std::string&) {
        Failover f;
        f.name = r.text({"name", "Name"});
        if (r.ok() && f.name.empty()) r.fail("failover name is missing");
        f.primary_server = r.text({"primary_server", "PrimaryServer"});
        f.secondary_server = r.text({"secondary_server", "SecondaryServer", "PartnerServer"});
        std::string mode = r.text({"mode", "Mode"});
        f.mode = mode.empty() ? "LoadBalance" : mode;
        if (const auto* ids = r.find({"scope_ids", "ScopeId", "ScopeIds"})) {
            if (ids->is_string()) {
                f.scope_ids.emplace_back(ids->get_string());  // a lone value, as ConvertTo-Json writes one
            } else if (ids->is_array()) {
                for (const auto& id : ids->get_array()) {
                    if (id.is_string()) f.scope_ids.emplace_back(id.get_string());
                    else if (!id.is_null()) r.notes().push_back("failover " + f.name + " scope id " + shown(id) + " ignored");
                }
            } else {
                r.fail("failover scope_ids " + shown(*ids) + " is not a list");
            }
        }
        if (auto v = r.integer({"max_client_lead_time", "MaxClientLeadTime"}); v && *v > 0) f.max_client_lead_time = static_cast<int>(*v);
        if (auto v = r.integer({"max_response_delay", "MaxResponseDelay"}); v && *v > 0) f.max_response_delay = static_cast<int>(*v);
        if (auto v = r.integer({"state_switchover_interval", "AutoStateTransitionInterval"}); v && *v > 0)
            f.state_switchover_interval = static_cast<int>(*v);
        f.enable_auth = r.boolean({"enable_auth", "EnableAuth"}, false);
        return f;
    });
}

Expected<ParsedList<OptionValue>> parse_options(std::string_view body, const Source& source) {
    return parse_records<OptionValue>(body, source, "option", [](Record& r, std::string&) {
        OptionValue o;
        auto code = r.integer({"code", "OptionId", "option_id"});
        if (r.ok() && (!code || *code < 0 || *code > 255)) r.fail("option code is missing or out of range");
        o.code = static_cast<int>(code.value_or(0));
        o.name = r.text({"name", "Name"});
        if (const auto* value = r.find({"value", "Value"})) {
            auto add = [&](const json::value& item) {
                if (item.is_null()) return;
                if (item.is_string()) o.value.emplace_back(item.get_string());
                else if (item.is_array() || item.is_object()) r.fail("option " + std::to_string(o.code) + " value " + shown(item) + " is not a scalar");
                else o.value.push_back(json::serialize(item));
            };
            if (value->is_array()) {
                for (const auto& item : value->get_array()) add(item);
            } else {
                add(*value);  // a single value, not wrapped by ConvertTo-Json
            }
        }
        o.type = r.text({"type", "Type"});
        o.vendor_class = r.text({"vendor_class", "VendorClass"});
        return o;
    });
}

Expected<Health> parse_health(std::string_view body, const Source& source) {
    auto list = parse_list(body, source);
    if (!list) return list.error();
    if (list->empty() || !(*list)[0].is_object()) return body_error(source, "health response is not a JSON object", body);
    Record r((*list)[0].get_object(), "health");
    Health h;
    h.status = r.text({"status", "Status"});
    h.version = r.text({"version", "Version"});
    if (!r.ok()) return Error{make_error_code(errc::malformed), prefix(source) + ": " + r.problem()};
    return h;
}

Expected<Done> check_json(std::string_view body, const Source& source) {
    auto doc = parse_body(body, source);
    if (!doc) return doc.error();
    return Done{};
}

// ---- bodies ----

std::string scope_create_body(const engine::DhcpScope& s) {
    json::object o;
    o["scope_id"] = s.scope_id.to_string();
    o["name"] = s.name;
    o["start_ip"] = s.start_ip.to_string();
    o["end_ip"] = s.end_ip.to_string();
    o["subnet_mask"] = s.subnet_mask.to_string();
    if (s.router) o["router"] = s.router->to_string();
    o["lease_duration_seconds"] = s.lease_duration_seconds;
    o["description"] = s.description;
    return to_text(o);
}

std::string scope_update_body(const engine::DhcpScope& s) {
    json::object o;
    o["name"] = s.name;
    o["start_ip"] = s.start_ip.to_string();
    o["end_ip"] = s.end_ip.to_string();
    o["description"] = s.description;
    o["lease_duration_seconds"] = s.lease_duration_seconds;
    o["router"] = s.router ? s.router->to_string() : std::string();  // "" removes option 3
    return to_text(o);
}

std::string reservation_create_body(Ipv4Address scope_id, const engine::DhcpReservation& r) {
    json::object o;
    o["scope_id"] = scope_id.to_string();
    o["ip_address"] = r.ip.to_string();
    o["client_id"] = r.client_id;
    o["name"] = r.name;
    o["description"] = r.description;
    o["type"] = r.type.empty() ? std::string("Dhcp") : r.type;
    return to_text(o);
}

std::string reservation_update_body(const engine::DhcpReservation& r) {
    json::object o;
    o["name"] = r.name;
    o["description"] = r.description;
    o["type"] = r.type.empty() ? std::string("Dhcp") : r.type;
    return to_text(o);
}

std::string exclusion_body(Ipv4Address scope_id, const engine::DhcpExclusion& e) {
    json::object o;
    o["scope_id"] = scope_id.to_string();
    o["start_ip"] = e.start_ip.to_string();
    o["end_ip"] = e.end_ip.to_string();
    return to_text(o);
}

}  // namespace nds::psu::json_codec
