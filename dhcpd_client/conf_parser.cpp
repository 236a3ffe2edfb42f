#include "dhcpd_client/conf_parser.hpp"

#include "dhcpd_client/conf_header.hpp"
#include "dhcpd_client/conf_syntax.hpp"
#include "dhcpd_client/option_catalog.hpp"
#include "sync_engine/client_id.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace nds::dhcpd {
namespace {

using engine::DhcpExclusion;
using engine::DhcpReservation;
using engine::Ipv4Address;
using engine::Ipv4Network;

std::optional<std::int64_t> number(std::string_view text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

/// The elements of a list statement after `skip` words: tokens between commas, joined by a space.
std::vector<std::string> list_elements(const Statement& s, std::size_t skip) {
    std::vector<std::string> out;
    std::string current;
    bool any = false;
    for (std::size_t i = skip; i < s.words.size(); ++i) {
        const auto& token = s.words[i];
        if (token.kind == Token::Kind::punct && token.text == ",") {
            out.push_back(current);
            current.clear();
            any = false;
            continue;
        }
        if (any) current += ' ';
        current += token.text;
        any = true;
    }
    if (any || !out.empty()) out.push_back(current);
    return out;
}

std::string note_value(const std::vector<std::pair<std::string, std::string>>& fields, std::string_view key) {
    for (const auto& [k, v] : fields)
        if (k == key) return v;
    return {};
}

struct HostDecl {
    std::string name;   ///< NetBox's name from the note, else the declaration's name
    std::string description;
    std::string mac;    ///< normalised; "" when the host has no usable hardware ethernet
    std::string id_problem;
    std::vector<std::string> addresses;
    std::optional<std::uint32_t> declared_in;  ///< the subnet block it was written in
    std::string source;
    int line = 0;
};

struct PendingScope {
    ScopeModel model;
    std::vector<DhcpExclusion> ranges;
    std::optional<std::pair<Ipv4Address, Ipv4Address>> noted_range;
    bool has_lease_time = false;
    int line = 0;
};

class ConfigReader {
public:
    explicit ConfigReader(std::string_view text) : text_(text) {}

    ParsedConfig read(const std::vector<Statement>& statements) {
        auto header = check_header(text_);
        out_.written_by_backend = header.ours;
        out_.edited_by_hand = header.ours && !header.hash_matches;
        read_definitions(statements);
        read_level(statements, "", Level::top);
        finish();
        return std::move(out_);
    }

private:
    enum class Level { top, group, shared_network };

    void problem(int line, const std::string& scope, const std::string& what) {
        out_.problems.push_back({"", scope, "line " + std::to_string(line) + ": " + what});
    }

    std::string source(const Statement& s) const { return std::string(source_of(s, text_)); }

    /// Option definitions and the global default-lease-time first: statements may use them before them.
    void read_definitions(const std::vector<Statement>& statements) {
        for (const auto& s : statements) {
            if (s.starts_with({"option"}) && s.word(2) == "code" && s.words.size() >= 6) {
                auto code = number(s.word(3));
                std::string type;
                for (std::size_t i = 5; i < s.words.size(); ++i) type += (type.empty() ? "" : " ") + s.words[i].text;
                auto format = format_from_definition(type);
                if (code && format) custom_options_[std::string(s.word(1))] = {static_cast<int>(*code), *format};
                else problem(s.line, "", "option definition '" + source(s) + "' has a type this backend does not map");
            } else if (s.starts_with({"default-lease-time"})) {
                if (auto v = number(s.word(1)); v && *v > 0) global_lease_ = *v;
            }
        }
    }

    void read_level(const std::vector<Statement>& statements, const std::string& shared_network, Level level) {
        for (const auto& s : statements) {
            auto head = s.word(0);
            if (head == "subnet" && s.has_block) {
                read_subnet(s, shared_network);
            } else if (head == "host" && s.has_block) {
                read_host(s, std::nullopt);
            } else if (head == "shared-network" && s.has_block) {
                std::string name(s.word(1));
                read_level(s.block, name, Level::shared_network);
            } else if (head == "group" && s.has_block) {
                read_level(s.block, shared_network, Level::group);
            } else if (s.starts_with({"failover", "peer"}) && s.has_block) {
                read_failover(s);
            } else if (head == "include") {
                out_.includes.emplace_back(s.word(1));
                problem(s.line, "", "include \"" + std::string(s.word(1)) + "\" is not followed: its subnets and hosts are not read");
            } else if (level == Level::shared_network) {
                out_.model.shared_network_statements[shared_network].push_back(source(s));
            } else if (level == Level::group) {
                if (!(head == "option" && s.word(2) == "code"))
                    problem(s.line, "", "group statement '" + std::string(head) + "' is not kept: the hosts and subnets of the group are");
            } else if (head == "subnet6" || head == "host6" || head == "pool6") {
                problem(s.line, "", "IPv6 declaration '" + std::string(head) + "' ignored: this backend is DHCPv4 only");
            } else if (s.has_block) {
                problem(s.line, "", "'" + std::string(head) + "' declaration is not kept: the rendered file holds the globals, "
                                    "free_lines and NetBox's scopes; add it through free_lines");
            }
            // Other top-level statements are global parameters: the rendered file takes those from `globals`.
        }
    }

    void read_subnet(const Statement& s, const std::string& shared_network) {
        auto address = Ipv4Address::parse(s.word(1));
        auto mask = Ipv4Address::parse(s.word(3));
        if (s.word(2) != "netmask" || !address || !mask || s.words.size() != 4) {
            problem(s.line, "", "subnet declaration '" + std::string(source_of(s, text_).substr(0, 60)) + "' is not 'subnet ADDRESS netmask MASK'");
            ++out_.skipped_subnets;
            return;
        }
        auto network = Ipv4Network::from_mask(*address, *mask);
        if (!network || network->network != *address) {
            problem(s.line, address->to_string(), "subnet " + address->to_string() + " netmask " + mask->to_string() +
                                                      " is not a network address with a contiguous mask");
            ++out_.skipped_subnets;
            return;
        }
        if (scopes_.count(address->value)) {
            problem(s.line, address->to_string(), "subnet " + address->to_string() + " is declared twice; the first is used");
            return;
        }
        PendingScope pending;
        pending.line = s.line;
        auto& scope = pending.model.scope;
        scope.scope_id = *address;
        scope.subnet_mask = *mask;
        pending.model.shared_network = shared_network;
        auto fields = note_fields(s.note);
        scope.name = note_value(fields, "name");
        scope.description = note_value(fields, "description");
        // The "# nds:" note is what this sync renders before each subnet it got from NetBox.
        scope.written_by_sync = std::any_of(fields.begin(), fields.end(), [](const auto& f) { return f.first == "range"; });
        if (auto range = note_value(fields, "range"); !range.empty()) {
            auto dash = range.find('-');
            auto a = Ipv4Address::parse(std::string_view(range).substr(0, dash));
            auto b = dash == std::string::npos ? std::nullopt : Ipv4Address::parse(std::string_view(range).substr(dash + 1));
            if (a && b) pending.noted_range = std::make_pair(*a, *b);
        }
        const std::string scope_label = address->to_string();
        bool pool_seen = false;
        for (const auto& child : s.block) read_subnet_statement(child, pending, scope_label, pool_seen);
        scopes_.emplace(address->value, std::move(pending));
    }

    void read_subnet_statement(const Statement& child, PendingScope& pending, const std::string& scope_label, bool& pool_seen) {
        auto& scope = pending.model.scope;
        auto head = child.word(0);
        if (head == "range") {
            read_range(child, pending, scope_label);
        } else if (head == "pool" && child.has_block) {
            std::vector<std::string> statements;
            for (const auto& p : child.block) {
                if (p.word(0) == "range") read_range(p, pending, scope_label);
                else if (p.starts_with({"failover", "peer"})) {
                    std::string peer(p.word(2));
                    if (!scope.failover_name.empty() && scope.failover_name != peer)
                        problem(p.line, scope_label, "pools of one subnet in two failovers ('" + scope.failover_name + "', '" + peer + "'): '" +
                                                          scope.failover_name + "' is used");
                    else scope.failover_name = peer;
                } else if (p.word(0) == "host" && p.has_block) read_host(p, scope.scope_id.value);
                else statements.push_back(source(p));
            }
            if (pool_seen && statements != pending.model.extra_pool_statements)
                problem(child.line, scope_label, "the subnet's pools have statements of their own: the rendered file has one pool "
                                                 "with the first pool's statements");
            if (!pool_seen) pending.model.extra_pool_statements = std::move(statements);
            pool_seen = true;
        } else if (head == "option" && child.word(1) == "routers") {
            auto elements = list_elements(child, 2);
            auto router = elements.empty() ? std::nullopt : Ipv4Address::parse(elements.front());
            if (router) scope.router = router;
            else problem(child.line, scope_label, "option routers '" + source(child) + "' has no IPv4 address first");
        } else if (head == "option" && child.word(2) != "code") {
            if (!read_option(child, pending.model)) pending.model.extra_statements.push_back(source(child));
        } else if (head == "default-lease-time") {
            if (auto v = number(child.word(1)); v && *v > 0) {
                scope.lease_duration_seconds = *v;
                pending.has_lease_time = true;
            } else problem(child.line, scope_label, "default-lease-time '" + std::string(child.word(1)) + "' is not a positive number");
        } else if (head == "max-lease-time") {
            // One lease time per scope in NetBox: the rendered file writes it as both.
        } else if (head == "host" && child.has_block) {
            read_host(child, scope.scope_id.value);
        } else if (head == "group" && child.has_block) {
            for (const auto& g : child.block) {
                if (g.word(0) == "host" && g.has_block) read_host(g, scope.scope_id.value);
                else problem(g.line, scope_label, "group statement '" + std::string(g.word(0)) + "' is not kept");
            }
        } else {
            pending.model.extra_statements.push_back(source(child));
        }
    }

    void read_range(const Statement& s, PendingScope& pending, const std::string& scope_label) {
        std::size_t i = 1;
        if (s.word(i) == "dynamic-bootp") ++i;
        auto a = Ipv4Address::parse(s.word(i));
        auto b = s.words.size() > i + 1 ? Ipv4Address::parse(s.word(i + 1)) : a;
        if (!a || !b || *a > *b || s.words.size() > i + 2) {
            problem(s.line, scope_label, "range '" + source(s) + "' is not 'range FIRST [LAST]'");
            return;
        }
        pending.ranges.push_back({*a, *b});
    }

    /// An option statement of a subnet as an option value; false when the option is not known (kept verbatim).
    bool read_option(const Statement& s, ScopeModel& scope) {
        std::string name(s.word(1));
        int code = 0;
        OptionFormat format = OptionFormat::text;
        if (const auto* info = find_option(name)) {
            code = info->code;
            format = info->format;
        } else if (auto custom = custom_options_.find(name); custom != custom_options_.end()) {
            code = custom->second.first;
            format = custom->second.second;
        } else {
            return false;
        }
        engine::DhcpOptionValue value;
        value.code = code;
        value.name = name;
        value.type = windows_type(format);
        value.value = option_values_from_dhcpd(format, list_elements(s, 2));
        scope.options.push_back(std::move(value));
        return true;
    }

    void read_host(const Statement& s, std::optional<std::uint32_t> declared_in) {
        HostDecl host;
        host.line = s.line;
        host.declared_in = declared_in;
        host.source = source(s);
        auto fields = note_fields(s.note);
        bool noted = std::any_of(fields.begin(), fields.end(), [](const auto& f) { return f.first == "name"; });
        host.name = noted ? note_value(fields, "name") : std::string(s.word(1));
        host.description = note_value(fields, "description");
        for (const auto& h : s.block) {
            if (h.starts_with({"hardware", "ethernet"})) {
                std::string mac(h.word(2));
                if (engine::is_mac_address(mac)) host.mac = engine::normalize_client_id(mac);
                else host.id_problem = "hardware ethernet '" + mac + "' is not a MAC address";
            } else if (h.word(0) == "hardware") {
                host.id_problem = "hardware type '" + std::string(h.word(1)) + "' is not ethernet";
            } else if (h.word(0) == "fixed-address") {
                auto elements = list_elements(h, 1);
                host.addresses.insert(host.addresses.end(), elements.begin(), elements.end());
            }
        }
        if (host.mac.empty() && host.id_problem.empty())
            host.id_problem = "no hardware ethernet (a client identified otherwise is not a NetBox reservation)";
        hosts_.push_back(std::move(host));
    }

    void read_failover(const Statement& s) {
        FailoverPeer peer;
        peer.name = std::string(s.word(2));
        if (s.words.size() > 3) return;  // `failover peer "x" state { ... }` belongs to the lease file
        for (const auto& f : s.block) {
            auto head = f.word(0);
            auto int_at = [&](std::size_t i) { return number(f.word(i)); };
            if (head == "primary") peer.primary = true;
            else if (head == "secondary") peer.primary = false;
            else if (head == "address") peer.address = std::string(f.word(1));
            else if (head == "port") { if (auto v = int_at(1)) peer.port = static_cast<int>(*v); }
            else if (f.starts_with({"peer", "address"})) peer.peer_address = std::string(f.word(2));
            else if (f.starts_with({"peer", "port"})) { if (auto v = int_at(2)) peer.peer_port = static_cast<int>(*v); }
            else if (head == "max-response-delay") { if (auto v = int_at(1)) peer.max_response_delay = static_cast<int>(*v); }
            else if (head == "max-unacked-updates") { if (auto v = int_at(1)) peer.max_unacked_updates = static_cast<int>(*v); }
            else if (f.starts_with({"load", "balance", "max", "seconds"})) { if (auto v = int_at(4)) peer.load_balance_max_seconds = static_cast<int>(*v); }
            else if (head == "mclt") { if (auto v = int_at(1)) peer.mclt = static_cast<int>(*v); }
            else if (head == "split") { if (auto v = int_at(1)) peer.split = static_cast<int>(*v); }
            else if (head == "hba") {
                std::string hba(f.word(1));
                peer.split = hba.find_first_not_of("fF:") == std::string::npos ? 255 : 128;
            } else if (head == "auto-partner-down") { if (auto v = int_at(1)) peer.auto_partner_down = static_cast<int>(*v); }
        }
        out_.failover_peers.push_back(std::move(peer));
    }

    void finish() {
        for (auto& [key, pending] : scopes_) {
            auto& scope = pending.model.scope;
            if (!pending.has_lease_time) scope.lease_duration_seconds = global_lease_;
            out_.model.scopes.emplace(key, std::move(pending.model));
        }
        for (const auto& host : hosts_) place_host(host);
        for (auto& [key, pending] : scopes_) finish_range(out_.model.scopes.at(key), pending);
    }

    void place_host(const HostDecl& host) {
        std::vector<std::pair<const ScopeModel*, Ipv4Address>> targets;
        std::string unusable;
        for (const auto& text : host.addresses) {
            auto address = Ipv4Address::parse(text);
            if (!address) { unusable = "fixed-address '" + text + "' is not an IPv4 address (names are not resolved)"; break; }
            const auto* scope = scope_of_address(out_.model, *address);
            if (!scope) { unusable = "fixed-address " + text + " is in no subnet of the file"; break; }
            targets.emplace_back(scope, *address);
        }
        if (host.addresses.empty()) {
            out_.model.other_hosts.push_back(host.source);  // a host without an address is no reservation
            return;
        }
        if (unusable.empty() && !host.id_problem.empty()) unusable = host.id_problem;
        if (!unusable.empty()) {
            // Kept as written; the scope it belongs to has a reservation list it cannot fully read.
            out_.model.other_hosts.push_back(host.source);
            std::optional<std::uint32_t> scope_key = host.declared_in;
            if (!scope_key && !targets.empty()) scope_key = targets.front().first->scope.scope_id.value;
            std::string label = scope_key ? Ipv4Address{*scope_key}.to_string() : std::string();
            if (scope_key) ++out_.skipped_hosts[*scope_key];
            problem(host.line, label, "host '" + host.name + "' is not a reservation: " + unusable + "; it is kept as written");
            return;
        }
        for (const auto& [scope, address] : targets) {
            auto& target = out_.model.scopes.at(scope->scope.scope_id.value);
            target.reservations.push_back(DhcpReservation{address, host.mac, host.name, host.description, "Dhcp"});
        }
    }

    void finish_range(ScopeModel& scope, PendingScope& pending) {
        std::sort(scope.reservations.begin(), scope.reservations.end(),
                  [](const DhcpReservation& a, const DhcpReservation& b) { return a.ip < b.ip; });
        auto network = *Ipv4Network::from_mask(scope.scope.scope_id, scope.scope.subnet_mask);
        const std::string label = scope.scope.scope_id.to_string();
        auto first_host = Ipv4Address{network.length >= 31 ? network.network.value : network.network.value + 1};
        auto last_host = Ipv4Address{network.length >= 31 ? network.broadcast().value : network.broadcast().value - 1};
        for (const auto& r : pending.ranges)
            if (!network.contains(r.start_ip) || !network.contains(r.end_ip))
                problem(pending.line, label, "range " + r.start_ip.to_string() + " " + r.end_ip.to_string() + " is not inside the subnet");
        std::erase_if(pending.ranges, [&](const DhcpExclusion& r) { return !network.contains(r.start_ip) || !network.contains(r.end_ip); });

        std::optional<std::pair<Ipv4Address, Ipv4Address>> span;
        for (const auto& r : pending.ranges) {
            if (!span) span = std::make_pair(r.start_ip, r.end_ip);
            span->first = std::min(span->first, r.start_ip);
            span->second = std::max(span->second, r.end_ip);
        }
        if (pending.noted_range) {
            auto [a, b] = *pending.noted_range;
            bool fits = a <= b && network.contains(a) && network.contains(b) && (!span || (a <= span->first && span->second <= b));
            if (fits) span = pending.noted_range;
            else problem(pending.line, label, "the note's range does not hold the subnet's ranges: the ranges are used");
        }
        if (!span) span = std::make_pair(first_host, last_host);  // no dynamic range at all: all of it excluded
        scope.scope.start_ip = span->first;
        scope.scope.end_ip = span->second;
        scope.exclusions = exclusions_from_pools(span->first, span->second, pending.ranges, scope.reservations);
    }

    std::string_view text_;
    ParsedConfig out_;
    std::map<std::string, std::pair<int, OptionFormat>> custom_options_;
    std::int64_t global_lease_ = kDhcpdDefaultLeaseTime;
    std::map<std::uint32_t, PendingScope> scopes_;
    std::vector<HostDecl> hosts_;
};

}  // namespace

Expected<ParsedConfig> parse_config(std::string_view text) {
    auto statements = parse_statements(text);
    if (!statements) return statements.error();
    return ConfigReader(text).read(*statements);
}

engine::DhcpFailover to_failover(const FailoverPeer& peer, const ServerModel& model) {
    engine::DhcpFailover out;
    out.name = peer.name;
    out.primary_server = peer.address;
    out.secondary_server = peer.peer_address;
    out.mode = peer.split && *peer.split == 255 ? "HotStandby" : "LoadBalance";
    for (const auto& [key, scope] : model.scopes)
        if (scope.scope.failover_name == peer.name) out.scope_ids.push_back(scope.scope.scope_id.to_string());
    out.max_client_lead_time = peer.mclt.value_or(3600);
    out.max_response_delay = peer.max_response_delay;
    out.state_switchover_interval = peer.auto_partner_down;
    out.enable_auth = false;
    return out;
}

}  // namespace nds::dhcpd
