// What `check` and the service say about the plugin's own sync job (daemon/plugin_coexistence.hpp).
#include "daemon/log_messages.hpp"
#include "daemon/plugin_coexistence.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <string>

using nds::daemon::assess_plugin_coexistence;
using Jobs = nds::netbox::NetBoxClient::PluginSyncJobs;

namespace {

nds::engine::NetBoxSnapshot two_servers(bool second_in_our_maintenance = false) {
    nds::engine::NetBoxSnapshot snapshot;
    for (const char* name : {"dhcp01", "dhcp02"}) {
        nds::engine::NetBoxServer server;
        server.id = static_cast<nds::engine::ObjectId>(snapshot.servers.size() + 1);
        server.name = name;
        snapshot.servers.push_back(server);
    }
    if (second_in_our_maintenance) snapshot.servers[1].tags.push_back("dhcp-maintenance");
    return snapshot;
}

Jobs ran_recently(std::vector<std::string> skipped, std::string lease_status = "dhcp") {
    Jobs jobs;
    jobs.queued.push_back({11, "scheduled", "2026-12-03T12:00:00Z", "", "", 60});
    jobs.recent.push_back({10, "completed", "2026-12-03T11:00:00Z", "2026-12-03T11:00:01Z", "2026-12-03T11:00:09Z", 60});
    jobs.lease_status = std::move(lease_status);
    jobs.reservation_status = "reserved";
    jobs.maintenance_servers = std::move(skipped);
    return jobs;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("plugin coexistence: no job queued and none ran recently is ok, with nothing to warn") {
    nds::engine::SyncSettings settings;
    auto result = assess_plugin_coexistence(Jobs{}, two_servers(), settings);
    CHECK(result.warnings.empty());
    CHECK(result.summary.rfind("ok", 0) == 0);
}

TEST_CASE("plugin coexistence: a run that synced our servers is a warning naming them and how to stop it") {
    nds::engine::SyncSettings settings;
    auto result = assess_plugin_coexistence(ran_recently({"dhcp01"}), two_servers(), settings);
    REQUIRE(result.warnings.size() == 1);
    CHECK(std::string(result.warnings[0].id) == nds::daemon::msg::PLUGIN_JOB_WRITES);
    const auto& text = result.warnings[0].text;
    INFO(text);
    CHECK(contains(text, "ran at 2026-12-03T11:00:09Z (job 10, completed) and synced dhcp02:"));
    CHECK_FALSE(contains(text, "dhcp01"));  // its newest run skipped dhcp01 for maintenance
    CHECK(contains(text, "maintenance mode"));
    CHECK(contains(result.summary, "WARNING"));
}

TEST_CASE("plugin coexistence: every synced server in the plugin's maintenance mode makes the job harmless") {
    nds::engine::SyncSettings settings;
    // dhcp02 carries this project's maintenance tag: this daemon does not sync it, so the plugin may.
    auto result = assess_plugin_coexistence(ran_recently({"dhcp01"}), two_servers(true), settings);
    CHECK(result.warnings.empty());
    CHECK(contains(result.summary, "ok (the NetBox job \"Windows DHCP Sync\" ran at"));
    CHECK(contains(result.summary, "skips every server synced here"));
}

TEST_CASE("plugin coexistence: a job only scheduled cannot show what it skips, so every server is named") {
    nds::engine::SyncSettings settings;
    Jobs jobs;
    jobs.queued.push_back({11, "scheduled", "2026-12-03T12:00:00Z", "", "", 60});
    auto result = assess_plugin_coexistence(jobs, two_servers(), settings);
    REQUIRE(result.warnings.size() == 1);
    INFO(result.warnings[0].text);
    CHECK(contains(result.warnings[0].text, "is scheduled for 2026-12-03T12:00:00Z, every 60 minutes (job 11)"));
    CHECK(contains(result.warnings[0].text, "may sync dhcp01, dhcp02"));
}

TEST_CASE("plugin coexistence: the plugin's lease_status differing from sync.lease_status is its own warning") {
    nds::engine::SyncSettings settings;
    settings.lease_status = "active";
    auto result = assess_plugin_coexistence(ran_recently({"dhcp01", "dhcp02"}, "dhcp"), two_servers(), settings);
    REQUIRE(result.warnings.size() == 1);
    CHECK(std::string(result.warnings[0].id) == nds::daemon::msg::PLUGIN_LEASE_STATUS_DIFFERS);
    INFO(result.warnings[0].text);
    CHECK(contains(result.warnings[0].text, "the plugin's own lease_status is 'dhcp' but sync.lease_status is 'active'"));

    settings.lease_status = "dhcp";
    CHECK(assess_plugin_coexistence(ran_recently({"dhcp01", "dhcp02"}, "dhcp"), two_servers(), settings).warnings.empty());
}

TEST_CASE("plugin coexistence: a token that may not read jobs is 'unknown' with the reason, not a false alarm") {
    nds::engine::SyncSettings settings;
    nds::Expected<Jobs> denied =
        nds::Error{nds::make_error_code(nds::errc::refused), "HTTP 403 (needs core.view_job)", 403};
    auto result = assess_plugin_coexistence(denied, two_servers(), settings);
    CHECK(result.summary == "unknown");
    REQUIRE(result.warnings.size() == 1);
    CHECK(std::string(result.warnings[0].id) == nds::daemon::msg::PLUGIN_JOB_UNKNOWN);
    CHECK(contains(result.warnings[0].text, "needs core.view_job"));
}
