// NetBox and netbox-windows-dhcp plugin REST client: typed, paginated reads and bulk writes.
// Every wire detail of NetBox (paths, query parameters, JSON shapes, error bodies of 4.5/4.6/4.7) lives in
// netbox_client/; callers see engine types only.
#pragma once

#include "util/expected.hpp"
#include "http/http_client.hpp"
#include "sync_engine/import_inputs.hpp"
#include "sync_engine/netbox_snapshot.hpp"
#include "sync_engine/plan.hpp"
#include "sync_engine/sync_planner.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace nds::netbox {

using engine::ObjectId;

struct NetBoxOptions {
    std::string url;                 ///< "https://netbox.example.com" (a path prefix is kept)
    std::string token;               ///< the value only; "nbt_..." -> Bearer, else Token
    std::string plugin_path = "/api/plugins/windows-dhcp/";
    int page_size = 1000;
    /// IP addresses per bulk create or update request (deletes and other objects use page_size). Writing an
    /// IP costs NetBox far more than reading one: besides its own ~10 queries per IP (validation, duplicate and
    /// populated-range checks, the insert, tags, the change record), the plugin's post_clean check loads its
    /// settings for every IP written and, for every IP with the plugin's lease status, every scope with its
    /// exclusion ranges, in Python. On a large estate (2,000 scopes) that is about 50-100 ms per IP, so 1,000
    /// IPs in one request (page_size) would run 50-100 s, past the 30 s request timeout, and a POST that times
    /// out may still be committed by NetBox. 100 IPs keep a request at about 5-10 s, a third of the timeout,
    /// while the per-request overhead stays small beside the per-IP cost. 0 = page_size.
    int ip_write_batch_size = 100;
    int max_concurrent_writes = 2;
    std::string changelog_message;   ///< sent with every write (names the job); cut to 200 chars
    http::ClientOptions http;
    /// Called for every record a read skipped (malformed) and for other non-fatal oddities (a bulk
    /// response without ids), with a message naming the request. Default: ignored.
    std::function<void(const std::string& message)> on_problem;
};

/// One object NetBox refused, with NetBox's own error text.
struct WriteFailure {
    engine::ObjectKind kind = engine::ObjectKind::ip_address;
    /// Which action of the call failed: its index in the list passed to the write method. For an object
    /// written on the side (kind differs from the call's: a new scope's exclusion range), its scope's index.
    std::size_t action = 0;
    std::string object;   ///< the action's label (ActionNote::object)
    std::string server;
    std::string scope;
    std::string error;    ///< e.g. "address: Duplicate IP address found in global table: 10.0.1.5/24"
};

struct WriteReport {
    std::size_t applied = 0;             ///< objects of the call's own kind that NetBox accepted
    std::size_t exclusions_applied = 0;  ///< create_scopes only: exclusion ranges created for the new scopes
    std::vector<WriteFailure> failures;
    std::vector<ObjectId> created_ids;   ///< for creates, in request order; 0 for failed ones
};

class NetBoxClient {
public:
    NetBoxClient(boost::asio::any_io_executor executor, NetBoxOptions options);
    ~NetBoxClient();

    /// "Authorization" header value for the configured token.
    static std::string authorization_header(const std::string& token);

    /// GET /api/authentication-check/ -> the token's username. 403 -> Error with http_status 403.
    boost::asio::awaitable<Expected<std::string>> authenticated_user();
    /// GET /api/status/ -> NetBox version and whether the plugin is installed (plugin name -> version).
    struct Status {
        std::string netbox_version;
        bool plugin_installed = false;
        std::string plugin_version;
        /// Why the plugin is missing, for people ("" when it is installed): NetBox 4.7 does not load plugin
        /// v1.3.5 (max_version 4.6.99), or it is not installed.
        std::string plugin_problem;
    };
    boost::asio::awaitable<Expected<Status>> status();
    /// status(), but an Error (errc::unsupported, message = Status::plugin_problem) when NetBox has not loaded
    /// the plugin. The plugin's list reads give the same kind of Error when NetBox answers 404 on them.
    boost::asio::awaitable<Expected<Status>> plugin_status();

    // ---- reads (all pages, ordering=id) ----
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxServer>>> list_servers();
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxFailover>>> list_failovers();
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxScope>>> list_scopes();
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxPrefix>>> list_prefixes_by_id(std::vector<ObjectId> ids);
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxPrefix>>> list_prefixes_by_tag(std::string slug);
    /// Prefixes with exactly these networks (any VRF), for auto-import.
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxPrefix>>> find_prefixes(std::vector<engine::Ipv4Network> networks);
    /// IP addresses whose host lies in one of the prefixes, per VRF (parent=...&vrf_id=...|null).
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxIpAddress>>> list_ip_addresses(std::vector<engine::PrefixToRead> prefixes);
    /// IP ranges with mark_populated in the VRFs of `prefixes` that overlap at least one of them (in the same
    /// VRF). NetBox refuses to create an IP address inside such a range (IPAddress.clean): the engine plans
    /// none there (sync_engine/populated_ranges.hpp). One list read per VRF (mark_populated=true&vrf_id=..):
    /// NetBox's `parent` filter only finds ranges lying wholly inside a prefix, and populated ranges are few.
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxIpRange>>> list_populated_ranges(
        std::vector<engine::PrefixToRead> prefixes);

    /// The plugin's own sync job (a NetBox system job, "Windows DHCP Sync"), which writes the same objects
    /// as this project: the runs queued now and those that finished within `recent` of NetBox's clock.
    struct PluginSyncJob {
        ObjectId id = 0;
        std::string status;  ///< pending | scheduled | running | completed | errored | failed
        std::string scheduled, started, completed;  ///< ISO 8601 as NetBox gives them, "" when null
        std::optional<std::int64_t> interval;       ///< minutes
    };
    struct PluginSyncJobs {
        std::vector<PluginSyncJob> queued;  ///< pending, scheduled or running
        std::vector<PluginSyncJob> recent;  ///< finished within the window, newest first
        /// The plugin's settings as the newest recent run logged them ("Starting DHCP sync: ...
        /// lease_status='dhcp' reservation_status='reserved'"); "" when no run logged them.
        std::string lease_status, reservation_status;
        /// The servers that run skipped because they are in the plugin's maintenance mode (its log lines
        /// "Skipping server <name>: maintenance mode enabled"): the plugin's job does not write for them.
        std::vector<std::string> maintenance_servers;
        /// The plugin's job is scheduled, pending, running, or ran recently: it writes to NetBox beside us.
        bool active() const { return !queued.empty() || !recent.empty(); }
    };
    /// GET /api/core/jobs/?name=Windows DHCP Sync (needs core.view_job): a token that may not read jobs gets
    /// an Error with errc::refused (HTTP 403); other failures keep their usual codes.
    boost::asio::awaitable<Expected<PluginSyncJobs>> plugin_sync_jobs(
        std::chrono::minutes recent = std::chrono::minutes(120));

    // ---- incremental reads (the watermark is a time on NetBox's clock, e.g. netbox_date() of an earlier run) ----

    /// The IP addresses of `prefixes` (as list_ip_addresses) whose last_updated is at or after `watermark`
    /// (last_updated__gte; the watermark is sent in whole seconds, rounded down, so nothing at the boundary is
    /// missed). Deleted IPs are not among them: see deleted_since.
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxIpAddress>>> list_ip_addresses_changed_since(
        std::vector<engine::PrefixToRead> prefixes, std::chrono::system_clock::time_point watermark);

    struct DeletedObjects {
        std::vector<ObjectId> ids;  ///< changed_object_id of every delete record at or after the watermark
        /// The time of the oldest change record NetBox still keeps (any type; nullopt: the log is empty).
        std::optional<std::chrono::system_clock::time_point> oldest_change;
        /// True when the change log reaches back to the watermark, so `ids` is complete: NetBox prunes records
        /// by age (CHANGELOG_RETENTION), so a log whose oldest record is newer than the watermark may have lost
        /// deletes in between. Without it, read everything again.
        bool complete = false;
    };
    /// GET /api/core/object-changes/?changed_object_type=<object_type>&action=delete&time_after=<watermark>, plus
    /// the oldest record kept. `object_type` is NetBox's "app_label.model", e.g. "ipam.ipaddress".
    boost::asio::awaitable<Expected<DeletedObjects>> deleted_since(std::string object_type,
                                                                   std::chrono::system_clock::time_point watermark);

    /// NetBox's clock: the Date header of the newest response (nullopt before any response carried one).
    std::optional<std::chrono::system_clock::time_point> netbox_date() const;

    /// The plugin's option library (import): every definition and every value.
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxOptionCode>>> list_option_codes();
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxOptionValue>>> list_option_values();
    /// Writes a journal entry on a plugin DHCP server (POST /api/extras/journal-entries/).
    boost::asio::awaitable<Expected<Done>> write_server_journal(ObjectId server_id, std::string kind, std::string comments);
    /// Creates the tag if no tag with this slug exists. Returns true when it was created.
    boost::asio::awaitable<Expected<bool>> ensure_tag(std::string slug, std::string name, std::string description);

    // ---- bulk writes: up to page_size objects per request (IP creates and updates: ip_write_batch_size),
    // max_concurrent_writes in flight. A batch NetBox rejects as a whole while committing nothing - 400, a 500
    // IntegrityError (a unique constraint), a 409 on a delete (a protected object) - is split until the bad
    // objects are isolated; they are reported with NetBox's message and the rest are applied. Any other error
    // fails the batch's objects without a split. Tags are written by id (the ids come from the reads and from
    // ensure_tag; unknown slugs are looked up first). ----
    /// Import: failovers, option definitions and option values. `definition_ids[i]` is the definition of
    /// creates[i] (resolved by the caller; 0 = unknown, that value fails without a request).
    boost::asio::awaitable<WriteReport> create_failovers(const std::vector<engine::FailoverCreate>& creates);
    boost::asio::awaitable<WriteReport> create_option_codes(const std::vector<engine::OptionCodeCreate>& creates);
    boost::asio::awaitable<WriteReport> create_option_values(const std::vector<engine::OptionValueCreate>& creates,
                                                             const std::vector<ObjectId>& definition_ids);
    boost::asio::awaitable<WriteReport> create_prefixes(const std::vector<engine::PrefixCreate>& creates);
    /// `prefix_ids[i]` is the prefix of creates[i] (resolved by the caller).
    boost::asio::awaitable<WriteReport> create_scopes(const std::vector<engine::ScopeCreate>& creates,
                                                      const std::vector<ObjectId>& prefix_ids);
    boost::asio::awaitable<WriteReport> update_scopes(const std::vector<engine::ScopeUpdate>& updates);
    boost::asio::awaitable<WriteReport> delete_scopes(const std::vector<engine::ScopeDelete>& deletes);
    boost::asio::awaitable<WriteReport> create_exclusion_ranges(const std::vector<engine::ExclusionRangeCreate>& creates);
    boost::asio::awaitable<WriteReport> delete_exclusion_ranges(const std::vector<engine::ExclusionRangeDelete>& deletes);
    boost::asio::awaitable<WriteReport> create_ip_addresses(const std::vector<engine::IpAddressCreate>& creates);
    boost::asio::awaitable<WriteReport> update_ip_addresses(const std::vector<engine::IpAddressUpdate>& updates);
    boost::asio::awaitable<WriteReport> delete_ip_addresses(const std::vector<engine::IpAddressDelete>& deletes);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nds::netbox
