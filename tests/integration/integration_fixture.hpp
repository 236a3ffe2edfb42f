// Shared helpers for the integration tests: a fresh environment per test and lookups in the simulators'
// state.
#pragma once

#include "tests/support/sync_environment.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace nds::testing {

inline SyncEnvironment make_environment(std::vector<std::string> servers = {"dhcp01", "dhcp02", "dhcp03"},
                                        bool seed_demo = true) {
    return SyncEnvironment({NDS_BINARY, NDS_NETBOX_SIM, NDS_PSU_SIM}, make_temp_dir("nds-it"), std::move(servers),
                           seed_demo);
}

/// The NetBox IP object with this address (with mask), if present.
inline std::optional<boost::json::object> find_ip(Simulator& netbox, const std::string& address) {
    auto state = netbox.state();
    for (const auto& ip : state.at("ip_addresses").as_array())
        if (ip.at("address").as_string() == address) return ip.as_object();
    return std::nullopt;
}

inline std::string status_of(const boost::json::object& ip) {
    const auto& status = ip.at("status");
    return status.is_object() ? std::string(status.at("value").as_string()) : std::string(status.as_string());
}

inline std::string client_id_of(const boost::json::object& ip) {
    const auto& value = ip.at("custom_fields").at("dhcp_client_id");
    return value.is_string() ? std::string(value.as_string()) : "";
}

inline bool has_tag(const boost::json::object& ip, const std::string& slug) {
    for (const auto& tag : ip.at("tags").as_array())
        if (tag.at("slug").as_string() == slug) return true;
    return false;
}

inline std::size_t count_of(Simulator& sim, const char* collection) {
    return sim.state().at(collection).as_array().size();
}

}  // namespace nds::testing
