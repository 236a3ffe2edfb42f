// PlanExecutor: NetBox writes matched to their actions by position, DHCP writes to each server's backend,
// stopping between NetBox batches. Through an in-process NetBox simulator and fake backends.
#include "daemon/plan_executor.hpp"

#include "daemon/client_options.hpp"
#include "tests/daemon/daemon_fixture.hpp"
#include "util/cancellation.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include <doctest/doctest.h>

using namespace nds;
using namespace nds::testing;
using daemon::ActionStatus;
using engine::ObjectKind;
using engine::Verb;

namespace {

engine::IpAddressCreate ip_create(const char* address, std::optional<engine::ObjectId> vrf, const char* dns) {
    engine::IpAddressCreate create;
    create.note = engine::ActionNote{"dhcp01", "Office", address, "lease"};
    create.address = *engine::Ipv4Interface::parse(address);
    create.vrf_id = vrf;
    create.status = "dhcp";
    create.dns_name = dns;
    return create;
}

struct ExecutorFixture : DaemonFixture {
    std::unique_ptr<netbox::NetBoxClient> client;
    std::map<std::string, std::unique_ptr<backend::DhcpBackend>> backends;

    ExecutorFixture() {
        auto options = daemon::netbox_client_options(config, "");
        client = std::make_unique<netbox::NetBoxClient>(io.get_executor(), options);
        auto make = fakes.factory();
        for (const char* name : {"dhcp01", "dhcp02"}) {
            backend::ServerContext context;
            context.server.name = name;
            backends[name] = make(context);
        }
    }

    daemon::PlanExecutor executor(std::size_t batch = 0) {
        daemon::ExecutorLimits limits;
        limits.netbox_batch_size = batch;
        return daemon::PlanExecutor(
            *client,
            [this](const std::string& server) -> backend::DhcpBackend* {
                auto found = backends.find(server);
                return found == backends.end() ? nullptr : found->second.get();
            },
            log, limits);
    }

    daemon::RunReport apply(const engine::Plan& plan, std::size_t batch = 0) {
        auto run = executor(batch);
        daemon::RunReport report;
        run_to_completion(io, [&]() -> boost::asio::awaitable<int> {
            co_await run.apply(plan, report);
            co_return 0;
        }());
        return report;
    }
};

}  // namespace

TEST_CASE("executor: NetBox's refusal is matched to the action by position, not by its label") {
    ExecutorFixture f;
    f.netbox.seed(json::object{{"vrfs", json::array{json::object{{"name", "blue"}, {"rd", "65000:1"}}}}});
    f.seed_ip("10.0.1.5/24", "dhcp", "taken", "");  // in the global table
    engine::ObjectId blue = f.netbox.state().at("vrfs").as_array()[0].at("id").as_int64();
    engine::Plan plan;
    // Both actions are labelled "10.0.1.5/24": the first (VRF blue) is accepted, the second (global) refused.
    plan.ip_creates = {ip_create("10.0.1.5/24", blue, "in-blue"), ip_create("10.0.1.5/24", std::nullopt, "dup")};
    auto report = f.apply(plan);
    REQUIRE(report.actions.size() == 2);
    CHECK(report.actions[0].status == ActionStatus::applied);
    CHECK(report.actions[1].status == ActionStatus::failed);
    CHECK(report.actions[1].error.find("Duplicate IP address") != std::string::npos);
}

TEST_CASE("executor: each server's DHCP writes go to its own backend in order, and a server without one fails") {
    ExecutorFixture f;
    engine::Plan plan;
    auto write = [](const char* server, Verb verb, const char* ip) {
        return engine::DhcpWrite::reservation(engine::ActionNote{server, "Office", ip, "push"}, verb, address("10.0.1.0"),
                                              reservation(ip, "aa-bb-cc-dd-ee-01", "x"));
    };
    plan.dhcp_writes = {write("dhcp01", Verb::remove, "10.0.1.50"), write("dhcp02", Verb::create, "10.0.2.50"),
                        write("dhcp01", Verb::create, "10.0.1.51"), write("dhcp09", Verb::create, "10.0.9.50")};
    auto report = f.apply(plan);
    REQUIRE(f.fakes.server("dhcp01").apply_calls.size() == 1);
    const auto& one = f.fakes.server("dhcp01").apply_calls[0];
    REQUIRE(one.size() == 2);
    CHECK(one[0].note.object == "10.0.1.50");
    CHECK(one[1].note.object == "10.0.1.51");
    CHECK(f.fakes.server("dhcp02").apply_calls.size() == 1);
    // The report keeps the plan's order, with the unknown server's write failed.
    REQUIRE(report.actions.size() == 4);
    CHECK(report.actions[0].note.object == "10.0.1.50");
    CHECK(report.actions[3].status == ActionStatus::failed);
    CHECK(report.actions[3].error.find("no DHCP backend") != std::string::npos);
}

TEST_CASE("executor: a stop between NetBox batches lets the batch in flight finish and skips the later ones") {
    ExecutorFixture f;
    // Every NetBox request takes 300 ms; the stop arrives 100 ms into the first write batch.
    f.netbox.call("POST", "/_sim/config", R"({"latency_ms_per_request": 300})");
    engine::Plan plan;
    for (int i = 0; i < 6; ++i)
        plan.ip_creates.push_back(ip_create(("10.0.1." + std::to_string(20 + i) + "/24").c_str(), std::nullopt, "pc"));
    auto run = f.executor(2);  // batches of 2 objects
    daemon::RunReport report;
    boost::asio::cancellation_signal stop;
    auto body = [&]() -> boost::asio::awaitable<void> {
        co_await accept_partial_cancellation();
        co_await run.apply(plan, report);
    };
    boost::asio::co_spawn(f.io, body(), boost::asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr error) {
                              CHECK_FALSE(error);
                              f.io.stop();
                          }));
    boost::asio::steady_timer timer(f.io, std::chrono::milliseconds(100));
    timer.async_wait([&](auto) { stop.emit(boost::asio::cancellation_type::partial); });
    f.io.restart();
    f.io.run();
    CHECK(count_actions(report, ObjectKind::ip_address, ActionStatus::applied) == 2);
    CHECK(count_actions(report, ObjectKind::ip_address, ActionStatus::skipped) == 4);
    CHECK(run.not_applied() == 4);
    f.netbox.call("POST", "/_sim/config", R"({"latency_ms_per_request": 0})");
    CHECK(f.ips().size() == 2);
}

TEST_CASE("import: failovers, scopes, options and exclusions read through the backend land in NetBox") {
    DaemonFixture f;
    f.netbox.seed(json::object{{"servers", json::array{json::object{
        {"name", "dhcp03"}, {"hostname", "dhcp03.example.com"}, {"port", 443}, {"use_https", true}, {"verify_ssl", true},
        {"sync_standalone_scopes", true}, {"tags", json::array{}}}}}});
    auto& server = f.fakes.server("dhcp03");
    auto& branch = server.add_scope("10.30.1.0", "255.255.255.0", "10.30.1.20", "10.30.1.200", "Branch");
    branch.lease_duration_seconds = 7200;
    server.exclusions[address("10.30.1.0").value] = {engine::DhcpExclusion{address("10.30.1.20"), address("10.30.1.29")}};
    server.options[address("10.30.1.0").value] = {engine::DhcpOptionValue{6, "DNS Servers", {"8.8.8.8", "8.8.4.4"}, "IPv4Address", ""}};
    auto report = f.import("dhcp03");
    INFO(f.log_text.str());
    CHECK(report.exit_code() == 0);
    auto state = f.netbox.state();
    bool scope_found = false;
    for (const auto& scope : state.at("scopes").as_array()) {
        if (scope.at("name").as_string() != "Branch") continue;
        scope_found = true;
        CHECK(scope.at("lease_lifetime").to_number<int>() == 7200);
    }
    CHECK(scope_found);
    bool range_found = false;
    for (const auto& range : state.at("exclusion_ranges").as_array())
        range_found = range_found || range.at("start_ip").as_string() == "10.30.1.20";
    CHECK(range_found);
    bool dns_found = false;
    for (const auto& value : state.at("option_values").as_array())
        dns_found = dns_found || value.at("value").as_string() == "8.8.8.8, 8.8.4.4";
    CHECK(dns_found);
    CHECK(server.apply_calls.empty());  // an import writes to NetBox only

    f.netbox.reset_stats();
    auto again = f.import("dhcp03");
    CHECK(again.exit_code() == 0);
    CHECK(f.netbox.writes() == 0);  // never overwrites, nothing left to create
}

TEST_CASE("import: a server that cannot be read is an error of each category, and nothing is written") {
    DaemonFixture f;
    f.fakes.server("dhcp01").scopes_error = Error{make_error_code(errc::transport), "dhcp01: connection refused"};
    f.netbox.reset_stats();
    auto report = f.import("dhcp01");
    CHECK(report.exit_code() == 1);
    CHECK(f.netbox.writes() == 0);
}
