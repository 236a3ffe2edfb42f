// Request targets for NetBox reads (see netbox_query.hpp).
#include "netbox_client/netbox_query.hpp"

#include "http/url.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace nds::netbox::query {

std::string base_path(std::string_view url) {
    std::string path;
    if (auto parsed = http::Url::parse(url)) path = http::Target::parse(parsed->target).path;
    while (!path.empty() && path.back() == '/') path.pop_back();
    return path;
}

std::string normalize_plugin_path(std::string_view plugin_path) {
    std::string out(plugin_path);
    if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
    if (out.back() != '/') out += '/';
    return out;
}

std::string list_target(std::string_view path, int page_size,
                        const std::vector<std::pair<std::string, std::string>>& filters, std::string_view fields) {
    http::QueryParams params(filters.begin(), filters.end());
    params.emplace_back("limit", std::to_string(page_size));
    params.emplace_back("ordering", "id");
    if (!fields.empty()) params.emplace_back("fields", std::string(fields));
    return http::make_target(path, params);
}

std::vector<std::string> prefixes_by_id_targets(std::string_view prefixes_path, std::vector<engine::ObjectId> ids,
                                                int page_size) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<std::string> targets;
    for (std::size_t i = 0; i < ids.size(); i += kIdsPerRequest) {
        std::vector<std::pair<std::string, std::string>> filters;
        for (std::size_t j = i; j < std::min(ids.size(), i + kIdsPerRequest); ++j)
            filters.emplace_back("id", std::to_string(ids[j]));
        targets.push_back(list_target(prefixes_path, page_size, filters, fields::kPrefix));
    }
    return targets;
}

std::vector<std::string> prefix_lookup_targets(std::string_view prefixes_path,
                                               std::vector<engine::Ipv4Network> networks, int page_size) {
    std::sort(networks.begin(), networks.end());
    networks.erase(std::unique(networks.begin(), networks.end()), networks.end());
    std::vector<std::string> targets;
    for (std::size_t i = 0; i < networks.size(); i += kNetworksPerRequest) {
        std::vector<std::pair<std::string, std::string>> filters;
        for (std::size_t j = i; j < std::min(networks.size(), i + kNetworksPerRequest); ++j)
            filters.emplace_back("prefix", networks[j].to_string());
        targets.push_back(list_target(prefixes_path, page_size, filters, fields::kPrefix));
    }
    return targets;
}

std::vector<std::string> ip_address_targets(std::string_view ip_path, std::vector<engine::PrefixToRead> prefixes,
                                            int page_size,
                                            const std::vector<std::pair<std::string, std::string>>& extra) {
    // IPs are keyed by (VRF, address): each VRF is asked separately so that an address of another VRF
    // inside the same network is never read as ours.
    std::map<std::optional<engine::ObjectId>, std::vector<engine::Ipv4Network>> by_vrf;
    for (const auto& p : prefixes) by_vrf[p.vrf_id].push_back(p.prefix);
    std::vector<std::string> targets;
    for (auto& [vrf, networks] : by_vrf) {
        std::sort(networks.begin(), networks.end());
        networks.erase(std::unique(networks.begin(), networks.end()), networks.end());
        std::string vrf_value = vrf ? std::to_string(*vrf) : std::string("null");
        for (std::size_t i = 0; i < networks.size(); i += kNetworksPerRequest) {
            std::vector<std::pair<std::string, std::string>> filters;
            for (std::size_t j = i; j < std::min(networks.size(), i + kNetworksPerRequest); ++j)
                filters.emplace_back("parent", networks[j].to_string());
            filters.emplace_back("vrf_id", vrf_value);
            for (const auto& e : extra) filters.push_back(e);
            targets.push_back(list_target(ip_path, page_size, filters, fields::kIpAddress));
        }
    }
    return targets;
}

}  // namespace nds::netbox::query
