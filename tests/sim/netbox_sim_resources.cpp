// Read side of the NetBox simulator's collections: REST rendering, changelog snapshots and list filters.
#include "tests/sim/netbox_sim_resources.hpp"

#include "tests/sim/sim_common.hpp"

#include <algorithm>
#include <charconv>

namespace nds::sim::netbox {

namespace {

std::string status_label(std::string_view value) {
    if (value == "dhcp") return "DHCP";
    if (value == "slaac") return "SLAAC";
    if (value.empty()) return "";
    std::string label(value);
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    return label;
}

json::object choice(std::string_view value) { return {{"value", value}, {"label", status_label(value)}}; }

json::value opt_string(const std::optional<std::string>& value) {
    return value ? json::value(*value) : json::value(nullptr);
}

json::value opt_int(const std::optional<Id>& value) { return value ? json::value(*value) : json::value(nullptr); }

/// Parsed `vrf_id` filter: each entry is a VRF id or nullopt for "null" (global table). NetBox's
/// ModelMultipleChoiceFilter refuses ids that name no VRF: 400 {"vrf_id": ["Select a valid choice. ..."]}.
std::optional<std::vector<std::optional<Id>>> parse_vrf_filter(const State& state, const std::vector<std::string>& values,
                                                               ErrorDict& error) {
    std::vector<std::optional<Id>> out;
    for (const auto& v : values) {
        if (v == "null") {
            out.emplace_back(std::nullopt);
            continue;
        }
        auto ids = parse_ids({v});
        if (!ids) {
            add_error(error, "vrf_id", "\u201c" + v + "\u201d is not a valid value.");
            return std::nullopt;
        }
        if (state.vrfs.find(ids->front()) == nullptr) {
            add_error(error, "vrf_id", "Select a valid choice. " + v + " is not one of the available choices.");
            return std::nullopt;
        }
        out.emplace_back(ids->front());
    }
    return out;
}

bool vrf_matches(const std::vector<std::optional<Id>>& filter, const std::optional<Id>& vrf) {
    return filter.empty() || std::find(filter.begin(), filter.end(), vrf) != filter.end();
}

/// `tag` filter: every given slug must be on the object (NetBox ANDs tag values).
std::optional<std::vector<Id>> resolve_tag_filter(const State& state, const std::vector<std::string>& slugs,
                                                  ErrorDict& errors) {
    std::vector<Id> ids;
    for (const auto& slug : slugs) {
        const Tag* tag = state.tag_by_slug(slug);
        if (tag == nullptr) {
            add_error(errors, "tag", "Select a valid choice. " + slug + " is not one of the available choices.");
            return std::nullopt;
        }
        ids.push_back(tag->id);
    }
    return ids;
}

bool has_all_tags(const std::vector<Id>& object_tags, const std::vector<Id>& wanted) {
    for (Id t : wanted)
        if (std::find(object_tags.begin(), object_tags.end(), t) == object_tags.end()) return false;
    return true;
}

bool contains_id(const std::vector<Id>& ids, Id id) {
    return ids.empty() || std::find(ids.begin(), ids.end(), id) != ids.end();
}

ListResult bad_filter(std::string_view key, std::string_view message) {
    ListResult r;
    r.error = ErrorDict{};
    add_error(*r.error, key, message);
    return r;
}

/// Common filters of every collection: `id` (multi) and `tag` (AND). Returns false and fills `out.error`
/// on a bad value.
struct CommonFilter {
    std::vector<Id> ids;
    std::vector<Id> tags;
    /// last_updated__gte / __lte (NetBox's MultiValueDateTimeFilter: several values are OR-ed).
    std::vector<Micros> updated_gte, updated_lte;

    bool updated(const std::string& last_updated) const {
        if (updated_gte.empty() && updated_lte.empty()) return true;
        auto t = parse_iso_time(last_updated);
        if (!t) return false;
        auto any = [&](const std::vector<Micros>& bounds, bool gte) {
            return bounds.empty() || std::any_of(bounds.begin(), bounds.end(), [&](Micros b) { return gte ? *t >= b : *t <= b; });
        };
        return any(updated_gte, true) && any(updated_lte, false);
    }
};

std::optional<CommonFilter> common_filter(const State& state, const http::Target& target, ListResult& out) {
    CommonFilter f;
    auto ids = parse_ids(target.all("id"));
    if (!ids) {
        out = bad_filter("id", "Enter a number.");
        return std::nullopt;
    }
    f.ids = *ids;
    ErrorDict errors;
    auto tags = resolve_tag_filter(state, target.all("tag"), errors);
    if (!tags) {
        out.error = errors;
        return std::nullopt;
    }
    f.tags = *tags;
    for (auto [key, out_list] : {std::pair<const char*, std::vector<Micros>*>{"last_updated__gte", &f.updated_gte},
                                 {"last_updated__lte", &f.updated_lte}}) {
        for (const auto& value : target.all(key)) {
            auto t = parse_iso_time(value);
            if (!t) {
                out = bad_filter(key, "Enter a valid date/time.");
                return std::nullopt;
            }
            out_list->push_back(*t);
        }
    }
    return f;
}

/// Lists a small table with a predicate (NetBox orders by id here; good enough for plugin objects).
template <class T, class Pred>
ListResult filter_rows(const std::map<Id, T>& rows, Pred pred) {
    ListResult r;
    for (const auto& [id, row] : rows)
        if (pred(row)) r.ids.push_back(id);
    return r;
}

}  // namespace

void add_error(ErrorDict& errors, std::string_view key, std::string_view message) {
    auto it = errors.find(key);
    if (it == errors.end()) it = errors.emplace(key, json::array{}).first;
    if (it->value().is_array()) it->value().get_array().emplace_back(message);
}

std::optional<std::vector<Id>> parse_ids(const std::vector<std::string>& values) {
    std::vector<Id> out;
    for (const auto& v : values) {
        Id id = 0;
        auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
        if (ec != std::errc{} || ptr != v.data() + v.size()) return std::nullopt;
        out.push_back(id);
    }
    return out;
}

std::string exclusion_display(const DhcpExclusionRange& range) {
    return range.start_ip.to_string() + " \u2013 " + range.end_ip.to_string();
}

std::string ip_range_display(const IpRange& range) {
    // IPRange.name (ipam/models/ip.py): the octets both ends share (position by position, as NetBox zips
    // them), then the differing tails of each end, then the mask length.
    auto octets = [](Ipv4Address a) {
        std::vector<std::string> out;
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::to_string((a.value >> shift) & 0xFF));
        return out;
    };
    std::string length = "/" + std::to_string(range.start_address.length);
    if (range.start_address.address == range.end_address.address)
        return range.start_address.address.to_string() + "-" + range.end_address.address.to_string() + length;
    auto start = octets(range.start_address.address), end = octets(range.end_address.address);
    std::vector<std::string> base;
    for (std::size_t i = 0; i < 4; ++i)
        if (start[i] == end[i]) base.push_back(start[i]);
    auto join = [](const std::vector<std::string>& parts, std::size_t from) {
        std::string out;
        for (std::size_t i = from; i < parts.size(); ++i) out += (out.empty() ? "" : ".") + parts[i];
        return out;
    };
    return join(base, 0) + "." + join(start, base.size()) + "-" + join(end, base.size()) + length;
}

std::string python_dict_repr(const json::object& o) {
    std::string out = "{";
    for (const auto& [key, value] : o) {
        if (out.size() > 1) out += ", ";
        out += "'" + std::string(key) + "': ";
        if (value.is_string()) out += "'" + std::string(value.get_string()) + "'";
        else if (value.is_bool()) out += value.get_bool() ? "True" : "False";
        else if (value.is_null()) out += "None";
        else out += json::serialize(value);
    }
    return out + "}";
}

Resource* Resources::by_path(std::string_view path) const {
    for (const auto& r : all)
        if (r->path() == path) return r.get();
    return nullptr;
}

Resources make_resources(Context& ctx) {
    Resources r;
    r.all.push_back(std::make_unique<IpResource>(ctx));
    r.all.push_back(std::make_unique<PrefixResource>(ctx));
    r.all.push_back(std::make_unique<TagResource>(ctx));
    r.all.push_back(std::make_unique<VrfResource>(ctx));
    r.all.push_back(std::make_unique<ServerResource>(ctx));
    r.all.push_back(std::make_unique<FailoverResource>(ctx));
    r.all.push_back(std::make_unique<ScopeResource>(ctx));
    r.all.push_back(std::make_unique<ExclusionResource>(ctx));
    r.all.push_back(std::make_unique<OptionCodeResource>(ctx));
    r.all.push_back(std::make_unique<OptionValueResource>(ctx));
    r.all.push_back(std::make_unique<IpRangeResource>(ctx));
    r.all.push_back(std::make_unique<JobResource>(ctx));
    return r;
}

// ---------------------------------------------------------------------------------------------------------
// Shared rendering

std::string Resource::url(Id id) const { return ctx_.base_url + std::string(path()) + std::to_string(id) + "/"; }

bool FieldView::keeps(std::string_view field) const {
    bool named = std::find(names.begin(), names.end(), field) != names.end();
    switch (mode) {
    case Mode::full: return true;
    case Mode::include: return named;
    case Mode::omit: return !named;
    }
    return true;
}

FieldView field_view(const http::Target& target, const std::vector<std::string_view>& brief_fields) {
    auto split = [](const std::string& text) {
        std::vector<std::string> out;
        std::size_t start = 0;
        while (true) {
            auto comma = text.find(',', start);
            out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (comma == std::string::npos) return out;
            start = comma + 1;
        }
    };
    FieldView view;
    // Django's QueryDict.get gives the last value of a repeated parameter.
    auto last = [&](std::string_view key) -> std::string {
        auto values = target.all(key);
        return values.empty() ? std::string() : values.back();
    };
    if (auto fields = last("fields"); !fields.empty()) {
        view.mode = FieldView::Mode::include;
        view.names = split(fields);
        view.key = "f:" + fields;
    } else if (auto omit = last("omit"); !omit.empty()) {
        view.mode = FieldView::Mode::omit;
        view.names = split(omit);
        view.key = "o:" + omit;
    } else if (!last("brief").empty() && !brief_fields.empty()) {
        view.mode = FieldView::Mode::include;
        for (auto f : brief_fields) view.names.emplace_back(f);
        view.key = "brief";
    }
    return view;
}

json::object narrowed(const json::object& full, const FieldView& view) {
    if (!view.narrow()) return full;
    json::object out;
    for (const auto& [key, value] : full)
        if (view.keeps(key)) out.emplace(key, value);
    return out;
}

const std::string& Resource::rendered(Id id, const FieldView& view) const {
    if (!view.narrow()) return rendered(id);
    auto& cache = narrow_rendered_[view.key];
    if (narrow_rendered_.size() > 16) {  // bounded: a test that asks for many field sets must not grow this
        narrow_rendered_.clear();
        return narrow_rendered_[view.key].emplace(id, json::serialize(narrowed(serialize(id), view))).first->second;
    }
    auto it = cache.find(id);
    if (it == cache.end()) it = cache.emplace(id, json::serialize(narrowed(serialize(id), view))).first;
    return it->second;
}

const std::string& Resource::rendered(Id id) const {
    auto it = rendered_.find(id);
    if (it == rendered_.end()) it = rendered_.emplace(id, json::serialize(serialize(id))).first;
    return it->second;
}

json::array Resource::tags_json(const std::vector<Id>& tags) const {
    json::array out;
    for (Id id : tags) {
        const Tag* tag = state().tags.find(id);
        if (tag == nullptr) continue;
        out.push_back(json::object{{"id", tag->id},
                                   {"url", ctx_.base_url + "/api/extras/tags/" + std::to_string(tag->id) + "/"},
                                   {"display_url", ctx_.base_url + "/extras/tags/" + std::to_string(tag->id) + "/"},
                                   {"display", tag->name},
                                   {"name", tag->name},
                                   {"slug", tag->slug},
                                   {"color", tag->color}});
    }
    return out;
}

json::array Resource::tag_names(const std::vector<Id>& tags) const {
    std::vector<std::string> names;
    for (Id id : tags)
        if (const Tag* tag = state().tags.find(id)) names.push_back(tag->name);
    std::sort(names.begin(), names.end());
    json::array out;
    for (auto& n : names) out.emplace_back(n);
    return out;
}

json::value Resource::vrf_brief(const std::optional<Id>& vrf) const {
    if (!vrf) return nullptr;
    const Vrf* v = state().vrfs.find(*vrf);
    if (v == nullptr) return nullptr;
    return json::object{{"id", v->id},
                        {"url", ctx_.base_url + "/api/ipam/vrfs/" + std::to_string(v->id) + "/"},
                        {"display", v->name},
                        {"name", v->name},
                        {"rd", opt_string(v->rd)},
                        {"description", ""}};
}

json::value Resource::prefix_brief(Id prefix) const {
    const Prefix* p = state().prefixes.find(prefix);
    if (p == nullptr) return nullptr;
    return json::object{{"id", p->id},
                        {"url", ctx_.base_url + "/api/ipam/prefixes/" + std::to_string(p->id) + "/"},
                        {"display", p->prefix.to_string()},
                        {"family", family_json()},
                        {"prefix", p->prefix.to_string()},
                        {"description", p->description},
                        {"_depth", 0}};
}

json::value Resource::server_brief(const std::optional<Id>& server) const {
    if (!server) return nullptr;
    const DhcpServer* s = state().servers.find(*server);
    if (s == nullptr) return nullptr;
    return json::object{
        {"id", s->id},
        {"url", ctx_.base_url + "/api/plugins/windows-dhcp/servers/" + std::to_string(s->id) + "/"},
        {"display", s->name},
        {"name", s->name},
        {"hostname", s->hostname}};
}

json::value Resource::failover_brief(const std::optional<Id>& failover) const {
    if (!failover) return nullptr;
    const DhcpFailover* f = state().failovers.find(*failover);
    if (f == nullptr) return nullptr;
    return json::object{
        {"id", f->id},
        {"url", ctx_.base_url + "/api/plugins/windows-dhcp/failover/" + std::to_string(f->id) + "/"},
        {"display", f->name},
        {"name", f->name},
        {"mode", f->mode}};
}

json::object Resource::scope_brief(Id scope) const {
    const DhcpScope* s = state().scopes.find(scope);
    std::string name = s ? s->name : "";
    return {{"id", scope},
            {"url", ctx_.base_url + "/api/plugins/windows-dhcp/scopes/" + std::to_string(scope) + "/"},
            {"display", name},
            {"name", name}};
}

json::object Resource::exclusion_json(Id id) const {
    const DhcpExclusionRange& r = *state().exclusions.find(id);
    return {{"id", r.id},
            {"url", ctx_.base_url + "/api/plugins/windows-dhcp/exclusion-ranges/" + std::to_string(r.id) + "/"},
            {"display", exclusion_display(r)},
            {"scope", scope_brief(r.scope)},
            {"start_ip", r.start_ip.to_string()},
            {"end_ip", r.end_ip.to_string()},
            {"tags", tags_json(r.tags)},
            {"custom_fields", json::object{}},
            {"created", r.created},
            {"last_updated", r.last_updated}};
}

json::object Resource::option_code_brief(Id id) const {
    const DhcpOptionCode& c = *state().option_codes.find(id);
    return {{"id", c.id},
            {"url", ctx_.base_url + "/api/plugins/windows-dhcp/option-codes/" + std::to_string(c.id) + "/"},
            {"display", std::to_string(c.code) + ": " + c.name},
            {"code", c.code},
            {"name", c.name},
            {"data_type", c.data_type}};
}

json::object Resource::option_value_brief(Id id) const {
    const DhcpOptionValue& v = *state().option_values.find(id);
    const DhcpOptionCode* c = state().option_codes.find(v.definition);
    std::string display = !v.friendly_name.empty() ? v.friendly_name
                                                   : (c ? std::to_string(c->code) : std::string("?")) + ": " + v.value;
    return {{"id", v.id},
            {"url", ctx_.base_url + "/api/plugins/windows-dhcp/option-values/" + std::to_string(v.id) + "/"},
            {"display", display},
            {"friendly_name", v.friendly_name},
            {"value", v.value}};
}

// ---------------------------------------------------------------------------------------------------------
// IP addresses

json::object IpResource::serialize(Id id) const {
    const IpAddress& ip = *state().find_ip(id);
    std::string address = ip.address.to_string();
    return {{"id", ip.id},
            {"url", url(ip.id)},
            {"display_url", ctx_.base_url + "/ipam/ip-addresses/" + std::to_string(ip.id) + "/"},
            {"display", address},
            {"family", family_json()},
            {"address", address},
            {"vrf", vrf_brief(ip.vrf)},
            {"tenant", nullptr},
            {"status", choice(ip.status)},
            {"role", nullptr},
            {"assigned_object_type", nullptr},
            {"assigned_object_id", nullptr},
            {"assigned_object", nullptr},
            {"nat_inside", nullptr},
            {"nat_outside", json::array{}},
            {"dns_name", ip.dns_name},
            {"description", ip.description},
            {"comments", ""},
            {"tags", tags_json(ip.tags)},
            {"custom_fields", json::object{{"dhcp_client_id", opt_string(ip.dhcp_client_id)}}},
            {"created", ip.created},
            {"last_updated", ip.last_updated}};
}

json::object IpResource::snapshot(Id id) const {
    const IpAddress& ip = *state().find_ip(id);
    return {{"address", ip.address.to_string()},
            {"vrf", opt_int(ip.vrf)},
            {"tenant", nullptr},
            {"status", ip.status},
            {"role", nullptr},
            {"assigned_object_type", nullptr},
            {"assigned_object_id", nullptr},
            {"nat_inside", nullptr},
            {"dns_name", ip.dns_name},
            {"description", ip.description},
            {"comments", ""},
            {"custom_fields", json::object{{"dhcp_client_id", opt_string(ip.dhcp_client_id)}}},
            {"tags", tag_names(ip.tags)}};
}

std::string IpResource::repr(Id id) const { return state().find_ip(id)->address.to_string(); }

ListResult IpResource::list(const http::Target& target) const {
    ListResult result;
    auto common = common_filter(state(), target, result);
    if (!common) return result;
    ErrorDict vrf_error;
    auto vrfs = parse_vrf_filter(state(), target.all("vrf_id"), vrf_error);
    if (!vrfs) {
        result.error = std::move(vrf_error);
        return result;
    }
    std::vector<std::string> statuses = target.all("status");

    // `parent`: any invalid prefix empties the result (NetBox drops the whole filter to none).
    std::vector<Ipv4Network> parents;
    for (const auto& p : target.all("parent")) {
        auto net = Ipv4Network::parse(p);
        if (!net) return result;
        parents.push_back(*net);
    }
    // `address`: with a mask it must match address+mask; without, the host regardless of mask. Invalid
    // values are dropped; if none remain the result is empty.
    struct AddressFilter {
        Ipv4Address host;
        std::optional<int> length;
    };
    std::vector<AddressFilter> addresses;
    auto address_values = target.all("address");
    for (const auto& a : address_values) {
        if (a.find('/') != std::string::npos) {
            if (auto iface = Ipv4Interface::parse(a)) addresses.push_back({iface->address, iface->length});
        } else if (auto host = Ipv4Address::parse(a)) {
            addresses.push_back({*host, std::nullopt});
        }
    }
    if (!address_values.empty() && addresses.empty()) return result;

    // Candidate generation: use the narrowest index available instead of scanning every IP.
    std::vector<Id> candidates;
    std::vector<Id> vrf_keys;
    if (vrfs->empty()) {
        vrf_keys = state().vrf_keys_in_use();
    } else {
        for (const auto& v : *vrfs) vrf_keys.push_back(v.value_or(0));
    }
    bool all = false;
    if (!common->ids.empty()) {
        candidates = common->ids;
    } else if (!parents.empty()) {
        for (const auto& net : parents)
            for (Id key : vrf_keys) state().ips_in_range(key, net, candidates);
    } else if (!addresses.empty()) {
        for (const auto& a : addresses)
            for (Id key : vrf_keys) state().ips_in_range(key, Ipv4Network{a.host, 32}, candidates);
    } else {
        all = true;
    }

    auto matches = [&](const IpAddress& ip) {
        if (!contains_id(common->ids, ip.id)) return false;
        if (!common->updated(ip.last_updated)) return false;
        if (!vrf_matches(*vrfs, ip.vrf)) return false;
        if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), ip.status) == statuses.end())
            return false;
        if (!has_all_tags(ip.tags, common->tags)) return false;
        if (!parents.empty() &&
            std::none_of(parents.begin(), parents.end(), [&](const Ipv4Network& n) { return n.contains(ip.address.address); }))
            return false;
        if (!addresses.empty() && std::none_of(addresses.begin(), addresses.end(), [&](const AddressFilter& a) {
                return a.host == ip.address.address && (!a.length || *a.length == ip.address.length);
            }))
            return false;
        return true;
    };

    if (all) {
        for (const auto& [id, ip] : state().ips())
            if (matches(ip)) result.ids.push_back(id);
        return result;
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (Id id : candidates) {
        const IpAddress* ip = state().find_ip(id);
        if (ip != nullptr && matches(*ip)) result.ids.push_back(id);
    }
    return result;
}

// ---------------------------------------------------------------------------------------------------------
// Prefixes

json::object PrefixResource::serialize(Id id) const {
    const Prefix& p = *state().prefixes.find(id);
    std::string text = p.prefix.to_string();
    return {{"id", p.id},
            {"url", url(p.id)},
            {"display_url", ctx_.base_url + "/ipam/prefixes/" + std::to_string(p.id) + "/"},
            {"display", text},
            {"family", family_json()},
            {"prefix", text},
            {"vrf", vrf_brief(p.vrf)},
            {"scope_type", nullptr},
            {"scope_id", nullptr},
            {"scope", nullptr},
            {"tenant", nullptr},
            {"vlan", nullptr},
            {"status", choice(p.status)},
            {"role", nullptr},
            {"is_pool", false},
            {"mark_utilized", false},
            {"description", p.description},
            {"comments", ""},
            {"tags", tags_json(p.tags)},
            {"custom_fields", json::object{}},
            {"created", p.created},
            {"last_updated", p.last_updated},
            {"children", 0},
            {"_depth", 0}};
}

json::object PrefixResource::snapshot(Id id) const {
    const Prefix& p = *state().prefixes.find(id);
    return {{"prefix", p.prefix.to_string()},
            {"vrf", opt_int(p.vrf)},
            {"status", p.status},
            {"description", p.description},
            {"custom_fields", json::object{}},
            {"tags", tag_names(p.tags)}};
}

std::string PrefixResource::repr(Id id) const { return state().prefixes.find(id)->prefix.to_string(); }

ListResult PrefixResource::list(const http::Target& target) const {
    ListResult result;
    auto common = common_filter(state(), target, result);
    if (!common) return result;
    ErrorDict vrf_error;
    auto vrfs = parse_vrf_filter(state(), target.all("vrf_id"), vrf_error);
    if (!vrfs) {
        result.error = std::move(vrf_error);
        return result;
    }
    std::vector<Ipv4Network> wanted;
    auto values = target.all("prefix");
    for (const auto& v : values)
        if (auto net = Ipv4Network::parse(v)) wanted.push_back(*net);
    if (!values.empty() && wanted.empty()) return result;
    auto statuses = target.all("status");
    return filter_rows(state().prefixes.rows, [&](const Prefix& p) {
        return contains_id(common->ids, p.id) && has_all_tags(p.tags, common->tags) && common->updated(p.last_updated) && vrf_matches(*vrfs, p.vrf) &&
               (wanted.empty() || std::find(wanted.begin(), wanted.end(), p.prefix) != wanted.end()) &&
               (statuses.empty() || std::find(statuses.begin(), statuses.end(), p.status) != statuses.end());
    });
}

// ---------------------------------------------------------------------------------------------------------
// Tags and VRFs

json::object TagResource::serialize(Id id) const {
    const Tag& t = *state().tags.find(id);
    return {{"id", t.id},
            {"url", url(t.id)},
            {"display_url", ctx_.base_url + "/extras/tags/" + std::to_string(t.id) + "/"},
            {"display", t.name},
            {"name", t.name},
            {"slug", t.slug},
            {"color", t.color},
            {"description", t.description},
            {"object_types", json::array{}},
            {"created", t.created},
            {"last_updated", t.last_updated}};
}

json::object TagResource::snapshot(Id id) const {
    const Tag& t = *state().tags.find(id);
    return {{"name", t.name}, {"slug", t.slug}, {"color", t.color}, {"description", t.description}};
}

std::string TagResource::repr(Id id) const { return state().tags.find(id)->name; }

ListResult TagResource::list(const http::Target& target) const {
    ListResult result;
    auto ids = parse_ids(target.all("id"));
    if (!ids) return bad_filter("id", "Enter a number.");
    auto slugs = target.all("slug");
    auto names = target.all("name");
    return filter_rows(state().tags.rows, [&](const Tag& t) {
        return contains_id(*ids, t.id) &&
               (slugs.empty() || std::find(slugs.begin(), slugs.end(), t.slug) != slugs.end()) &&
               (names.empty() || std::find(names.begin(), names.end(), t.name) != names.end());
    });
}

json::object VrfResource::serialize(Id id) const {
    const Vrf& v = *state().vrfs.find(id);
    return {{"id", v.id},
            {"url", url(v.id)},
            {"display", v.name},
            {"name", v.name},
            {"rd", opt_string(v.rd)},
            {"tenant", nullptr},
            {"enforce_unique", v.enforce_unique},
            {"description", ""},
            {"comments", ""},
            {"tags", json::array{}},
            {"custom_fields", json::object{}},
            {"created", v.created},
            {"last_updated", v.last_updated}};
}

json::object VrfResource::snapshot(Id id) const {
    const Vrf& v = *state().vrfs.find(id);
    return {{"name", v.name}, {"rd", opt_string(v.rd)}, {"enforce_unique", v.enforce_unique}};
}

std::string VrfResource::repr(Id id) const { return state().vrfs.find(id)->name; }

ListResult VrfResource::list(const http::Target& target) const {
    auto ids = parse_ids(target.all("id"));
    if (!ids) return bad_filter("id", "Enter a number.");
    auto names = target.all("name");
    return filter_rows(state().vrfs.rows, [&](const Vrf& v) {
        return contains_id(*ids, v.id) && (names.empty() || std::find(names.begin(), names.end(), v.name) != names.end());
    });
}

// ---------------------------------------------------------------------------------------------------------
// Plugin: servers, failovers, scopes, exclusion ranges (the plugin's behaviour)

json::object ServerResource::serialize(Id id) const {
    const DhcpServer& s = *state().servers.find(id);
    return {{"id", s.id},
            {"url", url(s.id)},
            {"display", s.name},
            {"name", s.name},
            {"hostname", s.hostname},
            {"port", s.port},
            {"use_https", s.use_https},
            {"verify_ssl", s.verify_ssl},
            {"sync_standalone_scopes", s.sync_standalone_scopes},
            {"tags", tags_json(s.tags)},
            {"custom_fields", json::object{}},
            {"created", s.created},
            {"last_updated", s.last_updated}};
}

json::object ServerResource::snapshot(Id id) const {
    json::object o = serialize(id);
    for (auto key : {"id", "url", "display", "created", "last_updated"}) o.erase(key);
    o["tags"] = tag_names(state().servers.find(id)->tags);
    return o;
}

std::string ServerResource::repr(Id id) const { return state().servers.find(id)->name; }

ListResult ServerResource::list(const http::Target& target) const {
    ListResult result;
    auto common = common_filter(state(), target, result);
    if (!common) return result;
    auto name = target.get("name");
    auto hostname = target.get("hostname");
    return filter_rows(state().servers.rows, [&](const DhcpServer& s) {
        return contains_id(common->ids, s.id) && has_all_tags(s.tags, common->tags) && common->updated(s.last_updated) &&
               (!name || to_lower(s.name).find(to_lower(*name)) != std::string::npos) &&
               (!hostname || to_lower(s.hostname).find(to_lower(*hostname)) != std::string::npos);
    });
}

json::object FailoverResource::serialize(Id id) const {
    const DhcpFailover& f = *state().failovers.find(id);
    return {{"id", f.id},
            {"url", url(f.id)},
            {"display", f.name},
            {"name", f.name},
            {"primary_server", server_brief(f.primary_server)},
            {"secondary_server", server_brief(f.secondary_server)},
            {"mode", f.mode},
            {"max_client_lead_time", f.max_client_lead_time},
            {"max_response_delay", f.max_response_delay},
            {"state_switchover_interval", f.state_switchover_interval ? json::value(*f.state_switchover_interval)
                                                                      : json::value(nullptr)},
            {"sync_enabled", f.sync_enabled},
            {"enable_auth", f.enable_auth},
            {"tags", tags_json(f.tags)},
            {"custom_fields", json::object{}},
            {"created", f.created},
            {"last_updated", f.last_updated}};
}

json::object FailoverResource::snapshot(Id id) const {
    const DhcpFailover& f = *state().failovers.find(id);
    json::object o = serialize(id);
    for (auto key : {"id", "url", "display", "created", "last_updated"}) o.erase(key);
    o["primary_server"] = f.primary_server;
    o["secondary_server"] = f.secondary_server;
    o["tags"] = tag_names(f.tags);
    return o;
}

std::string FailoverResource::repr(Id id) const { return state().failovers.find(id)->name; }

ListResult FailoverResource::list(const http::Target& target) const {
    ListResult result;
    auto common = common_filter(state(), target, result);
    if (!common) return result;
    auto primaries = parse_ids(target.all("primary_server_id"));
    auto secondaries = parse_ids(target.all("secondary_server_id"));
    if (!primaries || !secondaries) return bad_filter("primary_server_id", "Enter a number.");
    return filter_rows(state().failovers.rows, [&](const DhcpFailover& f) {
        return contains_id(common->ids, f.id) && has_all_tags(f.tags, common->tags) && common->updated(f.last_updated) &&
               contains_id(*primaries, f.primary_server) && contains_id(*secondaries, f.secondary_server);
    });
}

json::object ScopeResource::serialize(Id id) const {
    const DhcpScope& s = *state().scopes.find(id);
    json::array exclusions;
    for (const auto& [eid, range] : state().exclusions.rows)
        if (range.scope == id) exclusions.push_back(exclusion_json(eid));
    json::array option_values;
    for (Id value : s.option_values)
        if (state().option_values.find(value)) option_values.push_back(option_value_brief(value));
    return {{"id", s.id},
            {"url", url(s.id)},
            {"display", s.name},
            {"name", s.name},
            {"prefix", prefix_brief(s.prefix)},
            {"start_ip", s.start_ip.to_string()},
            {"end_ip", s.end_ip.to_string()},
            {"router", s.router ? json::value(s.router->to_string()) : json::value(nullptr)},
            {"lease_lifetime", s.lease_lifetime},
            {"server", server_brief(s.server)},
            {"failover", failover_brief(s.failover)},
            {"option_values", option_values},
            {"exclusion_ranges", std::move(exclusions)},
            {"tags", tags_json(s.tags)},
            {"custom_fields", json::object{}},
            {"created", s.created},
            {"last_updated", s.last_updated}};
}

json::object ScopeResource::snapshot(Id id) const {
    const DhcpScope& s = *state().scopes.find(id);
    return {{"name", s.name},
            {"prefix", s.prefix},
            {"start_ip", s.start_ip.to_string()},
            {"end_ip", s.end_ip.to_string()},
            {"router", s.router ? json::value(s.router->to_string()) : json::value(nullptr)},
            {"lease_lifetime", s.lease_lifetime},
            {"server", opt_int(s.server)},
            {"failover", opt_int(s.failover)},
            {"option_values", json::value_from(s.option_values)},
            {"custom_fields", json::object{}},
            {"tags", tag_names(s.tags)}};
}

std::string ScopeResource::repr(Id id) const { return state().scopes.find(id)->name; }

ListResult ScopeResource::list(const http::Target& target) const {
    ListResult result;
    auto common = common_filter(state(), target, result);
    if (!common) return result;
    auto servers = parse_ids(target.all("server_id"));
    auto failovers = parse_ids(target.all("failover_id"));
    auto prefixes = parse_ids(target.all("prefix_id"));
    if (!servers) return bad_filter("server_id", "Enter a number.");
    if (!failovers) return bad_filter("failover_id", "Enter a number.");
    if (!prefixes) return bad_filter("prefix_id", "Enter a number.");
    auto name = target.get("name");
    auto matches_opt = [](const std::vector<Id>& wanted, const std::optional<Id>& value) {
        return wanted.empty() || (value && std::find(wanted.begin(), wanted.end(), *value) != wanted.end());
    };
    return filter_rows(state().scopes.rows, [&](const DhcpScope& s) {
        return contains_id(common->ids, s.id) && has_all_tags(s.tags, common->tags) && common->updated(s.last_updated) &&
               matches_opt(*servers, s.server) && matches_opt(*failovers, s.failover) &&
               contains_id(*prefixes, s.prefix) &&
               (!name || to_lower(s.name).find(to_lower(*name)) != std::string::npos);
    });
}

json::object OptionCodeResource::serialize(Id id) const {
    const DhcpOptionCode& c = *state().option_codes.find(id);
    return {{"id", c.id},
            {"url", url(c.id)},
            {"display", std::to_string(c.code) + ": " + c.name},
            {"code", c.code},
            {"name", c.name},
            {"data_type", c.data_type},
            {"description", c.description},
            {"is_builtin", c.is_builtin},
            {"vendor_class", c.vendor_class},
            {"tags", tags_json(c.tags)},
            {"custom_fields", json::object{}},
            {"created", c.created},
            {"last_updated", c.last_updated}};
}

json::object OptionCodeResource::snapshot(Id id) const {
    json::object o = serialize(id);
    for (auto key : {"id", "url", "display", "created", "last_updated"}) o.erase(key);
    o["tags"] = tag_names(state().option_codes.find(id)->tags);
    return o;
}

std::string OptionCodeResource::repr(Id id) const {
    const DhcpOptionCode& c = *state().option_codes.find(id);
    return std::to_string(c.code) + ": " + c.name;
}

ListResult OptionCodeResource::list(const http::Target& target) const {
    ListResult result;
    auto common = common_filter(state(), target, result);
    if (!common) return result;
    auto codes = parse_ids(target.all("code"));
    if (!codes) return bad_filter("code", "Enter a whole number.");
    auto name = target.get("name");
    return filter_rows(state().option_codes.rows, [&](const DhcpOptionCode& c) {
        return contains_id(common->ids, c.id) && has_all_tags(c.tags, common->tags) && common->updated(c.last_updated) && contains_id(*codes, c.code) &&
               (!name || to_lower(c.name).find(to_lower(*name)) != std::string::npos);
    });
}

json::object OptionValueResource::serialize(Id id) const {
    const DhcpOptionValue& v = *state().option_values.find(id);
    json::object o = option_value_brief(id);
    o["url"] = url(v.id);
    o["option_definition"] = state().option_codes.find(v.definition) ? json::value(option_code_brief(v.definition))
                                                                      : json::value(nullptr);
    o["tags"] = tags_json(v.tags);
    o["custom_fields"] = json::object{};
    o["created"] = v.created;
    o["last_updated"] = v.last_updated;
    return o;
}

json::object OptionValueResource::snapshot(Id id) const {
    const DhcpOptionValue& v = *state().option_values.find(id);
    return {{"option_definition", v.definition},
            {"value", v.value},
            {"friendly_name", v.friendly_name},
            {"custom_fields", json::object{}},
            {"tags", tag_names(v.tags)}};
}

std::string OptionValueResource::repr(Id id) const { return option_value_brief(id).at("display").as_string().c_str(); }

ListResult OptionValueResource::list(const http::Target& target) const {
    ListResult result;
    auto common = common_filter(state(), target, result);
    if (!common) return result;
    auto definitions = parse_ids(target.all("option_definition_id"));
    if (!definitions) return bad_filter("option_definition_id", "Enter a number.");
    return filter_rows(state().option_values.rows, [&](const DhcpOptionValue& v) {
        return contains_id(common->ids, v.id) && has_all_tags(v.tags, common->tags) && common->updated(v.last_updated) &&
               contains_id(*definitions, v.definition);
    });
}

json::object ExclusionResource::serialize(Id id) const { return exclusion_json(id); }

json::object ExclusionResource::snapshot(Id id) const {
    const DhcpExclusionRange& r = *state().exclusions.find(id);
    return {{"scope", r.scope},
            {"start_ip", r.start_ip.to_string()},
            {"end_ip", r.end_ip.to_string()},
            {"custom_fields", json::object{}},
            {"tags", tag_names(r.tags)}};
}

std::string ExclusionResource::repr(Id id) const { return exclusion_display(*state().exclusions.find(id)); }

ListResult ExclusionResource::list(const http::Target& target) const {
    ListResult result;
    auto common = common_filter(state(), target, result);
    if (!common) return result;
    auto scopes = parse_ids(target.all("scope_id"));
    if (!scopes) return bad_filter("scope_id", "Enter a number.");
    return filter_rows(state().exclusions.rows, [&](const DhcpExclusionRange& r) {
        return contains_id(common->ids, r.id) && has_all_tags(r.tags, common->tags) && common->updated(r.last_updated) && contains_id(*scopes, r.scope);
    });
}

// ---------------------------------------------------------------------------------------------------------
// IP ranges (ipam/api/serializers_/ip.py IPRangeSerializer; ipam/filtersets.py IPRangeFilterSet)

json::object IpRangeResource::serialize(Id id) const {
    const IpRange& r = *state().ip_ranges.find(id);
    return {{"id", r.id},
            {"url", url(r.id)},
            {"display_url", ctx_.base_url + "/ipam/ip-ranges/" + std::to_string(r.id) + "/"},
            {"display", ip_range_display(r)},
            {"family", family_json()},
            {"start_address", r.start_address.to_string()},
            {"end_address", r.end_address.to_string()},
            {"size", static_cast<std::int64_t>(r.end_address.address.value) - r.start_address.address.value + 1},
            {"vrf", vrf_brief(r.vrf)},
            {"tenant", nullptr},
            {"status", choice(r.status)},
            {"role", nullptr},
            {"description", r.description},
            {"owner", nullptr},
            {"comments", ""},
            {"tags", tags_json(r.tags)},
            {"custom_fields", json::object{}},
            {"created", r.created},
            {"last_updated", r.last_updated},
            {"mark_populated", r.mark_populated},
            {"mark_utilized", r.mark_utilized}};
}

json::object IpRangeResource::snapshot(Id id) const {
    const IpRange& r = *state().ip_ranges.find(id);
    return {{"start_address", r.start_address.to_string()}, {"end_address", r.end_address.to_string()},
            {"vrf", opt_int(r.vrf)}, {"status", r.status}, {"mark_populated", r.mark_populated},
            {"tags", tag_names(r.tags)}};
}

std::string IpRangeResource::repr(Id id) const { return ip_range_display(*state().ip_ranges.find(id)); }

namespace {

/// django-filter's BooleanFilter: "true"/"True"/"1" and "false"/"False"/"0"; anything else is 400.
std::optional<std::optional<bool>> parse_bool_filter(const std::optional<std::string>& value, std::string_view key,
                                                     ListResult& out) {
    if (!value) return std::optional<bool>{};
    if (*value == "true" || *value == "True" || *value == "1") return std::optional<bool>{true};
    if (*value == "false" || *value == "False" || *value == "0") return std::optional<bool>{false};
    out = bad_filter(key, "Select a valid choice. " + *value + " is not one of the available choices.");
    return std::nullopt;
}

/// NetBox's `net_in` lookup (start_address/end_address filters): a value with a mask matches address and
/// mask exactly, one without matches the host whatever its mask; invalid values are dropped.
struct NetInFilter {
    std::vector<std::pair<Ipv4Address, std::optional<int>>> values;
    bool given = false;
    bool matches(const Ipv4Interface& a) const {
        if (!given) return true;
        for (const auto& [host, length] : values)
            if (host == a.address && (!length || *length == a.length)) return true;
        return false;
    }
    bool empty_result() const { return given && values.empty(); }
};

NetInFilter net_in_filter(const std::vector<std::string>& raw) {
    NetInFilter f;
    f.given = !raw.empty();
    for (const auto& a : raw) {
        if (a.find('/') != std::string::npos) {
            if (auto iface = Ipv4Interface::parse(a)) f.values.emplace_back(iface->address, iface->length);
        } else if (auto host = Ipv4Address::parse(a)) {
            f.values.emplace_back(*host, std::nullopt);
        }
    }
    return f;
}

}  // namespace

ListResult IpRangeResource::list(const http::Target& target) const {
    ListResult result;
    auto common = common_filter(state(), target, result);
    if (!common) return result;
    ErrorDict vrf_error;
    auto vrfs = parse_vrf_filter(state(), target.all("vrf_id"), vrf_error);
    if (!vrfs) {
        result.error = std::move(vrf_error);
        return result;
    }
    auto populated = parse_bool_filter(target.get("mark_populated"), "mark_populated", result);
    if (!populated) return result;
    auto utilized = parse_bool_filter(target.get("mark_utilized"), "mark_utilized", result);
    if (!utilized) return result;
    // parent (multi, OR): ranges whose start AND end lie in the prefix; any invalid prefix -> nothing.
    std::vector<Ipv4Network> parents;
    for (const auto& p : target.all("parent")) {
        auto net = Ipv4Network::parse(p);
        if (!net) return result;
        parents.push_back(*net);
    }
    auto starts = net_in_filter(target.all("start_address"));
    auto ends = net_in_filter(target.all("end_address"));
    if (starts.empty_result() || ends.empty_result()) return result;
    // contains (single): ranges holding this IP (a prefix value is compared by its network address).
    std::optional<Ipv4Address> contains;
    if (auto c = target.get("contains"); c && !c->empty()) {
        if (auto net = Ipv4Network::parse(*c)) contains = net->network;
        else if (auto host = Ipv4Address::parse(*c)) contains = *host;
        else return result;
    }
    auto statuses = target.all("status");
    return filter_rows(state().ip_ranges.rows, [&](const IpRange& r) {
        Ipv4Address start = r.start_address.address, end = r.end_address.address;
        return contains_id(common->ids, r.id) && has_all_tags(r.tags, common->tags) && common->updated(r.last_updated) && vrf_matches(*vrfs, r.vrf) &&
               (!*populated || **populated == r.mark_populated) && (!*utilized || **utilized == r.mark_utilized) &&
               (parents.empty() || std::any_of(parents.begin(), parents.end(), [&](const Ipv4Network& n) {
                    return n.contains(start) && n.contains(end);
                })) &&
               starts.matches(r.start_address) && ends.matches(r.end_address) &&
               (!contains || (start <= *contains && *contains <= end)) &&
               (statuses.empty() || std::find(statuses.begin(), statuses.end(), r.status) != statuses.end());
    });
}

// ---------------------------------------------------------------------------------------------------------
// Jobs (core/api/serializers_/jobs.py JobSerializer; core/filtersets.py JobFilterSet)

json::object JobResource::serialize(Id id) const {
    const Job& j = *state().jobs.find(id);
    auto opt = [](const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); };
    json::value user = nullptr;
    if (j.user)
        if (const User* u = state().users.find(*j.user))
            user = json::object{{"id", u->id},
                                {"url", ctx_.base_url + "/api/users/users/" + std::to_string(u->id) + "/"},
                                {"display", u->username},
                                {"username", u->username}};
    std::string label = j.status;
    if (!label.empty()) label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    return {{"id", j.id},
            {"url", url(j.id)},
            {"display_url", ctx_.base_url + "/core/jobs/" + std::to_string(j.id) + "/"},
            {"display", j.name + " (" + j.job_id + ")"},
            {"object_type", nullptr},
            {"object_id", nullptr},
            {"object", nullptr},
            {"name", j.name},
            {"status", json::object{{"value", j.status}, {"label", label}}},
            {"created", j.created},
            {"scheduled", opt(j.scheduled)},
            {"interval", j.interval ? json::value(*j.interval) : json::value(nullptr)},
            {"started", opt(j.started)},
            {"completed", opt(j.completed)},
            {"user", std::move(user)},
            {"data", j.data},
            {"error", j.error},
            {"job_id", j.job_id},
            {"queue_name", j.queue_name},
            {"notifications", json::object{{"value", "on_failure"}, {"label", "On failure"}}},
            {"log_entries", j.log_entries}};
}

json::object JobResource::snapshot(Id id) const {
    const Job& j = *state().jobs.find(id);
    return {{"name", j.name}, {"status", j.status}};
}

std::string JobResource::repr(Id id) const {
    const Job& j = *state().jobs.find(id);
    return j.name + " (" + j.job_id + ")";
}

ListResult JobResource::list(const http::Target& target) const {
    ListResult result;
    auto ids = parse_ids(target.all("id"));
    if (!ids) return bad_filter("id", "Enter a number.");
    static const std::vector<std::string> kStatuses{"pending", "scheduled", "running", "completed", "errored", "failed"};
    auto statuses = target.all("status");
    for (const auto& s : statuses)
        if (std::find(kStatuses.begin(), kStatuses.end(), s) == kStatuses.end())
            return bad_filter("status", "Select a valid choice. " + s + " is not one of the available choices.");
    auto names = target.all("name");
    // DateTimeFilters: <field>__after (>=) and <field>__before (<=) for created, scheduled, started, completed.
    struct Bound {
        const std::optional<std::string> Job::*field;
        bool after;
        Micros at;
    };
    std::vector<Bound> bounds;
    std::optional<Micros> created_after, created_before;
    for (const auto& [name, member] : std::vector<std::pair<std::string, const std::optional<std::string> Job::*>>{
             {"scheduled", &Job::scheduled}, {"started", &Job::started}, {"completed", &Job::completed},
             {"created", nullptr}}) {
        for (bool after : {true, false}) {
            std::string key = name + (after ? "__after" : "__before");
            auto value = target.get(key);
            if (!value) continue;
            auto t = parse_iso_time(*value);
            if (!t) return bad_filter(key, "Enter a valid date/time.");
            if (member == nullptr) (after ? created_after : created_before) = *t;
            else bounds.push_back({member, after, *t});
        }
    }
    auto within = [](const std::string& value, bool after, Micros at) {
        auto t = parse_iso_time(value);
        return t && (after ? *t >= at : *t <= at);
    };
    return filter_rows(state().jobs.rows, [&](const Job& j) {
        if (!contains_id(*ids, j.id)) return false;
        if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), j.status) == statuses.end()) return false;
        if (!names.empty() && std::find(names.begin(), names.end(), j.name) == names.end()) return false;
        if (created_after && !within(j.created, true, *created_after)) return false;
        if (created_before && !within(j.created, false, *created_before)) return false;
        for (const auto& b : bounds) {
            const auto& value = j.*(b.field);
            if (!value || !within(*value, b.after, b.at)) return false;  // NULL never matches a comparison
        }
        return true;
    });
}

}  // namespace nds::sim::netbox
