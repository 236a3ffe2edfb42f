#include "sync_engine/populated_ranges.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace nds::engine {

namespace {

/// The populated ranges of one VRF, sorted by start, for a binary search per create.
using RangesByVrf = std::map<std::optional<ObjectId>, std::vector<const NetBoxIpRange*>>;

const NetBoxIpRange* containing(const RangesByVrf& ranges, const std::optional<ObjectId>& vrf, Ipv4Address address) {
    auto it = ranges.find(vrf);
    if (it == ranges.end()) return nullptr;
    const auto& list = it->second;
    // Ranges may overlap: look at every range starting at or before the address (few in practice).
    auto end = std::upper_bound(list.begin(), list.end(), address,
                                [](Ipv4Address a, const NetBoxIpRange* r) { return a < r->start; });
    const NetBoxIpRange* found = nullptr;
    for (auto r = list.begin(); r != end; ++r)
        if (address <= (*r)->end && (!found || (*r)->id < found->id)) found = *r;
    return found;
}

}  // namespace

void skip_creates_in_populated_ranges(Plan& plan, const std::vector<NetBoxIpRange>& ranges) {
    RangesByVrf by_vrf;
    for (const auto& r : ranges)
        if (r.mark_populated && !(r.end < r.start)) by_vrf[r.vrf_id].push_back(&r);
    if (by_vrf.empty() || plan.ip_creates.empty()) return;
    for (auto& [vrf, list] : by_vrf)
        std::sort(list.begin(), list.end(), [](const NetBoxIpRange* a, const NetBoxIpRange* b) {
            return std::tie(a->start.value, a->id) < std::tie(b->start.value, b->id);
        });

    struct Left {
        ActionNote note;
        const NetBoxIpRange* range = nullptr;
        std::size_t count = 0;
        std::string first, last;  ///< the lowest and highest address left out
        Ipv4Address low, high;
    };
    std::vector<Left> left;  // in order of first appearance
    std::map<std::tuple<std::string, std::string, ObjectId>, std::size_t> position;

    std::vector<IpAddressCreate> kept;
    kept.reserve(plan.ip_creates.size());
    for (auto& create : plan.ip_creates) {
        const NetBoxIpRange* range = containing(by_vrf, create.vrf_id, create.address.address);
        if (range == nullptr) {
            kept.push_back(std::move(create));
            continue;
        }
        auto key = std::make_tuple(create.note.server, create.note.scope, range->id);
        auto [it, inserted] = position.emplace(key, left.size());
        if (inserted) left.push_back(Left{create.note, range, 0, {}, {}, create.address.address, create.address.address});
        Left& entry = left[it->second];
        ++entry.count;
        entry.low = std::min(entry.low, create.address.address);
        entry.high = std::max(entry.high, create.address.address);
    }
    plan.ip_creates = std::move(kept);

    for (const auto& entry : left) {
        ActionNote note;
        note.server = entry.note.server;
        note.scope = entry.note.scope;
        note.object = entry.range->display;
        std::string addresses = entry.count == 1 ? "1 IP address (" + entry.low.to_string() + ")"
                                                 : std::to_string(entry.count) + " IP addresses (" +
                                                       entry.low.to_string() + " .. " + entry.high.to_string() + ")";
        note.reason = addresses + " not created: inside IP range " + entry.range->display +
                      ", which NetBox marks populated (mark_populated: NetBox refuses new IP addresses in it)";
        plan.problems.push_back(Problem{Severity::warning, std::move(note)});
    }
}

}  // namespace nds::engine
