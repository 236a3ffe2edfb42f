#include "daemon/plugin_coexistence.hpp"

#include "daemon/log_messages.hpp"
#include "sync_engine/maintenance.hpp"

#include <algorithm>

namespace nds::daemon {

namespace {

constexpr const char* kHowToStop =
    "turn on the plugin's maintenance mode on each of these servers (the server's page in NetBox): the plugin's "
    "job then skips them and this daemon, which does not read that flag, keeps syncing them. No plugin setting "
    "turns the job off, and a deleted job comes back at the next NetBox worker start";

std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
}

std::string describe_activity(const netbox::NetBoxClient::PluginSyncJobs& jobs) {
    if (!jobs.recent.empty()) {
        const auto& last = jobs.recent.front();
        return "ran at " + (last.completed.empty() ? last.started : last.completed) + " (job " +
               std::to_string(last.id) + ", " + last.status + ")";
    }
    const auto& next = jobs.queued.front();
    std::string when = next.scheduled.empty() ? "" : " for " + next.scheduled;
    std::string every = next.interval ? ", every " + std::to_string(*next.interval) + " minutes" : "";
    return "is " + next.status + when + every + " (job " + std::to_string(next.id) + ")";
}

}  // namespace

PluginCoexistence assess_plugin_coexistence(const Expected<netbox::NetBoxClient::PluginSyncJobs>& jobs,
                                            const engine::NetBoxSnapshot& snapshot,
                                            const engine::SyncSettings& settings) {
    PluginCoexistence out;
    if (!jobs) {
        out.summary = "unknown";
        out.warnings.push_back({msg::PLUGIN_JOB_UNKNOWN,
                                "the plugin's own sync job (NetBox job \"Windows DHCP Sync\") could not be read (" +
                                    jobs.error().message + "): make sure it does not write beside this daemon (README, "
                                    "\"Before pointing it at a real NetBox\")"});
        return out;
    }
    if (!jobs->active()) {
        out.summary = "ok (the NetBox job \"Windows DHCP Sync\" is not scheduled and has not run recently)";
        return out;
    }
    std::vector<std::string> written;
    for (const auto& server : snapshot.servers) {
        if (engine::in_maintenance(server, settings)) continue;
        const auto& skipped = jobs->maintenance_servers;
        if (std::find(skipped.begin(), skipped.end(), server.name) == skipped.end()) written.push_back(server.name);
    }
    if (!written.empty()) {
        bool known = !jobs->recent.empty() && !jobs->lease_status.empty();
        out.warnings.push_back({msg::PLUGIN_JOB_WRITES,
            "the plugin's own sync job (NetBox job \"Windows DHCP Sync\") " + describe_activity(*jobs) +
            (known ? " and synced " : " and, with no recent run to show which servers it skips, may sync ") +
            join(written) + ": it writes the same NetBox objects as this daemon; " + kHowToStop});
    }
    if (!jobs->lease_status.empty() && jobs->lease_status != settings.lease_status)
        out.warnings.push_back({msg::PLUGIN_LEASE_STATUS_DIFFERS, "the plugin's own lease_status is '" + jobs->lease_status + "' but sync.lease_status is '" +
                               settings.lease_status + "': NetBox validates IP addresses with the plugin's value (every "
                               "IP written with status '" + jobs->lease_status + "' must lie in a scope's prefix, "
                               "outside its exclusion ranges), so set the plugin's Lease status and sync.lease_status "
                               "to the same status"});
    if (written.empty())
        out.summary = "ok (the NetBox job \"Windows DHCP Sync\" " + describe_activity(*jobs) +
                      " but skips every server synced here: they are in the plugin's maintenance mode)";
    else
        out.summary = "WARNING the plugin's own sync job writes beside this daemon";
    return out;
}

}  // namespace nds::daemon
