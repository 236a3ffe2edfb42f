// Scope and exclusion-range import (the plugin's behaviour). Never overwrites:
//  - a scope NetBox already has is skipped: one this server owns on the same network (whatever its name;
//    a second one would make the sync's scope matching ambiguous), or one with the same prefix and name
//    (the plugin's rule). Its missing exclusion ranges are still added; its options are not re-imported;
//  - a missing prefix is created when create_missing_prefixes, else the scope is an error; a network present
//    in several VRFs is an error (the plugin raised, B7);
//  - the scope joins its failover when NetBox has it or the same import creates it; a failover NetBox does
//    not link to this server is an error; an unknown failover makes it a standalone scope (the plugin's rule),
//    with a warning;
//  - inactive scopes are imported too; routers 0.0.0.0 and lease time 0 mean "none" / 86400.
#pragma once

#include "sync_engine/import_inputs.hpp"
#include "sync_engine/import_options.hpp"
#include "sync_engine/import_plan.hpp"
#include "sync_engine/sync_settings.hpp"

#include <set>

namespace nds::engine {

struct ImportScopeContext {
    const ImportNetBox& netbox;
    const NetBoxServer& server;
    const SyncSettings& settings;
    OptionImporter& options;
    ImportPlan& out;
    std::set<Ipv4Network> prefixes_planned{};
};

/// `data` nullptr: the scope's options and exclusions were not read.
void import_scope(ImportScopeContext& ctx, const DhcpScope& remote, const ImportScopeData* data);

}  // namespace nds::engine
