// POST /_sim/seed and GET /_sim/state of the NetBox simulator. Seeding bypasses validation and the changelog
// on purpose: tests use it to build states the REST API would refuse (duplicates, IPs outside scopes).
#include "tests/sim/netbox_sim.hpp"

namespace nds::sim::netbox {

namespace {


std::string required_string(const json::object& o, std::string_view key, std::string_view what) {
    auto s = string_field(o, key);
    if (!s) fail(std::string(what) + ": \"" + std::string(key) + "\" is required");
    return *s;
}

Ipv4Address required_ip(const json::object& o, std::string_view key, std::string_view what) {
    auto ip = Ipv4Address::parse(required_string(o, key, what));
    if (!ip) fail(std::string(what) + ": bad IPv4 in \"" + std::string(key) + "\"");
    return *ip;
}

std::vector<Id> tag_ids(const State& state, const json::object& o, std::string_view what) {
    std::vector<Id> ids;
    for (const auto& slug : array_of(o, "tags")) {
        if (!slug.is_string()) fail(std::string(what) + ": tags are given by slug");
        const Tag* tag = state.tag_by_slug(slug.get_string());
        if (tag == nullptr) fail(std::string(what) + ": unknown tag slug \"" + std::string(slug.get_string()) + "\"");
        ids.push_back(tag->id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

/// "vrf": VRF name, VRF id, or null/absent for the global table.
std::optional<Id> vrf_ref(const State& state, const json::object& o, std::string_view what) {
    const json::value* v = field(o, "vrf");
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (auto id = as_int(*v)) {
        if (state.vrfs.find(*id) == nullptr) fail(std::string(what) + ": unknown vrf id " + std::to_string(*id));
        return *id;
    }
    if (v->is_string()) {
        const Vrf* vrf = state.vrf_by_name(v->get_string());
        if (vrf == nullptr) fail(std::string(what) + ": unknown vrf \"" + std::string(v->get_string()) + "\"");
        return vrf->id;
    }
    fail(std::string(what) + ": \"vrf\" must be a name, an id or null");
}

void seed(State& state, const json::object& body, Transaction& txn) {
    const std::string now = sim_now_iso();

    for (const auto& item : array_of(body, "users")) {
        const json::object& o = object_of(item, "users");
        User user;
        user.id = state.users.allocate();
        user.username = required_string(o, "username", "user");
        user.token = required_string(o, "token", "user");
        user.write_enabled = bool_or(o, "write_enabled", true);
        user.can_view_tags = bool_or(o, "can_view_tags", true);
        user.can_view_jobs = bool_or(o, "can_view_jobs", true);
        if (state.user_by_token.count(user.token)) fail("user " + user.username + ": token already in use");
        state.user_by_token[user.token] = user.id;
        state.users.insert(std::move(user), &txn);
    }
    for (const auto& item : array_of(body, "tags")) {
        const json::object& o = object_of(item, "tags");
        Tag tag;
        tag.id = state.tags.allocate();
        tag.name = required_string(o, "name", "tag");
        tag.slug = string_or(o, "slug", to_lower(tag.name));
        tag.color = string_or(o, "color", "9e9e9e");
        tag.description = string_or(o, "description", "");
        if (state.tag_by_slug(tag.slug)) fail("tag " + tag.slug + ": slug already exists");
        tag.created = tag.last_updated = now;
        state.tags.insert(std::move(tag), &txn);
    }
    for (const auto& item : array_of(body, "vrfs")) {
        const json::object& o = object_of(item, "vrfs");
        Vrf vrf;
        vrf.id = state.vrfs.allocate();
        vrf.name = required_string(o, "name", "vrf");
        if (auto rd = string_field(o, "rd")) vrf.rd = *rd;
        vrf.enforce_unique = bool_or(o, "enforce_unique", true);
        vrf.created = vrf.last_updated = now;
        state.vrfs.insert(std::move(vrf), &txn);
    }
    for (const auto& item : array_of(body, "prefixes")) {
        const json::object& o = object_of(item, "prefixes");
        Prefix prefix;
        auto net = Ipv4Network::parse(required_string(o, "prefix", "prefix"));
        if (!net) fail("prefix: bad CIDR");
        prefix.id = state.prefixes.allocate();
        prefix.prefix = *net;
        prefix.vrf = vrf_ref(state, o, "prefix " + net->to_string());
        prefix.status = string_or(o, "status", "active");
        prefix.description = string_or(o, "description", "");
        prefix.tags = tag_ids(state, o, "prefix " + net->to_string());
        prefix.created = prefix.last_updated = now;
        state.prefixes.insert(std::move(prefix), &txn);
    }
    for (const auto& item : array_of(body, "servers")) {
        const json::object& o = object_of(item, "servers");
        DhcpServer server;
        server.id = state.servers.allocate();
        server.name = required_string(o, "name", "server");
        server.hostname = string_or(o, "hostname", server.name);
        server.port = int_or(o, "port", 443);
        server.use_https = bool_or(o, "use_https", true);
        server.verify_ssl = bool_or(o, "verify_ssl", true);
        server.sync_standalone_scopes = bool_or(o, "sync_standalone_scopes", true);
        server.tags = tag_ids(state, o, "server " + server.name);
        server.created = server.last_updated = now;
        state.servers.insert(std::move(server), &txn);
    }
    for (const auto& item : array_of(body, "failovers")) {
        const json::object& o = object_of(item, "failovers");
        DhcpFailover failover;
        failover.id = state.failovers.allocate();
        failover.name = required_string(o, "name", "failover");
        for (auto [key, target] : {std::pair<const char*, Id*>{"primary_server", &failover.primary_server},
                                   {"secondary_server", &failover.secondary_server}}) {
            std::string name = required_string(o, key, "failover " + failover.name);
            const DhcpServer* server = state.server_by_name(name);
            if (server == nullptr) fail("failover " + failover.name + ": unknown server \"" + name + "\"");
            *target = server->id;
        }
        failover.mode = string_or(o, "mode", "LoadBalance");
        failover.max_client_lead_time = int_or(o, "max_client_lead_time", 3600);
        failover.max_response_delay = int_or(o, "max_response_delay", 30);
        if (auto s = int_field(o, "state_switchover_interval")) failover.state_switchover_interval = *s;
        failover.sync_enabled = bool_or(o, "sync_enabled", true);
        failover.enable_auth = bool_or(o, "enable_auth", false);
        failover.tags = tag_ids(state, o, "failover " + failover.name);
        failover.created = failover.last_updated = now;
        state.failovers.insert(std::move(failover), &txn);
    }
    for (const auto& item : array_of(body, "option_codes")) {
        const json::object& o = object_of(item, "option_codes");
        DhcpOptionCode code;
        code.id = state.option_codes.allocate();
        auto number = int_field(o, "code");
        if (!number) fail("option code: \"code\" is required");
        code.code = *number;
        code.name = string_or(o, "name", "Option " + std::to_string(*number));
        code.data_type = string_or(o, "data_type", "String");
        code.description = string_or(o, "description", "");
        code.vendor_class = string_or(o, "vendor_class", "");
        code.is_builtin = bool_or(o, "is_builtin", false);
        code.created = code.last_updated = now;
        state.option_codes.insert(std::move(code), &txn);
    }
    for (const auto& item : array_of(body, "option_values")) {
        // {"code": 6, "value": "8.8.8.8", "friendly_name": ""}: the definition is found by code.
        const json::object& o = object_of(item, "option_values");
        DhcpOptionValue value;
        auto number = int_field(o, "code");
        if (!number) fail("option value: \"code\" is required");
        for (const auto& [id, code] : state.option_codes.rows)
            if (code.code == *number) value.definition = id;
        if (value.definition == 0) fail("option value: no option code " + std::to_string(*number));
        value.id = state.option_values.allocate();
        value.value = required_string(o, "value", "option value");
        value.friendly_name = string_or(o, "friendly_name", "");
        value.created = value.last_updated = now;
        state.option_values.insert(std::move(value), &txn);
    }
    for (const auto& item : array_of(body, "scopes")) {
        const json::object& o = object_of(item, "scopes");
        DhcpScope scope;
        scope.id = state.scopes.allocate();
        scope.name = required_string(o, "name", "scope");
        std::string what = "scope " + scope.name;
        auto net = Ipv4Network::parse(required_string(o, "prefix", what));
        if (!net) fail(what + ": bad prefix");
        std::optional<Id> vrf = vrf_ref(state, o, what);
        // The scope's prefix is looked up by (CIDR, VRF) and created when missing, so small tests need not
        // list prefixes separately.
        Id prefix_id = 0;
        for (const auto& [id, p] : state.prefixes.rows)
            if (p.prefix == *net && p.vrf == vrf) {
                prefix_id = id;
                break;
            }
        if (prefix_id == 0) {
            Prefix prefix;
            prefix.id = prefix_id = state.prefixes.allocate();
            prefix.prefix = *net;
            prefix.vrf = vrf;
            prefix.created = prefix.last_updated = now;
            state.prefixes.insert(std::move(prefix), &txn);
        }
        scope.prefix = prefix_id;
        scope.start_ip = required_ip(o, "start_ip", what);
        scope.end_ip = required_ip(o, "end_ip", what);
        if (auto router = string_field(o, "router"); router && !router->empty()) {
            auto ip = Ipv4Address::parse(*router);
            if (!ip) fail(what + ": bad router");
            scope.router = *ip;
        }
        scope.lease_lifetime = int_or(o, "lease_lifetime", 86400);
        if (auto name = string_field(o, "server")) {
            const DhcpServer* server = state.server_by_name(*name);
            if (server == nullptr) fail(what + ": unknown server \"" + *name + "\"");
            scope.server = server->id;
        }
        if (auto name = string_field(o, "failover")) {
            const DhcpFailover* failover = state.failover_by_name(*name);
            if (failover == nullptr) fail(what + ": unknown failover \"" + *name + "\"");
            scope.failover = failover->id;
        }
        scope.tags = tag_ids(state, o, what);
        scope.created = scope.last_updated = now;
        Id scope_id = scope.id;
        state.scopes.insert(std::move(scope), &txn);
        for (const auto& r : array_of(o, "exclusion_ranges")) {
            const json::object& ro = object_of(r, "exclusion_ranges");
            DhcpExclusionRange range;
            range.id = state.exclusions.allocate();
            range.scope = scope_id;
            range.start_ip = required_ip(ro, "start_ip", what + " exclusion");
            range.end_ip = required_ip(ro, "end_ip", what + " exclusion");
            range.created = range.last_updated = now;
            state.exclusions.insert(std::move(range), &txn);
        }
    }
    for (const auto& item : array_of(body, "ip_addresses")) {
        const json::object& o = object_of(item, "ip_addresses");
        IpAddress ip;
        std::string text = required_string(o, "address", "ip_address");
        auto iface = text.find('/') == std::string::npos
                         ? (Ipv4Address::parse(text) ? std::optional<Ipv4Interface>(Ipv4Interface{*Ipv4Address::parse(text), 32})
                                                     : std::nullopt)
                         : Ipv4Interface::parse(text);
        if (!iface) fail("ip_address: bad address \"" + text + "\"");
        ip.address = *iface;
        ip.vrf = vrf_ref(state, o, "ip_address " + text);
        ip.status = string_or(o, "status", "active");
        ip.dns_name = string_or(o, "dns_name", "");
        ip.description = string_or(o, "description", "");
        ip.tags = tag_ids(state, o, "ip_address " + text);
        if (const json::value* cf = field(o, "custom_fields"); cf && cf->is_object())
            if (auto cid = string_field(cf->get_object(), "dhcp_client_id"); cid && !cid->empty()) ip.dhcp_client_id = *cid;
        if (const json::value* t = field(o, "tunnel_termination"); t && !t->is_null()) {
            // {"tunnel": "HQ", "id": 3}: this IP is that termination's outside_ip (deleting it answers 409).
            const json::object& to = object_of(*t, "tunnel_termination");
            auto id = int_or(to, "id", 1);
            ip.protected_by = string_or(to, "tunnel", "Tunnel") + ": Termination " + std::to_string(id) + " (" +
                              std::to_string(id) + ")";
        }
        ip.id = state.allocate_ip_id();
        ip.created = ip.last_updated = string_or(o, "last_updated", now);
        state.insert_ip(std::move(ip), &txn);
    }
    for (const auto& item : array_of(body, "ip_ranges")) {
        const json::object& o = object_of(item, "ip_ranges");
        IpRange range;
        auto start = Ipv4Interface::parse(required_string(o, "start_address", "ip_range"));
        auto end = Ipv4Interface::parse(required_string(o, "end_address", "ip_range"));
        if (!start || !end) fail("ip_range: start_address and end_address are IPv4 addresses with a mask");
        range.id = state.ip_ranges.allocate();
        range.start_address = *start;
        range.end_address = *end;
        range.vrf = vrf_ref(state, o, "ip_range " + start->to_string());
        range.status = string_or(o, "status", "active");
        range.description = string_or(o, "description", "");
        range.mark_populated = bool_or(o, "mark_populated", false);
        range.mark_utilized = bool_or(o, "mark_utilized", false);
        range.tags = tag_ids(state, o, "ip_range " + start->to_string());
        range.created = range.last_updated = now;
        state.ip_ranges.insert(std::move(range), &txn);
    }
    for (const auto& item : array_of(body, "jobs")) {
        // {"name": "Windows DHCP Sync", "status": "scheduled", "interval": 60, "scheduled": "...", "started": ...,
        //  "completed": ..., "user": "alice", "log": ["Starting DHCP sync: ..."]}
        const json::object& o = object_of(item, "jobs");
        Job job;
        job.id = state.jobs.allocate();
        job.name = required_string(o, "name", "job");
        job.status = string_or(o, "status", "scheduled");
        job.created = string_or(o, "created", now);
        for (auto [key, target] : {std::pair<const char*, std::optional<std::string>*>{"scheduled", &job.scheduled},
                                   {"started", &job.started}, {"completed", &job.completed}})
            if (auto v = string_field(o, key)) *target = *v;
        if (auto v = int_field(o, "interval")) job.interval = *v;
        if (auto name = string_field(o, "user")) {
            for (const auto& [id, user] : state.users.rows)
                if (user.username == *name) job.user = id;
            if (!job.user) fail("job " + job.name + ": unknown user \"" + *name + "\"");
        }
        job.error = string_or(o, "error", "");
        job.job_id = string_or(o, "job_id", random_uuid());
        job.queue_name = string_or(o, "queue_name", "default");
        std::string log_time = job.started.value_or(job.created);
        for (const auto& line : array_of(o, "log")) {
            if (line.is_string())
                job.log_entries.push_back(json::object{{"level", "info"}, {"message", line}, {"timestamp", log_time}});
            else
                job.log_entries.push_back(object_of(line, "job log entry"));
        }
        state.jobs.insert(std::move(job), &txn);
    }
}

}  // namespace

std::optional<std::string> seed_state(State& state, const json::object& body) {
    Transaction txn;
    try {
        seed(state, body, txn);
    } catch (const SeedError& e) {
        txn.rollback();
        // The token map is not covered by the undo log: rebuild it from the (rolled back) users.
        state.user_by_token.clear();
        for (const auto& [id, user] : state.users.rows) state.user_by_token[user.token] = id;
        state.invalidate_caches();
        return e.message;
    }
    txn.commit();
    return std::nullopt;
}

json::object dump_state(const Resources& resources, const State& state) {
    auto all = [&](std::string_view path, auto const& rows) {
        json::array out;
        Resource* r = resources.by_path(path);
        for (const auto& [id, row] : rows) out.push_back(r->serialize(id));
        return out;
    };
    json::array users;
    for (const auto& [id, user] : state.users.rows)
        users.push_back(json::object{{"id", id}, {"username", user.username}, {"write_enabled", user.write_enabled}});
    return {{"ip_addresses", all("/api/ipam/ip-addresses/", state.ips())},
            {"prefixes", all("/api/ipam/prefixes/", state.prefixes.rows)},
            {"tags", all("/api/extras/tags/", state.tags.rows)},
            {"servers", all("/api/plugins/windows-dhcp/servers/", state.servers.rows)},
            {"failovers", all("/api/plugins/windows-dhcp/failover/", state.failovers.rows)},
            {"scopes", all("/api/plugins/windows-dhcp/scopes/", state.scopes.rows)},
            {"exclusion_ranges", all("/api/plugins/windows-dhcp/exclusion-ranges/", state.exclusions.rows)},
            {"vrfs", all("/api/ipam/vrfs/", state.vrfs.rows)},
            {"option_codes", all("/api/plugins/windows-dhcp/option-codes/", state.option_codes.rows)},
            {"option_values", all("/api/plugins/windows-dhcp/option-values/", state.option_values.rows)},
            {"ip_ranges", all("/api/ipam/ip-ranges/", state.ip_ranges.rows)},
            {"jobs", all("/api/core/jobs/", state.jobs.rows)},
            {"users", std::move(users)}};
}

}  // namespace nds::sim::netbox
