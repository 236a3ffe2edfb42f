// A NetBox webhook body (default body, no body_template) parsed into what the sync needs: the event, who
// made the change, and the changed object (sync_engine/change_scope.hpp). Accepts the shapes of NetBox 4.5
// (top-level `username`, `request_id`), 4.6 (both plus `request{id,user,...}`) and 4.7 (`request` only),
// NetBox's REST API. Pure: no I/O.
#pragma once

#include "util/expected.hpp"
#include "sync_engine/change_scope.hpp"

#include <string>
#include <vector>

namespace nds::daemon {

struct WebhookEvent {
    std::string event;        ///< "created" | "updated" | "deleted" (job events are reported but not synced)
    std::string object_type;  ///< "ipam.ipaddress", "netbox_windows_dhcp.dhcpscope", ...
    std::string username;     ///< who made the change ("" when the payload does not say)
    std::string request_id;   ///< NetBox's request id (changelog request_id)
    std::string timestamp;
    /// The object after the change (from `data`, completed by `snapshots.postchange`) and, when the payload
    /// has a pre-change snapshot, the object before it: a scope moved between servers concerns both.
    std::vector<engine::ChangedObject> objects;

    /// True for created/updated/deleted on an object type the sync cares about.
    bool relevant() const;
};

/// Parses the body; an Error names what is missing or malformed (answered 400).
Expected<WebhookEvent> parse_webhook_event(const std::string& body);

}  // namespace nds::daemon
