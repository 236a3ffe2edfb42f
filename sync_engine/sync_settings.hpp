// The `sync:` section of the configuration as the engine sees it. Same names and defaults as the plugin's
// settings (the plugin's behaviour), plus this project's safety settings (README, "How it differs from the plugin").
#pragma once

#include <string>

namespace nds::engine {

struct SyncSettings {
    bool ip_addresses = true;              ///< plugin: sync_ip_addresses
    bool push_reservations = false;
    bool push_scope_info = false;
    bool active_scopes_only = false;
    std::string lease_status = "dhcp";
    std::string reservation_status = "reserved";
    std::string protect_tag;               ///< slug; empty disables protection
    bool protect_update_client_id = false;
    bool create_missing_prefixes = true;
    std::string managed_tag = "dhcp-sync";
    std::string maintenance_tag = "dhcp-maintenance";
    double max_delete_fraction = 0.5;
    int max_delete_min = 10;
    bool allow_mass_delete = false;        ///< --allow-mass-delete
    bool prune_reservations = false;       ///< push mode: remove server reservations NetBox no longer has
};

}  // namespace nds::engine
