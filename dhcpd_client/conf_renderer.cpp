#include "dhcpd_client/conf_renderer.hpp"

#include "dhcpd_client/conf_header.hpp"
#include "dhcpd_client/conf_syntax.hpp"
#include "dhcpd_client/option_catalog.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace nds::dhcpd {
namespace {

using engine::Ipv4Address;

std::string mac_for_dhcpd(const std::string& client_id) {
    std::string out = client_id;
    std::replace(out.begin(), out.end(), '-', ':');
    return out;
}

class Renderer {
public:
    explicit Renderer(const RenderInput& input) : in_(input) {
        for (const auto& peer : in_.failover_peers) peers_.insert(peer.name);
    }

    Rendered render() {
        std::string body;
        render_globals(body);
        render_free_lines(body);
        // Subnets are rendered before the definitions are written out: they find the custom codes.
        std::string subnets = render_scopes();
        render_definitions(body);
        render_failover_peers(body);
        body += subnets;
        render_other_hosts(body);
        Rendered out;
        out.text = config_header(in_.server_name, in_.netbox_url, body) + body;
        out.problems = std::move(problems_);
        return out;
    }

private:
    void problem(const std::string& scope, const std::string& object, const std::string& reason) {
        problems_.push_back({engine::Severity::warning, {in_.server_name, scope, object, reason}});
    }

    void render_globals(std::string& out) {
        const auto& g = in_.globals;
        out += "\n";
        out += g.authoritative ? "authoritative;\n" : "not authoritative;\n";
        if (g.default_lease_time > 0) out += "default-lease-time " + std::to_string(g.default_lease_time) + ";\n";
        if (g.max_lease_time > 0) out += "max-lease-time " + std::to_string(g.max_lease_time) + ";\n";
        if (g.local_port > 0) out += "local-port " + std::to_string(g.local_port) + ";\n";
        if (!g.log_facility.empty()) out += "log-facility " + g.log_facility + ";\n";
        global_option(out, "routers", OptionFormat::ip_list, g.option_routers);
        global_option(out, "domain-name-servers", OptionFormat::ip_list, g.option_domain_name_servers);
        global_option(out, "domain-name", OptionFormat::text, g.option_domain_name);
    }

    void global_option(std::string& out, const std::string& name, OptionFormat format, const std::string& value) {
        if (value.empty()) return;
        auto formatted = format_option_value(format, {value});
        if (!formatted) {
            problem("", "globals.option_" + name, formatted.error().message + ": not written");
            return;
        }
        out += "option " + name + " " + *formatted + ";\n";
    }

    void render_free_lines(std::string& out) {
        if (in_.free_lines.empty()) return;
        out += "\n# free_lines of the sync's configuration\n";
        for (const auto& line : in_.free_lines) out += line + "\n";
    }

    void render_definitions(std::string& out) {
        if (custom_.empty()) return;
        out += "\n# Option codes NetBox uses that dhcpd has no name for\n";
        for (const auto& [code, format] : custom_)
            out += "option " + custom_option_name(code) + " code " + std::to_string(code) + " = " + definition_type(format) + ";\n";
    }

    void render_failover_peers(std::string& out) {
        auto peers = in_.failover_peers;
        std::sort(peers.begin(), peers.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        for (const auto& p : peers) {
            out += "\nfailover peer " + quote_string(p.name) + " {\n";
            out += p.primary ? "  primary;\n" : "  secondary;\n";
            out += "  address " + p.address + ";\n";
            out += "  port " + std::to_string(p.port) + ";\n";
            out += "  peer address " + p.peer_address + ";\n";
            out += "  peer port " + std::to_string(p.peer_port) + ";\n";
            out += "  max-response-delay " + std::to_string(p.max_response_delay) + ";\n";
            out += "  max-unacked-updates " + std::to_string(p.max_unacked_updates) + ";\n";
            out += "  load balance max seconds " + std::to_string(p.load_balance_max_seconds) + ";\n";
            if (p.primary && p.mclt) out += "  mclt " + std::to_string(*p.mclt) + ";\n";
            if (p.primary && p.split) out += "  split " + std::to_string(*p.split) + ";\n";
            if (p.auto_partner_down) out += "  auto-partner-down " + std::to_string(*p.auto_partner_down) + ";\n";
            out += "}\n";
        }
    }

    std::string render_scopes() {
        std::string out;
        std::map<std::string, std::vector<const ScopeModel*>> shared;
        for (const auto& [key, scope] : in_.model->scopes) {
            if (!scope.shared_network.empty()) {
                shared[scope.shared_network].push_back(&scope);
                continue;
            }
            out += "\n";
            render_scope(out, scope, "");
        }
        // A shared network that lost all its subnets is not written (dhcpd refuses an empty one).
        for (const auto& [name, scopes] : shared) {
            out += "\nshared-network " + quote_string(name) + " {\n";
            if (auto statements = in_.model->shared_network_statements.find(name);
                statements != in_.model->shared_network_statements.end())
                for (const auto& s : statements->second) out += "  " + s + "\n";
            for (const auto* scope : scopes) render_scope(out, *scope, "  ");
            out += "}\n";
        }
        return out;
    }

    void render_scope(std::string& out, const ScopeModel& model, const std::string& indent) {
        const auto& s = model.scope;
        const std::string label = s.scope_id.to_string();
        const std::string in = indent + "  ";
        out += indent + "# nds: " + note_field("name", s.name) + " " + note_field("description", s.description) + " " +
               note_field("range", s.start_ip.to_string() + "-" + s.end_ip.to_string()) + "\n";
        out += indent + "subnet " + label + " netmask " + s.subnet_mask.to_string() + " {\n";
        if (s.router) out += in + "option routers " + s.router->to_string() + ";\n";
        out += in + "default-lease-time " + std::to_string(s.lease_duration_seconds) + ";\n";
        out += in + "max-lease-time " + std::to_string(s.lease_duration_seconds) + ";\n";
        for (const auto& option : model.options) render_option(out, in, label, option);
        for (const auto& statement : model.extra_statements) out += in + statement + "\n";

        auto ranges = pool_ranges(model);
        std::string failover = s.failover_name;
        if (!failover.empty() && !peers_.count(failover)) {
            problem(label, "failover " + failover,
                    "the scope is in failover '" + failover + "', which has no peer declaration for this server "
                    "(failover or partner missing from NetBox): rendered without failover");
            failover.clear();
        }
        if (!failover.empty() || !model.extra_pool_statements.empty()) {
            out += in + "pool {\n";
            if (!failover.empty()) out += in + "  failover peer " + quote_string(failover) + ";\n";
            for (const auto& statement : model.extra_pool_statements) out += in + "  " + statement + "\n";
            for (const auto& r : ranges) out += in + "  range " + r.start_ip.to_string() + " " + r.end_ip.to_string() + ";\n";
            out += in + "}\n";
        } else {
            for (const auto& r : ranges) out += in + "range " + r.start_ip.to_string() + " " + r.end_ip.to_string() + ";\n";
        }
        for (const auto& r : model.reservations) {
            out += in + "# nds: " + note_field("name", r.name) + " " + note_field("description", r.description) + "\n";
            out += in + "host " + unique_host_name(r) + " {\n";
            out += in + "  hardware ethernet " + mac_for_dhcpd(r.client_id) + ";\n";
            out += in + "  fixed-address " + r.ip.to_string() + ";\n";
            out += in + "}\n";
        }
        out += indent + "}\n";
    }

    void render_option(std::string& out, const std::string& in, const std::string& label, const engine::DhcpOptionValue& option) {
        const std::string object = "option " + std::to_string(option.code);
        if (!option.vendor_class.empty()) {
            problem(label, object, "vendor class '" + option.vendor_class + "' options are not rendered (dhcpd needs a "
                                   "vendor option space for them): add them through free_lines");
            return;
        }
        if (option.code == 3 || option.code == 51) return;  // router and lease time are scope fields
        if (is_protocol_option(option.code)) {
            problem(label, object, "option " + std::to_string(option.code) + " is set by dhcpd itself, not per scope: not rendered");
            return;
        }
        std::string name;
        OptionFormat format;
        if (const auto* info = find_option(option.code)) {
            name = std::string(info->name);
            format = info->format;
        } else {
            auto wanted = format_for_data_type(option.type, option.value.size());
            if (!wanted) {
                problem(label, object, "data type '" + option.type + "' of option " + std::to_string(option.code) +
                                           " cannot be declared for dhcpd: not rendered");
                return;
            }
            if (*wanted == OptionFormat::ip) wanted = OptionFormat::ip_list;  // one declaration fits one and many
            auto [it, added] = custom_.emplace(option.code, *wanted);
            if (!added && it->second != *wanted) {
                problem(label, object, "option " + std::to_string(option.code) + " has type '" + option.type +
                                           "' here and another type in another scope: not rendered here");
                return;
            }
            name = custom_option_name(option.code);
            format = it->second;
        }
        auto value = format_option_value(format, option.value);
        if (!value) {
            problem(label, object, "option " + std::to_string(option.code) + " (" + name + "): " + value.error().message + ": not rendered");
            return;
        }
        out += in + "option " + name + " " + *value + ";\n";
    }

    std::string unique_host_name(const engine::DhcpReservation& r) {
        auto name = host_identifier(r.name, r.ip);
        if (host_names_.insert(name).second) return name;
        auto with_address = host_identifier(r.name + "-" + r.ip.to_string(), r.ip);
        for (int n = 2; !host_names_.insert(with_address).second; ++n)
            with_address = host_identifier(r.name + "-" + r.ip.to_string() + "-" + std::to_string(n), r.ip);
        return with_address;
    }

    void render_other_hosts(std::string& out) {
        if (in_.model->other_hosts.empty()) return;
        out += "\n# Host declarations of the previous file that are no NetBox reservation, kept as written\n";
        for (const auto& host : in_.model->other_hosts) out += host + "\n";
    }

    const RenderInput& in_;
    std::set<std::string> peers_;
    std::map<int, OptionFormat> custom_;
    std::set<std::string> host_names_;
    std::vector<engine::Problem> problems_;
};

}  // namespace

Rendered render_config(const RenderInput& input) { return Renderer(input).render(); }

std::string host_identifier(std::string_view name, Ipv4Address address) {
    std::string out;
    for (char ch : name) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
        else if (!out.empty() && out.back() != '-') out += '-';
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    if (out.size() > 60) out.resize(60);
    while (!out.empty() && out.back() == '-') out.pop_back();
    if (out.empty()) {
        out = "host-" + address.to_string();
        std::replace(out.begin(), out.end(), '.', '-');
    }
    return out;
}

std::vector<FailoverPeer> failover_peers_for(const backend::ServerContext& context, const FailoverOptions& options,
                                             std::vector<engine::Problem>& problems) {
    std::vector<FailoverPeer> peers;
    const auto& self = context.server;
    for (const auto& failover : context.failovers) {
        auto note = [&](const std::string& reason) {
            problems.push_back({engine::Severity::warning, {self.name, "", "failover " + failover.name, reason}});
        };
        bool primary = failover.primary_server_id == self.id;
        if (!primary && failover.secondary_server_id != self.id) {
            note("this server is neither primary nor secondary of the failover: no peer declaration");
            continue;
        }
        auto partner_id = primary ? failover.secondary_server_id : failover.primary_server_id;
        auto partner = std::find_if(context.partners.begin(), context.partners.end(),
                                    [&](const engine::NetBoxServer& s) { return s.id == partner_id; });
        if (partner == context.partners.end() || partner->hostname.empty()) {
            note("the partner server (id " + std::to_string(partner_id) + ") or its hostname is missing: no peer declaration");
            continue;
        }
        engine::DhcpFailover settings;  // the plugin's defaults
        auto found = std::find_if(context.failover_settings.begin(), context.failover_settings.end(),
                                  [&](const engine::DhcpFailover& f) { return f.name == failover.name; });
        if (found != context.failover_settings.end()) settings = *found;
        if (settings.enable_auth)
            note("the failover asks for authentication, which dhcpd's failover protocol does not have: rendered without");
        FailoverPeer peer;
        peer.name = failover.name;
        peer.primary = primary;
        peer.address = options.address.empty() ? self.hostname : options.address;
        peer.peer_address = partner->hostname;
        peer.port = options.port;
        peer.peer_port = options.peer_port;
        peer.max_response_delay = settings.max_response_delay;
        peer.max_unacked_updates = options.max_unacked_updates;
        peer.load_balance_max_seconds = options.load_balance_max_seconds;
        if (primary) {
            peer.mclt = settings.max_client_lead_time;
            peer.split = failover.mode == "HotStandby" ? 255 : 128;
        }
        if (settings.state_switchover_interval && *settings.state_switchover_interval > 0)
            peer.auto_partner_down = *settings.state_switchover_interval;
        peers.push_back(std::move(peer));
    }
    std::sort(peers.begin(), peers.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return peers;
}

}  // namespace nds::dhcpd
