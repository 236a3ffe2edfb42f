// The plugin's own background sync (NetBox system job "Windows DHCP Sync") writes the same NetBox objects as
// this daemon unless each DHCP server is in the plugin's maintenance mode (README, "Before pointing it at a
// real NetBox"). `check` and the service at start-up read the job over REST and say so; this file decides
// what they say.
#pragma once

#include "netbox_client/netbox_client.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/sync_settings.hpp"
#include "util/expected.hpp"

#include <string>
#include <vector>

namespace nds::daemon {

struct PluginCoexistence {
    /// One line for `check`: "ok (...)", "WARNING ..." or "unknown".
    std::string summary;
    struct Warning {
        const char* id;    ///< a stable id of daemon/log_messages.hpp
        std::string text;  ///< a complete sentence, for the log and for `check`
    };
    /// Empty when the plugin's job writes nothing this daemon syncs and its lease_status agrees.
    std::vector<Warning> warnings;
};

/// What the plugin's sync job means for the servers this daemon syncs (`snapshot`'s servers outside this
/// project's maintenance tag): a job that is queued or ran recently writes beside us, except for servers its
/// newest run skipped for the plugin's maintenance mode. Also compares the plugin's lease_status, which its IP
/// validation uses, with sync.lease_status. A token that may not read jobs gives "unknown", not a warning of
/// a second writer that may not exist.
PluginCoexistence assess_plugin_coexistence(const Expected<netbox::NetBoxClient::PluginSyncJobs>& jobs,
                                            const engine::NetBoxSnapshot& snapshot,
                                            const engine::SyncSettings& settings);

}  // namespace nds::daemon
