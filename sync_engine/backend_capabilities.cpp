#include "sync_engine/backend_capabilities.hpp"

#include <algorithm>

namespace nds::engine {

const char* to_string(DhcpOperation operation) {
    switch (operation) {
    case DhcpOperation::scope_create: return "scope create";
    case DhcpOperation::scope_update: return "scope update";
    case DhcpOperation::scope_delete: return "scope delete";
    case DhcpOperation::exclusion_create: return "exclusion create";
    case DhcpOperation::exclusion_delete: return "exclusion delete";
    case DhcpOperation::reservation_create: return "reservation create";
    case DhcpOperation::reservation_update: return "reservation update";
    case DhcpOperation::reservation_delete: return "reservation delete";
    }
    return "?";
}

bool BackendCapabilities::supports(DhcpOperation operation) const {
    return std::find(unsupported.begin(), unsupported.end(), operation) == unsupported.end();
}

}  // namespace nds::engine
