// The NetBox simulator's clock: NetBox's own time, which a test may set apart from the machine's
// (POST /_sim/config {"clock_offset_seconds": N}), and the timestamp formats NetBox reads and writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nds::sim::netbox {

/// Microseconds since the Unix epoch, UTC.
using Micros = std::int64_t;

/// NetBox's "now": the machine's clock plus the configured offset.
Micros sim_now();
void set_clock_offset_seconds(std::int64_t seconds);
std::int64_t clock_offset_seconds();

/// "2026-08-22T10:11:12.123456Z" (how NetBox renders created/last_updated/time).
std::string iso_time(Micros t);
/// iso_time(sim_now()).
std::string sim_now_iso();
/// RFC 9110 IMF-fixdate for the Date header: "Sat, 22 Aug 2026 10:11:12 GMT".
std::string http_date(Micros t);

/// Django's DateTimeField input: "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]" with an optional "Z" or
/// "±HH:MM" offset (none = UTC, NetBox's TIME_ZONE default). nullopt when it is not one of those.
std::optional<Micros> parse_iso_time(std::string_view text);

}  // namespace nds::sim::netbox
