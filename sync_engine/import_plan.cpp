#include "sync_engine/import_plan.hpp"

namespace nds::engine {

const char* to_string(ImportCategory category) {
    switch (category) {
        case ImportCategory::failovers: return "failovers";
        case ImportCategory::prefixes: return "prefixes";
        case ImportCategory::scopes: return "scopes";
        case ImportCategory::option_codes: return "option_codes";
        case ImportCategory::option_values: return "option_values";
        case ImportCategory::exclusion_ranges: return "exclusion_ranges";
    }
    return "unknown";
}

const char* label(ImportCategory category) {
    switch (category) {
        case ImportCategory::failovers: return "Failovers";
        case ImportCategory::prefixes: return "Prefixes";
        case ImportCategory::scopes: return "Scopes";
        case ImportCategory::option_codes: return "Option codes";
        case ImportCategory::option_values: return "Option values";
        case ImportCategory::exclusion_ranges: return "Exclusion ranges";
    }
    return "Unknown";
}

std::optional<ImportCategory> import_category(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::failover: return ImportCategory::failovers;
        case ObjectKind::prefix: return ImportCategory::prefixes;
        case ObjectKind::scope: return ImportCategory::scopes;
        case ObjectKind::option_code: return ImportCategory::option_codes;
        case ObjectKind::option_value: return ImportCategory::option_values;
        case ObjectKind::exclusion_range: return ImportCategory::exclusion_ranges;
        default: return std::nullopt;
    }
}

}  // namespace nds::engine
