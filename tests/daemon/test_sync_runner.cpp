// SyncRunner through fake backends and an in-process NetBox simulator: the run's phases, reads that fail,
// writes that fail, stopping, and what each backend is given.
#include "tests/daemon/daemon_fixture.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <doctest/doctest.h>

using namespace nds;
using namespace nds::testing;
using daemon::ActionStatus;
using engine::ObjectKind;
using engine::Verb;

namespace {

daemon::RunRequest only(const std::string& server) {
    daemon::RunRequest request;
    request.servers = {server};
    return request;
}

}  // namespace

TEST_CASE("runner: a backend's leases become NetBox IPs, and a second run writes nothing") {
    DaemonFixture f;
    auto& office = f.fakes.server("dhcp01");
    office.leases[address("10.0.1.0").value] = {lease("10.0.1.20", "00-15-5d-0a-01-02", "Laptop-Ana.corp.example.com"),
                                                lease("10.0.1.21", "00-15-5d-0a-01-03", "phone")};
    auto first = f.sync();
    INFO(f.log_text.str());
    CHECK(first.exit_code() == 0);
    auto ips = f.ips();
    REQUIRE(ips.count("10.0.1.20/24"));
    CHECK(ips["10.0.1.20/24"].at("status").at("value").as_string() == "dhcp");
    CHECK(ips["10.0.1.20/24"].at("dns_name").as_string() == "laptop-ana.corp.example.com");
    CHECK(ips.count("10.0.1.21/24"));
    CHECK(count_actions(first, ObjectKind::ip_address, ActionStatus::applied) == 2);
    // The server was health-checked and its scope read; nothing was written to it.
    CHECK(office.health_calls == 1);
    CHECK(office.reads.size() == 1);
    CHECK(office.apply_calls.empty());

    f.netbox.reset_stats();
    auto second = f.sync();
    CHECK(second.exit_code() == 0);
    CHECK(f.netbox.writes() == 0);
    CHECK(count_actions(second, ObjectKind::ip_address, ActionStatus::applied) == 0);
}

TEST_CASE("runner: an unreachable server is reported and not read, the other one is synced") {
    DaemonFixture f;
    f.fakes.server("dhcp01").health_error = Error{make_error_code(errc::transport), "dhcp01: connection refused"};
    f.fakes.server("dhcp02").leases[address("10.0.2.0").value] = {lease("10.0.2.50", "00-15-5d-0a-02-50", "lab-pc")};
    auto report = f.sync();
    CHECK(report.exit_code() == 1);
    CHECK(has_problem(report, "connection refused"));
    CHECK(f.fakes.server("dhcp01").reads.empty());
    CHECK(f.ips().count("10.0.2.50/24"));
}

TEST_CASE("runner: a scope read that fails deletes nothing in that scope") {
    DaemonFixture f;
    f.seed_ip("10.0.1.30/24", "dhcp", "old-laptop", "00-15-5d-0a-01-30", json::array{"dhcp-sync"});
    f.fakes.server("dhcp01").failing_reads.insert(address("10.0.1.0").value);
    auto report = f.sync(only("dhcp01"));
    CHECK(report.exit_code() == 1);
    CHECK(has_problem(report, "read failed"));
    CHECK(f.ips().count("10.0.1.30/24"));  // still there
}

TEST_CASE("runner: with push_reservations a server's writes reach its backend in plan order, in one apply()") {
    DaemonFixture f;
    f.config.sync.settings.push_reservations = true;
    f.seed_ip("10.0.1.70/24", "reserved", "cam-70", "aa-bb-cc-00-07-00");
    f.seed_ip("10.0.1.81/24", "reserved", "cam-81", "aa-bb-cc-00-08-99");  // MAC changed in NetBox
    auto& office = f.fakes.server("dhcp01");
    office.reservations[address("10.0.1.0").value] = {reservation("10.0.1.81", "aa-bb-cc-00-08-01", "cam-81")};
    auto report = f.sync(only("dhcp01"));
    INFO(f.log_text.str());
    CHECK(report.exit_code() == 0);
    REQUIRE(office.apply_calls.size() == 1);
    const auto& writes = office.apply_calls[0];
    REQUIRE(writes.size() == 3);
    CHECK(writes[0].verb == Verb::remove);  // the old reservation of .81 goes before the creates
    CHECK(writes[1].verb == Verb::create);
    CHECK(writes[2].verb == Verb::create);
    // The report lists them in that order too.
    std::vector<Verb> reported;
    for (const auto& action : report.actions)
        if (action.kind == ObjectKind::reservation) reported.push_back(action.verb);
    CHECK(reported == std::vector<Verb>{Verb::remove, Verb::create, Verb::create});
    std::set<std::string> on_server;
    for (const auto& r : office.reservations[address("10.0.1.0").value]) on_server.insert(r.ip.to_string() + " " + r.client_id);
    CHECK(on_server == std::set<std::string>{"10.0.1.70 aa-bb-cc-00-07-00", "10.0.1.81 aa-bb-cc-00-08-99"});
}

TEST_CASE("runner: a write the server refuses is failed in the report, the others are applied") {
    DaemonFixture f;
    f.config.sync.settings.push_reservations = true;
    f.seed_ip("10.0.1.70/24", "reserved", "cam-70", "aa-bb-cc-00-07-00");
    f.seed_ip("10.0.1.71/24", "reserved", "cam-71", "aa-bb-cc-00-07-01");
    f.fakes.server("dhcp01").refuse = [](const engine::DhcpWrite& write) -> std::optional<std::string> {
        if (write.note.object.rfind("10.0.1.70", 0) == 0) return "the MAC is reserved elsewhere";
        return std::nullopt;
    };
    auto report = f.sync(only("dhcp01"));
    CHECK(report.exit_code() == 1);
    CHECK(count_actions(report, ObjectKind::reservation, ActionStatus::failed) == 1);
    CHECK(count_actions(report, ObjectKind::reservation, ActionStatus::applied) == 1);
    bool error_kept = false;
    for (const auto& action : report.actions) error_kept = error_kept || action.error == "the MAC is reserved elsewhere";
    CHECK(error_kept);
}

TEST_CASE("runner: a stop during the DHCP writes lets the write in flight finish and skips the rest") {
    DaemonFixture f;
    f.config.sync.settings.push_reservations = true;
    for (int i = 0; i < 4; ++i) f.seed_ip("10.0.1.7" + std::to_string(i) + "/24", "reserved", "cam", "aa-bb-cc-00-07-0" + std::to_string(i));
    boost::asio::cancellation_signal stop;
    int seen = 0;
    // The stop arrives while the first write is being applied (as SIGTERM would: from outside the run).
    auto& office = f.fakes.server("dhcp01");
    office.write_delay = std::chrono::milliseconds(20);
    office.refuse = [&](const engine::DhcpWrite&) -> std::optional<std::string> {
        if (seen++ == 0)
            boost::asio::post(f.io, [&] { stop.emit(boost::asio::cancellation_type::partial); });
        return std::nullopt;
    };
    daemon::SyncRunner runner(f.io.get_executor(), f.config, f.log, {}, f.fakes.factory());
    std::optional<daemon::RunReport> report;
    // Named: a coroutine lambda's captures live in the closure, which must outlive the coroutine.
    daemon::RunRequest request;
    request.servers = {"dhcp01"};
    request.waves_per_batch = 1;
    auto body = [&]() -> boost::asio::awaitable<void> { report.emplace(co_await runner.run(request)); };
    boost::asio::co_spawn(
        f.io, body(),
        boost::asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr error) {
            CHECK_FALSE(error);
            f.io.stop();
        }));
    f.io.restart();
    f.io.run();
    REQUIRE(report);
    CHECK(report->stopped);
    CHECK(count_actions(*report, ObjectKind::reservation, ActionStatus::applied) == 1);
    CHECK(count_actions(*report, ObjectKind::reservation, ActionStatus::skipped) == 3);
    for (const auto& action : report->actions)
        if (action.kind == ObjectKind::reservation && action.status == ActionStatus::skipped) CHECK(action.was_stopped());
    CHECK(has_problem(*report, "stopped before all changes were applied"));
}

TEST_CASE("runner: --dry-run plans the pushes and calls no apply(), writes nothing to NetBox") {
    DaemonFixture f;
    f.config.sync.settings.push_reservations = true;
    f.seed_ip("10.0.1.70/24", "reserved", "cam-70", "aa-bb-cc-00-07-00");
    f.fakes.server("dhcp01").leases[address("10.0.1.0").value] = {lease("10.0.1.20", "00-15-5d-0a-01-02", "pc")};
    f.netbox.reset_stats();
    daemon::RunRequest request;
    request.dry_run = true;
    auto report = f.sync(request);
    CHECK(report.exit_code() == 0);
    CHECK(f.netbox.writes() == 0);
    CHECK(f.fakes.server("dhcp01").apply_calls.empty());
    CHECK(count_actions(report, ObjectKind::reservation, ActionStatus::planned) == 1);
    CHECK(count_actions(report, ObjectKind::ip_address, ActionStatus::planned) == 1);
}

TEST_CASE("runner: an operation the backend cannot perform is skipped with one warning, and the run succeeds") {
    DaemonFixture f;
    f.config.sync.settings.push_scope_info = true;
    f.netbox.seed(json::object{{"prefixes", json::array{json::object{{"prefix", "10.0.3.0/24"}, {"vrf", nullptr},
                                                                    {"tags", json::array{}}, {"status", "active"}}}},
                               {"scopes", json::array{json::object{
                                   {"name", "Annex"}, {"prefix", "10.0.3.0/24"}, {"vrf", nullptr}, {"start_ip", "10.0.3.10"},
                                   {"end_ip", "10.0.3.200"}, {"router", nullptr}, {"lease_lifetime", 86400},
                                   {"server", "dhcp01"}, {"failover", nullptr}, {"tags", json::array{}},
                                   {"exclusion_ranges", json::array{}}}}}});
    auto& office = f.fakes.server("dhcp01");
    office.capabilities.unsupported = {engine::DhcpOperation::scope_create};
    office.capabilities.unsupported_why = "the fake cannot create scopes";
    auto report = f.sync(only("dhcp01"));
    INFO(f.log_text.str());
    CHECK(report.exit_code() == 0);
    CHECK(office.apply_calls.empty());
    CHECK(count_actions(report, ObjectKind::dhcp_scope, ActionStatus::skipped) == 1);
    CHECK(has_problem(report, "scope create — the fake cannot create scopes"));
}

TEST_CASE("runner: each backend is made with NetBox's view of its server, failovers and partners") {
    DaemonFixture f;
    f.netbox.seed(json::object{{"failovers", json::array{json::object{
        {"name", "FO-LAB"}, {"primary_server", "dhcp01"}, {"secondary_server", "dhcp02"}, {"mode", "HotStandby"},
        {"sync_enabled", true}, {"tags", json::array{}}}}}});
    f.sync();
    const auto& contexts = f.fakes.contexts();
    REQUIRE(contexts.count("dhcp01"));
    const auto& context = contexts.at("dhcp01");
    CHECK(context.server.hostname == "dhcp01.example.com");
    REQUIRE(context.failovers.size() == 1);
    CHECK(context.failovers[0].name == "FO-LAB");
    REQUIRE(context.partners.size() == 1);
    CHECK(context.partners[0].name == "dhcp02");
}
