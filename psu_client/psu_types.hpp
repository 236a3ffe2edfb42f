// Value types of the PSU client (results of reads), kept apart from psu_client.hpp so that sans-IO code
// (psu_json) and its tests do not pull in Asio.
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nds::psu {

/// A parsed list plus the records that were skipped.
template <class T>
struct ParsedList {
    std::vector<T> items;
    std::vector<engine::ReadProblem> problems;
    std::size_t skipped = 0;  ///< records left out; a list with skipped records is incomplete
};

struct Health { std::string status; std::string version; };

struct Failover {
    std::string name;
    std::string primary_server;
    std::string secondary_server;
    std::string mode;
    std::vector<std::string> scope_ids;
    int max_client_lead_time = 3600;
    int max_response_delay = 30;
    std::optional<int> state_switchover_interval;
    bool enable_auth = false;
};

struct OptionValue {
    int code = 0;
    std::string name;
    std::vector<std::string> value;
    std::string type;
    std::string vendor_class;
};

}  // namespace nds::psu
