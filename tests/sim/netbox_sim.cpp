// NetBox simulator: request routing, auth, pagination, bulk write semantics and the changelog.
#include "tests/sim/netbox_sim.hpp"

#include <algorithm>
#include <charconv>

namespace nds::sim::netbox {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kChangesPath = "/api/core/object-changes/";
constexpr std::string_view kPermissionDenied = "You do not have permission to perform this action.";

http::Response detail(unsigned status, std::string_view message) { return message_reply(status, "detail", message); }

std::string action_label(std::string_view action) {
    if (action == "create") return "Created";
    if (action == "update") return "Updated";
    return "Deleted";
}

std::optional<std::int64_t> parse_int(std::string_view text) {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return v;
}

/// "changelog_message" of one written element (the serializer field has no length limit).
std::string changelog_message(const json::value& item) {
    if (!item.is_object()) return "";
    auto m = string_field(item.get_object(), "changelog_message");
    return m ? *m : "";
}

/// Characters (code points) of a UTF-8 string, as Python counts them.
std::size_t code_points(std::string_view text) {
    std::size_t n = 0;
    for (char c : text)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

/// ObjectChange.message is max_length=200: a longer changelog_message fails when the change record is saved,
/// inside the request's transaction (PostgreSQL DataError, answered 500).
std::optional<std::string> overlong_changelog_message(const std::vector<std::string>& messages) {
    for (const auto& m : messages)
        if (code_points(m) > 200) return std::string("value too long for type character varying(200)\n");
    return std::nullopt;
}

/// Django's model class name for "No <Model> matches the given query." (404 on detail routes).
std::string not_found_message(std::string_view object_type) {
    static const std::map<std::string_view, std::string_view> names{
        {kTypeIp, "IPAddress"},           {kTypePrefix, "Prefix"},          {kTypeTag, "Tag"},
        {kTypeVrf, "VRF"},                {kTypeServer, "DHCPServer"},      {kTypeFailover, "DHCPFailover"},
        {kTypeScope, "DHCPScope"},        {kTypeExclusion, "DHCPExclusionRange"},
        {kTypeOptionCode, "DHCPOptionCodeDefinition"}, {kTypeOptionValue, "DHCPOptionValue"}};
    auto it = names.find(object_type);
    return "No " + std::string(it == names.end() ? object_type : it->second) + " matches the given query.";
}

std::string type_name(const json::value& v) {
    if (v.is_string()) return "str";
    if (v.is_array()) return "list";
    if (v.is_bool()) return "bool";
    if (v.is_null()) return "NoneType";
    return "int";
}

}  // namespace

NetboxSim::NetboxSim(std::string base_url)
    : base_url_(std::move(base_url)), ctx_{state_, config_, base_url_}, resources_(make_resources(ctx_)) {}

asio::awaitable<http::Response> NetboxSim::handle(http::Request request) {
    http::Target target = http::Target::parse(request.target);
    if (target.path == "/_sim/stats" && request.method == "GET") co_return stats_json();
    if (target.path == "/_sim/stats/reset" && request.method == "POST") objects_rendered_ = objects_rendered_narrow_ = 0;
    if (target.path.rfind("/_sim/", 0) == 0) {
        if (auto r = handle_shared_control(request, target.path, faults_, stats_)) co_return std::move(*r);
        co_return handle_control(request, target);
    }
    auto injected = co_await pre_handle(request, target, faults_, stats_, costs_);
    if (injected.response) co_return std::move(*injected.response);

    std::string request_id = random_uuid();
    request_rendered_ = 0;
    request_narrow_ = false;
    ApiResult result;
    if (target.path.rfind("/api/", 0) == 0) {
        result = handle_api(request, target, request_id);
        ctx_.user = nullptr;
    } else {
        result.response = detail(404, "Not found.");
    }
    stats_.add_objects_written(result.objects_written);
    objects_rendered_ += request_rendered_;
    if (request_narrow_) objects_rendered_narrow_ += request_rendered_;
    co_await sleep_ms(std::uint64_t{request_narrow_ ? latency_ms_per_object_rendered_narrow_ : latency_ms_per_object_rendered_} *
                      request_rendered_);
    // The write cost is paid after the state changed but before answering, like a slow database commit.
    co_await sleep_ms(std::uint64_t{costs_.latency_ms_per_object_written} * result.objects_attempted);
    result.response.headers.emplace_back("API-Version", config_.api_version);
    result.response.headers.emplace_back("Date", http_date(sim_now()));
    result.response.headers.emplace_back("X-Request-ID", request_id);
    co_return cut_response(std::move(result.response), injected.cut);
}

// ---------------------------------------------------------------------------------------------------------
// Control API

http::Response NetboxSim::handle_control(const http::Request& request, const http::Target& target) {
    const std::string& path = target.path;
    const std::string& method = request.method;
    if (path == "/_sim/seed" && method == "POST") {
        auto body = parse_json(request.body);
        if (!body || !body->is_object()) return message_reply(400, "error", "seed body must be a JSON object");
        if (auto error = seed_state(state_, body->get_object())) return message_reply(400, "error", *error);
        ++state_.version;
        state_.invalidate_caches();
        forget_all_rendered();
        return json_reply(200, json::object{{"ok", true}});
    }
    if (path == "/_sim/reset" && method == "POST") {
        state_.clear();
        list_cache_.clear();
        forget_all_rendered();
        return json_reply(200, json::object{{"ok", true}});
    }
    if (path == "/_sim/state" && method == "GET") return json_reply(200, dump_state(resources_, state_));
    if (path == "/_sim/changes" && method == "GET") {
        json::array out;
        for (const auto& change : state_.changes) out.push_back(change.record);
        return json_reply(200, out);
    }
    if (path == "/_sim/config") {
        if (method == "GET") return json_reply(200, config_json());
        if (method == "POST") {
            auto body = parse_json(request.body);
            if (!body) return message_reply(400, "error", "config body is not valid JSON");
            return set_config(*body);
        }
    }
    return message_reply(404, "error", "unknown control endpoint " + method + " " + path);
}

http::Response NetboxSim::set_config(const json::value& body) {
    if (!body.is_object()) return message_reply(400, "error", "config must be an object");
    const json::object& o = body.get_object();
    if (auto error = costs_.apply(o)) return message_reply(400, "error", *error);
    SimConfig next = config_;
    if (const json::value* v = field(o, "max_page_size")) {
        auto n = as_int(*v);
        if (!n || *n < 0) return message_reply(400, "error", "max_page_size must be a non-negative integer");
        next.max_page_size = static_cast<std::size_t>(*n);
    }
    if (const json::value* v = field(o, "lease_status")) {
        if (!v->is_string()) return message_reply(400, "error", "lease_status must be a string");
        next.lease_status = std::string(v->get_string());
    }
    if (const json::value* v = field(o, "api_version")) {
        if (!v->is_string() || (v->get_string() != "4.6" && v->get_string() != "4.7"))
            return message_reply(400, "error", "api_version must be \"4.6\" or \"4.7\"");
        next.api_version = std::string(v->get_string());
    }
    auto cost = [&](const char* key, unsigned& target) -> std::optional<std::string> {
        if (const json::value* v = field(o, key)) {
            auto n = as_int(*v);
            if (!n || *n < 0 || *n > 60000) return std::string(key) + " must be an integer 0..60000";
            target = static_cast<unsigned>(*n);
        }
        return std::nullopt;
    };
    unsigned rendered = latency_ms_per_object_rendered_, rendered_narrow = latency_ms_per_object_rendered_narrow_;
    if (auto e = cost("latency_ms_per_object_rendered", rendered)) return message_reply(400, "error", *e);
    if (auto e = cost("latency_ms_per_object_rendered_narrow", rendered_narrow)) return message_reply(400, "error", *e);
    std::int64_t retention = changelog_retention_seconds_;
    if (const json::value* v = field(o, "changelog_retention_seconds")) {
        auto n = as_int(*v);
        if (!n || *n < 0) return message_reply(400, "error", "changelog_retention_seconds must be a non-negative integer");
        retention = *n;
    }
    if (const json::value* v = field(o, "plugin_supports_47")) {
        if (!v->is_bool()) return message_reply(400, "error", "plugin_supports_47 must be a boolean");
        next.plugin_supports_47 = v->get_bool();
    }
    if (const json::value* v = field(o, "clock_offset_seconds")) {
        auto n = as_int(*v);
        if (!n) return message_reply(400, "error", "clock_offset_seconds must be an integer");
        set_clock_offset_seconds(*n);
    }
    if (const json::value* v = field(o, "enforce_global_unique")) {
        if (!v->is_bool()) return message_reply(400, "error", "enforce_global_unique must be a boolean");
        next.enforce_global_unique = v->get_bool();
    }
    config_ = next;
    latency_ms_per_object_rendered_ = rendered;
    latency_ms_per_object_rendered_narrow_ = rendered_narrow;
    changelog_retention_seconds_ = retention;
    forget_all_rendered();  // the API version shapes some objects
    return json_reply(200, config_json());
}

json::object NetboxSim::config_json() const {
    json::object o = costs_.to_json();
    o["max_page_size"] = config_.max_page_size;
    o["lease_status"] = config_.lease_status;
    o["api_version"] = config_.api_version;
    o["enforce_global_unique"] = config_.enforce_global_unique;
    o["plugin_supports_47"] = config_.plugin_supports_47;
    o["latency_ms_per_object_rendered"] = latency_ms_per_object_rendered_;
    o["latency_ms_per_object_rendered_narrow"] = latency_ms_per_object_rendered_narrow_;
    o["changelog_retention_seconds"] = changelog_retention_seconds_;
    o["clock_offset_seconds"] = clock_offset_seconds();
    return o;
}

// ---------------------------------------------------------------------------------------------------------
// REST API

const User* NetboxSim::authenticate(const http::Request& request, http::Response& error) const {
    // netbox/api/authentication.py TokenAuthentication.authenticate: another scheme (or none) leaves the
    // request anonymous, which LOGIN_REQUIRED refuses; the value is split on whitespace.
    std::string_view header = request.header("Authorization");
    std::vector<std::string_view> parts;
    for (std::size_t i = 0; i < header.size();) {
        while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < header.size() && header[j] != ' ' && header[j] != '\t') ++j;
        if (j > i) parts.push_back(header.substr(i, j - i));
        i = j;
    }
    if (parts.empty() || (!iequals(parts[0], "Token") && !iequals(parts[0], "Bearer"))) {
        error = detail(403, "Authentication credentials were not provided.");
        return nullptr;
    }
    if (parts.size() != 2) {
        error = detail(403, "Invalid authorization header: Must be in the form \"Bearer <key>.<token>\" or \"Token <token>\"");
        return nullptr;
    }
    std::string_view value = parts[1];
    // The token version is inferred from the value, not from the scheme (NetBox's REST API).
    bool v2 = value.rfind("nbt_", 0) == 0;
    if (v2 && value.find('.') == std::string_view::npos) {
        error = detail(403, "Invalid authorization header: Could not parse key from v2 token. Did you mean to use "
                            "'Token' instead of 'Bearer'?");
        return nullptr;
    }
    auto it = state_.user_by_token.find(std::string(value));
    if (it == state_.user_by_token.end()) {
        error = detail(403, v2 ? "Invalid v2 token" : "Invalid v1 token");
        return nullptr;
    }
    return state_.users.find(it->second);
}

http::Response NetboxSim::status_json() const {
    bool v47 = config_.v47();
    return json_reply(200, json::object{{"django-version", v47 ? "6.1" : "6.0"},
                                        {"hostname", "netbox-sim"},
                                        {"installed_apps", json::object{}},
                                        {"netbox-version", v47 ? "4.7.1" : "4.6.8"},
                                        {"netbox-full-version", v47 ? "4.7.1" : "4.6.8"},
                                        {"plugins", config_.plugin_loaded()
                                                        ? json::object{{"netbox_windows_dhcp", "1.3.5"}}
                                                        : json::object{}},
                                        {"python-version", "3.12.3"},
                                        {"rq-workers-running", 1}});
}

http::Response NetboxSim::user_json(const User& user) const {
    return json_reply(200, json::object{{"id", user.id},
                                        {"url", base_url_ + "/api/users/users/" + std::to_string(user.id) + "/"},
                                        {"display", user.username},
                                        {"username", user.username},
                                        {"first_name", ""},
                                        {"last_name", ""},
                                        {"email", ""},
                                        {"is_staff", false},
                                        {"is_active", true},
                                        {"groups", json::array{}},
                                        {"permissions", json::array{}}});
}

NetboxSim::ApiResult NetboxSim::handle_api(const http::Request& request, const http::Target& target,
                                           const std::string& request_id) {
    ApiResult result;
    http::Response auth_error;
    const User* user = authenticate(request, auth_error);
    if (user == nullptr) {
        result.response = std::move(auth_error);
        return result;
    }
    const std::string& path = target.path;
    const std::string& method = request.method;
    bool writing = is_write_method(method);
    ctx_.user = user;
    // TokenPermissions.has_permission: a token without write_enabled (or a user without the model
    // permission) gets DRF's PermissionDenied.
    if (writing && !user->write_enabled) {
        result.response = detail(403, kPermissionDenied);
        return result;
    }

    auto not_allowed = [&] { return detail(405, "Method \"" + method + "\" not allowed."); };

    if (path == "/api/status/") {
        result.response = method == "GET" ? status_json() : not_allowed();
        return result;
    }
    if (path == "/api/authentication-check/") {
        result.response = method == "GET" ? user_json(*user) : not_allowed();
        return result;
    }
    if (path.rfind(kChangesPath, 0) == 0) {
        if (method != "GET") {
            result.response = not_allowed();
        } else if (path == kChangesPath) {
            result.response = list_changes(target);
        } else {
            prune_changes();
            auto id = parse_int(std::string_view(path).substr(kChangesPath.size(), path.size() - kChangesPath.size() - 1));
            auto it = id ? std::find_if(state_.changes.begin(), state_.changes.end(),
                                        [&](const Change& c) { return c.id == *id; })
                         : state_.changes.end();
            result.response = it == state_.changes.end() || path.back() != '/' ? detail(404, "Not found.")
                                                                               : json_reply(200, it->record);
        }
        return result;
    }

    for (const auto& resource : resources_.all) {
        std::string_view base = resource->path();
        if (path.rfind(base, 0) != 0) continue;
        // NetBox 4.7 does not load plugin v1.3.5 (max_version 4.6.99): its URLs do not exist.
        if (resource->is_plugin() && !config_.plugin_loaded()) break;
        if (!resource->may_view(*user)) {
            result.response = detail(403, kPermissionDenied);
            return result;
        }
        std::string_view rest = std::string_view(path).substr(base.size());
        std::optional<Id> detail_id;
        if (!rest.empty()) {
            // Detail routes are "<list path><id>/" — the trailing slash is required.
            if (rest.back() != '/') break;
            detail_id = parse_int(rest.substr(0, rest.size() - 1));
            if (!detail_id) break;
        }
        if (method == "GET") {
            if (!detail_id) {
                result.response = list(*resource, target);
            } else if (!resource->exists(*detail_id)) {
                result.response = detail(404, not_found_message(resource->object_type()));
            } else {
                FieldView view = field_view(target, resource->brief_fields());
                request_narrow_ = view.narrow();
                request_rendered_ = 1;
                result.response = http::json_response(200, resource->rendered(*detail_id, view));
            }
            return result;
        }
        bool allowed = (method == "POST" && resource->can_create() && !detail_id) ||
                       ((method == "PATCH" || method == "PUT") && resource->can_update()) ||
                       (method == "DELETE" && resource->can_delete());
        if (!allowed) {
            result.response = not_allowed();
            return result;
        }
        return write(*resource, request, detail_id, *user, request_id);
    }
    result.response = detail(404, "Not found.");
    return result;
}

// ---------------------------------------------------------------------------------------------------------
// Lists and pagination

const std::vector<Id>& NetboxSim::cached_ids(const std::string& collection, const http::Target& target,
                                             const std::function<ListResult()>& compute,
                                             std::optional<ErrorDict>& error) {
    // The cache key is the query without the paging parameters, so every page of one scan shares it.
    http::QueryParams filters;
    for (const auto& p : target.params)
        if (p.first != "limit" && p.first != "offset" && p.first != "start" && p.first != "brief" &&
            p.first != "ordering" && p.first != "fields" && p.first != "omit")
            filters.push_back(p);
    std::sort(filters.begin(), filters.end());
    std::string key = http::make_target(collection, filters);
    CacheEntry& entry = list_cache_[collection];
    if (entry.key == key && entry.version == state_.version && !entry.ids.empty()) return entry.ids;
    ListResult r = compute();
    if (r.error) {
        error = std::move(r.error);
        entry = CacheEntry{};
        return entry.ids;
    }
    entry.key = std::move(key);
    entry.version = state_.version;
    entry.ids = std::move(r.ids);
    return entry.ids;
}

http::Response NetboxSim::list(Resource& resource, const http::Target& target) {
    std::optional<ErrorDict> error;
    const std::vector<Id>& ids =
        cached_ids(std::string(resource.path()), target, [&] { return resource.list(target); }, error);
    if (error) return json_reply(400, *error);
    FieldView view = field_view(target, resource.brief_fields());
    request_narrow_ = view.narrow();
    return paginate(ids, target, [&](Id id, std::string& out) {
        ++request_rendered_;
        out += resource.rendered(id, view);
    });
}

void NetboxSim::prune_changes() {
    if (changelog_retention_seconds_ <= 0 || state_.changes.empty()) return;
    Micros oldest_kept = sim_now() - changelog_retention_seconds_ * 1'000'000;
    auto keep = std::find_if(state_.changes.begin(), state_.changes.end(), [&](const Change& c) { return c.time >= oldest_kept; });
    if (keep == state_.changes.begin()) return;
    state_.changes.erase(state_.changes.begin(), keep);
    ++state_.version;  // list caches
}

http::Response NetboxSim::stats_json() {
    json::object o = stats_.to_json();
    o["objects_rendered"] = objects_rendered_;
    o["objects_rendered_narrow"] = objects_rendered_narrow_;
    return json_reply(200, o);
}

http::Response NetboxSim::list_changes(const http::Target& target) {
    std::optional<ErrorDict> error;
    prune_changes();
    // Changes are stored in id order; their ids equal their position + 1 unless reset, so look them up by
    // binary search.
    auto find = [this](Id id) -> const Change* {
        auto it = std::lower_bound(state_.changes.begin(), state_.changes.end(), id,
                                   [](const Change& c, Id v) { return c.id < v; });
        return it != state_.changes.end() && it->id == id ? &*it : nullptr;
    };
    const std::vector<Id>& ids = cached_ids(std::string(kChangesPath), target, [&] {
        ListResult r;
        auto wanted_ids = parse_ids(target.all("id"));
        auto object_ids = parse_ids(target.all("changed_object_id"));
        auto user_ids = parse_ids(target.all("user_id"));
        if (!wanted_ids || !object_ids || !user_ids) {
            r.error = ErrorDict{};
            add_error(*r.error, "id", "Enter a number.");
            return r;
        }
        auto in = [](const std::vector<std::string>& values, std::string_view v) {
            return values.empty() || std::find(values.begin(), values.end(), v) != values.end();
        };
        auto in_ids = [](const std::vector<Id>& values, Id v) {
            return values.empty() || std::find(values.begin(), values.end(), v) != values.end();
        };
        // time_after / time_before: NetBox's DateTimeFromToRangeFilter on `time` (>= and <=).
        std::optional<Micros> after, before;
        for (auto [key, bound] : {std::pair<const char*, std::optional<Micros>*>{"time_after", &after}, {"time_before", &before}}) {
            if (auto v = target.get(key); v && !v->empty()) {
                auto t = parse_iso_time(*v);
                if (!t) {
                    r.error = ErrorDict{};
                    add_error(*r.error, "time", "Enter a valid date/time.");
                    return r;
                }
                *bound = *t;
            }
        }
        auto user_names = target.all("user_name"), actions = target.all("action"),
             types = target.all("changed_object_type"), request_ids = target.all("request_id");
        for (const auto& change : state_.changes) {
            const json::object& rec = change.record;
            const json::value* user = field(rec, "user");
            Id user_id = user && user->is_object() ? int_or(user->get_object(), "id", 0) : 0;
            if ((after && change.time < *after) || (before && change.time > *before)) continue;
            if (in_ids(*wanted_ids, change.id) && in(user_names, rec.at("user_name").get_string()) &&
                in(actions, rec.at("action").at("value").get_string()) &&
                in(types, rec.at("changed_object_type").get_string()) &&
                in(request_ids, rec.at("request_id").get_string()) &&
                in_ids(*object_ids, rec.at("changed_object_id").as_int64()) && in_ids(*user_ids, user_id))
                r.ids.push_back(change.id);
        }
        return r;
    }, error);
    if (error) return json_reply(400, *error);
    FieldView view = field_view(target, {});  // ObjectChangeSerializer has no brief_fields
    request_narrow_ = view.narrow();
    return paginate(ids, target, [&](Id id, std::string& out) {
        ++request_rendered_;
        out += json::serialize(narrowed(find(id)->record, view));
    });
}

http::Response NetboxSim::paginate(const std::vector<Id>& ids, const http::Target& target,
                                   const std::function<void(Id, std::string&)>& append_json) {
    // Limit semantics of NetBox's REST API: default 50, capped by max_page_size; 0 means max_page_size (all
    // rows only when max_page_size is 0); negative or non-integer values are ignored.
    const std::size_t max = config_.max_page_size;
    std::size_t limit = 50;
    if (auto l = target.get("limit")) {
        if (auto n = parse_int(*l); n && *n >= 0) limit = static_cast<std::size_t>(*n);
    }
    if (limit == 0) limit = max == 0 ? ids.size() : max;
    if (max != 0) limit = std::min(limit, max);
    if (limit == 0) limit = 1;  // empty table with limit 0 and max 0: any positive value works

    http::QueryParams keep;
    for (const auto& p : target.params)
        if (p.first != "limit" && p.first != "offset" && p.first != "start") keep.push_back(p);
    auto link = [&](std::vector<std::pair<std::string, std::string>> extra) {
        http::QueryParams params = keep;
        for (auto& e : extra) params.push_back(std::move(e));
        return json::serialize(json::value(base_url_ + http::make_target(target.path, params)));
    };
    // The page is assembled as text from each object's rendered JSON (see Resource::rendered).
    auto page = [](std::string count, std::string next, std::string previous, std::string results) {
        return http::json_response(200, "{\"count\":" + count + ",\"next\":" + next + ",\"previous\":" + previous +
                                            ",\"results\":[" + results + "]}");
    };
    std::string results;
    auto add = [&](Id id) {
        if (!results.empty()) results += ',';
        append_json(id, results);
    };

    if (auto start = target.get("start")) {
        // Keyset pagination (4.6+): ids >= start, count and previous always null.
        auto s = parse_int(*start);
        if (!s || *s < 0) return json_reply(400, json::object{{"start", json::array{"Must be a non-negative integer."}}});
        if (target.get("offset")) return json_reply(400, json::object{{"detail", "start and offset cannot be combined."}});
        auto it = std::lower_bound(ids.begin(), ids.end(), *s);
        std::size_t n = 0;
        for (; it != ids.end() && n < limit; ++it, ++n) add(*it);
        std::string next = n == limit && it != ids.end()
                               ? link({{"limit", std::to_string(limit)}, {"start", std::to_string(*(it - 1) + 1)}})
                               : "null";
        return page("null", std::move(next), "null", std::move(results));
    }

    std::size_t offset = 0;
    if (auto o = target.get("offset")) {
        if (auto n = parse_int(*o); n && *n >= 0) offset = static_cast<std::size_t>(*n);
    }
    for (std::size_t i = offset; i < ids.size() && i < offset + limit; ++i) add(ids[i]);
    std::string next = offset + limit < ids.size()
                           ? link({{"limit", std::to_string(limit)}, {"offset", std::to_string(offset + limit)}})
                           : "null";
    std::string previous = "null";
    if (offset > 0 && offset <= limit) {
        previous = link({{"limit", std::to_string(limit)}});
    } else if (offset > limit) {
        previous = link({{"limit", std::to_string(limit)}, {"offset", std::to_string(offset - limit)}});
    }
    return page(std::to_string(ids.size()), std::move(next), std::move(previous), std::move(results));
}

// ---------------------------------------------------------------------------------------------------------
// Writes

void NetboxSim::abort(Transaction& txn) {
    txn.rollback();
    state_.invalidate_caches();
    forget_all_rendered();
}

void NetboxSim::forget_all_rendered() {
    for (const auto& r : resources_.all) r->forget_all_rendered();
}

void NetboxSim::forget_rendered(const std::vector<PendingChange>& changes) {
    if (changes.empty()) return;
    for (const auto& r : resources_.all) {
        bool only_own_rows = r->renders_from_own_row() &&
                             std::all_of(changes.begin(), changes.end(),
                                         [&](const PendingChange& c) { return c.object_type == r->object_type(); });
        if (!only_own_rows) {
            r->forget_all_rendered();
            continue;
        }
        for (const auto& c : changes) r->forget_rendered(c.object_id);
    }
}

std::string NetboxSim::rendered_list(const Resource& resource, const std::vector<Id>& ids) {
    std::string out = "[";
    for (Id id : ids) {
        if (out.size() > 1) out += ',';
        out += resource.rendered(id);
    }
    out += ']';
    return out;
}

void NetboxSim::commit(Transaction& txn, std::vector<PendingChange>& changes, const User& user,
                       const std::string& request_id) {
    txn.commit();
    Micros now = sim_now();
    std::string time = iso_time(now);
    for (auto& c : changes) {
        Change change;
        change.id = state_.next_change_id++;
        change.time = now;
        Resource* owner = nullptr;
        for (const auto& r : resources_.all)
            if (r->object_type() == c.object_type) owner = r.get();
        json::value changed_object = nullptr;
        if (c.action != "delete" && owner != nullptr && owner->exists(c.object_id))
            changed_object = json::object{{"id", c.object_id}, {"url", owner->url(c.object_id)}, {"display", c.repr}};
        change.record = json::object{
            {"id", change.id},
            {"url", base_url_ + std::string(kChangesPath) + std::to_string(change.id) + "/"},
            {"display", c.repr + " (" + to_lower(action_label(c.action)) + ")"},
            {"time", time},
            {"user", json::object{{"id", user.id},
                                  {"url", base_url_ + "/api/users/users/" + std::to_string(user.id) + "/"},
                                  {"display", user.username},
                                  {"username", user.username}}},
            {"user_name", user.username},
            {"request_id", request_id},
            {"action", json::object{{"value", c.action}, {"label", action_label(c.action)}}},
            {"changed_object_type", c.object_type},
            {"changed_object_id", c.object_id},
            {"changed_object", std::move(changed_object)},
            {"object_repr", c.repr},
            {"message", c.message},
            {"prechange_data", std::move(c.prechange)},
            {"postchange_data", std::move(c.postchange)}};
        state_.changes.push_back(std::move(change));
    }
    if (!changes.empty()) ++state_.version;
    forget_rendered(changes);
}

json::object NetboxSim::bulk_errors_47(std::string_view verb, std::size_t failed, std::size_t total,
                                       json::array errors) const {
    return {{"detail", std::to_string(failed) + " of " + std::to_string(total) + " objects could not be " +
                           std::string(verb) + "."},
            {"errors", std::move(errors)}};
}

NetboxSim::ApiResult NetboxSim::write(Resource& resource, const http::Request& request, std::optional<Id> detail_id,
                                      const User& user, const std::string& request_id) {
    ApiResult result;
    std::optional<json::value> body;
    if (request.body.empty() && request.method == "DELETE") {
        body = json::value(nullptr);  // detail DELETE needs no body
    } else {
        body = parse_json(request.body);
    }
    if (!body) {
        result.response = detail(400, "JSON parse error - the request body is not valid JSON.");
        return result;
    }
    if (request.method == "POST") return create(resource, *body, user, request_id);
    if (request.method == "DELETE") return remove(resource, *body, detail_id, user, request_id);
    return update(resource, *body, detail_id, user, request_id);
}

http::Response NetboxSim::server_error(std::string_view exception, std::string_view message) const {
    // utilities/error_handlers.py handle_rest_api_exception: any unhandled exception of an API request.
    return json_reply(500, json::object{{"error", message},
                                        {"exception", exception},
                                        {"netbox_version", config_.v47() ? "4.7.1" : "4.6.8"},
                                        {"python_version", "3.12.3"}});
}

NetboxSim::ApiResult NetboxSim::create(Resource& resource, const json::value& body, const User& user,
                                       const std::string& request_id) {
    ApiResult result;
    bool bulk = body.is_array();
    if (!bulk && !body.is_object()) {
        ErrorDict e;
        add_error(e, config_.non_field_key(), "Invalid data. Expected a dictionary, but got " + type_name(body) + ".");
        result.response = json_reply(400, e);
        return result;
    }
    json::array single;
    if (!bulk) single.push_back(body);
    const json::array& items = bulk ? body.get_array() : single;
    result.objects_attempted = items.size();

    // 4.5/4.6 (netbox/api/viewsets/__init__.py create): the list serializer validates every element against
    // the state before the request, then saves them one by one in one transaction. So two new objects that
    // clash with each other both pass validation, and only a database constraint can stop them (500
    // IntegrityError; IP addresses have none, so both are created). 4.7 validates and saves each element in
    // turn: later elements see earlier ones. The simulator applies each element as it validates it and hides
    // the rows of this request from validation (Context::visible_below) in 4.6 mode.
    Transaction txn;
    std::vector<PendingChange> changes;
    std::vector<Id> created;
    std::vector<std::optional<ErrorDict>> errors(items.size());
    std::vector<std::string> messages;
    std::optional<std::string> integrity;
    std::size_t failed = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_object()) {
            ErrorDict e;
            add_error(e, config_.non_field_key(), "Invalid data. Expected a dictionary, but got " + type_name(items[i]) + ".");
            errors[i] = std::move(e);
            ++failed;
            continue;
        }
        auto r = resource.create(items[i].get_object(), txn);
        if (auto* e = std::get_if<ErrorDict>(&r)) {
            errors[i] = std::move(*e);
            ++failed;
            continue;
        }
        Id id = std::get<Id>(r);
        if (created.empty() && !config_.v47()) ctx_.visible_below = id;
        created.push_back(id);
        if (!integrity) integrity = resource.integrity_violation(id);
        messages.push_back(changelog_message(items[i]));
        changes.push_back({"create", std::string(resource.object_type()), id, resource.repr(id), nullptr,
                           resource.snapshot(id), messages.back()});
    }
    ctx_.visible_below = std::numeric_limits<Id>::max();

    if (failed > 0) {
        abort(txn);
        if (!bulk) {
            result.response = json_reply(400, *errors[0]);
        } else if (config_.v47()) {
            json::array list;
            for (std::size_t i = 0; i < errors.size(); ++i)
                if (errors[i]) list.push_back(json::object{{"index", i}, {"errors", *errors[i]}});
            result.response = json_reply(400, bulk_errors_47("created", failed, items.size(), std::move(list)));
        } else {
            json::array list;
            for (auto& e : errors) list.push_back(e ? json::value(*e) : json::value(json::object{}));
            result.response = json_reply(400, list);
        }
        return result;
    }
    // Validation passed; saving hits the database constraints, then the change records (message <= 200).
    if (integrity) {
        abort(txn);
        result.response = server_error("IntegrityError", *integrity);
        return result;
    }
    if (auto too_long = overlong_changelog_message(messages)) {
        abort(txn);
        result.response = server_error("DataError", *too_long);
        return result;
    }
    commit(txn, changes, user, request_id);
    result.objects_written = created.size();
    result.response = http::json_response(201, bulk ? rendered_list(resource, created) : resource.rendered(created.front()));
    return result;
}

NetboxSim::ApiResult NetboxSim::update(Resource& resource, const json::value& body, std::optional<Id> detail_id,
                                       const User& user, const std::string& request_id) {
    ApiResult result;
    bool bulk = !detail_id && body.is_array();
    json::array single;
    if (!bulk) {
        if (!body.is_object()) {
            result.response = config_.v47() && !detail_id ? detail(400, "Expected a list of objects.")
                                                          : json_reply(400, json::object{{config_.non_field_key(),
                                                                                          json::array{"Invalid data. Expected a dictionary, but got " + type_name(body) + "."}}});
            return result;
        }
        single.push_back(body);
    }
    const json::array& items = bulk ? body.get_array() : single;
    result.objects_attempted = items.size();

    if (detail_id && !resource.exists(*detail_id)) {
        result.response = detail(404, not_found_message(resource.object_type()));
        return result;
    }

    Transaction txn;
    std::vector<PendingChange> changes;
    std::vector<Id> updated;
    json::array errors47;
    std::size_t failed = 0;
    std::vector<Id> seen;
    std::vector<std::string> messages;
    std::optional<std::string> integrity;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const json::value& item = items[i];
        auto fail = [&](json::object error_item, ErrorDict dict) {
            ++failed;
            if (config_.v47() && (bulk || !detail_id)) {
                error_item["errors"] = std::move(dict);
                errors47.push_back(std::move(error_item));
            } else {
                errors47.push_back(std::move(dict));  // 4.6 / detail: the first dict is the whole answer
            }
        };
        if (!item.is_object()) {
            ErrorDict e;
            add_error(e, config_.non_field_key(), "Invalid data. Expected a dictionary, but got " + type_name(item) + ".");
            fail({{"index", i}}, std::move(e));
            if (!config_.v47()) break;
            continue;
        }
        Id id = 0;
        if (detail_id) {
            id = *detail_id;
        } else {
            auto given = int_field(item.get_object(), "id");
            if (!given) {
                ErrorDict e;
                add_error(e, "id", "This field is required.");
                fail({{"index", i}}, std::move(e));
                if (!config_.v47()) break;
                continue;
            }
            id = *given;
            if (!resource.exists(id)) {
                if (!config_.v47()) continue;  // 4.5/4.6 silently skip unknown ids
                ErrorDict e;
                add_error(e, "id", "Object with ID " + std::to_string(id) + " does not exist");
                fail({{"index", i}}, std::move(e));
                continue;
            }
            if (config_.v47() && std::find(seen.begin(), seen.end(), id) != seen.end()) {
                ErrorDict e;
                add_error(e, "id", "Object with ID " + std::to_string(id) + " is listed more than once");
                fail({{"index", i}}, std::move(e));
                continue;
            }
            seen.push_back(id);
        }
        json::value before = resource.snapshot(id);
        if (auto e = resource.update(id, item.get_object(), txn)) {
            fail({{"id", id}}, std::move(*e));
            if (!config_.v47()) break;  // 4.5/4.6 stop at the first invalid object
            continue;
        }
        updated.push_back(id);
        if (!integrity) integrity = resource.integrity_violation(id);
        messages.push_back(changelog_message(item));
        changes.push_back({"update", std::string(resource.object_type()), id, resource.repr(id), std::move(before),
                           resource.snapshot(id), messages.back()});
    }

    if (failed > 0) {
        abort(txn);
        if (config_.v47() && bulk) {
            result.response = json_reply(400, bulk_errors_47("updated", failed, items.size(), std::move(errors47)));
        } else {
            json::value first = std::move(errors47.front());
            if (first.is_object() && first.get_object().contains("errors") && !detail_id)
                first = first.get_object()["errors"];
            result.response = json_reply(400, first);
        }
        return result;
    }
    if (integrity || overlong_changelog_message(messages)) {
        abort(txn);
        result.response = integrity ? server_error("IntegrityError", *integrity)
                                    : server_error("DataError", *overlong_changelog_message(messages));
        return result;
    }
    commit(txn, changes, user, request_id);
    result.objects_written = updated.size();
    result.response = http::json_response(200, bulk ? rendered_list(resource, updated) : resource.rendered(updated.front()));
    return result;
}

NetboxSim::ApiResult NetboxSim::remove(Resource& resource, const json::value& body, std::optional<Id> detail_id,
                                       const User& user, const std::string& request_id) {
    ApiResult result;
    std::vector<std::pair<std::size_t, Id>> targets;  // (index in request, id)
    json::array errors47;
    std::size_t failed = 0;
    unsigned status = 400;
    std::size_t total = 1;
    std::optional<std::string> conflict_detail;  // first protected-dependency message (409)

    if (detail_id) {
        if (!resource.exists(*detail_id)) {
            result.response = detail(404, not_found_message(resource.object_type()));
            return result;
        }
        targets.emplace_back(0, *detail_id);
    } else {
        if (!body.is_array()) {
            result.response = detail(400, "Expected a list of objects to delete.");
            return result;
        }
        const json::array& items = body.get_array();
        total = items.size();
        for (std::size_t i = 0; i < items.size(); ++i) {
            std::optional<Id> id = items[i].is_object() ? int_field(items[i].get_object(), "id") : as_int(items[i]);
            if (!id) {
                ++failed;
                ErrorDict e;
                add_error(e, "id", "This field is required.");
                errors47.push_back(json::object{{"index", i}, {"errors", std::move(e)}});
                continue;
            }
            bool duplicate = std::any_of(targets.begin(), targets.end(), [&](const auto& t) { return t.second == *id; });
            if (!resource.exists(*id) || duplicate) {
                if (!config_.v47()) continue;  // 4.5/4.6 silently ignore unknown ids
                ++failed;
                ErrorDict e;
                add_error(e, "id", duplicate ? "Object with ID " + std::to_string(*id) + " is listed more than once"
                                             : "Object with ID " + std::to_string(*id) + " does not exist");
                errors47.push_back(json::object{{"index", i}, {"errors", std::move(e)}});
                continue;
            }
            targets.emplace_back(i, *id);
        }
    }
    result.objects_attempted = total;

    Transaction txn;
    std::vector<PendingChange> changes;
    std::vector<std::string> messages;
    const json::array* items = body.is_array() ? &body.get_array() : nullptr;
    for (const auto& [index, id] : targets) {
        json::value before = resource.snapshot(id);
        std::string repr = resource.repr(id);
        std::vector<Cascaded> cascaded;
        if (auto conflict = resource.remove(id, txn, cascaded)) {
            ++failed;
            status = 409;
            ErrorDict e;
            add_error(e, "__all__", *conflict);
            errors47.push_back(json::object{{"id", id}, {"errors", std::move(e)}});
            if (!conflict_detail) conflict_detail = *conflict;
            if (!config_.v47()) break;
            continue;
        }
        for (auto& c : cascaded)
            changes.push_back({"delete", c.object_type, c.id, c.repr, std::move(c.snapshot), nullptr, ""});
        messages.push_back(items ? changelog_message((*items)[index]) : std::string());
        changes.push_back({"delete", std::string(resource.object_type()), id, repr, std::move(before), nullptr,
                           messages.back()});
    }

    if (failed > 0) {
        abort(txn);
        if (config_.v47() && !detail_id) {
            result.response = json_reply(status, bulk_errors_47("deleted", failed, total, std::move(errors47)));
        } else {
            // 4.5/4.6 and detail deletes: a protected dependency is a plain 409 {"detail"}.
            result.response = conflict_detail ? detail(409, *conflict_detail)
                                              : json_reply(400, errors47.front().get_object().at("errors"));
        }
        return result;
    }
    if (auto too_long = overlong_changelog_message(messages)) {
        abort(txn);
        result.response = server_error("DataError", *too_long);
        return result;
    }
    commit(txn, changes, user, request_id);
    result.objects_written = targets.size();
    result.response = no_content();
    return result;
}

}  // namespace nds::sim::netbox
