// NetBox JSON <-> engine types, without I/O: list pages of the plugin's objects and of NetBox core objects
// (NetBox's REST API; the plugin's behaviour), and the elements of bulk write bodies (§3).
//
// Parsing is per record: a record that cannot be used (no id, an address that is not IPv4, a nested object
// without id) is skipped and described in Page::problems; only a body that is not a list page at all is an
// Error. IPv6 addresses and prefixes are skipped silently: this sync is IPv4 only and they are not faults.
#pragma once

#include "util/expected.hpp"
#include "sync_engine/import_inputs.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::netbox::json_codec {

/// One page of a NetBox list: {"count": int|null, "next": url|null, "previous": ..., "results": [...]}.
template <class T>
struct Page {
    std::optional<std::int64_t> count;   ///< null in cursor mode (4.6 start=)
    std::string next;                    ///< path + query of the next page; "" on the last page
    std::vector<T> results;
    std::vector<std::string> problems;   ///< records that were skipped, and why
    /// slug -> id of every tag seen nested in the page's records: writes refer to tags by id (NetBox 4.6.6+
    /// resolves a reference by attributes only among the tags the token may view).
    std::map<std::string, engine::ObjectId> tag_ids;
};

/// A tag of /api/extras/tags/.
struct TagRef {
    engine::ObjectId id = 0;
    std::string slug;
};

/// An IP range of /api/ipam/ip-ranges/ (IPv4 only; IPv6 ranges are skipped).
Expected<Page<engine::NetBoxIpRange>> parse_ip_range_page(std::string_view body);

/// A core.Job of /api/core/jobs/ (the fields this client reads).
struct JobRecord {
    engine::ObjectId id = 0;
    std::string name;
    std::string status;        ///< pending | scheduled | running | completed | errored | failed
    std::string created, scheduled, started, completed;  ///< ISO 8601, "" when null
    std::optional<std::int64_t> interval;                ///< minutes
    std::vector<std::string> log_messages;               ///< log_entries[].message, in order
};
Expected<Page<JobRecord>> parse_job_page(std::string_view body);

/// The plugin's settings as its sync job logs them at the start of every run (background_tasks.py):
/// "Starting DHCP sync: ... lease_status='dhcp' reservation_status='reserved'" (Python reprs). nullopt when
/// `message` is not that line.
struct PluginSyncSettings {
    std::string lease_status;
    std::string reservation_status;
};
std::optional<PluginSyncSettings> parse_sync_start_line(std::string_view message);
/// The server a run of the plugin's sync job skipped because it is in the plugin's maintenance mode, from its
/// log line "Skipping server <name>: maintenance mode enabled" (background_tasks.py); nullopt for other lines.
std::optional<std::string> parse_maintenance_skip_line(std::string_view message);

/// NetBox's `next` is an absolute URL built from the Host NetBox saw; only its path and query are used, so
/// a proxy or another origin in it does not redirect the client. "" stays "".
std::string next_target(std::string_view next_url);

/// The next page's target read off the first bytes of a page, before the page is parsed, so that it can be
/// asked for while this one is: NetBox (DRF's compact renderer) writes {"count":N,"next":"url"|null,... first.
/// "" for a null `next`; nullopt when the page does not start that way or the URL has escapes (then only
/// the parsed page says where to go on).
std::optional<std::string> peek_next_target(std::string_view body);

Expected<Page<engine::NetBoxServer>> parse_server_page(std::string_view body);
Expected<Page<engine::NetBoxFailover>> parse_failover_page(std::string_view body);
Expected<Page<engine::NetBoxScope>> parse_scope_page(std::string_view body);
Expected<Page<engine::NetBoxPrefix>> parse_prefix_page(std::string_view body);
Expected<Page<engine::NetBoxIpAddress>> parse_ip_address_page(std::string_view body);
/// The plugin's option library (import): option-codes/ and option-values/ (the plugin's behaviour).
Expected<Page<engine::NetBoxOptionCode>> parse_option_code_page(std::string_view body);
Expected<Page<engine::NetBoxOptionValue>> parse_option_value_page(std::string_view body);
/// Tag pages: only the slugs matter (ensure_tag).
Expected<Page<TagRef>> parse_tag_page(std::string_view body);
/// The "id" of a single created object (a POST of one object answers the object).
Expected<engine::ObjectId> parse_object_id(std::string_view body);

/// A record of /api/core/object-changes/ (the fields this client reads).
struct ChangeRecord {
    engine::ObjectId id = 0;
    std::string time;                ///< ISO 8601
    std::string action;              ///< create | update | delete
    std::string changed_object_type; ///< "ipam.ipaddress"
    engine::ObjectId changed_object_id = 0;
};
Expected<Page<ChangeRecord>> parse_object_change_page(std::string_view body);

/// A NetBox date/time ("2026-09-01T10:00:00.123456Z", "+02:00" offsets, or none = UTC); nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parse_iso_datetime(std::string_view text);

/// An HTTP Date header (RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"); nullopt for other forms.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);
/// "2026-09-01T10:00:00Z": a time for NetBox's date/time filters (whole seconds, UTC).
std::string iso_utc(std::chrono::system_clock::time_point t);

/// GET /api/status/: "netbox-version" and the plugin map.
struct StatusInfo {
    std::string netbox_version;
    bool plugin_installed = false;
    std::string plugin_version;
};
Expected<StatusInfo> parse_status(std::string_view body);
/// GET /api/authentication-check/ -> "username".
Expected<std::string> parse_username(std::string_view body);

/// The "id" of every element of a bulk create/update response (an array of objects), in order; 0 for an
/// element without one. Error when the body is not a JSON array.
Expected<std::vector<engine::ObjectId>> parse_ids(std::string_view body);

// ---- bulk body elements (one JSON object per object; the client joins them into an array) ----
// Ids are JSON integers: 4.5/4.6 key bulk updates by the raw value, so "5" would not match id 5.
// `changelog_message` is added to every element when non-empty.

/// `tag_ids`: the NetBox ids of create.tags / update.tags (same order), resolved by the caller: tags are
/// written by id.
boost::json::object ip_create_element(const engine::IpAddressCreate& create, const std::vector<engine::ObjectId>& tag_ids,
                                      const std::string& changelog_message);
boost::json::object ip_update_element(const engine::IpAddressUpdate& update, const std::vector<engine::ObjectId>& tag_ids,
                                      const std::string& changelog_message);
boost::json::object prefix_create_element(const engine::PrefixCreate& create, const std::string& changelog_message);
/// option_value_ids is sent only when the scope links option values (those with a known id).
boost::json::object scope_create_element(const engine::ScopeCreate& create, engine::ObjectId prefix_id,
                                         const std::string& changelog_message);
/// failover/ write form: primary_server_id, secondary_server_id, ... (no shared_secret: enable_auth is off).
boost::json::object failover_create_element(const engine::FailoverCreate& create, const std::string& changelog_message);
boost::json::object option_code_create_element(const engine::OptionCodeCreate& create, const std::string& changelog_message);
/// option-values/ write form: option_definition_id, value, friendly_name "".
boost::json::object option_value_create_element(const engine::OptionValueCreate& create, engine::ObjectId definition_id,
                                                const std::string& changelog_message);
boost::json::object scope_update_element(const engine::ScopeUpdate& update, const std::string& changelog_message);
boost::json::object exclusion_create_element(engine::ObjectId scope_id, engine::Ipv4Address start,
                                             engine::Ipv4Address end, const std::string& changelog_message);
boost::json::object delete_element(engine::ObjectId id, const std::string& changelog_message);
boost::json::object tag_create_element(const std::string& slug, const std::string& name, const std::string& description);
/// A journal entry on a plugin DHCP server object (kind: success | warning | danger | info).
boost::json::object server_journal_element(engine::ObjectId server_id, const std::string& kind, const std::string& comments);

/// "[e1,e2,...]" from already serialized elements, those at `indexes`, in that order. (Elements are
/// serialized once; a batch that is split is re-joined, not re-serialized.)
std::string join_array(const std::vector<std::string>& serialized, const std::vector<std::size_t>& indexes);

}  // namespace nds::netbox::json_codec
