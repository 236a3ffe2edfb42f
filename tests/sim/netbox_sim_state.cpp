#include "tests/sim/netbox_sim_state.hpp"

#include <algorithm>
#include <limits>

namespace nds::sim::netbox {

namespace {
Id vrf_key(const std::optional<Id>& vrf) { return vrf.value_or(0); }
}  // namespace

void State::index_add(const IpAddress& ip) {
    ip_index_.emplace(vrf_key(ip.vrf), ip.address.address.value, ip.id);
    ++ips_per_vrf_[vrf_key(ip.vrf)];
}

void State::index_remove(const IpAddress& ip) {
    ip_index_.erase({vrf_key(ip.vrf), ip.address.address.value, ip.id});
    auto it = ips_per_vrf_.find(vrf_key(ip.vrf));
    if (it != ips_per_vrf_.end() && --it->second == 0) ips_per_vrf_.erase(it);
}

void State::insert_ip(IpAddress ip, Transaction* txn) {
    index_add(ip);
    Id id = ip.id;
    ips_.rows[id] = std::move(ip);
    if (txn) txn->push_undo([this, id] { erase_ip(id, nullptr); });
}

void State::replace_ip(IpAddress ip, Transaction* txn) {
    auto& slot = ips_.rows.at(ip.id);
    if (txn) txn->push_undo([this, old = slot] { replace_ip(old, nullptr); });
    index_remove(slot);
    index_add(ip);
    slot = std::move(ip);
}

void State::erase_ip(Id id, Transaction* txn) {
    auto it = ips_.rows.find(id);
    if (it == ips_.rows.end()) return;
    if (txn) txn->push_undo([this, old = it->second] { insert_ip(old, nullptr); });
    index_remove(it->second);
    ips_.rows.erase(it);
}

void State::ips_in_range(Id key, const Ipv4Network& network, std::vector<Id>& out) const {
    auto first = ip_index_.lower_bound({key, network.network.value, std::numeric_limits<Id>::min()});
    auto last = ip_index_.upper_bound({key, network.broadcast().value, std::numeric_limits<Id>::max()});
    for (auto it = first; it != last; ++it) out.push_back(std::get<2>(*it));
}

Id State::find_duplicate_host(std::optional<Id> vrf, Ipv4Address host, Id except, Id visible_below) const {
    auto it = ip_index_.lower_bound({vrf_key(vrf), host.value, std::numeric_limits<Id>::min()});
    for (; it != ip_index_.end() && std::get<0>(*it) == vrf_key(vrf) && std::get<1>(*it) == host.value; ++it)
        if (std::get<2>(*it) != except && std::get<2>(*it) < visible_below) return std::get<2>(*it);
    return 0;
}

std::vector<Id> State::vrf_keys_in_use() const {
    std::vector<Id> keys;
    for (const auto& [key, count] : ips_per_vrf_) keys.push_back(key);
    return keys;
}

const Tag* State::tag_by_slug(std::string_view slug) const {
    for (const auto& [id, tag] : tags.rows)
        if (tag.slug == slug) return &tag;
    return nullptr;
}

const Vrf* State::vrf_by_name(std::string_view name) const {
    for (const auto& [id, vrf] : vrfs.rows)
        if (vrf.name == name) return &vrf;
    return nullptr;
}

const DhcpServer* State::server_by_name(std::string_view name) const {
    for (const auto& [id, server] : servers.rows)
        if (server.name == name) return &server;
    return nullptr;
}

const DhcpFailover* State::failover_by_name(std::string_view name) const {
    for (const auto& [id, failover] : failovers.rows)
        if (failover.name == name) return &failover;
    return nullptr;
}

void State::rebuild_caches() {
    std::vector<Id> ids;
    for (const auto& [id, scope] : scopes.rows) ids.push_back(id);
    std::stable_sort(ids.begin(), ids.end(), [this](Id a, Id b) { return scopes.rows.at(a).name < scopes.rows.at(b).name; });
    scope_index_.clear();
    for (Id id : ids) {
        const Prefix* prefix = prefixes.find(scopes.rows.at(id).prefix);
        if (prefix != nullptr) scope_index_.push_back({id, prefix->prefix});
    }
    exclusions_by_scope_.clear();
    for (const auto& [id, range] : exclusions.rows) exclusions_by_scope_[range.scope].push_back(id);
    caches_valid_ = true;
}

const std::vector<ScopeIndexEntry>& State::scope_index() {
    if (!caches_valid_) rebuild_caches();
    return scope_index_;
}

const std::vector<Id>& State::exclusions_of(Id scope) {
    static const std::vector<Id> none;
    if (!caches_valid_) rebuild_caches();
    auto it = exclusions_by_scope_.find(scope);
    return it == exclusions_by_scope_.end() ? none : it->second;
}

void State::clear() {
    users.clear();
    user_by_token.clear();
    tags.clear();
    vrfs.clear();
    prefixes.clear();
    servers.clear();
    failovers.clear();
    scopes.clear();
    exclusions.clear();
    option_codes.clear();
    option_values.clear();
    ip_ranges.clear();
    jobs.clear();
    changes.clear();
    next_change_id = 1;
    ips_.clear();
    ip_index_.clear();
    ips_per_vrf_.clear();
    caches_valid_ = false;
    ++version;
}

}  // namespace nds::sim::netbox
