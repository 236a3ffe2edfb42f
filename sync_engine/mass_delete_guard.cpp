#include "sync_engine/mass_delete_guard.hpp"

namespace nds::engine {

GuardVerdict check_mass_delete(std::size_t deletes, std::size_t deletable, const SyncSettings& settings) {
    GuardVerdict verdict{false, deletes, deletable};
    if (settings.allow_mass_delete) return verdict;
    bool large_share = static_cast<double>(deletes) > settings.max_delete_fraction * static_cast<double>(deletable);
    bool above_floor = static_cast<long long>(deletes) > static_cast<long long>(settings.max_delete_min);
    verdict.tripped = large_share && above_floor;
    return verdict;
}

}  // namespace nds::engine
