// What `import --server NAME` did (or, with --dry-run, would do), in the plugin's terms: per category
// (failovers, prefixes, scopes, option codes, option values, exclusion ranges) the objects created, skipped
// (already in NetBox) and the errors — planning errors and writes NetBox refused alike. Text or JSON.
#pragma once

#include "daemon/run_report.hpp"
#include "sync_engine/import_plan.hpp"

#include <map>
#include <string>
#include <vector>

namespace nds::daemon {

struct ImportReport {
    std::string server;
    RunReport run;                            ///< every action with its outcome, other problems, fatal error
    std::vector<engine::ImportError> errors;  ///< what the planner could not import, by category

    struct Category {
        std::vector<std::string> created;  ///< with --dry-run: would be created
        std::vector<std::string> skipped;
        std::vector<std::string> errors;
    };
    /// Every category, in the order of engine::ImportCategory, even when empty.
    std::map<engine::ImportCategory, Category> categories() const;

    /// 0 success; 1 an object could not be imported (or another error); 3 NetBox unreachable.
    int exit_code() const;
    std::string to_text(bool verbose) const;
    std::string to_json() const;
};

}  // namespace nds::daemon
