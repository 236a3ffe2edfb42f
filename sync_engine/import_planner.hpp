// plan_import: the whole of `import --server NAME` as one plan (the plugin's behaviour). Pure, like the rest of
// the engine. Order as the plugin's: failovers first (scopes link to them), then every scope of the server,
// active or not, with its options and exclusion ranges. Each rule lives in its own file:
// import_failovers, import_scopes, import_options.
#pragma once

#include "sync_engine/import_inputs.hpp"
#include "sync_engine/import_plan.hpp"
#include "sync_engine/sync_settings.hpp"

#include <string>

namespace nds::engine {

ImportPlan plan_import(const ImportNetBox& netbox, const std::string& server_name, const ImportServerData& server,
                       const SyncSettings& settings);

}  // namespace nds::engine
