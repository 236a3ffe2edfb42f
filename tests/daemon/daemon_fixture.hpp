// A NetBox simulator in this process plus fake DHCP backends: SyncRunner, PlanExecutor and ImportCommand
// tested end to end in milliseconds, without child processes.
#pragma once

#include "daemon/config.hpp"
#include "daemon/import_command.hpp"
#include "daemon/logger.hpp"
#include "daemon/sync_runner.hpp"
#include "tests/daemon/in_process_netbox.hpp"
#include "tests/support/demo_estate.hpp"
#include "tests/support/fake_backend.hpp"
#include "util/async.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <sstream>
#include <string>

namespace nds::testing {

namespace json = boost::json;

/// NetBox: users alice (writer), tags, prefix 10.0.1.0/24 with scope "Office" (10.0.1.10-200) of standalone
/// server dhcp01, prefix 10.0.2.0/24 with scope "Lab" of dhcp02. The fakes hold the same scopes.
struct DaemonFixture {
    boost::asio::io_context io{1};
    InProcessNetBox netbox{io};
    FakeBackends fakes{io.get_executor()};
    daemon::Config config;
    std::ostringstream log_text;
    daemon::Logger log{daemon::LogLevel::debug, daemon::LogFormat::text, log_text};

    DaemonFixture() {
        config.netbox.url = netbox.url();
        config.netbox.token = kAliceToken;
        config.netbox.max_retries = 0;
        config.dhcp_servers["default"] = daemon::DhcpServerConfig{};
        auto server = [](const char* name) {
            return json::object{{"name", name}, {"hostname", std::string(name) + ".example.com"}, {"port", 443},
                                {"use_https", true}, {"verify_ssl", true}, {"sync_standalone_scopes", true},
                                {"tags", json::array{}}};
        };
        auto scope = [](const char* name, const char* prefix, const char* start, const char* end, const char* server) {
            return json::object{{"name", name}, {"prefix", prefix}, {"vrf", nullptr}, {"start_ip", start}, {"end_ip", end},
                                {"router", nullptr}, {"lease_lifetime", 86400}, {"server", server}, {"failover", nullptr},
                                {"tags", json::array{}}, {"exclusion_ranges", json::array{}}};
        };
        netbox.seed(json::object{
            {"users", json::array{json::object{{"username", "alice"}, {"token", kAliceToken}}}},
            {"tags", json::array{json::object{{"name", "dhcp-sync"}, {"slug", "dhcp-sync"}},
                                 json::object{{"name", "dhcp-maintenance"}, {"slug", "dhcp-maintenance"}}}},
            {"prefixes", json::array{json::object{{"prefix", "10.0.1.0/24"}, {"vrf", nullptr}, {"tags", json::array{}}, {"status", "active"}},
                                     json::object{{"prefix", "10.0.2.0/24"}, {"vrf", nullptr}, {"tags", json::array{}}, {"status", "active"}}}},
            {"servers", json::array{server("dhcp01"), server("dhcp02")}},
            {"scopes", json::array{scope("Office", "10.0.1.0/24", "10.0.1.10", "10.0.1.200", "dhcp01"),
                                   scope("Lab", "10.0.2.0/24", "10.0.2.10", "10.0.2.200", "dhcp02")}}});
        auto& office = fakes.server("dhcp01").add_scope("10.0.1.0", "255.255.255.0", "10.0.1.10", "10.0.1.200", "Office");
        office.lease_duration_seconds = 86400;
        auto& lab = fakes.server("dhcp02").add_scope("10.0.2.0", "255.255.255.0", "10.0.2.10", "10.0.2.200", "Lab");
        lab.lease_duration_seconds = 86400;
    }

    daemon::RunReport sync(daemon::RunRequest request = {}) {
        daemon::SyncRunner runner(io.get_executor(), config, log, {}, fakes.factory());
        return run_to_completion(io, runner.run(std::move(request)));
    }

    daemon::ImportReport import(const std::string& server, bool dry_run = false) {
        daemon::ImportRequest request;
        request.server = server;
        request.dry_run = dry_run;
        daemon::ImportCommand command(io.get_executor(), config, log, fakes.factory());
        return run_to_completion(io, command.run(std::move(request)));
    }

    /// NetBox's IP addresses by address ("10.0.1.20/24").
    std::map<std::string, json::object> ips() {
        std::map<std::string, json::object> out;
        auto state = netbox.state();
        for (const auto& ip : state.at("ip_addresses").as_array())
            out[std::string(ip.at("address").as_string())] = ip.as_object();
        return out;
    }

    void seed_ip(const std::string& address, const std::string& status, const std::string& dns,
                 const std::string& client_id, json::array tags = {}) {
        json::object ip{{"address", address}, {"vrf", nullptr}, {"status", status}, {"dns_name", dns},
                        {"description", ""}, {"tags", std::move(tags)}};
        ip["custom_fields"] = json::object{{"dhcp_client_id", client_id.empty() ? json::value(nullptr) : json::value(client_id)}};
        netbox.seed(json::object{{"ip_addresses", json::array{ip}}});
    }
};

inline engine::Ipv4Address address(const char* text) { return *engine::Ipv4Address::parse(text); }

inline engine::DhcpLease lease(const char* ip, const char* client_id, const char* hostname) {
    return engine::DhcpLease{address(ip), client_id, hostname, ""};
}

inline engine::DhcpReservation reservation(const char* ip, const char* client_id, const char* name) {
    engine::DhcpReservation r;
    r.ip = address(ip);
    r.client_id = client_id;
    r.name = name;
    return r;
}

inline int count_actions(const daemon::RunReport& report, engine::ObjectKind kind, daemon::ActionStatus status) {
    int n = 0;
    for (const auto& action : report.actions) n += action.kind == kind && action.status == status;
    return n;
}

inline bool has_problem(const daemon::RunReport& report, const std::string& text) {
    for (const auto& problem : report.problems)
        if (problem.note.reason.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace nds::testing
