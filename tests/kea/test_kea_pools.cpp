// Scope range + exclusions <-> Kea pools (kea_client/kea_pools.hpp): pure, exhaustive on small ranges.
#include "kea_client/kea_pools.hpp"
#include "sync_engine/ipv4.hpp"

#include <doctest/doctest.h>

#include <set>

using nds::kea::AddressSpan;
using nds::kea::RangeAndExclusions;
using nds::kea::TaggedSpan;

namespace {

std::uint32_t ip(const char* text) { return nds::engine::Ipv4Address::parse(text)->value; }
AddressSpan span(const char* a, const char* b) { return {ip(a), ip(b)}; }
AddressSpan s(std::uint32_t a, std::uint32_t b) { return {a, b}; }

/// The set of addresses of spans (small test ranges only).
std::set<std::uint32_t> addresses(const std::vector<AddressSpan>& spans) {
    std::set<std::uint32_t> out;
    for (const auto& x : spans)
        for (std::uint64_t a = x.first; a <= x.last; ++a) out.insert(static_cast<std::uint32_t>(a));
    return out;
}

/// What the sync would read back after writing range + exclusions as pools.
RangeAndExclusions round_trip(AddressSpan range, const std::vector<AddressSpan>& exclusions) {
    auto pools = nds::kea::subtract(range, exclusions);
    auto stored = nds::kea::range_to_store(range, pools);
    auto back = nds::kea::range_from_pools(pools, stored);
    REQUIRE(back.has_value());
    return *back;
}

}  // namespace

TEST_CASE("pool text: 'a - b', 'a-b' and CIDR, bad input refused") {
    CHECK(nds::kea::parse_pool("192.0.2.10 - 192.0.2.20") == span("192.0.2.10", "192.0.2.20"));
    CHECK(nds::kea::parse_pool("192.0.2.10-192.0.2.20") == span("192.0.2.10", "192.0.2.20"));
    CHECK(nds::kea::parse_pool("  192.0.2.10 -192.0.2.10 ") == span("192.0.2.10", "192.0.2.10"));
    CHECK(nds::kea::parse_pool("192.0.2.0/26") == span("192.0.2.0", "192.0.2.63"));
    CHECK(nds::kea::parse_pool("192.0.2.5/26") == span("192.0.2.0", "192.0.2.63"));  // host bits: Kea takes the prefix
    CHECK(nds::kea::parse_pool("10.0.0.7/32") == span("10.0.0.7", "10.0.0.7"));
    CHECK_FALSE(nds::kea::parse_pool("192.0.2.20 - 192.0.2.10"));
    CHECK_FALSE(nds::kea::parse_pool("192.0.2.10"));
    CHECK_FALSE(nds::kea::parse_pool("192.0.2.10 - 192.0.2.300"));
    CHECK_FALSE(nds::kea::parse_pool("192.0.2.0/33"));
    CHECK_FALSE(nds::kea::parse_pool(""));
    CHECK(nds::kea::format_pool(span("192.0.2.10", "192.0.2.20")) == "192.0.2.10-192.0.2.20");
}

TEST_CASE("pools are the range minus the exclusions") {
    auto range = span("10.0.0.10", "10.0.0.100");
    CHECK(nds::kea::subtract(range, {}) == std::vector<AddressSpan>{range});
    CHECK(nds::kea::subtract(range, {span("10.0.0.20", "10.0.0.30")}) ==
          std::vector<AddressSpan>{span("10.0.0.10", "10.0.0.19"), span("10.0.0.31", "10.0.0.100")});
    SUBCASE("overlapping and adjacent exclusions make one gap") {
        auto pools = nds::kea::subtract(range, {span("10.0.0.25", "10.0.0.40"), span("10.0.0.20", "10.0.0.30"),
                                                span("10.0.0.41", "10.0.0.50")});
        CHECK(pools == std::vector<AddressSpan>{span("10.0.0.10", "10.0.0.19"), span("10.0.0.51", "10.0.0.100")});
    }
    SUBCASE("exclusions at the edges and beyond them") {
        CHECK(nds::kea::subtract(range, {span("10.0.0.1", "10.0.0.10")}) ==
              std::vector<AddressSpan>{span("10.0.0.11", "10.0.0.100")});
        CHECK(nds::kea::subtract(range, {span("10.0.0.100", "10.0.0.200")}) ==
              std::vector<AddressSpan>{span("10.0.0.10", "10.0.0.99")});
        CHECK(nds::kea::subtract(range, {span("10.0.0.0", "10.0.0.255")}).empty());
        CHECK(nds::kea::subtract(range, {span("10.0.1.0", "10.0.1.9")}) == std::vector<AddressSpan>{range});
    }
    SUBCASE("the top of the address space") {
        auto top = span("255.255.255.250", "255.255.255.255");
        CHECK(nds::kea::subtract(top, {span("255.255.255.255", "255.255.255.255")}) ==
              std::vector<AddressSpan>{span("255.255.255.250", "255.255.255.254")});
        CHECK(nds::kea::normalize({top, span("255.255.255.240", "255.255.255.251")}) ==
              std::vector<AddressSpan>{span("255.255.255.240", "255.255.255.255")});
    }
}

TEST_CASE("reading pools back: range from the first to the last pool, gaps are the exclusions") {
    auto back = nds::kea::range_from_pools({span("10.0.0.51", "10.0.0.100"), span("10.0.0.10", "10.0.0.19")}, std::nullopt);
    REQUIRE(back);
    CHECK(back->range == span("10.0.0.10", "10.0.0.100"));
    CHECK(back->exclusions == std::vector<AddressSpan>{span("10.0.0.20", "10.0.0.50")});
    SUBCASE("several pools, CIDR and ranges, touching pools make no gap") {
        std::vector<AddressSpan> pools{*nds::kea::parse_pool("10.0.0.0/28"), *nds::kea::parse_pool("10.0.0.16 - 10.0.0.20"),
                                       *nds::kea::parse_pool("10.0.0.32/28"), *nds::kea::parse_pool("10.0.0.60-10.0.0.70")};
        auto r = nds::kea::range_from_pools(pools, std::nullopt);
        REQUIRE(r);
        CHECK(r->range == span("10.0.0.0", "10.0.0.70"));
        CHECK(r->exclusions == std::vector<AddressSpan>{span("10.0.0.21", "10.0.0.31"), span("10.0.0.48", "10.0.0.59")});
    }
    SUBCASE("a stored range is used while every pool lies inside it") {
        auto r = nds::kea::range_from_pools({span("10.0.0.21", "10.0.0.100")}, span("10.0.0.10", "10.0.0.100"));
        REQUIRE(r);
        CHECK(r->range == span("10.0.0.10", "10.0.0.100"));
        CHECK(r->exclusions == std::vector<AddressSpan>{span("10.0.0.10", "10.0.0.20")});
        // Someone widened the pools by hand past the stored range: the pools win.
        auto widened = nds::kea::range_from_pools({span("10.0.0.5", "10.0.0.100")}, span("10.0.0.10", "10.0.0.100"));
        REQUIRE(widened);
        CHECK(widened->range == span("10.0.0.5", "10.0.0.100"));
        CHECK(widened->exclusions.empty());
    }
    SUBCASE("no pool: everything of the stored range is excluded, without one nothing is known") {
        auto r = nds::kea::range_from_pools({}, span("10.0.0.10", "10.0.0.100"));
        REQUIRE(r);
        CHECK(r->exclusions == std::vector<AddressSpan>{span("10.0.0.10", "10.0.0.100")});
        CHECK_FALSE(nds::kea::range_from_pools({}, std::nullopt));
    }
}

TEST_CASE("the range is stored only when the pools cannot show it") {
    auto range = span("10.0.0.10", "10.0.0.100");
    CHECK_FALSE(nds::kea::range_to_store(range, {range}));
    CHECK_FALSE(nds::kea::range_to_store(range, {span("10.0.0.10", "10.0.0.19"), span("10.0.0.31", "10.0.0.100")}));
    CHECK(nds::kea::range_to_store(range, {span("10.0.0.11", "10.0.0.100")}) == range);
    CHECK(nds::kea::range_to_store(range, {span("10.0.0.10", "10.0.0.99")}) == range);
    CHECK(nds::kea::range_to_store(range, {}) == range);
}

TEST_CASE("range and exclusions round-trip through pools: every case on a 12-address range") {
    // Exhaustive: every range inside 0..11 and every set of up to two exclusions inside -1..12 (reaching
    // past the range's edges), overlapping, adjacent, nested and at the edges.
    const std::uint32_t base = ip("10.1.0.100");
    std::vector<AddressSpan> candidates;
    for (std::uint32_t a = 0; a <= 13; ++a)
        for (std::uint32_t b = a; b <= 13; ++b) candidates.push_back(s(base + a - 1, base + b - 1));
    std::size_t checked = 0;
    for (std::uint32_t first = 0; first < 12; ++first) {
        for (std::uint32_t last = first; last < 12; ++last) {
            AddressSpan range = s(base + first, base + last);
            auto check = [&](const std::vector<AddressSpan>& exclusions) {
                auto back = round_trip(range, exclusions);
                CHECK(back.range == range);
                // The excluded addresses inside the range are exactly the same, as normalised spans.
                std::set<std::uint32_t> want;
                for (auto a : addresses(exclusions))
                    if (a >= range.first && a <= range.last) want.insert(a);
                CHECK(addresses(back.exclusions) == want);
                CHECK(back.exclusions == nds::kea::normalize(back.exclusions));
                // Writing what was read back gives the same pools: a second run changes nothing.
                CHECK(nds::kea::subtract(back.range, back.exclusions) == nds::kea::subtract(range, exclusions));
                ++checked;
            };
            check({});
            for (std::size_t i = 0; i < candidates.size(); ++i) {
                check({candidates[i]});
                for (std::size_t j = i; j < candidates.size(); j += 7) check({candidates[i], candidates[j]});
            }
        }
    }
    CHECK(checked > 10000);
}

TEST_CASE("reshaping pools keeps each pool's identity") {
    std::vector<TaggedSpan> existing{{span("10.0.0.10", "10.0.0.50"), 0}, {span("10.0.0.51", "10.0.0.100"), 1}};
    SUBCASE("unchanged target: the same pools") {
        CHECK(nds::kea::reshape_pools(existing, {span("10.0.0.10", "10.0.0.100")}) == existing);
    }
    SUBCASE("an exclusion cuts one pool in two, both pieces keep its tag") {
        auto out = nds::kea::reshape_pools(existing, nds::kea::subtract(span("10.0.0.10", "10.0.0.100"),
                                                                         {span("10.0.0.20", "10.0.0.29")}));
        CHECK(out == std::vector<TaggedSpan>{{span("10.0.0.10", "10.0.0.19"), 0},
                                             {span("10.0.0.30", "10.0.0.50"), 0},
                                             {span("10.0.0.51", "10.0.0.100"), 1}});
    }
    SUBCASE("an exclusion across the border of two pools shortens both") {
        auto out = nds::kea::reshape_pools(existing, nds::kea::subtract(span("10.0.0.10", "10.0.0.100"),
                                                                         {span("10.0.0.45", "10.0.0.60")}));
        CHECK(out == std::vector<TaggedSpan>{{span("10.0.0.10", "10.0.0.44"), 0}, {span("10.0.0.61", "10.0.0.100"), 1}});
    }
    SUBCASE("a removed exclusion: the gap joins the pool on its left") {
        std::vector<TaggedSpan> cut{{span("10.0.0.10", "10.0.0.19"), 0}, {span("10.0.0.30", "10.0.0.100"), 1}};
        auto out = nds::kea::reshape_pools(cut, {span("10.0.0.10", "10.0.0.100")});
        CHECK(out == std::vector<TaggedSpan>{{span("10.0.0.10", "10.0.0.29"), 0}, {span("10.0.0.30", "10.0.0.100"), 1}});
    }
    SUBCASE("a wider range: new addresses join the nearest pool") {
        auto out = nds::kea::reshape_pools(existing, {span("10.0.0.1", "10.0.0.120")});
        CHECK(out == std::vector<TaggedSpan>{{span("10.0.0.1", "10.0.0.50"), 0}, {span("10.0.0.51", "10.0.0.120"), 1}});
    }
    SUBCASE("a target span that touches no pool takes the pool before it, else after it, else a new one") {
        auto out = nds::kea::reshape_pools(existing, {span("10.0.0.10", "10.0.0.100"), span("10.0.0.150", "10.0.0.160")});
        CHECK(out.back() == TaggedSpan{span("10.0.0.150", "10.0.0.160"), 1});
        auto before = nds::kea::reshape_pools(existing, {span("10.0.0.1", "10.0.0.5")});
        CHECK(before == std::vector<TaggedSpan>{{span("10.0.0.1", "10.0.0.5"), 0}});
        auto fresh = nds::kea::reshape_pools({}, {span("10.0.0.1", "10.0.0.5")});
        CHECK(fresh == std::vector<TaggedSpan>{{span("10.0.0.1", "10.0.0.5"), -1}});
    }
    SUBCASE("the pieces always cover exactly the target") {
        std::vector<AddressSpan> target{span("10.0.0.5", "10.0.0.15"), span("10.0.0.40", "10.0.0.60"), span("10.0.0.90", "10.0.0.130")};
        auto out = nds::kea::reshape_pools(existing, target);
        std::vector<AddressSpan> covered;
        for (const auto& piece : out) covered.push_back(piece.span);
        CHECK(addresses(covered) == addresses(target));
        for (std::size_t i = 1; i < out.size(); ++i) CHECK(out[i - 1].span.last < out[i].span.first);
    }
}
