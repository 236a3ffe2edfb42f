// DHCP client ids. Windows reports Ethernet client ids as "aa-bb-cc-dd-ee-ff"; NetBox users type them in any
// form. MACs are normalised once, at the edge, so every comparison in the engine is a plain string compare.
#pragma once

#include <string>
#include <string_view>

namespace nds::engine {

/// A 6-byte MAC in any common form ("AA:BB:CC:DD:EE:FF", "aabb.ccdd.eeff", "aa-bb-cc-dd-ee-ff",
/// "AABBCCDDEEFF") becomes "aa-bb-cc-dd-ee-ff". Anything else (longer client ids, DUIDs, text) is kept
/// verbatim apart from surrounding whitespace.
std::string normalize_client_id(std::string_view raw);

/// True when `raw` is a 6-byte MAC in one of the forms above.
bool is_mac_address(std::string_view raw);

}  // namespace nds::engine
