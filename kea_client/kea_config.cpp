#include "kea_client/kea_config.hpp"

#include "sync_engine/client_id.hpp"

#include <boost/json/serialize.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace nds::kea {

const json::object* object_member(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* array_member(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_array() ? &v->get_array() : nullptr;
}

std::string string_member(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<std::int64_t> integer_of(const json::value* v) {
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
}

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

std::vector<std::string> split_csv(std::string_view data) {
    std::vector<std::string> out;
    while (true) {
        auto comma = data.find(',');
        auto part = trim(data.substr(0, comma));
        if (!part.empty()) out.emplace_back(part);
        if (comma == std::string_view::npos) break;
        data.remove_prefix(comma + 1);
    }
    return out;
}

/// Our part of an entry's user-context, or nullptr.
const json::object* our_context(const json::object& entry) {
    const json::object* context = object_member(entry, "user-context");
    return context ? object_member(*context, kContextKey) : nullptr;
}

std::string context_text(const json::object& entry, std::string_view key) {
    if (const json::object* ours = our_context(entry)) {
        if (const json::value* v = ours->if_contains(key); v && v->is_string()) return std::string(v->get_string());
    }
    return {};
}

/// Kea's user-context "comment" (a "comment" member in a config entry becomes it).
std::string kea_comment(const json::object& entry) {
    const json::object* context = object_member(entry, "user-context");
    return context ? string_member(*context, "comment") : std::string();
}

/// Windows' option type for the standard DHCPv4 options an import is likely to meet (Kea's definitions,
/// RFC 2132); "String" for the rest, which import_options.cpp maps to NetBox's String.
std::string windows_option_type(int code) {
    static const std::map<int, const char*> types = {
        {1, "IPv4Address"},  {2, "DWord"},        {3, "IPv4Address"},  {4, "IPv4Address"},  {5, "IPv4Address"},
        {6, "IPv4Address"},  {7, "IPv4Address"},  {8, "IPv4Address"},  {9, "IPv4Address"},  {10, "IPv4Address"},
        {11, "IPv4Address"}, {13, "Word"},        {16, "IPv4Address"}, {19, "Byte"},         {20, "Byte"},
        {22, "Word"},        {23, "Byte"},        {24, "DWord"},       {26, "Word"},         {27, "Byte"},
        {28, "IPv4Address"}, {29, "Byte"},        {30, "Byte"},        {31, "Byte"},         {32, "IPv4Address"},
        {34, "Byte"},        {35, "DWord"},       {36, "Byte"},        {37, "Byte"},         {38, "DWord"},
        {39, "Byte"},        {41, "IPv4Address"}, {42, "IPv4Address"}, {43, "BinaryData"},   {44, "IPv4Address"},
        {45, "IPv4Address"}, {46, "Byte"},        {48, "IPv4Address"}, {49, "IPv4Address"},  {51, "DWord"},
        {52, "Byte"},        {54, "IPv4Address"}, {57, "Word"},        {58, "DWord"},        {59, "DWord"},
        {65, "IPv4Address"}, {68, "IPv4Address"}, {69, "IPv4Address"}, {70, "IPv4Address"},  {71, "IPv4Address"},
        {72, "IPv4Address"}, {73, "IPv4Address"}, {74, "IPv4Address"}, {75, "IPv4Address"},  {76, "IPv4Address"},
        {118, "IPv4Address"}, {150, "IPv4Address"}};
    auto found = types.find(code);
    return found == types.end() ? "String" : found->second;
}

/// Hex bytes in any of "01:aa:bb", "01-aa-bb", "01aabb" as lowercase colon form; nullopt otherwise.
std::optional<std::string> hex_bytes_colon_form(std::string_view text) {
    std::string digits;
    char separator = 0;
    for (char c : text) {
        if (std::isxdigit(static_cast<unsigned char>(c))) {
            digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if ((c == ':' || c == '-') && (separator == 0 || separator == c)) {
            separator = c;
        } else {
            return std::nullopt;
        }
    }
    if (digits.empty() || digits.size() % 2 != 0) return std::nullopt;
    if (separator != 0) {
        // With separators, every byte must be exactly two digits.
        std::string expected;
        for (std::size_t i = 0; i < digits.size(); i += 2) expected += (i ? std::string(1, separator) : "") + digits.substr(i, 2);
        std::string lowered(text);
        std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lowered != expected) return std::nullopt;
    }
    std::string out;
    for (std::size_t i = 0; i < digits.size(); i += 2) out += (i ? ":" : "") + digits.substr(i, 2);
    return out;
}

}  // namespace

std::string sha256_hex(const json::object& object) {
    std::string text = json::serialize(object);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

Expected<KeaConfig> parse_config(const json::value& arguments, const std::string& what) {
    if (!arguments.is_object())
        return Error{make_error_code(errc::malformed), what + ": \"arguments\" is not an object"};
    const json::object* dhcp4 = object_member(arguments.get_object(), "Dhcp4");
    if (!dhcp4) return Error{make_error_code(errc::malformed), what + ": the answer has no \"Dhcp4\" object"};
    KeaConfig config;
    config.dhcp4 = *dhcp4;
    std::string hash = string_member(arguments.get_object(), "hash");
    config.fingerprint = hash.empty() ? sha256_hex(config.dhcp4) : hash;
    return config;
}

SubnetIndex index_subnets(const json::object& dhcp4) {
    SubnetIndex index;
    auto add = [&](const json::array& list, const json::object* shared) {
        for (const auto& entry : list) {
            if (!entry.is_object()) {
                index.problems.push_back("a subnet4 entry is not an object");
                ++index.skipped;
                continue;
            }
            const auto& subnet = entry.get_object();
            std::string text = string_member(subnet, "subnet");
            auto network = engine::Ipv4Network::parse(text);
            if (!network) {
                index.problems.push_back("subnet4 entry with subnet '" + text + "' is not an IPv4 network");
                ++index.skipped;
                continue;
            }
            index.subnets.push_back(
                SubnetView{&subnet, shared, integer_of(subnet.if_contains("id")).value_or(0), *network});
        }
    };
    if (const json::array* top = array_member(dhcp4, "subnet4")) add(*top, nullptr);
    if (const json::array* shared = array_member(dhcp4, "shared-networks")) {
        for (const auto& network : *shared) {
            if (!network.is_object()) continue;
            if (const json::array* inner = array_member(network.get_object(), "subnet4")) add(*inner, &network.get_object());
        }
    }
    return index;
}

const SubnetView* find_subnet(const SubnetIndex& index, engine::Ipv4Address network) {
    for (const auto& view : index.subnets)
        if (view.network.network == network) return &view;
    return nullptr;
}

const SubnetView* find_subnet_by_id(const SubnetIndex& index, std::int64_t id) {
    for (const auto& view : index.subnets)
        if (view.id == id) return &view;
    return nullptr;
}

std::optional<std::vector<AddressSpan>> pool_spans(const json::object& subnet, std::string* problem) {
    std::vector<AddressSpan> out;
    const json::array* pools = array_member(subnet, "pools");
    if (!pools) return out;
    for (const auto& entry : *pools) {
        std::string text = entry.is_object() ? string_member(entry.get_object(), "pool") : std::string();
        auto span = parse_pool(text);
        if (!span) {
            if (problem) *problem = "pool '" + text + "' is neither 'first - last' nor a prefix";
            return std::nullopt;
        }
        out.push_back(*span);
    }
    return out;
}

std::optional<AddressSpan> stored_range(const json::object& subnet) {
    std::string text = context_text(subnet, "range");
    if (text.empty()) return std::nullopt;
    return parse_pool(text);
}

std::optional<RangeAndExclusions> subnet_shape(const SubnetView& view, std::string* problem) {
    auto pools = pool_spans(*view.subnet, problem);
    if (!pools) return std::nullopt;
    auto stored = stored_range(*view.subnet);
    if (!stored && pools->empty()) {
        // No pool: a reservation-only subnet. Its range is every host address, all of it excluded.
        std::uint32_t first = view.network.network.value, last = view.network.broadcast().value;
        if (view.network.length < 31) ++first, --last;
        stored = AddressSpan{first, last};
    }
    return range_from_pools(*pools, stored);
}

const json::value* inherited(const SubnetView& view, const json::object& dhcp4, std::string_view key) {
    if (const json::value* v = view.subnet->if_contains(key)) return v;
    if (view.shared_network)
        if (const json::value* v = view.shared_network->if_contains(key)) return v;
    return dhcp4.if_contains(key);
}

std::int64_t effective_valid_lifetime(const SubnetView& view, const json::object& dhcp4) {
    return integer_of(inherited(view, dhcp4, "valid-lifetime")).value_or(kKeaDefaultValidLifetime);
}

int find_routers_option(const json::value* option_data) {
    if (!option_data || !option_data->is_array()) return -1;
    const auto& list = option_data->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_object()) continue;
        const auto& o = list[i].get_object();
        std::string space = string_member(o, "space");
        if (!space.empty() && space != "dhcp4") continue;
        if (integer_of(o.if_contains("code")) == 3 || string_member(o, "name") == "routers") return static_cast<int>(i);
    }
    return -1;
}

std::optional<engine::Ipv4Address> effective_router(const SubnetView& view, const json::object& dhcp4) {
    for (const json::object* level : {view.subnet, view.shared_network, &dhcp4}) {
        if (!level) continue;
        const json::value* data = level->if_contains("option-data");
        int index = find_routers_option(data);
        if (index < 0) continue;
        auto values = split_csv(string_member(data->get_array()[index].get_object(), "data"));
        if (values.empty()) return std::nullopt;
        return engine::Ipv4Address::parse(values.front());
    }
    return std::nullopt;
}

std::vector<engine::DhcpExclusion> exclusions_of(const RangeAndExclusions& shape) {
    std::vector<engine::DhcpExclusion> out;
    for (const auto& e : shape.exclusions) out.push_back({engine::Ipv4Address{e.first}, engine::Ipv4Address{e.last}});
    return out;
}

std::optional<engine::DhcpScope> scope_of(const SubnetView& view, const json::object& dhcp4,
                                          const std::string& failover_name, std::string* problem) {
    auto shape = subnet_shape(view, problem);
    if (!shape) return std::nullopt;
    engine::DhcpScope scope;
    scope.scope_id = view.network.network;
    scope.name = context_text(*view.subnet, "name");
    scope.description = context_text(*view.subnet, "description");
    if (scope.description.empty()) scope.description = kea_comment(*view.subnet);
    scope.start_ip = engine::Ipv4Address{shape->range.first};
    scope.end_ip = engine::Ipv4Address{shape->range.last};
    scope.subnet_mask = view.network.netmask();
    scope.active = true;  // Kea has no inactive subnets
    scope.lease_duration_seconds = effective_valid_lifetime(view, dhcp4);
    scope.router = effective_router(view, dhcp4);
    scope.failover_name = failover_name;
    return scope;
}

engine::ParsedList<engine::DhcpScope> scopes_of(const json::object& dhcp4, const std::string& server,
                                                const std::string& failover_name) {
    engine::ParsedList<engine::DhcpScope> out;
    auto index = index_subnets(dhcp4);
    for (const auto& p : index.problems) out.problems.push_back({server, "", p});
    out.skipped = index.skipped;
    for (const auto& view : index.subnets) {
        std::string problem;
        auto scope = scope_of(view, dhcp4, failover_name, &problem);
        if (!scope) {
            out.problems.push_back({server, view.network.network.to_string(),
                                    "subnet " + view.network.to_string() + ": " + problem + " — scope skipped"});
            ++out.skipped;
            continue;
        }
        out.items.push_back(std::move(*scope));
    }
    return out;
}

std::string reservation_client_id(const json::object& record) {
    std::string hw = string_member(record, "hw-address");
    if (!hw.empty()) return engine::normalize_client_id(hw);
    std::string client = string_member(record, "client-id");
    if (client.empty()) return {};
    // Hardware type 1 (Ethernet) + 6 bytes is the MAC: the same client as its hw-address.
    if (auto bytes = hex_bytes_colon_form(client); bytes && bytes->size() == 20 && bytes->rfind("01:", 0) == 0)
        return engine::normalize_client_id(bytes->substr(3));
    if (auto bytes = hex_bytes_colon_form(client)) return *bytes;
    return engine::normalize_client_id(client);
}

std::optional<engine::DhcpReservation> parse_reservation(const json::object& record, std::string* problem) {
    std::string ip_text = string_member(record, "ip-address");
    if (ip_text.empty()) return std::nullopt;  // options or a hostname only: not an address reservation
    auto ip = engine::Ipv4Address::parse(ip_text);
    if (!ip) {
        *problem = "reservation ip-address '" + ip_text + "' is not an IPv4 address";
        return std::nullopt;
    }
    std::string client_id = reservation_client_id(record);
    if (client_id.empty()) {
        const char* other = record.contains("duid")         ? "duid"
                            : record.contains("circuit-id") ? "circuit-id"
                            : record.contains("flex-id")    ? "flex-id"
                                                            : "no";
        *problem = "reservation " + ip_text + " is identified by " + other +
                   " identifier; the sync handles hw-address and client-id reservations only";
        return std::nullopt;
    }
    engine::DhcpReservation r;
    r.ip = *ip;
    r.client_id = std::move(client_id);
    r.name = string_member(record, "hostname");
    r.description = context_text(record, "description");
    if (r.description.empty()) r.description = kea_comment(record);
    r.type = "Dhcp";
    return r;
}

engine::ParsedList<engine::DhcpReservation> parse_reservations(const json::array& records, const std::string& server,
                                                               const std::string& scope) {
    engine::ParsedList<engine::DhcpReservation> out;
    for (const auto& entry : records) {
        if (!entry.is_object()) {
            out.problems.push_back({server, scope, "a reservation record is not an object"});
            ++out.skipped;
            continue;
        }
        std::string problem;
        auto r = parse_reservation(entry.get_object(), &problem);
        if (r) {
            out.items.push_back(std::move(*r));
        } else if (!problem.empty()) {
            out.problems.push_back({server, scope, problem});
            ++out.skipped;
        }
    }
    return out;
}

engine::ParsedList<engine::DhcpReservation> reservations_of(const SubnetView& view, const std::string& server) {
    const json::array* records = array_member(*view.subnet, "reservations");
    if (!records) return {};
    return parse_reservations(*records, server, view.network.network.to_string());
}

bool set_context_field(json::object& entry, std::string_view key, const std::string& value) {
    json::value* context = entry.if_contains("user-context");
    json::object* ours = nullptr;
    if (context && context->is_object())
        if (json::value* v = context->get_object().if_contains(kContextKey); v && v->is_object()) ours = &v->get_object();
    std::string current;
    if (ours)
        if (json::value* v = ours->if_contains(key); v && v->is_string()) current = std::string(v->get_string());
    bool present = ours && ours->contains(key);
    if (value.empty()) {
        if (!present) return false;
        ours->erase(key);
        if (ours->empty()) {
            context->get_object().erase(kContextKey);
            if (context->get_object().empty()) entry.erase("user-context");
        }
        return true;
    }
    if (present && current == value) return false;
    if (!context || !context->is_object()) context = &(entry["user-context"] = json::object());
    json::value& our_value = context->get_object()[kContextKey];
    if (!our_value.is_object()) our_value = json::object();
    our_value.get_object()[key] = value;
    return true;
}

json::object reservation_record(const HostIdentifier& id, const engine::DhcpReservation& r) {
    json::object record;
    record[id.type] = id.value;
    record["ip-address"] = r.ip.to_string();
    if (!r.name.empty()) record["hostname"] = r.name;
    if (!r.description.empty()) set_context_field(record, "description", r.description);
    return record;
}

Expected<HostIdentifier> host_identifier(const std::string& client_id) {
    if (engine::is_mac_address(client_id)) {
        std::string mac = engine::normalize_client_id(client_id);
        std::replace(mac.begin(), mac.end(), '-', ':');
        return HostIdentifier{"hw-address", mac};
    }
    if (auto bytes = hex_bytes_colon_form(client_id)) return HostIdentifier{"client-id", *bytes};
    return Error{make_error_code(errc::refused),
                 "client id '" + client_id + "' is neither a MAC address nor hex bytes; Kea cannot reserve by it"};
}

engine::ParsedList<engine::DhcpOptionValue> options_of(const SubnetView& view, const std::string& server) {
    engine::ParsedList<engine::DhcpOptionValue> out;
    const json::array* list = array_member(*view.subnet, "option-data");
    if (!list) return out;
    std::string scope = view.network.network.to_string();
    for (const auto& entry : *list) {
        if (!entry.is_object()) {
            out.problems.push_back({server, scope, "an option-data entry is not an object"});
            ++out.skipped;
            continue;
        }
        const auto& o = entry.get_object();
        auto code = integer_of(o.if_contains("code"));
        if (!code || *code <= 0 || *code > 255) {
            out.problems.push_back({server, scope, "option '" + string_member(o, "name") + "' has no option code"});
            ++out.skipped;
            continue;
        }
        engine::DhcpOptionValue option;
        option.code = static_cast<int>(*code);
        option.name = string_member(o, "name");
        std::string data = string_member(o, "data");
        const json::value* csv = o.if_contains("csv-format");
        bool csv_format = !(csv && csv->is_bool() && !csv->get_bool());
        option.value = csv_format ? split_csv(data) : std::vector<std::string>{data};
        option.type = csv_format ? windows_option_type(option.code) : "BinaryData";
        std::string space = string_member(o, "space");
        option.vendor_class = space.empty() || space == "dhcp4" ? "" : space;
        out.items.push_back(std::move(option));
    }
    return out;
}

const HaPeer* HaRelationship::self() const {
    for (const auto& p : peers)
        if (p.name == this_server) return &p;
    return nullptr;
}

const HaPeer* HaRelationship::partner() const {
    if (mode != "load-balancing" && mode != "hot-standby") return nullptr;
    for (const auto& p : peers)
        if (p.name != this_server && (p.role == "primary" || p.role == "secondary" || p.role == "standby")) return &p;
    return nullptr;
}

std::string HaRelationship::failover_name() const {
    if (mode != "load-balancing" && mode != "hot-standby") return {};
    std::string primary, other;
    for (const auto& p : peers) {
        if (p.role == "primary") primary = p.name;
        else if (p.role == "secondary" || p.role == "standby") other = p.name;
    }
    if (primary.empty() || other.empty()) return {};
    return primary + "+" + other;
}

std::vector<HaRelationship> ha_relationships(const json::object& dhcp4, std::vector<std::string>* problems) {
    std::vector<HaRelationship> out;
    const json::array* hooks = array_member(dhcp4, "hooks-libraries");
    if (!hooks) return out;
    for (const auto& hook : *hooks) {
        if (!hook.is_object()) continue;
        std::string library = string_member(hook.get_object(), "library");
        if (library.find("libdhcp_ha.so") == std::string::npos) continue;
        const json::object* parameters = object_member(hook.get_object(), "parameters");
        const json::array* list = parameters ? array_member(*parameters, "high-availability") : nullptr;
        if (!list) {
            if (problems) problems->push_back("the ha hook has no \"high-availability\" parameters");
            continue;
        }
        for (const auto& entry : *list) {
            if (!entry.is_object()) continue;
            const auto& h = entry.get_object();
            HaRelationship rel;
            rel.mode = string_member(h, "mode");
            rel.this_server = string_member(h, "this-server-name");
            rel.max_response_delay_ms = integer_of(h.if_contains("max-response-delay")).value_or(60000);
            if (const json::array* peers = array_member(h, "peers")) {
                for (const auto& p : *peers) {
                    if (!p.is_object()) continue;
                    const auto& po = p.get_object();
                    rel.peers.push_back(HaPeer{string_member(po, "name"), string_member(po, "url"),
                                               string_member(po, "role"), po.contains("basic-auth-user")});
                }
            }
            out.push_back(std::move(rel));
        }
    }
    return out;
}

std::string scopes_failover_name(const std::vector<HaRelationship>& relationships) {
    for (const auto& r : relationships)
        if (auto name = r.failover_name(); !name.empty()) return name;
    return {};
}

engine::ParsedList<engine::DhcpFailover> failovers_of(const json::object& dhcp4, const std::string& server) {
    engine::ParsedList<engine::DhcpFailover> out;
    std::vector<std::string> problems;
    auto relationships = ha_relationships(dhcp4, &problems);
    for (const auto& p : problems) {
        out.problems.push_back({server, "", p});
        ++out.skipped;
    }
    std::vector<std::string> scope_ids;
    for (const auto& view : index_subnets(dhcp4).subnets) scope_ids.push_back(view.network.network.to_string());
    for (const auto& rel : relationships) {
        const HaPeer* partner = rel.partner();
        if (!partner || rel.failover_name().empty()) {
            out.problems.push_back({server, "",
                                    "HA relationship in mode '" + rel.mode + "' of '" + rel.this_server +
                                        "' has no primary + secondary/standby pair: not a failover relationship, "
                                        "not imported"});
            ++out.skipped;
            continue;
        }
        engine::DhcpFailover f;
        f.name = rel.failover_name();
        f.primary_server = rel.this_server;
        f.secondary_server = partner->name;
        f.mode = rel.mode == "load-balancing" ? "LoadBalance" : "HotStandby";
        f.scope_ids = scope_ids;
        f.max_response_delay = static_cast<int>((rel.max_response_delay_ms + 999) / 1000);
        f.enable_auth = partner->basic_auth;
        out.items.push_back(std::move(f));
    }
    return out;
}

bool has_hosts_database(const json::object& dhcp4) {
    if (dhcp4.contains("hosts-database")) return true;
    const json::array* list = array_member(dhcp4, "hosts-databases");
    return list && !list->empty();
}

}  // namespace nds::kea
