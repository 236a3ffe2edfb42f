// A Kea subnet has no "range" and no "exclusion ranges": it has pools. The sync's scope range and exclusion
// ranges (Windows' model) are mapped onto them here, with pure functions on address spans:
//   writing:  pools = range minus the exclusions
//   reading:  range = first .. last pool address, exclusions = the gaps between pools
// An exclusion at an edge of the range cannot be seen in the pools (range 10..100 minus 10..20 gives the
// pool 21..100, which reads back as the range 21..100): the writer then keeps the range in the subnet's
// user-context (kea_config.hpp) and the reader takes it from there while every pool lies inside it.
// Exclusions come back normalised: overlapping or adjacent ones as one (the addresses are the same).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nds::kea {

/// first..last, both included; first <= last.
struct AddressSpan {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    friend auto operator<=>(const AddressSpan&, const AddressSpan&) = default;
};

/// Kea's pool syntax: "192.0.2.10 - 192.0.2.20", "192.0.2.10-192.0.2.20" or "192.0.2.0/26" (a CIDR pool
/// holds every address of the prefix, network and broadcast included, host bits ignored, as Kea reads it). nullopt when the
/// text is none of these or first > last.
std::optional<AddressSpan> parse_pool(std::string_view text);
/// "192.0.2.10-192.0.2.20": the form Kea's config-get prints, so an unchanged pool reads back identical.
std::string format_pool(AddressSpan span);
/// "192.0.2.10 - 192.0.2.20", for messages.
std::string describe(AddressSpan span);

/// Sorted, with overlapping and adjacent spans merged.
std::vector<AddressSpan> normalize(std::vector<AddressSpan> spans);
/// The addresses of `range` that no exclusion covers, as sorted disjoint spans. Exclusions may overlap,
/// touch, or reach outside the range (only their part inside counts).
std::vector<AddressSpan> subtract(AddressSpan range, const std::vector<AddressSpan>& exclusions);

struct RangeAndExclusions {
    AddressSpan range;
    std::vector<AddressSpan> exclusions;  ///< normalised, inside the range
    friend bool operator==(const RangeAndExclusions&, const RangeAndExclusions&) = default;
};

/// What the pools mean: range = first..last pool address, or `stored_range` when given and every pool lies
/// inside it; exclusions = the addresses of the range no pool covers. nullopt without pools and without a
/// stored range.
std::optional<RangeAndExclusions> range_from_pools(const std::vector<AddressSpan>& pools,
                                                   std::optional<AddressSpan> stored_range);
/// The range to keep next to `pools` so that range_from_pools() gives `range` back: nullopt when the pools
/// alone say it (their first and last addresses are the range's edges).
std::optional<AddressSpan> range_to_store(AddressSpan range, const std::vector<AddressSpan>& pools);

/// An existing pool: its span and which pool object of the subnet it is (its client-class, option-data...
/// must survive a recomputation).
struct TaggedSpan {
    AddressSpan span;
    int tag = -1;  ///< index of the pool in the subnet's list; -1 = a new pool without attributes
    friend bool operator==(const TaggedSpan&, const TaggedSpan&) = default;
};

/// Lays the target address set over the existing pools: an address an existing pool covers stays in that
/// pool; an address no pool covers joins the nearest pool on its left within the same target span (else
/// on its right; else a new pool, tag -1). Adjacent pieces of one pool are merged. The result is sorted;
/// one existing pool may come back as several pieces (an exclusion cut it), each keeping its tag.
std::vector<TaggedSpan> reshape_pools(const std::vector<TaggedSpan>& existing, const std::vector<AddressSpan>& target);

}  // namespace nds::kea
