// Write side of the NetBox simulator's collections: field parsing, NetBox model validation
// (NetBox's REST API) and the plugin's rules (the plugin's behaviour). Each function
// validates first and mutates only when the object is valid, recording undo steps in the transaction.
#include "tests/sim/netbox_sim_resources.hpp"

#include "tests/sim/sim_common.hpp"

#include <algorithm>
#include <cctype>

namespace nds::sim::netbox {

namespace {

const std::vector<std::string>& ip_statuses() {
    static const std::vector<std::string> v{"active", "reserved", "deprecated", "dhcp", "slaac"};
    return v;
}

const std::vector<std::string>& prefix_statuses() {
    static const std::vector<std::string> v{"container", "active", "reserved", "deprecated"};
    return v;
}

bool one_of(const std::vector<std::string>& choices, std::string_view value) {
    return std::find(choices.begin(), choices.end(), value) != choices.end();
}

/// NetBox's DNSValidator: ^([0-9A-Za-z_-]+|\*)(\.[0-9A-Za-z_-]+)*\.?$ (written out by hand: it runs once per
/// written IP and std::regex is slow).
bool valid_dns_name(std::string_view name) {
    if (name.empty()) return false;
    if (name.back() == '.') name.remove_suffix(1);
    if (name.empty()) return false;
    bool first = true;
    std::size_t pos = 0;
    while (true) {
        std::size_t dot = name.find('.', pos);
        std::string_view label = name.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
        if (label.empty()) return false;
        bool star = first && label == "*";
        if (!star)
            for (char c : label)
                if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
        first = false;
        if (dot == std::string_view::npos) return true;
        pos = dot + 1;
    }
}

std::string value_text(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : json::serialize(v); }

/// Reads an optional string field. Missing → nullopt with no error; wrong type → error.
std::optional<std::string> read_string(const json::object& data, std::string_view key, ErrorDict& errors,
                                       std::size_t max_length, bool& present) {
    present = false;
    const json::value* v = field(data, key);
    if (v == nullptr) return std::nullopt;
    present = true;
    if (v->is_null()) return std::string();
    if (!v->is_string()) {
        add_error(errors, key, "Not a valid string.");
        return std::nullopt;
    }
    std::string s(v->get_string());
    if (s.size() > max_length) {
        add_error(errors, key, "Ensure this field has no more than " + std::to_string(max_length) + " characters.");
        return std::nullopt;
    }
    return s;
}

/// Reads an IPv4 address field (plugin GenericIPAddressField).
std::optional<Ipv4Address> read_ip(const json::object& data, std::string_view key, ErrorDict& errors, bool& present) {
    present = false;
    const json::value* v = field(data, key);
    if (v == nullptr) return std::nullopt;
    present = true;
    if (v->is_string())
        if (auto a = Ipv4Address::parse(v->get_string())) return a;
    add_error(errors, key, "Enter a valid IPv4 or IPv6 address.");
    return std::nullopt;
}

/// Reads an optional FK written as `<name>_id` (int or null). Sets `present`; errors for unknown ids.
template <class Exists>
std::optional<std::optional<Id>> read_fk(const json::object& data, std::string_view key, ErrorDict& errors,
                                         Exists exists) {
    const json::value* v = field(data, key);
    if (v == nullptr) return std::nullopt;
    if (v->is_null()) return std::optional<Id>{};
    auto id = as_int(*v);
    if (!id) {
        add_error(errors, key, "Incorrect type. Expected pk value, received " + std::string(v->is_string() ? "str" : "value") + ".");
        return std::nullopt;
    }
    if (!exists(*id)) {
        add_error(errors, key, "Invalid pk \"" + std::to_string(*id) + "\" - object does not exist.");
        return std::nullopt;
    }
    return std::optional<Id>{*id};
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Base defaults and shared parsers

std::variant<Id, ErrorDict> Resource::create(const json::object&, Transaction&) {
    ErrorDict e;
    add_error(e, "__all__", "Creating objects is not supported here.");
    return e;
}

std::optional<ErrorDict> Resource::update(Id, const json::object&, Transaction&) {
    ErrorDict e;
    add_error(e, "__all__", "Updating objects is not supported here.");
    return e;
}

std::optional<std::string> Resource::remove(Id, Transaction&, std::vector<Cascaded>&) {
    return std::string("Deleting objects is not supported here.");
}

std::optional<std::vector<Id>> Resource::parse_tags(const json::value& value, ErrorDict& errors) const {
    if (!value.is_array()) {
        add_error(errors, "tags", "Expected a list of items but got type \"" + std::string(value.is_object() ? "dict" : "str") + "\".");
        return std::nullopt;
    }
    std::vector<Id> ids;
    for (const json::value& item : value.get_array()) {
        if (auto id = as_int(item)) {
            if (state().tags.find(*id) == nullptr) {
                add_error(errors, "tags", "Related object not found using the provided numeric ID: " + std::to_string(*id));
                return std::nullopt;
            }
            ids.push_back(*id);
            continue;
        }
        if (item.is_object()) {
            const json::object& o = item.get_object();
            // utilities/api.py get_related_object_by_attrs (4.6.6+): a lookup by attributes other than a lone
            // "id" searches only the tags this user may view; {"id": N} always works.
            bool by_id_only = o.size() == 1 && o.contains("id");
            bool may_view = by_id_only || ctx_.user == nullptr || ctx_.user->can_view_tags;
            const Tag* found = nullptr;
            bool any = false;
            for (const auto& [id, tag] : state().tags.rows) {
                if (!may_view) break;
                bool match = true;
                any = false;
                if (auto s = string_field(o, "slug")) { any = true; match = match && tag.slug == *s; }
                if (auto n = string_field(o, "name")) { any = true; match = match && tag.name == *n; }
                if (auto i = int_field(o, "id")) { any = true; match = match && tag.id == *i; }
                if (!any) break;
                if (match) { found = &tag; break; }
            }
            if (found == nullptr) {
                add_error(errors, "tags", "Related object not found using the provided attributes: " + python_dict_repr(o));
                return std::nullopt;
            }
            ids.push_back(found->id);
            continue;
        }
        add_error(errors, "tags", "Related objects must be referenced by numeric ID or by dictionary of attributes. "
                                  "Received an unrecognized value: " + value_text(item));
        return std::nullopt;
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

std::optional<std::optional<Id>> Resource::parse_vrf(const json::value& value, ErrorDict& errors) const {
    if (value.is_null()) return std::optional<Id>{};
    if (auto id = as_int(value)) {
        if (state().vrfs.find(*id) == nullptr) {
            add_error(errors, "vrf", "Related object not found using the provided numeric ID: " + std::to_string(*id));
            return std::nullopt;
        }
        return std::optional<Id>{*id};
    }
    if (value.is_object()) {
        const json::object& o = value.get_object();
        for (const auto& [id, vrf] : state().vrfs.rows) {
            bool match = true, any = false;
            if (auto n = string_field(o, "name")) { any = true; match = match && vrf.name == *n; }
            if (auto r = string_field(o, "rd")) { any = true; match = match && vrf.rd == *r; }
            if (auto i = int_field(o, "id")) { any = true; match = match && vrf.id == *i; }
            if (any && match) return std::optional<Id>{id};
        }
        add_error(errors, "vrf", "Related object not found using the provided attributes: " + python_dict_repr(o));
        return std::nullopt;
    }
    add_error(errors, "vrf", "Related objects must be referenced by numeric ID or by dictionary of attributes. "
                             "Received an unrecognized value: " + value_text(value));
    return std::nullopt;
}

void Resource::reject_custom_fields(const json::object& data, ErrorDict& errors) const {
    const json::value* cf = field(data, "custom_fields");
    if (cf == nullptr || cf->is_null()) return;
    if (!cf->is_object()) {
        add_error(errors, "custom_fields", "Invalid data. Expected a dictionary, but got " + value_text(*cf) + ".");
        return;
    }
    for (const auto& [key, v] : cf->get_object())
        add_error(errors, "custom_fields", "Custom field '" + std::string(key) + "' does not exist for this object type.");
}

// ---------------------------------------------------------------------------------------------------------
// IP addresses

std::optional<ErrorDict> IpResource::apply_fields(IpAddress& ip, const json::object& data, bool creating) const {
    ErrorDict errors;
    bool present = false;

    if (const json::value* v = field(data, "address")) {
        std::optional<Ipv4Interface> parsed;
        std::string text = value_text(*v);
        if (v->is_string()) {
            if (text.find('/') != std::string::npos) {
                parsed = Ipv4Interface::parse(text);
            } else if (auto host = Ipv4Address::parse(text)) {
                parsed = Ipv4Interface{*host, 32};  // a value without mask becomes /32 (NetBox's REST API)
            }
        }
        if (!parsed) {
            add_error(errors, "address", "Invalid IP address format: " + text);
        } else {
            ip.address = *parsed;
        }
    } else if (creating) {
        add_error(errors, "address", "This field is required.");
    }

    if (const json::value* v = field(data, "vrf"))
        if (auto vrf = parse_vrf(*v, errors)) ip.vrf = *vrf;

    if (const json::value* v = field(data, "status")) {
        if (!v->is_string()) {
            add_error(errors, "status", "Value must be passed directly (e.g. \"foo\": 123); do not use a dictionary or list.");
        } else if (!one_of(ip_statuses(), v->get_string())) {
            add_error(errors, "status", "\"" + std::string(v->get_string()) + "\" is not a valid choice.");
        } else {
            ip.status = std::string(v->get_string());
        }
    }

    if (auto dns = read_string(data, "dns_name", errors, 255, present); present && dns) {
        if (!dns->empty() && !valid_dns_name(*dns)) {
            add_error(errors, "dns_name",
                      "Only alphanumeric characters, asterisks, hyphens, periods, and underscores are allowed in DNS names");
        } else {
            ip.dns_name = to_lower(*dns);  // NetBox lower-cases on save
        }
    }
    if (auto d = read_string(data, "description", errors, 200, present); present && d) ip.description = *d;

    if (const json::value* v = field(data, "tags"))
        if (auto tags = parse_tags(*v, errors)) ip.tags = *tags;

    if (const json::value* cf = field(data, "custom_fields"); cf != nullptr && !cf->is_null()) {
        if (!cf->is_object()) {
            add_error(errors, "custom_fields", "Invalid data. Expected a dictionary, but got " + value_text(*cf) + ".");
        } else {
            // PATCH merges: only keys present are changed; null or "" clears the value.
            for (const auto& [key, value] : cf->get_object()) {
                if (key != "dhcp_client_id") {
                    add_error(errors, "custom_fields",
                              "Custom field '" + std::string(key) + "' does not exist for this object type.");
                } else if (value.is_null() || (value.is_string() && value.get_string().empty())) {
                    ip.dhcp_client_id.reset();
                } else if (value.is_string()) {
                    ip.dhcp_client_id = std::string(value.get_string());
                } else {
                    json::object nested;
                    add_error(nested, "dhcp_client_id", "Value must be a string.");
                    errors["custom_fields"] = nested;
                }
            }
        }
    }
    if (!errors.empty()) return errors;

    // Model clean (IPAddress.clean, ipam/models/ip.py): super().clean() first, which sends the plugin's
    // post_clean signal; then /0, uniqueness, populated ranges (creates only) and SLAAC. The first error
    // raised ends the clean: one error at a time.
    if (auto plugin_error = plugin_post_clean(ip)) return plugin_error;
    if (ip.address.length == 0) {
        add_error(errors, "address", "Cannot create IP address with /0 mask.");
        return errors;
    }
    bool enforce = config().enforce_global_unique;
    std::string table = "global table";
    if (ip.vrf) {
        const Vrf* vrf = state().vrfs.find(*ip.vrf);
        enforce = vrf != nullptr && vrf->enforce_unique;
        table = "VRF " + (vrf ? vrf->name : std::string());
    }
    if (enforce) {
        // A bulk create validates each element against the state before the request (visible_below).
        if (Id dup = state().find_duplicate_host(ip.vrf, ip.address.address, ip.id, ctx_.visible_below)) {
            add_error(errors, "address",
                      "Duplicate IP address found in " + table + ": " + state().find_ip(dup)->address.to_string());
            return errors;
        }
    }
    if (creating) {
        for (const auto& [id, range] : state().ip_ranges.rows)
            if (range.mark_populated && range.vrf == ip.vrf && range.start_address.address <= ip.address.address &&
                ip.address.address <= range.end_address.address) {
                add_error(errors, "address", "Cannot create IP address " + ip.address.to_string() + " inside range " +
                                                 ip_range_display(range) + ".");
                return errors;
            }
    }
    if (ip.status == "slaac") {
        add_error(errors, "status", "Only IPv6 addresses can be assigned SLAAC status");
        return errors;
    }
    return std::nullopt;
}

std::optional<ErrorDict> IpResource::plugin_post_clean(const IpAddress& ip) const {
    // The plugin's post_clean receiver (signals.py validate_dhcp_ip_status): only the first scope by name whose
    // prefix contains the host counts (any VRF); its range is not checked, its exclusion ranges are.
    const std::string& lease_status = config().lease_status;
    if (ip.status != lease_status) return std::nullopt;
    ErrorDict errors;
    const ScopeIndexEntry* scope = nullptr;
    for (const auto& entry : state().scope_index())
        if (entry.network.contains(ip.address.address)) {
            scope = &entry;
            break;
        }
    std::string host = ip.address.address.to_string();
    if (scope == nullptr) {
        add_error(errors, "__all__",
                  "IP addresses with status \"" + lease_status + "\" must fall within a configured DHCP scope prefix. "
                  "No matching scope found for " + host + ".");
        return errors;
    }
    for (Id range_id : state().exclusions_of(scope->id)) {
        const DhcpExclusionRange& r = *state().exclusions.find(range_id);
        if (r.start_ip <= ip.address.address && ip.address.address <= r.end_ip) {
            add_error(errors, "__all__",
                      host + " falls within exclusion range " + r.start_ip.to_string() + "\u2013" + r.end_ip.to_string() +
                          " of scope \"" + state().scopes.find(scope->id)->name + "\". Excluded IPs cannot have status \"" +
                          lease_status + "\".");
            return errors;
        }
    }
    return std::nullopt;
}

std::variant<Id, ErrorDict> IpResource::create(const json::object& data, Transaction& txn) {
    IpAddress ip;
    if (auto errors = apply_fields(ip, data, true)) return *errors;
    ip.id = state().allocate_ip_id();
    ip.created = ip.last_updated = sim_now_iso();
    Id id = ip.id;
    state().insert_ip(std::move(ip), &txn);
    return id;
}

std::optional<ErrorDict> IpResource::update(Id id, const json::object& data, Transaction& txn) {
    IpAddress ip = *state().find_ip(id);
    if (auto errors = apply_fields(ip, data, false)) return errors;
    ip.last_updated = sim_now_iso();
    state().replace_ip(std::move(ip), &txn);
    return std::nullopt;
}

std::optional<std::string> IpResource::remove(Id id, Transaction& txn, std::vector<Cascaded>&) {
    if (const IpAddress* ip = state().find_ip(id); ip && ip->protected_by)
        return "Unable to delete object. 1 dependent objects were found: " + *ip->protected_by;
    state().erase_ip(id, &txn);
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------------
// Prefixes

std::optional<ErrorDict> PrefixResource::apply_fields(Prefix& prefix, const json::object& data, bool creating) const {
    ErrorDict errors;
    bool present = false;
    if (const json::value* v = field(data, "prefix")) {
        std::optional<Ipv4Network> net;
        if (v->is_string()) net = Ipv4Network::parse(v->get_string());
        if (!net) add_error(errors, "prefix", "Invalid IP prefix format: " + value_text(*v));
        else prefix.prefix = *net;
    } else if (creating) {
        add_error(errors, "prefix", "This field is required.");
    }
    if (const json::value* v = field(data, "vrf"))
        if (auto vrf = parse_vrf(*v, errors)) prefix.vrf = *vrf;
    if (const json::value* v = field(data, "status")) {
        if (!v->is_string() || !one_of(prefix_statuses(), v->get_string()))
            add_error(errors, "status", "\"" + value_text(*v) + "\" is not a valid choice.");
        else
            prefix.status = std::string(v->get_string());
    }
    if (auto d = read_string(data, "description", errors, 200, present); present && d) prefix.description = *d;
    if (const json::value* v = field(data, "tags"))
        if (auto tags = parse_tags(*v, errors)) prefix.tags = *tags;
    reject_custom_fields(data, errors);
    if (!errors.empty()) return errors;

    bool enforce = config().enforce_global_unique;
    std::string table = "global table";
    if (prefix.vrf) {
        const Vrf* vrf = state().vrfs.find(*prefix.vrf);
        enforce = vrf != nullptr && vrf->enforce_unique;
        table = "VRF " + (vrf ? vrf->name : std::string());
    }
    if (enforce)
        for (const auto& [id, other] : state().prefixes.rows)
            if (id != prefix.id && id < ctx_.visible_below && other.vrf == prefix.vrf && other.prefix == prefix.prefix) {
                add_error(errors, "prefix", "Duplicate prefix found in " + table + ": " + other.prefix.to_string());
                return errors;
            }
    return std::nullopt;
}

std::variant<Id, ErrorDict> PrefixResource::create(const json::object& data, Transaction& txn) {
    Prefix prefix;
    if (auto errors = apply_fields(prefix, data, true)) return *errors;
    prefix.id = state().prefixes.allocate();
    prefix.created = prefix.last_updated = sim_now_iso();
    Id id = prefix.id;
    state().prefixes.insert(std::move(prefix), &txn);
    return id;
}

std::optional<ErrorDict> PrefixResource::update(Id id, const json::object& data, Transaction& txn) {
    Prefix prefix = *state().prefixes.find(id);
    if (auto errors = apply_fields(prefix, data, false)) return errors;
    prefix.last_updated = sim_now_iso();
    state().prefixes.replace(std::move(prefix), &txn);
    state().invalidate_caches();  // scopes are matched by their prefix's network
    return std::nullopt;
}

std::optional<std::string> PrefixResource::remove(Id id, Transaction& txn, std::vector<Cascaded>&) {
    // DHCPScope.prefix is PROTECT (the plugin's behaviour).
    std::vector<std::string> users;
    for (const auto& [sid, scope] : state().scopes.rows)
        if (scope.prefix == id) users.push_back(scope.name + " (" + std::to_string(sid) + ")");
    if (!users.empty()) {
        std::string list;
        for (const auto& name : users) list += (list.empty() ? "" : ", ") + name;
        return "Unable to delete object. " + std::to_string(users.size()) + " dependent objects were found: " + list;
    }
    state().prefixes.erase(id, &txn);
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------------
// Tags

std::variant<Id, ErrorDict> TagResource::create(const json::object& data, Transaction& txn) {
    ErrorDict errors;
    bool present = false;
    Tag tag;
    auto name = read_string(data, "name", errors, 100, present);
    if (!present) add_error(errors, "name", "This field is required.");
    auto slug = read_string(data, "slug", errors, 100, present);
    if (!present) add_error(errors, "slug", "This field is required.");
    if (auto color = read_string(data, "color", errors, 6, present); present && color) tag.color = *color;
    if (auto d = read_string(data, "description", errors, 200, present); present && d) tag.description = *d;
    if (name && name->empty()) add_error(errors, "name", "This field may not be blank.");
    if (slug && slug->empty()) add_error(errors, "slug", "This field may not be blank.");
    if (!errors.empty()) return errors;
    for (const auto& [id, other] : state().tags.rows) {
        if (id >= ctx_.visible_below) break;  // DRF's UniqueValidator sees the state before the request
        if (other.name == *name) add_error(errors, "name", "tag with this name already exists.");
        if (other.slug == *slug) add_error(errors, "slug", "tag with this slug already exists.");
    }
    if (!errors.empty()) return errors;
    tag.name = *name;
    tag.slug = *slug;
    tag.id = state().tags.allocate();
    tag.created = tag.last_updated = sim_now_iso();
    Id id = tag.id;
    state().tags.insert(std::move(tag), &txn);
    return id;
}

// ---------------------------------------------------------------------------------------------------------
// Scopes (write form: name, prefix_id, start_ip, end_ip, router, lease_lifetime, server_id, failover_id)

std::optional<ErrorDict> ScopeResource::apply_fields(DhcpScope& scope, const json::object& data, bool creating) const {
    ErrorDict errors;
    bool present = false;
    if (auto name = read_string(data, "name", errors, 200, present); present && name) {
        if (name->empty()) add_error(errors, "name", "This field may not be blank.");
        else scope.name = *name;
    } else if (!present && creating) {
        add_error(errors, "name", "This field is required.");
    }
    if (auto prefix = read_fk(data, "prefix_id", errors, [&](Id id) { return state().prefixes.find(id) != nullptr; })) {
        if (!*prefix) add_error(errors, "prefix_id", "This field may not be null.");
        else scope.prefix = **prefix;
    } else if (creating && field(data, "prefix_id") == nullptr) {
        add_error(errors, "prefix_id", "This field is required.");
    }
    for (auto [key, target] : {std::pair<const char*, Ipv4Address*>{"start_ip", &scope.start_ip}, {"end_ip", &scope.end_ip}}) {
        if (auto ip = read_ip(data, key, errors, present)) *target = *ip;
        else if (!present && creating) add_error(errors, key, "This field is required.");
    }
    if (const json::value* v = field(data, "router")) {
        if (v->is_null() || (v->is_string() && v->get_string().empty())) scope.router.reset();
        else if (auto ip = read_ip(data, "router", errors, present)) scope.router = *ip;
    }
    if (const json::value* v = field(data, "lease_lifetime")) {
        auto n = as_int(*v);
        if (!n) add_error(errors, "lease_lifetime", "A valid integer is required.");
        else if (*n < 0) add_error(errors, "lease_lifetime", "Ensure this value is greater than or equal to 0.");
        else scope.lease_lifetime = *n;
    }
    if (auto server = read_fk(data, "server_id", errors, [&](Id id) { return state().servers.find(id) != nullptr; }))
        scope.server = *server;
    if (auto failover = read_fk(data, "failover_id", errors, [&](Id id) { return state().failovers.find(id) != nullptr; }))
        scope.failover = *failover;
    if (const json::value* v = field(data, "option_value_ids")) {
        // M2M write: a list of existing option value ids replaces the scope's set.
        if (!v->is_array()) {
            add_error(errors, "option_value_ids", "Expected a list of items.");
        } else {
            std::vector<Id> ids;
            for (const auto& item : v->get_array()) {
                auto id = as_int(item);
                if (!id || state().option_values.find(*id) == nullptr) {
                    add_error(errors, "option_value_ids", "Invalid pk \"" + value_text(item) + "\" - object does not exist.");
                    continue;
                }
                ids.push_back(*id);
            }
            std::sort(ids.begin(), ids.end());
            ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
            scope.option_values = std::move(ids);
        }
    }
    if (const json::value* v = field(data, "tags"))
        if (auto tags = parse_tags(*v, errors)) scope.tags = *tags;
    reject_custom_fields(data, errors);
    if (!errors.empty()) return errors;

    // DHCPScopeSerializer.validate() calls super().validate() first, which runs the model's full_clean():
    // DHCPScope.clean() (models.py) raises the first problem it finds, so the serializer's own
    // server/failover messages are never reached.
    if (scope.server && scope.failover) {
        add_error(errors, "__all__", "A scope cannot have both a server and a failover relationship. Set only one.");
        return errors;
    }
    if (!scope.server && !scope.failover) {
        add_error(errors, "__all__", "A scope must be associated with either a server or a failover relationship.");
        return errors;
    }
    if (const Prefix* prefix = state().prefixes.find(scope.prefix)) {
        std::string cidr = prefix->prefix.to_string();
        if (!prefix->prefix.contains(scope.start_ip)) {
            add_error(errors, "start_ip", "Start IP must be within the prefix " + cidr + ".");
            return errors;
        }
        if (!prefix->prefix.contains(scope.end_ip)) {
            add_error(errors, "end_ip", "End IP must be within the prefix " + cidr + ".");
            return errors;
        }
    }
    if (scope.end_ip < scope.start_ip) {
        add_error(errors, "end_ip", "End IP must be greater than or equal to the Start IP.");
        return errors;
    }
    return std::nullopt;
}

std::variant<Id, ErrorDict> ScopeResource::create(const json::object& data, Transaction& txn) {
    DhcpScope scope;
    if (auto errors = apply_fields(scope, data, true)) return *errors;
    scope.id = state().scopes.allocate();
    scope.created = scope.last_updated = sim_now_iso();
    Id id = scope.id;
    state().scopes.insert(std::move(scope), &txn);
    state().invalidate_caches();
    return id;
}

std::optional<ErrorDict> ScopeResource::update(Id id, const json::object& data, Transaction& txn) {
    DhcpScope scope = *state().scopes.find(id);
    if (auto errors = apply_fields(scope, data, false)) return errors;
    scope.last_updated = sim_now_iso();
    state().scopes.replace(std::move(scope), &txn);
    state().invalidate_caches();
    return std::nullopt;
}

std::optional<std::string> ScopeResource::remove(Id id, Transaction& txn, std::vector<Cascaded>& cascaded) {
    // DHCPExclusionRange.scope is CASCADE: each range gets its own delete change record.
    ExclusionResource ranges(ctx_);
    std::vector<Id> children;
    for (const auto& [rid, range] : state().exclusions.rows)
        if (range.scope == id) children.push_back(rid);
    for (Id rid : children) {
        cascaded.push_back({std::string(kTypeExclusion), rid, ranges.repr(rid), ranges.snapshot(rid)});
        state().exclusions.erase(rid, &txn);
    }
    state().scopes.erase(id, &txn);
    state().invalidate_caches();
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------------
// Failovers (write form: name, primary_server_id, secondary_server_id, mode, ...; model clean applies)

std::variant<Id, ErrorDict> FailoverResource::create(const json::object& data, Transaction& txn) {
    ErrorDict errors;
    bool present = false;
    DhcpFailover f;
    if (auto name = read_string(data, "name", errors, 100, present); present && name) {
        if (name->empty()) add_error(errors, "name", "This field may not be blank.");
        else f.name = *name;
    } else if (!present) {
        add_error(errors, "name", "This field is required.");
    }
    auto server_exists = [&](Id id) { return state().servers.find(id) != nullptr; };
    for (auto [key, target] : {std::pair<const char*, Id*>{"primary_server_id", &f.primary_server},
                               {"secondary_server_id", &f.secondary_server}}) {
        if (auto ref = read_fk(data, key, errors, server_exists)) {
            if (!*ref) add_error(errors, key, "This field may not be null.");
            else *target = **ref;
        } else if (field(data, key) == nullptr) {
            add_error(errors, key, "This field is required.");
        }
    }
    if (const json::value* v = field(data, "mode")) {
        if (!v->is_string() || (v->get_string() != "LoadBalance" && v->get_string() != "HotStandby"))
            add_error(errors, "mode", "\"" + value_text(*v) + "\" is not a valid choice.");
        else
            f.mode = std::string(v->get_string());
    }
    for (auto [key, target] : {std::pair<const char*, std::int64_t*>{"max_client_lead_time", &f.max_client_lead_time},
                               {"max_response_delay", &f.max_response_delay}}) {
        if (const json::value* v = field(data, key)) {
            auto n = as_int(*v);
            if (!n || *n <= 0) add_error(errors, key, "Ensure this value is greater than or equal to 1.");
            else *target = *n;
        }
    }
    if (const json::value* v = field(data, "state_switchover_interval"); v && !v->is_null()) {
        auto n = as_int(*v);
        if (!n || *n <= 0) add_error(errors, "state_switchover_interval", "Ensure this value is greater than or equal to 1.");
        else f.state_switchover_interval = *n;
    }
    for (auto [key, target] : {std::pair<const char*, bool*>{"sync_enabled", &f.sync_enabled}, {"enable_auth", &f.enable_auth}}) {
        if (const json::value* v = field(data, key)) {
            if (!v->is_bool()) add_error(errors, key, "Must be a valid boolean.");
            else *target = v->get_bool();
        }
    }
    auto secret = read_string(data, "shared_secret", errors, 500, present);
    if (const json::value* v = field(data, "tags"))
        if (auto tags = parse_tags(*v, errors)) f.tags = *tags;
    reject_custom_fields(data, errors);
    if (!errors.empty()) return errors;
    // name is unique=True: DRF's UniqueValidator (field level) sees the state before the request; a duplicate
    // inside one bulk request reaches the database (integrity_violation).
    for (const auto& [id, other] : state().failovers.rows)
        if (id < ctx_.visible_below && other.name == f.name) {
            add_error(errors, "name", "DHCP Failover with this name already exists.");
            return errors;
        }
    // Model clean (DHCPFailover.clean, models.py).
    if (f.primary_server == f.secondary_server) {
        add_error(errors, "secondary_server", "Primary and secondary servers must be different.");
        return errors;
    }
    if (f.enable_auth && (!secret || secret->empty())) {
        add_error(errors, "shared_secret", "A shared secret is required when authentication is enabled.");
        return errors;
    }
    f.id = state().failovers.allocate();
    f.created = f.last_updated = sim_now_iso();
    Id id = f.id;
    state().failovers.insert(std::move(f), &txn);
    return id;
}

// ---------------------------------------------------------------------------------------------------------
// Option codes and values (the plugin's behaviour)

std::variant<Id, ErrorDict> OptionCodeResource::create(const json::object& data, Transaction& txn) {
    static const std::vector<std::string> types{"String", "IPAddress", "IPAddressList", "DWORD",
                                                "DWORD DWORD", "Binary", "Encapsulated", "IPv6Address"};
    ErrorDict errors;
    bool present = false;
    DhcpOptionCode c;
    if (const json::value* v = field(data, "code")) {
        auto n = as_int(*v);
        if (!n || *n < 0 || *n > 32767) add_error(errors, "code", "A valid integer is required.");
        else c.code = *n;
    } else {
        add_error(errors, "code", "This field is required.");
    }
    if (auto name = read_string(data, "name", errors, 200, present); present && name) {
        if (name->empty()) add_error(errors, "name", "This field may not be blank.");
        else c.name = *name;
    } else if (!present) {
        add_error(errors, "name", "This field is required.");
    }
    if (const json::value* v = field(data, "data_type")) {
        if (!v->is_string() || !one_of(types, v->get_string()))
            add_error(errors, "data_type", "\"" + value_text(*v) + "\" is not a valid choice.");
        else
            c.data_type = std::string(v->get_string());
    }
    if (auto d = read_string(data, "description", errors, 100000, present); present && d) c.description = *d;
    if (auto vc = read_string(data, "vendor_class", errors, 200, present); present && vc) c.vendor_class = *vc;
    if (const json::value* v = field(data, "is_builtin")) {
        if (!v->is_bool()) add_error(errors, "is_builtin", "Must be a valid boolean.");
        else c.is_builtin = v->get_bool();
    }
    if (const json::value* v = field(data, "tags"))
        if (auto tags = parse_tags(*v, errors)) c.tags = *tags;
    reject_custom_fields(data, errors);
    if (!errors.empty()) return errors;
    for (const auto& [id, other] : state().option_codes.rows)
        if (id < ctx_.visible_below && other.code == c.code) {
            add_error(errors, "code", "DHCP Option Code Definition with this Option Code already exists.");
            return errors;
        }
    c.id = state().option_codes.allocate();
    c.created = c.last_updated = sim_now_iso();
    Id id = c.id;
    state().option_codes.insert(std::move(c), &txn);
    return id;
}

std::variant<Id, ErrorDict> OptionValueResource::create(const json::object& data, Transaction& txn) {
    ErrorDict errors;
    bool present = false;
    DhcpOptionValue v;
    if (auto ref = read_fk(data, "option_definition_id", errors,
                           [&](Id id) { return state().option_codes.find(id) != nullptr; })) {
        if (!*ref) add_error(errors, "option_definition_id", "This field may not be null.");
        else v.definition = **ref;
    } else if (field(data, "option_definition_id") == nullptr) {
        add_error(errors, "option_definition_id", "This field is required.");
    }
    if (auto value = read_string(data, "value", errors, 100000, present); present && value) {
        if (value->empty()) add_error(errors, "value", "This field may not be blank.");
        else v.value = *value;
    } else if (!present) {
        add_error(errors, "value", "This field is required.");
    }
    if (auto name = read_string(data, "friendly_name", errors, 200, present); present && name) v.friendly_name = *name;
    if (const json::value* t = field(data, "tags"))
        if (auto tags = parse_tags(*t, errors)) v.tags = *tags;
    reject_custom_fields(data, errors);
    if (!errors.empty()) return errors;
    v.id = state().option_values.allocate();
    v.created = v.last_updated = sim_now_iso();
    Id id = v.id;
    state().option_values.insert(std::move(v), &txn);
    return id;
}

// ---------------------------------------------------------------------------------------------------------
// Exclusion ranges (write form: scope_id, start_ip, end_ip)

std::optional<ErrorDict> ExclusionResource::apply_fields(DhcpExclusionRange& range, const json::object& data,
                                                         bool creating) const {
    ErrorDict errors;
    bool present = false;
    if (auto scope = read_fk(data, "scope_id", errors, [&](Id id) { return state().scopes.find(id) != nullptr; })) {
        if (!*scope) add_error(errors, "scope_id", "This field may not be null.");
        else range.scope = **scope;
    } else if (creating && field(data, "scope_id") == nullptr) {
        add_error(errors, "scope_id", "This field is required.");
    }
    for (auto [key, target] : {std::pair<const char*, Ipv4Address*>{"start_ip", &range.start_ip}, {"end_ip", &range.end_ip}}) {
        if (auto ip = read_ip(data, key, errors, present)) *target = *ip;
        else if (!present && creating) add_error(errors, key, "This field is required.");
    }
    if (const json::value* v = field(data, "tags"))
        if (auto tags = parse_tags(*v, errors)) range.tags = *tags;
    reject_custom_fields(data, errors);
    if (!errors.empty()) return errors;

    // unique_together (scope, start_ip, end_ip) is not validated: NetBox's ValidatedModelSerializer turns
    // DRF's unique-together validation off, so a duplicate reaches the database (integrity_violation).
    // Model clean (DHCPExclusionRange.clean, models.py): the first problem only.
    if (range.end_ip < range.start_ip) {
        add_error(errors, "end_ip", "End IP must be greater than or equal to the Start IP.");
        return errors;
    }
    const DhcpScope* scope = state().scopes.find(range.scope);
    if (const Prefix* prefix = scope ? state().prefixes.find(scope->prefix) : nullptr) {
        std::string cidr = prefix->prefix.to_string();
        if (!prefix->prefix.contains(range.start_ip)) {
            add_error(errors, "start_ip", "Start IP must be within the scope prefix " + cidr + ".");
            return errors;
        }
        if (!prefix->prefix.contains(range.end_ip)) {
            add_error(errors, "end_ip", "End IP must be within the scope prefix " + cidr + ".");
            return errors;
        }
    }
    return std::nullopt;
}

std::variant<Id, ErrorDict> ExclusionResource::create(const json::object& data, Transaction& txn) {
    DhcpExclusionRange range;
    if (auto errors = apply_fields(range, data, true)) return *errors;
    range.id = state().exclusions.allocate();
    range.created = range.last_updated = sim_now_iso();
    Id id = range.id;
    state().exclusions.insert(std::move(range), &txn);
    state().invalidate_caches();
    return id;
}

std::optional<ErrorDict> ExclusionResource::update(Id id, const json::object& data, Transaction& txn) {
    DhcpExclusionRange range = *state().exclusions.find(id);
    if (auto errors = apply_fields(range, data, false)) return errors;
    range.last_updated = sim_now_iso();
    state().exclusions.replace(std::move(range), &txn);
    state().invalidate_caches();
    return std::nullopt;
}

std::optional<std::string> ExclusionResource::remove(Id id, Transaction& txn, std::vector<Cascaded>&) {
    state().exclusions.erase(id, &txn);
    state().invalidate_caches();
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------------
// Database constraints (PostgreSQL's wording of a unique violation)

namespace {
std::string unique_violation(std::string_view constraint, std::string_view columns, std::string_view values) {
    return "duplicate key value violates unique constraint \"" + std::string(constraint) + "\"\nDETAIL:  Key (" +
           std::string(columns) + ")=(" + std::string(values) + ") already exists.";
}
}  // namespace

std::optional<std::string> ExclusionResource::integrity_violation(Id id) const {
    const DhcpExclusionRange& r = *state().exclusions.find(id);
    for (const auto& [other_id, other] : state().exclusions.rows)
        if (other_id != id && other.scope == r.scope && other.start_ip == r.start_ip && other.end_ip == r.end_ip)
            return unique_violation("netbox_windows_dhcp_dhcpe_scope_id_start_ip_end_ip_0a6c1b3e_uniq",
                                    "scope_id, start_ip, end_ip",
                                    std::to_string(r.scope) + ", " + r.start_ip.to_string() + ", " + r.end_ip.to_string());
    return std::nullopt;
}

std::optional<std::string> FailoverResource::integrity_violation(Id id) const {
    const DhcpFailover& f = *state().failovers.find(id);
    for (const auto& [other_id, other] : state().failovers.rows)
        if (other_id != id && other.name == f.name)
            return unique_violation("netbox_windows_dhcp_dhcpfailover_name_key", "name", f.name);
    return std::nullopt;
}

std::optional<std::string> OptionCodeResource::integrity_violation(Id id) const {
    const DhcpOptionCode& c = *state().option_codes.find(id);
    for (const auto& [other_id, other] : state().option_codes.rows)
        if (other_id != id && other.code == c.code)
            return unique_violation("netbox_windows_dhcp_dhcpoptioncodedefinition_code_key", "code", std::to_string(c.code));
    return std::nullopt;
}

std::optional<std::string> TagResource::integrity_violation(Id id) const {
    const Tag& t = *state().tags.find(id);
    for (const auto& [other_id, other] : state().tags.rows) {
        if (other_id == id) continue;
        if (other.name == t.name) return unique_violation("extras_tag_name_key", "name", t.name);
        if (other.slug == t.slug) return unique_violation("extras_tag_slug_key", "slug", t.slug);
    }
    return std::nullopt;
}

}  // namespace nds::sim::netbox
