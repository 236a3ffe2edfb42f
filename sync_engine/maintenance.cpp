#include "sync_engine/maintenance.hpp"

namespace nds::engine {

bool in_maintenance(const NetBoxServer& server, const SyncSettings& settings) {
    return has_tag(server.tags, settings.maintenance_tag);
}

bool in_maintenance(const NetBoxFailover& failover, const SyncSettings& settings) {
    return has_tag(failover.tags, settings.maintenance_tag);
}

bool in_maintenance(const NetBoxScope& scope, const SyncSettings& settings) {
    return has_tag(scope.tags, settings.maintenance_tag);
}

}  // namespace nds::engine
