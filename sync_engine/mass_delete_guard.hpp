// The mass-delete guard (README, "How it differs from the plugin"). A server that swallows an error and answers an empty lease list (plugin
// B4) would otherwise wipe the scope; a cleanup that deletes most of what it could delete is held back.
#pragma once

#include "sync_engine/sync_settings.hpp"

#include <cstddef>

namespace nds::engine {

struct GuardVerdict {
    bool tripped = false;
    std::size_t deletes = 0;
    std::size_t deletable = 0;
};

/// `deletable` = the scope's cleanup candidates that cleanup could delete (managed reservations, L-status IPs,
/// not protected). Trips when deletes > max_delete_fraction x deletable AND deletes > max_delete_min, unless
/// allow_mass_delete.
GuardVerdict check_mass_delete(std::size_t deletes, std::size_t deletable, const SyncSettings& settings);

}  // namespace nds::engine
