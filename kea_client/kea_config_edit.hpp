// The sync's writes as edits of Kea's Dhcp4 configuration in memory, sans I/O. apply() in kea_backend
// sends the edited configuration in one config-test / config-set cycle; this file decides what each write
// changes, and checks afterwards that Kea holds it.
//
//   scope create      a new subnet4 entry at the top level: next free id, "subnet" from the scope id and
//                     mask, one pool = the range, valid-lifetime, routers option, user-context name/description
//   scope update      the same fields of an existing subnet (where it is: top level or shared network);
//                     a changed range keeps the exclusions inside the new range; other keys untouched
//   scope delete      the subnet4 entry removed
//   exclusion create  the addresses leave the pools (they must lie inside the scope's range)
//   exclusion delete  the addresses rejoin the pools
//   reservation create/update/delete   the subnet's "reservations" (identified by hw-address / client-id)
// A write whose effect is already there changes nothing (a reservation identical to the one asked for, an
// exclusion already excluded, a delete of something absent). Kea's own rules (an address outside its
// subnet, duplicates) are left to config-test: the message then comes from Kea.
#pragma once

#include "kea_client/kea_config.hpp"
#include "sync_engine/plan.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <system_error>
#include <vector>

namespace nds::kea {

struct EditOutcome {
    bool included = true;   ///< false: the write was left out of this edit (apply_writes' `include`)
    bool ok = true;         ///< false: the write cannot be made (code and message say why)
    bool changed = false;   ///< it changed the configuration
    std::error_code code;
    std::string message;
};

/// Applies one write in place.
EditOutcome apply_write(json::object& dhcp4, const engine::DhcpWrite& write);

struct EditedConfig {
    json::object dhcp4;
    std::vector<EditOutcome> outcomes;  ///< one per write, in order
    bool changed = false;               ///< any write changed the configuration
};

/// A copy of `original` with the writes whose `include` flag is set applied in order (an empty `include`
/// means all).
EditedConfig apply_writes(const json::object& original, const std::vector<engine::DhcpWrite>& writes,
                          const std::vector<bool>& include = {});

/// The networks the writes are about.
std::vector<engine::Ipv4Address> touched_networks(const std::vector<engine::DhcpWrite>& writes);

/// The sync's view (scope fields, exclusions, reservations) of each network in both configurations: ""
/// when they agree, else what differs (one line per network, at most a few). Used after config-set to check
/// that Kea holds every change it was sent (Kea adds defaults; only what the sync reads is compared).
std::string compare_views(const json::object& expected, const json::object& actual,
                          const std::vector<engine::Ipv4Address>& networks);

/// For --dry-run: a short JSON list of the subnets that change, each with the keys that differ before and
/// after: [{"subnet": "10.0.1.0/24", "change": "update", "before": {...}, "after": {...}}]. "[]" when none.
std::string describe_changes(const json::object& before, const json::object& after);

}  // namespace nds::kea
