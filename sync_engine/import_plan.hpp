// The result of planning an import (the plugin's behaviour): one Plan with every write, plus the errors the
// planner found, each in the category the plugin reports it under (failovers, scopes, option values,
// exclusion ranges; this project adds prefixes and option codes, which the plugin creates silently).
#pragma once

#include "sync_engine/plan.hpp"

#include <optional>
#include <vector>

namespace nds::engine {

enum class ImportCategory { failovers, prefixes, scopes, option_codes, option_values, exclusion_ranges };

const char* to_string(ImportCategory category);  ///< "failovers", "prefixes", ... (JSON keys)
const char* label(ImportCategory category);      ///< "Failovers", "Prefixes", ... (text output)
/// The category a written or skipped object kind belongs to; nullopt for kinds import never writes.
std::optional<ImportCategory> import_category(ObjectKind kind);

/// Something of this category could not be imported (a record, a read, a missing partner server).
struct ImportError {
    ImportCategory category = ImportCategory::scopes;
    ActionNote note;
};

struct ImportPlan {
    /// Creates and skips of every category. plan.problems holds warnings and errors that belong to no
    /// category (the imported server is unknown, a scope was imported as standalone).
    Plan plan;
    std::vector<ImportError> errors;

    void error(ImportCategory category, ActionNote note) { errors.push_back(ImportError{category, std::move(note)}); }
};

}  // namespace nds::engine
