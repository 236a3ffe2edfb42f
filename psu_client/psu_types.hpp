// Value types of the PSU client (results of reads), kept apart from psu_client.hpp so that sans-IO code
// (psu_json) and its tests do not pull in Asio.
#pragma once

#include "sync_engine/dhcp_snapshot.hpp"
#include "sync_engine/import_inputs.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nds::psu {

using engine::ParsedList;

struct Health { std::string status; std::string version; };

// Failovers and option values are import inputs; the engine owns their types (sync_engine/import_inputs.hpp).
using Failover = engine::DhcpFailover;
using OptionValue = engine::DhcpOptionValue;

}  // namespace nds::psu
