#include "daemon/metrics.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>

using namespace nds::daemon;
using nds::engine::ObjectKind;
using nds::engine::Verb;

namespace {

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST_CASE("metrics: counters, gauges and label escaping in the text format") {
    Metrics m;
    m.describe("t_total", Metrics::Type::counter, "A test counter.");
    m.increment("t_total", {{"a", "x"}});
    m.increment("t_total", {{"a", "x"}}, 2);
    m.increment("t_total", {{"a", "quote\"back\\slash\nnl"}});
    m.describe("t_gauge", Metrics::Type::gauge, "A gauge.");
    m.set("t_gauge", {}, 1.5);
    auto text = m.exposition();
    CHECK(has_line(text, "# HELP t_total A test counter."));
    CHECK(has_line(text, "# TYPE t_total counter"));
    CHECK(has_line(text, "t_total{a=\"x\"} 3"));
    CHECK(has_line(text, "t_total{a=\"quote\\\"back\\\\slash\\nnl\"} 1"));
    CHECK(has_line(text, "# TYPE t_gauge gauge"));
    CHECK(has_line(text, "t_gauge 1.5"));
    CHECK(m.value("t_total", {{"a", "x"}}) == 3);
    CHECK_THROWS(m.increment("undeclared"));
}

TEST_CASE("metrics: histograms are cumulative with +Inf, sum and count") {
    Metrics m;
    m.describe("h_seconds", Metrics::Type::histogram, "A histogram.", {0.1, 1, 10});
    m.observe("h_seconds", {{"t", "a"}}, 0.05);
    m.observe("h_seconds", {{"t", "a"}}, 0.5);
    m.observe("h_seconds", {{"t", "a"}}, 100);
    auto text = m.exposition();
    CHECK(has_line(text, "h_seconds_bucket{t=\"a\",le=\"0.1\"} 1"));
    CHECK(has_line(text, "h_seconds_bucket{t=\"a\",le=\"1\"} 2"));
    CHECK(has_line(text, "h_seconds_bucket{t=\"a\",le=\"10\"} 2"));
    CHECK(has_line(text, "h_seconds_bucket{t=\"a\",le=\"+Inf\"} 3"));
    CHECK(has_line(text, "h_seconds_sum{t=\"a\"} 100.55"));
    CHECK(has_line(text, "h_seconds_count{t=\"a\"} 3"));
}

TEST_CASE("metrics: a run's outcome, objects by type and action, last success per server") {
    Metrics m;
    RunReport report;
    report.servers = {"dhcp01", "dhcp02", "dhcp03"};
    report.duration_seconds = 2;
    report.actions.push_back({ObjectKind::ip_address, Verb::create, ActionStatus::applied, {"dhcp01", "A", "10.0.0.5/24", ""}, {}});
    report.actions.push_back({ObjectKind::ip_address, Verb::create, ActionStatus::applied, {"dhcp01", "A", "10.0.0.6/24", ""}, {}});
    report.actions.push_back({ObjectKind::ip_address, Verb::remove, ActionStatus::applied, {"dhcp01", "A", "10.0.0.7/24", ""}, {}});
    report.actions.push_back({ObjectKind::scope, Verb::update, ActionStatus::failed, {"dhcp02", "B", "B", ""}, "HTTP 400"});
    report.actions.push_back({ObjectKind::server, Verb::update, ActionStatus::skipped, {"dhcp03", "", "dhcp03", "maintenance"}, {}});
    auto finished = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    m.record_run("schedule", report, finished);
    CHECK(m.value("netbox_dhcp_sync_runs_total", {{"origin", "schedule"}, {"outcome", "failed"}}) == 1);
    CHECK(m.value("netbox_dhcp_sync_objects_changed_total", {{"type", "ip_address"}, {"action", "create"}}) == 2);
    CHECK(m.value("netbox_dhcp_sync_objects_changed_total", {{"type", "ip_address"}, {"action", "delete"}}) == 1);
    CHECK(m.value("netbox_dhcp_sync_objects_failed_total", {{"type", "scope"}, {"action", "update"}}) == 1);
    CHECK(m.value("netbox_dhcp_sync_last_success_timestamp_seconds", {{"server", "dhcp01"}}) == 1700000000);
    CHECK(m.value("netbox_dhcp_sync_last_success_timestamp_seconds", {{"server", "dhcp02"}}) == 0);  // failed
    CHECK(m.value("netbox_dhcp_sync_last_success_timestamp_seconds", {{"server", "dhcp03"}}) == 0);  // skipped
    CHECK(m.value("netbox_dhcp_sync_run_duration_seconds", {{"origin", "schedule"}}) == 1);

    RunReport fatal;
    fatal.fatal_error = "NetBox: refused";
    m.record_run("api", fatal, finished);
    CHECK(m.value("netbox_dhcp_sync_runs_total", {{"origin", "api"}, {"outcome", "error"}}) == 1);
    m.record_http("netbox", 200, std::chrono::milliseconds(20));
    m.record_http("dhcp01", 0, std::chrono::seconds(5));
    CHECK(m.value("netbox_dhcp_sync_http_requests_total", {{"target", "netbox"}, {"status", "200"}}) == 1);
    CHECK(m.value("netbox_dhcp_sync_http_requests_total", {{"target", "dhcp01"}, {"status", "0"}}) == 1);
    auto text = m.exposition();
    CHECK(has_line(text, "netbox_dhcp_sync_jobs{state=\"queued\"} 0"));
    CHECK(text.find("# TYPE netbox_dhcp_sync_run_duration_seconds histogram") != std::string::npos);
}

TEST_CASE("metrics: dry runs count as runs but change nothing") {
    Metrics m;
    RunReport report;
    report.dry_run = true;
    report.servers = {"dhcp01"};
    report.actions.push_back({ObjectKind::ip_address, Verb::create, ActionStatus::planned, {"dhcp01", "A", "x", ""}, {}});
    m.record_run("api", report, std::chrono::system_clock::now());
    CHECK(m.value("netbox_dhcp_sync_runs_total", {{"origin", "api"}, {"outcome", "success"}}) == 1);
    CHECK(m.value("netbox_dhcp_sync_objects_changed_total", {{"type", "ip_address"}, {"action", "create"}}) == 0);
    CHECK(m.value("netbox_dhcp_sync_last_success_timestamp_seconds", {{"server", "dhcp01"}}) == 0);
}

TEST_CASE("the Grafana dashboard's panels query only metrics the service exports") {
    std::ifstream in(NDS_SOURCE_DIR "/deploy/grafana/netbox-dhcp-sync.json");
    REQUIRE(in);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto dashboard = boost::json::parse(text);
    auto exported = Metrics{}.exposition();
    auto exports = [&](const std::string& name, const char* type) {
        return exported.find("# TYPE " + name + " " + type + "\n") != std::string::npos;
    };
    const std::regex metric_name("netbox_dhcp_sync_[a-z_]+");
    int queries = 0;
    std::set<std::string> used;
    for (const auto& panel : dashboard.at("panels").as_array()) {
        const auto& targets = panel.at("targets").as_array();
        CHECK_MESSAGE(!targets.empty(), panel.at("title").as_string().c_str());
        for (const auto& target : targets) {
            std::string expr(target.at("expr").as_string());
            ++queries;
            int names = 0;
            for (std::sregex_iterator it(expr.begin(), expr.end(), metric_name), end; it != end; ++it, ++names) {
                std::string name = it->str();
                INFO(panel.at("title").as_string().c_str(), ": ", expr);
                bool known = exports(name, "counter") || exports(name, "gauge");
                for (const char* suffix : {"_bucket", "_sum", "_count"}) {
                    std::string s(suffix);
                    if (!known && name.size() > s.size() && name.ends_with(s))
                        known = exports(name.substr(0, name.size() - s.size()), "histogram");
                }
                CHECK(known);
                used.insert(name);
            }
            CHECK_MESSAGE(names > 0, expr);
        }
    }
    CHECK(queries >= 10);
    // The operator's questions: how runs end, how long they take, how stale each server is, what was written
    // and refused, and the queue.
    for (const char* needed : {"netbox_dhcp_sync_runs_total", "netbox_dhcp_sync_run_duration_seconds_bucket",
                               "netbox_dhcp_sync_last_success_timestamp_seconds", "netbox_dhcp_sync_objects_changed_total",
                               "netbox_dhcp_sync_objects_failed_total", "netbox_dhcp_sync_jobs"})
        CHECK_MESSAGE(used.count(needed), needed);
}
