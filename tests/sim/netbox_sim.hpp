// NetBox + netbox-windows-dhcp plugin simulator: REST endpoints, token auth, bulk semantics of NetBox 4.6 and
// 4.7, the changelog, and the /_sim/ control API used by integration tests (see README.md).
#pragma once

#include "http/http_message.hpp"
#include "http/url.hpp"
#include "tests/sim/netbox_sim_resources.hpp"
#include "tests/sim/netbox_sim_state.hpp"
#include "tests/sim/sim_common.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace nds::sim::netbox {

class NetboxSim {
public:
    explicit NetboxSim(std::string base_url);
    NetboxSim(const NetboxSim&) = delete;
    NetboxSim& operator=(const NetboxSim&) = delete;

    boost::asio::awaitable<http::Response> handle(http::Request request);

private:
    /// A change waiting for its request to commit.
    struct PendingChange {
        std::string action;  ///< create | update | delete
        std::string object_type;
        Id object_id = 0;
        std::string repr;
        json::value prechange, postchange;
        std::string message;
    };

    /// Result of one REST request: the response and how many objects it wrote (for the cost model).
    struct ApiResult {
        http::Response response;
        std::uint64_t objects_written = 0;
        std::uint64_t objects_attempted = 0;
    };

    // Control API (/_sim/...).
    http::Response handle_control(const http::Request& request, const http::Target& target);
    http::Response set_config(const json::value& body);
    json::object config_json() const;

    // REST API (/api/...).
    ApiResult handle_api(const http::Request& request, const http::Target& target, const std::string& request_id);
    /// nullptr plus a filled 403 response when the credentials are missing or wrong.
    const User* authenticate(const http::Request& request, http::Response& error) const;
    http::Response status_json() const;
    http::Response user_json(const User& user) const;

    http::Response list(Resource& resource, const http::Target& target);
    http::Response list_changes(const http::Target& target);
    /// Shared limit/offset (and start=) pagination over ascending ids.
    http::Response paginate(const std::vector<Id>& ids, const http::Target& target,
                            const std::function<void(Id, std::string&)>& append_json);
    /// Matching ids for a list query, cached per (query, state version): paging through a million IPs
    /// must not re-filter everything for every page.
    const std::vector<Id>& cached_ids(const std::string& collection, const http::Target& target,
                                      const std::function<ListResult()>& compute, std::optional<ErrorDict>& error);

    ApiResult write(Resource& resource, const http::Request& request, std::optional<Id> detail_id,
                    const User& user, const std::string& request_id);
    ApiResult create(Resource& resource, const json::value& body, const User& user, const std::string& request_id);
    ApiResult update(Resource& resource, const json::value& body, std::optional<Id> detail_id, const User& user,
                     const std::string& request_id);
    ApiResult remove(Resource& resource, const json::value& body, std::optional<Id> detail_id, const User& user,
                     const std::string& request_id);

    /// Rolls a failed request back (state and caches).
    void abort(Transaction& txn);
    /// Commits a successful request: appends its change records and bumps the state version.
    void commit(Transaction& txn, std::vector<PendingChange>& changes, const User& user, const std::string& request_id);
    /// Drops the rendered JSON a commit made stale (see Resource::rendered).
    void forget_rendered(const std::vector<PendingChange>& changes);
    void forget_all_rendered();
    /// A JSON array of the objects' rendered forms: the answer of a bulk write.
    static std::string rendered_list(const Resource& resource, const std::vector<Id>& ids);
    /// 500 {"error","exception","netbox_version","python_version"} (NetBox's handle_rest_api_exception).
    http::Response server_error(std::string_view exception, std::string_view message) const;
    /// The 4.7 bulk failure envelope.
    json::object bulk_errors_47(std::string_view verb, std::size_t failed, std::size_t total, json::array errors) const;

    std::string base_url_;
    State state_;
    SimConfig config_;
    Context ctx_;
    Resources resources_;
    Faults faults_;
    Stats stats_;
    Costs costs_;

    struct CacheEntry {
        std::string key;
        std::uint64_t version = 0;
        std::vector<Id> ids;
    };
    std::map<std::string, CacheEntry, std::less<>> list_cache_;  ///< one entry per collection: bounded

    // Cost of rendering (netbox_sim's own config keys): NetBox's serializer cost grows with the objects it
    // renders, less when fields=/omit=/brief narrow them. Counted per request, charged before answering.
    unsigned latency_ms_per_object_rendered_ = 0;
    unsigned latency_ms_per_object_rendered_narrow_ = 0;
    std::uint64_t request_rendered_ = 0;
    bool request_narrow_ = false;
    std::uint64_t objects_rendered_ = 0, objects_rendered_narrow_ = 0;
    /// The change log keeps records newer than this many seconds of the simulator's clock (0 = all), like
    /// NetBox's CHANGELOG_RETENTION.
    std::int64_t changelog_retention_seconds_ = 0;
    /// Drops the change records the retention no longer keeps.
    void prune_changes();
    /// /_sim/stats with the rendering counters added.
    http::Response stats_json();
};

/// Adds the objects of a POST /_sim/seed body (no validation, no changelog). Error text on a bad reference;
/// then nothing was added.
std::optional<std::string> seed_state(State& state, const json::object& body);
/// GET /_sim/state: every object in its REST form.
json::object dump_state(const Resources& resources, const State& state);

}  // namespace nds::sim::netbox
