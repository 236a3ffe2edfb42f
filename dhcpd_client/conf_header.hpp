// The comment header of every file the backend renders: who wrote it, from which NetBox, and the SHA-256 of
// everything after the header, so a later read can tell whether someone edited the file by hand. The time
// is never in it: the same input gives the same bytes, and an unchanged file is not pushed again. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nds::dhcpd {

/// The header lines (each ending in '\n') for a body.
std::string config_header(std::string_view server_name, std::string_view netbox_url, std::string_view body);

struct HeaderCheck {
    bool ours = false;         ///< the file starts with this backend's header
    bool hash_matches = false; ///< ... and the body is what the backend wrote
};
HeaderCheck check_header(std::string_view text);

/// Lowercase hex SHA-256.
std::string sha256_hex(std::string_view data);

}  // namespace nds::dhcpd
