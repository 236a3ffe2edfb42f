// One Resource per REST collection of the NetBox simulator. A resource knows how to list (filters), how to
// render an object (REST form, changelog snapshot, repr) and how to validate and apply a single-object
// write. Bulk semantics, error envelopes, auth and the changelog are handled once, in netbox_sim.cpp.
//
// Read side: netbox_sim_resources.cpp. Write side and validation: netbox_sim_validation.cpp.
#pragma once

#include "http/url.hpp"
#include "tests/sim/netbox_sim_clock.hpp"
#include "tests/sim/netbox_sim_state.hpp"

#include <boost/json.hpp>

#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace nds::sim::netbox {

struct SimConfig {
    std::size_t max_page_size = 1000;
    std::string lease_status = "dhcp";
    std::string api_version = "4.6";  ///< "4.6" or "4.7": selects error shapes
    bool enforce_global_unique = true;
    /// NetBox 4.7 skips plugin v1.3.5 (max_version 4.6.99): its endpoints are 404 and /api/status/ lists no
    /// plugin, unless this says the installed plugin supports 4.7.
    bool plugin_supports_47 = false;

    bool v47() const { return api_version == "4.7"; }
    bool plugin_loaded() const { return !v47() || plugin_supports_47; }
    /// DRF's key for serializer-level non-field errors: "non_field_errors" before 4.7, "__all__" after.
    std::string_view non_field_key() const { return v47() ? "__all__" : "non_field_errors"; }
};

struct Context {
    State& state;
    const SimConfig& config;
    std::string base_url;  ///< "http://127.0.0.1:<port>", for absolute `url` fields and `next` links
    /// The user of the request being handled (view permissions of nested references), or nullptr.
    const User* user = nullptr;
    /// While a NetBox 4.5/4.6 bulk create runs: the first id it allocated. Serializer and model validation
    /// see only rows below it (the state before the request); database constraints see everything.
    Id visible_below = std::numeric_limits<Id>::max();
};

/// Which fields a GET renders (netbox/api/viewsets/__init__.py BaseViewSet.field_kwargs and
/// BaseModelSerializer.fields): `fields=a,b` keeps only those top-level fields (in the serializer's order; unknown
/// names match nothing, "vrf.name" is not a field), else `omit=a,b` drops those, else `brief` (any non-empty
/// value) keeps the serializer's brief_fields when it has them. Values are split on ',' as given. Nested objects
/// keep their own brief form.
struct FieldView {
    enum class Mode { full, include, omit };
    Mode mode = Mode::full;
    std::vector<std::string> names;
    std::string key;  ///< cache key of the rendered form: "" for full
    bool narrow() const { return mode != Mode::full; }
    bool keeps(std::string_view field) const;
};
FieldView field_view(const http::Target& target, const std::vector<std::string_view>& brief_fields);
/// `full` with only the fields `view` keeps, in their order.
json::object narrowed(const json::object& full, const FieldView& view);

/// NetBox field-keyed error dict: {"field": ["message", ...], "__all__": [...]}.
using ErrorDict = json::object;

/// A list filter could not be applied (bad value for a known filter): 400 with this dict.
struct ListResult {
    std::vector<Id> ids;                ///< ascending
    std::optional<ErrorDict> error;
};

/// An object removed as a side effect of deleting another (scope → exclusion ranges).
struct Cascaded {
    std::string object_type;
    Id id = 0;
    std::string repr;
    json::object snapshot;
};

class Resource {
public:
    explicit Resource(Context& ctx) : ctx_(ctx) {}
    virtual ~Resource() = default;

    virtual std::string_view object_type() const = 0;  ///< changelog type, e.g. "ipam.ipaddress"
    virtual std::string_view path() const = 0;          ///< list path, e.g. "/api/ipam/ip-addresses/"
    virtual bool exists(Id id) const = 0;
    virtual json::object serialize(Id id) const = 0;
    virtual json::object snapshot(Id id) const = 0;   ///< changelog pre/postchange data
    virtual std::string repr(Id id) const = 0;
    virtual ListResult list(const http::Target& target) const = 0;

    /// Which write methods exist on this collection (POST = create, PATCH/PUT = update, DELETE).
    virtual bool can_create() const { return false; }
    virtual bool can_update() const { return false; }
    virtual bool can_delete() const { return false; }

    /// Validates and applies one create; returns the new id or the error dict (state untouched then).
    virtual std::variant<Id, ErrorDict> create(const json::object& data, Transaction& txn);
    /// Validates and applies one update (PATCH semantics; PUT is treated the same).
    virtual std::optional<ErrorDict> update(Id id, const json::object& data, Transaction& txn);
    /// Removes one object. Returns a 409 detail text when dependent objects forbid it.
    virtual std::optional<std::string> remove(Id id, Transaction& txn, std::vector<Cascaded>& cascaded);
    /// A database constraint the stored row `id` breaks (unique / unique_together), as PostgreSQL words it;
    /// checked after every insert and update. NetBox answers it with 500 IntegrityError.
    virtual std::optional<std::string> integrity_violation(Id) const { return std::nullopt; }
    /// Whether `user` holds the model's view permission (403 on GET otherwise).
    virtual bool may_view(const User&) const { return true; }
    /// A plugin collection (404 on NetBox 4.7 unless the plugin supports it).
    bool is_plugin() const { return path().rfind("/api/plugins/", 0) == 0; }

    std::string url(Id id) const;

    /// The object's REST JSON text, rendered at most once per change: list pages and write answers are
    /// concatenations of these, so the simulator's own CPU stays small beside the injected costs it models.
    const std::string& rendered(Id id) const;
    /// The same for a narrowed view (fields= / omit= / brief), cached per view.
    const std::string& rendered(Id id, const FieldView& view) const;
    /// The serializer's Meta.brief_fields ({} = none: brief renders everything).
    virtual std::vector<std::string_view> brief_fields() const { return {}; }
    /// Called after a commit that changed only rows of this collection (when their rendering depends on
    /// nothing but the row and other collections) ...
    void forget_rendered(Id id) const {
        rendered_.erase(id);
        for (auto& [key, view] : narrow_rendered_) view.erase(id);
    }
    /// ... and after anything else that changed state or configuration.
    void forget_all_rendered() const {
        rendered_.clear();
        narrow_rendered_.clear();
    }
    /// True when an object's REST form depends on its own row and on other collections only, never on
    /// sibling rows (a prefix's depth does, an IP's does not).
    virtual bool renders_from_own_row() const { return false; }

protected:
    Context& ctx_;
    State& state() const { return ctx_.state; }
    const SimConfig& config() const { return ctx_.config; }

    // Shared rendering pieces.
    json::array tags_json(const std::vector<Id>& tags) const;
    json::array tag_names(const std::vector<Id>& tags) const;  ///< changelog form: sorted names
    json::object family_json() const { return {{"value", 4}, {"label", "IPv4"}}; }
    json::value vrf_brief(const std::optional<Id>& vrf) const;
    json::value prefix_brief(Id prefix) const;
    json::value server_brief(const std::optional<Id>& server) const;
    json::value failover_brief(const std::optional<Id>& failover) const;
    json::object scope_brief(Id scope) const;
    json::object exclusion_json(Id id) const;
    json::object option_code_brief(Id id) const;
    json::object option_value_brief(Id id) const;

    // Shared write pieces (netbox_sim_validation.cpp).
    /// Parses a `tags` write value (list of ids or {"slug"}/{"name"}/{"id"} dicts); adds errors to `errors`.
    std::optional<std::vector<Id>> parse_tags(const json::value& value, ErrorDict& errors) const;
    /// Parses a related-object reference that may be null: int id or a dict of identifying attributes.
    std::optional<std::optional<Id>> parse_vrf(const json::value& value, ErrorDict& errors) const;
    /// Rejects any custom field on models that define none.
    void reject_custom_fields(const json::object& data, ErrorDict& errors) const;

private:
    mutable std::unordered_map<Id, std::string> rendered_;
    mutable std::map<std::string, std::unordered_map<Id, std::string>> narrow_rendered_;  ///< by FieldView::key
};

/// Every collection the simulator serves, keyed by list path.
struct Resources {
    std::vector<std::unique_ptr<Resource>> all;
    Resource* by_path(std::string_view path) const;
};

Resources make_resources(Context& ctx);

/// Appends `message` to errors[key] (creating the list).
void add_error(ErrorDict& errors, std::string_view key, std::string_view message);

/// Pure filter helpers shared by the resources.
std::optional<std::vector<Id>> parse_ids(const std::vector<std::string>& values);

/// Changelog "changed_object_type" of each model (used by the cascade code too).
inline constexpr std::string_view kTypeIp = "ipam.ipaddress";
inline constexpr std::string_view kTypePrefix = "ipam.prefix";
inline constexpr std::string_view kTypeTag = "extras.tag";
inline constexpr std::string_view kTypeVrf = "ipam.vrf";
inline constexpr std::string_view kTypeServer = "netbox_windows_dhcp.dhcpserver";
inline constexpr std::string_view kTypeFailover = "netbox_windows_dhcp.dhcpfailover";
inline constexpr std::string_view kTypeScope = "netbox_windows_dhcp.dhcpscope";
inline constexpr std::string_view kTypeExclusion = "netbox_windows_dhcp.dhcpexclusionrange";
inline constexpr std::string_view kTypeOptionCode = "netbox_windows_dhcp.dhcpoptioncodedefinition";
inline constexpr std::string_view kTypeOptionValue = "netbox_windows_dhcp.dhcpoptionvalue";
inline constexpr std::string_view kTypeIpRange = "ipam.iprange";
inline constexpr std::string_view kTypeJob = "core.job";

std::string exclusion_display(const DhcpExclusionRange& range);
/// IPRange.name: "10.0.1.100-150/24" (NetBox's compact form).
std::string ip_range_display(const IpRange& range);
/// Python's repr of a dict of strings/ints, as NetBox quotes lookup parameters: {'slug': 'dhcp-sync'}.
std::string python_dict_repr(const json::object& o);

// ---------------------------------------------------------------------------------------------------------
// Concrete collections. Read methods live in netbox_sim_resources.cpp, write methods in
// netbox_sim_validation.cpp.

class IpResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeIp; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "family", "address", "description"}; }
    std::string_view path() const override { return "/api/ipam/ip-addresses/"; }
    bool exists(Id id) const override { return state().find_ip(id) != nullptr; }
    bool renders_from_own_row() const override { return true; }
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
    bool can_create() const override { return true; }
    bool can_update() const override { return true; }
    bool can_delete() const override { return true; }
    std::variant<Id, ErrorDict> create(const json::object& data, Transaction& txn) override;
    std::optional<ErrorDict> update(Id id, const json::object& data, Transaction& txn) override;
    std::optional<std::string> remove(Id id, Transaction& txn, std::vector<Cascaded>& cascaded) override;

private:
    /// Field parsing + model clean + the plugin's post_clean hook, applied to `ip` in place.
    std::optional<ErrorDict> apply_fields(IpAddress& ip, const json::object& data, bool creating) const;
    std::optional<ErrorDict> plugin_post_clean(const IpAddress& ip) const;
};

class PrefixResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypePrefix; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "family", "prefix", "description", "_depth"}; }
    std::string_view path() const override { return "/api/ipam/prefixes/"; }
    bool exists(Id id) const override { return state().prefixes.find(id) != nullptr; }
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
    bool can_create() const override { return true; }
    bool can_update() const override { return true; }
    bool can_delete() const override { return true; }
    std::variant<Id, ErrorDict> create(const json::object& data, Transaction& txn) override;
    std::optional<ErrorDict> update(Id id, const json::object& data, Transaction& txn) override;
    std::optional<std::string> remove(Id id, Transaction& txn, std::vector<Cascaded>& cascaded) override;

private:
    std::optional<ErrorDict> apply_fields(Prefix& prefix, const json::object& data, bool creating) const;
};

class TagResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeTag; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "name", "slug", "color", "description"}; }
    std::string_view path() const override { return "/api/extras/tags/"; }
    bool exists(Id id) const override { return state().tags.find(id) != nullptr; }
    bool may_view(const User& user) const override { return user.can_view_tags; }
    std::optional<std::string> integrity_violation(Id id) const override;
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
    bool can_create() const override { return true; }
    std::variant<Id, ErrorDict> create(const json::object& data, Transaction& txn) override;
};

class VrfResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeVrf; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "name", "rd", "description", "prefix_count"}; }
    std::string_view path() const override { return "/api/ipam/vrfs/"; }
    bool exists(Id id) const override { return state().vrfs.find(id) != nullptr; }
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
};

class ServerResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeServer; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "name", "hostname"}; }
    std::string_view path() const override { return "/api/plugins/windows-dhcp/servers/"; }
    bool exists(Id id) const override { return state().servers.find(id) != nullptr; }
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
};

class FailoverResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeFailover; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "name", "mode"}; }
    std::string_view path() const override { return "/api/plugins/windows-dhcp/failover/"; }
    bool exists(Id id) const override { return state().failovers.find(id) != nullptr; }
    std::optional<std::string> integrity_violation(Id id) const override;
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
    /// REST may create failovers (the UI cannot); model clean applies (the plugin's behaviour).
    bool can_create() const override { return true; }
    std::variant<Id, ErrorDict> create(const json::object& data, Transaction& txn) override;
};

/// option-codes/ (the plugin's behaviour): create only here.
class OptionCodeResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeOptionCode; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "code", "name", "data_type"}; }
    std::string_view path() const override { return "/api/plugins/windows-dhcp/option-codes/"; }
    bool exists(Id id) const override { return state().option_codes.find(id) != nullptr; }
    std::optional<std::string> integrity_violation(Id id) const override;
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
    bool can_create() const override { return true; }
    std::variant<Id, ErrorDict> create(const json::object& data, Transaction& txn) override;
};

/// option-values/ (the plugin's behaviour): create only here.
class OptionValueResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeOptionValue; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "friendly_name", "value"}; }
    std::string_view path() const override { return "/api/plugins/windows-dhcp/option-values/"; }
    bool exists(Id id) const override { return state().option_values.find(id) != nullptr; }
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
    bool can_create() const override { return true; }
    std::variant<Id, ErrorDict> create(const json::object& data, Transaction& txn) override;
};

class ScopeResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeScope; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "name", "start_ip", "end_ip"}; }
    std::string_view path() const override { return "/api/plugins/windows-dhcp/scopes/"; }
    bool exists(Id id) const override { return state().scopes.find(id) != nullptr; }
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
    bool can_create() const override { return true; }
    bool can_update() const override { return true; }
    bool can_delete() const override { return true; }
    std::variant<Id, ErrorDict> create(const json::object& data, Transaction& txn) override;
    std::optional<ErrorDict> update(Id id, const json::object& data, Transaction& txn) override;
    std::optional<std::string> remove(Id id, Transaction& txn, std::vector<Cascaded>& cascaded) override;

private:
    std::optional<ErrorDict> apply_fields(DhcpScope& scope, const json::object& data, bool creating) const;
};

class ExclusionResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeExclusion; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "start_ip", "end_ip"}; }
    std::string_view path() const override { return "/api/plugins/windows-dhcp/exclusion-ranges/"; }
    bool exists(Id id) const override { return state().exclusions.find(id) != nullptr; }
    std::optional<std::string> integrity_violation(Id id) const override;
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
    bool can_create() const override { return true; }
    bool can_update() const override { return true; }
    bool can_delete() const override { return true; }
    std::variant<Id, ErrorDict> create(const json::object& data, Transaction& txn) override;
    std::optional<ErrorDict> update(Id id, const json::object& data, Transaction& txn) override;
    std::optional<std::string> remove(Id id, Transaction& txn, std::vector<Cascaded>& cascaded) override;

private:
    std::optional<ErrorDict> apply_fields(DhcpExclusionRange& range, const json::object& data,
                                          bool creating) const;
};

/// ipam/ip-ranges/ (read-only here): filters of NetBox's IPRangeFilterSet.
class IpRangeResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeIpRange; }
    std::vector<std::string_view> brief_fields() const override { return {"id", "url", "display", "family", "start_address", "end_address", "description"}; }
    std::string_view path() const override { return "/api/ipam/ip-ranges/"; }
    bool exists(Id id) const override { return state().ip_ranges.find(id) != nullptr; }
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
};

/// core/jobs/ (read-only, like NetBox's NetBoxReadOnlyModelViewSet); needs core.view_job.
class JobResource final : public Resource {
public:
    using Resource::Resource;
    std::string_view object_type() const override { return kTypeJob; }
    std::vector<std::string_view> brief_fields() const override { return {"url", "created", "completed", "user", "status"}; }
    std::string_view path() const override { return "/api/core/jobs/"; }
    bool exists(Id id) const override { return state().jobs.find(id) != nullptr; }
    bool may_view(const User& user) const override { return user.can_view_jobs; }
    json::object serialize(Id id) const override;
    json::object snapshot(Id id) const override;
    std::string repr(Id id) const override;
    ListResult list(const http::Target& target) const override;
};

}  // namespace nds::sim::netbox
