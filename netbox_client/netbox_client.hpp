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

#include <functional>
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
    struct Status { std::string netbox_version; bool plugin_installed = false; std::string plugin_version; };
    boost::asio::awaitable<Expected<Status>> status();

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
    /// The plugin's option library (import): every definition and every value.
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxOptionCode>>> list_option_codes();
    boost::asio::awaitable<Expected<std::vector<engine::NetBoxOptionValue>>> list_option_values();
    /// Writes a journal entry on a plugin DHCP server (POST /api/extras/journal-entries/).
    boost::asio::awaitable<Expected<Done>> write_server_journal(ObjectId server_id, std::string kind, std::string comments);
    /// Creates the tag if no tag with this slug exists. Returns true when it was created.
    boost::asio::awaitable<Expected<bool>> ensure_tag(std::string slug, std::string name, std::string description);

    // ---- bulk writes: up to page_size objects per request, max_concurrent_writes in flight; a batch NetBox
    // rejects with 400 is split until the bad objects are isolated; the rest are applied. ----
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
