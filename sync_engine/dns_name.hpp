// DNS names as NetBox accepts them. The plugin writes through the ORM and never validated names (B17); over
// REST NetBox rejects an invalid dns_name, which would fail the whole bulk write, so invalid names are dropped
// and reported instead.
#pragma once

#include <string>
#include <string_view>

namespace nds::engine {

/// NetBox's dns_name validator: ^([0-9A-Za-z_-]+|\*)(\.[0-9A-Za-z_-]+)*\.?$ and at most 255 characters.
bool is_valid_dns_name(std::string_view name);

/// Lowercase, as the plugin stores names from the server. No truncation: a cut name is a wrong name.
std::string normalize_dns_name(std::string_view name);

/// Case-insensitive: DNS names are, and NetBox keeps whatever case a user typed.
bool same_dns_name(std::string_view a, std::string_view b);

}  // namespace nds::engine
