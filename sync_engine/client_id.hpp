// DHCP client ids. Windows reports every client id as lowercase hex pairs joined with '-'
// ("aa-bb-cc-dd-ee-ff", "01-00-15-5d-0a-01-02"), and the PSU script's POST /reservations stores whatever it
// is sent in that form (lowercased, non-hex characters stripped, pairs joined with '-'); NetBox users type
// client ids in any notation. Client ids are normalised once, at the edge, into the script's form, so every
// comparison in the engine is a plain string compare and a pushed reservation compares equal to what the
// server reports on the next run.
#pragma once

#include <string>
#include <string_view>

namespace nds::engine {

/// A hex client id of any length — hex digits in any case, separated by ':', '-', '.' or spaces, or not at
/// all ("AA:BB:CC:DD:EE:FF", "aabb.ccdd.eeff", "01 00 15 5D 0A 01 02", "AABBCCDDEEFF") — becomes lowercase
/// hex pairs joined with '-' ("aa-bb-cc-dd-ee-ff"). An odd number of digits is paired from the left and the
/// last digit stands alone ("abc" -> "ab-c"): exactly what the script sends to Windows. Anything else (a
/// character that is neither a hex digit nor one of those separators, or no hex digit at all) is kept
/// verbatim apart from surrounding whitespace.
std::string normalize_client_id(std::string_view raw);

/// True when `raw` is a hex client id in the sense above (it is normalised, not kept verbatim).
bool is_hex_client_id(std::string_view raw);

/// True when `raw` is a 6-byte MAC in one consistent notation: 12 hex digits, with no separator, ':' or
/// '-' after every 2 digits, or '.' after every 4.
bool is_mac_address(std::string_view raw);

}  // namespace nds::engine
