#include "bench/bench_estate.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace nds::bench {

namespace json = boost::json;

namespace {

/// Scope g of the estate is 10.(g / 256).(g % 256).0/24: range .10-.250, router .1, exclusion .240-.250,
/// leases from .20 on.
std::string net(long g, int host) {
    return "10." + std::to_string(g / 256) + "." + std::to_string(g % 256) + "." + std::to_string(host);
}

std::string mac(long g, int i) {
    unsigned long v = static_cast<unsigned long>(g) * 256ul + static_cast<unsigned long>(i);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "00-15-5d-%02lx-%02lx-%02lx", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    return buffer;
}

std::string hostname(long g, int i) { return "host-" + std::to_string(g) + "-" + std::to_string(i); }

/// Per scope: how many leases churn in each way (1 %, at least one when the scope has 100 leases).
int churn_per_scope(int leases) { return leases / 100; }

}  // namespace

Estate::Estate(EstateSpec spec) : spec_(std::move(spec)) {}

std::string Estate::server_name(int index) const {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "dhcp%03d", index + 1);
    return buffer;
}

int Estate::partner(int server) const {
    if (server >= 2 * spec_.pairs) return -1;
    return server % 2 == 0 ? server + 1 : server - 1;
}

EstateCounts Estate::counts() const {
    EstateCounts c;
    c.servers = spec_.servers;
    c.failovers = 2L * spec_.pairs;
    c.scopes = static_cast<long>(spec_.servers) * spec_.scopes_per_server;
    c.ips = c.scopes * spec_.leases_per_scope;
    long churn = c.scopes * churn_per_scope(spec_.leases_per_scope);
    c.churn_updates = c.churn_deletes = c.churn_creates = churn;
    c.synced_scopes_per_server.assign(static_cast<std::size_t>(spec_.servers), spec_.scopes_per_server);
    return c;
}

std::vector<Estate::ScopeRef> Estate::scopes_of(int server) const {
    std::vector<ScopeRef> out;
    auto add_primary_scopes = [&](int primary) {
        int other = partner(primary);
        std::string failover = other < 0 ? "" : "FO-" + server_name(primary) + "-" + server_name(other);
        for (int s = 0; s < spec_.scopes_per_server; ++s)
            out.push_back(ScopeRef{static_cast<long>(primary) * spec_.scopes_per_server + s, primary, failover});
    };
    add_primary_scopes(server);
    if (int other = partner(server); other >= 0) add_primary_scopes(other);
    return out;
}

json::value Estate::netbox_structure_seed(const std::vector<std::uint16_t>& psu_ports) const {
    json::object seed;
    seed["users"] = json::array{json::object{{"username", "bench"}, {"token", kBenchNetBoxToken}, {"write_enabled", true}}};
    seed["tags"] = json::array{json::object{{"name", "dhcp-maintenance"}, {"slug", "dhcp-maintenance"}}};
    json::array servers;
    for (int i = 0; i < spec_.servers; ++i)
        servers.push_back(json::object{{"name", server_name(i)}, {"hostname", "127.0.0.1"}, {"port", psu_ports.at(static_cast<std::size_t>(i))},
                                       {"use_https", false}, {"verify_ssl", true}, {"sync_standalone_scopes", true},
                                       {"tags", json::array{}}});
    seed["servers"] = std::move(servers);
    json::array failovers;
    for (int p = 0; p < spec_.pairs; ++p) {
        for (int k = 0; k < 2; ++k) {
            int primary = 2 * p + k, secondary = 2 * p + 1 - k;
            failovers.push_back(json::object{{"name", "FO-" + server_name(primary) + "-" + server_name(secondary)},
                                             {"primary_server", server_name(primary)},
                                             {"secondary_server", server_name(secondary)}, {"mode", "LoadBalance"},
                                             {"sync_enabled", true}, {"max_client_lead_time", 3600},
                                             {"max_response_delay", 30}, {"state_switchover_interval", nullptr},
                                             {"enable_auth", false}, {"tags", json::array{}}});
        }
    }
    seed["failovers"] = std::move(failovers);
    return seed;
}

std::vector<json::value> Estate::psu_seed_chunks(int server, bool churned, int scopes_per_chunk) const {
    std::vector<json::value> chunks;
    const int leases = spec_.leases_per_scope;
    const int reserved = std::min(spec_.reservations_per_scope, leases);
    const int churn = churn_per_scope(leases);
    auto scopes = scopes_of(server);
    for (std::size_t first = 0; first < scopes.size(); first += static_cast<std::size_t>(scopes_per_chunk)) {
        json::array scope_list, lease_list, reservation_list, exclusion_list;
        for (std::size_t k = first; k < std::min(scopes.size(), first + static_cast<std::size_t>(scopes_per_chunk)); ++k) {
            const auto& ref = scopes[k];
            long g = ref.global_index;
            std::string scope_id = net(g, 0);
            json::object scope{{"scope_id", scope_id}, {"name", "Scope " + std::to_string(g)}, {"start_ip", net(g, 10)},
                               {"end_ip", net(g, 250)}, {"subnet_mask", "255.255.255.0"}, {"description", ""},
                               {"state", "Active"}, {"lease_duration_seconds", 86400}, {"router", net(g, 1)}};
            scope["failover_name"] = ref.failover.empty() ? json::value(nullptr) : json::value(ref.failover);
            scope_list.push_back(std::move(scope));
            exclusion_list.push_back(json::object{{"scope_id", scope_id}, {"start_ip", net(g, 240)}, {"end_ip", net(g, 250)}});
            for (int i = 0; i < leases + (churned ? churn : 0); ++i) {
                // Churn, on unreserved leases only: the last `churn` leases are gone, the `churn` before them
                // renamed, and `churn` new ones follow.
                bool gone = churned && i >= leases - churn && i < leases;
                if (gone) continue;
                bool renamed = churned && i >= leases - 2 * churn && i < leases - churn;
                std::string name = hostname(g, i) + (renamed ? "-renamed" : "");
                lease_list.push_back(json::object{{"ip_address", net(g, 20 + i)}, {"client_id", mac(g, i)},
                                                  {"hostname", name}, {"scope_id", scope_id},
                                                  {"lease_expiry", "2026-12-01T00:00:00Z"}, {"address_state", "Active"}});
                if (i < reserved)
                    reservation_list.push_back(json::object{{"ip_address", net(g, 20 + i)}, {"client_id", mac(g, i)},
                                                            {"name", name}, {"description", ""}, {"type", "Dhcp"},
                                                            {"scope_id", scope_id}});
            }
        }
        chunks.push_back(json::object{{"scopes", std::move(scope_list)}, {"leases", std::move(lease_list)},
                                      {"reservations", std::move(reservation_list)},
                                      {"exclusions", std::move(exclusion_list)}});
    }
    return chunks;
}

}  // namespace nds::bench
