#include "kea_client/kea_pools.hpp"

#include "sync_engine/ipv4.hpp"

#include <algorithm>
#include <cctype>

namespace nds::kea {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

std::string address_text(std::uint32_t value) { return engine::Ipv4Address{value}.to_string(); }

std::optional<AddressSpan> intersect(AddressSpan a, AddressSpan b) {
    std::uint32_t first = std::max(a.first, b.first);
    std::uint32_t last = std::min(a.last, b.last);
    if (first > last) return std::nullopt;
    return AddressSpan{first, last};
}

/// Appends a piece, merging it into the previous one when they touch and belong to the same pool.
void append_piece(std::vector<TaggedSpan>& out, TaggedSpan piece) {
    if (!out.empty() && out.back().tag == piece.tag && out.back().span.last != UINT32_MAX &&
        out.back().span.last + 1 == piece.span.first) {
        out.back().span.last = piece.span.last;
        return;
    }
    out.push_back(piece);
}

/// The tag an uncovered part of `target` takes when no existing pool touches that target span: the last
/// pool before it, else the first after it, else none.
int neighbour_tag(const std::vector<TaggedSpan>& sorted_existing, AddressSpan target) {
    int before = -1;
    for (const auto& e : sorted_existing)
        if (e.span.last < target.first) before = e.tag;
    if (before != -1) return before;
    for (const auto& e : sorted_existing)
        if (e.span.first > target.last) return e.tag;
    return -1;
}

}  // namespace

std::optional<AddressSpan> parse_pool(std::string_view text) {
    text = trim(text);
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        // Host bits set ("10.5.0.3/26"): Kea takes the whole prefix, and so does this.
        auto network = engine::Ipv4Network::parse(text);
        if (!network) return std::nullopt;
        return AddressSpan{network->network.value, network->broadcast().value};
    }
    auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto first = engine::Ipv4Address::parse(trim(text.substr(0, dash)));
    auto last = engine::Ipv4Address::parse(trim(text.substr(dash + 1)));
    if (!first || !last || first->value > last->value) return std::nullopt;
    return AddressSpan{first->value, last->value};
}

std::string format_pool(AddressSpan span) { return address_text(span.first) + "-" + address_text(span.last); }

std::string describe(AddressSpan span) { return address_text(span.first) + " - " + address_text(span.last); }

std::vector<AddressSpan> normalize(std::vector<AddressSpan> spans) {
    std::sort(spans.begin(), spans.end());
    std::vector<AddressSpan> out;
    for (const auto& s : spans) {
        if (!out.empty() && (out.back().last == UINT32_MAX || s.first <= out.back().last + 1)) {
            out.back().last = std::max(out.back().last, s.last);
            continue;
        }
        out.push_back(s);
    }
    return out;
}

std::vector<AddressSpan> subtract(AddressSpan range, const std::vector<AddressSpan>& exclusions) {
    std::vector<AddressSpan> out;
    std::uint64_t next = range.first;  // 64 bits: the range may end at 255.255.255.255
    for (const auto& ex : normalize(exclusions)) {
        auto inside = intersect(ex, range);
        if (!inside) continue;
        if (inside->first > next) out.push_back({static_cast<std::uint32_t>(next), inside->first - 1});
        next = std::uint64_t{inside->last} + 1;
    }
    if (next <= range.last) out.push_back({static_cast<std::uint32_t>(next), range.last});
    return out;
}

std::optional<RangeAndExclusions> range_from_pools(const std::vector<AddressSpan>& pools,
                                                   std::optional<AddressSpan> stored_range) {
    auto merged = normalize(pools);
    RangeAndExclusions out;
    if (merged.empty()) {
        if (!stored_range) return std::nullopt;
        out.range = *stored_range;
        out.exclusions.push_back(*stored_range);  // no pool at all: every address of the range is excluded
        return out;
    }
    AddressSpan spanned{merged.front().first, merged.back().last};
    bool stored_fits = stored_range && stored_range->first <= spanned.first && spanned.last <= stored_range->last;
    out.range = stored_fits ? *stored_range : spanned;
    std::uint64_t next = out.range.first;
    for (const auto& p : merged) {
        if (p.first > next) out.exclusions.push_back({static_cast<std::uint32_t>(next), p.first - 1});
        next = std::uint64_t{p.last} + 1;
    }
    if (next <= out.range.last) out.exclusions.push_back({static_cast<std::uint32_t>(next), out.range.last});
    return out;
}

std::optional<AddressSpan> range_to_store(AddressSpan range, const std::vector<AddressSpan>& pools) {
    auto merged = normalize(pools);
    if (!merged.empty() && merged.front().first == range.first && merged.back().last == range.last)
        return std::nullopt;
    return range;
}

std::vector<TaggedSpan> reshape_pools(const std::vector<TaggedSpan>& existing, const std::vector<AddressSpan>& target) {
    std::vector<TaggedSpan> sorted = existing;
    std::sort(sorted.begin(), sorted.end(), [](const TaggedSpan& a, const TaggedSpan& b) { return a.span < b.span; });

    std::vector<TaggedSpan> out;
    for (const auto& t : normalize(target)) {
        // The parts of t that existing pools cover, in address order (an address two pools claim goes to
        // the first: Kea refuses overlapping pools, so this only guards against bad input).
        std::vector<TaggedSpan> covered;
        std::uint64_t claimed_to = t.first;  // first address not yet given to a piece
        for (const auto& e : sorted) {
            auto inside = intersect(e.span, t);
            if (!inside || inside->last < claimed_to) continue;
            inside->first = static_cast<std::uint32_t>(std::max<std::uint64_t>(inside->first, claimed_to));
            covered.push_back({*inside, e.tag});
            claimed_to = std::uint64_t{inside->last} + 1;
        }
        if (covered.empty()) {
            append_piece(out, {t, neighbour_tag(sorted, t)});
            continue;
        }
        // Uncovered addresses: before the first piece they join it; after a piece they join that piece.
        std::uint64_t next = t.first;
        for (std::size_t i = 0; i < covered.size(); ++i) {
            TaggedSpan piece = covered[i];
            if (piece.span.first > next) {
                AddressSpan gap{static_cast<std::uint32_t>(next), piece.span.first - 1};
                if (i == 0) piece.span.first = gap.first;  // nothing on its left inside t
                else append_piece(out, {gap, covered[i - 1].tag});
            }
            append_piece(out, piece);
            next = std::uint64_t{piece.span.last} + 1;
        }
        if (next <= t.last) append_piece(out, {{static_cast<std::uint32_t>(next), t.last}, covered.back().tag});
    }
    return out;
}

}  // namespace nds::kea
